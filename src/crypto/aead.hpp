#pragma once
// AES-256-GCM with a caller-chosen 12-byte nonce and associated data, in
// the layout of WeChat Pay API v3's AEAD_AES_256_GCM resource encryption:
// base64(ciphertext || 16-byte tag). The key is the merchant's 32-byte
// "APIv3 key"; WeChat sends the nonce and associated data in the clear next
// to the ciphertext.
//
// Never reuse a nonce with the same key: GCM loses both confidentiality
// and integrity. Callers pick a fresh random nonce per message.
//
// Thread safety: stateless; safe from any thread.
#include <string>
#include <string_view>

#include "core/error.hpp"

namespace stork::crypto {

inline constexpr size_t kAeadKeyBytes = 32;
inline constexpr size_t kAeadNonceBytes = 12;

// Errors: validation_failed ("key", "nonce") for wrong lengths.
Result<std::string> aead_encrypt(std::string_view key, std::string_view nonce,
                                 std::string_view associated_data, std::string_view plaintext);
// Errors: validation_failed for wrong key or nonce lengths; decrypt_failed
// for malformed base64, a wrong key, nonce or associated data, or any
// modified byte.
Result<std::string> aead_decrypt(std::string_view key, std::string_view nonce,
                                 std::string_view associated_data,
                                 std::string_view ciphertext_base64);

}  // namespace stork::crypto
