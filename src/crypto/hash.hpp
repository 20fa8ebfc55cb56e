#pragma once
// SHA-256 and HMAC-SHA-256 helpers.
#include <string>
#include <string_view>

namespace stork::crypto {

std::string sha256(std::string_view data);      // 32 raw bytes
std::string sha256_hex(std::string_view data);  // 64 hex characters
std::string hmac_sha256(std::string_view key, std::string_view data);  // 32 raw bytes
// Compares in time independent of where the inputs differ.
bool constant_time_equal(std::string_view a, std::string_view b);

}  // namespace stork::crypto
