#pragma once
// Encryption of personal data at rest (identity numbers, phones).
//
// encrypt() gives "v1:<base64(nonce | ciphertext | tag)>" with AES-256-GCM
// and a fresh 96-bit nonce; the column name is bound as associated data so a
// value copied into another column does not decrypt. blind_index() gives a
// keyed HMAC-SHA-256 of the normalized value for exact-match lookup without
// decrypting. The two keys are derived from one 32-byte master key.
//
// Thread safety: immutable after construction; safe from any thread.
#include <string>
#include <string_view>

#include "core/error.hpp"

namespace stork::crypto {

class FieldCipher {
 public:
  // REQUIRES: master_key.size() == 32.
  explicit FieldCipher(std::string_view master_key);

  std::string encrypt(std::string_view plaintext, std::string_view column) const;
  // Fails with code "decrypt_failed" for a wrong key, a wrong column or tampering.
  Result<std::string> decrypt(std::string_view stored, std::string_view column) const;
  // Hex HMAC; callers normalize (upper-case, trim) before calling.
  std::string blind_index(std::string_view value, std::string_view column) const;

 private:
  std::string encryption_key_;
  std::string index_key_;
};

// Reads the 32-byte key (stored as 64 hex characters) from path, creating it
// with mode 0600 (and its directory) when missing.
Result<std::string> load_or_create_key(const std::string& path);

// Masking for lists and logs: keep the region code and the check digit.
// "510104199001011234" -> "5101**********1234"; short values mask fully.
std::string mask_id_number(std::string_view id);
// "13812345678" -> "138****5678".
std::string mask_phone(std::string_view phone);
// "张小丽" -> "张*丽", "王芳" -> "王*", for queue displays.
std::string mask_name(std::string_view name);

}  // namespace stork::crypto
