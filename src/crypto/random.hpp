#pragma once
// Cryptographically secure randomness (OpenSSL's DRBG).
#include <cstddef>
#include <string>

namespace stork::crypto {

std::string random_bytes(size_t n);
// 256 random bits as URL-safe base64 without padding: bearer tokens, nonces.
std::string random_token();
// n random bytes as lowercase hex: request ids, file names.
std::string random_hex(size_t n);

std::string to_hex(std::string_view bytes);
std::string base64url(std::string_view bytes);
std::string base64(std::string_view bytes);
// Returns false on malformed input.
bool from_base64(std::string_view text, std::string& out);

}  // namespace stork::crypto
