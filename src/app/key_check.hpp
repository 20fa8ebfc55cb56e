#pragma once
// Guards against starting with the wrong field-encryption key: the first
// start records a fingerprint of the key (an HMAC, not the key); later
// starts with another key are refused with a clear message instead of
// failing one decryption at a time.
#include <span>
#include <string_view>

#include "core/error.hpp"
#include "store/database.hpp"
#include "store/migrations.hpp"

namespace stork::app {

std::span<const store::Migration> key_check_migrations();

// Errors: key_mismatch.
Status check_field_key(store::Database& db, std::string_view master_key, int64_t now_ms);

}  // namespace stork::app
