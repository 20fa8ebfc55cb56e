#include "crypto/aead.hpp"

#include <openssl/evp.h>

#include <climits>
#include <memory>

#include "crypto/random.hpp"

namespace stork::crypto {
namespace {

constexpr int kTag = 16;

using CipherCtx = std::unique_ptr<EVP_CIPHER_CTX, decltype(&EVP_CIPHER_CTX_free)>;

const unsigned char* bytes(std::string_view s) {
  return reinterpret_cast<const unsigned char*>(s.data());
}

Status check_sizes(std::string_view key, std::string_view nonce) {
  if (key.size() != kAeadKeyBytes) return fail(Error::invalid("key", "must be 32 bytes"));
  if (nonce.size() != kAeadNonceBytes) return fail(Error::invalid("nonce", "must be 12 bytes"));
  return {};
}

}  // namespace

Result<std::string> aead_encrypt(std::string_view key, std::string_view nonce,
                                 std::string_view associated_data, std::string_view plaintext) {
  if (auto s = check_sizes(key, nonce); !s) return fail(s.error());
  if (plaintext.size() > INT_MAX - kTag || associated_data.size() > INT_MAX)
    return fail(Error::invalid("plaintext", "is too large"));
  std::string out(plaintext.size() + kTag, '\0');
  auto* dst = reinterpret_cast<unsigned char*>(out.data());
  CipherCtx ctx(EVP_CIPHER_CTX_new(), EVP_CIPHER_CTX_free);
  int len = 0;
  // The default GCM IV length is 12 bytes, so no EVP_CTRL_GCM_SET_IVLEN.
  bool ok = ctx && EVP_EncryptInit_ex(ctx.get(), EVP_aes_256_gcm(), nullptr, bytes(key),
                                      bytes(nonce)) == 1;
  ok = ok && EVP_EncryptUpdate(ctx.get(), nullptr, &len, bytes(associated_data),
                               static_cast<int>(associated_data.size())) == 1;
  ok = ok && EVP_EncryptUpdate(ctx.get(), dst, &len, bytes(plaintext),
                               static_cast<int>(plaintext.size())) == 1;
  ok = ok && EVP_EncryptFinal_ex(ctx.get(), dst + len, &len) == 1;
  ok =
      ok && EVP_CIPHER_CTX_ctrl(ctx.get(), EVP_CTRL_GCM_GET_TAG, kTag, dst + plaintext.size()) == 1;
  if (!ok) return fail(Error::internal("AES-256-GCM encryption failed"));
  return base64(out);
}

Result<std::string> aead_decrypt(std::string_view key, std::string_view nonce,
                                 std::string_view associated_data,
                                 std::string_view ciphertext_base64) {
  if (auto s = check_sizes(key, nonce); !s) return fail(s.error());
  const Error bad{"decrypt_failed",
                  "the ciphertext does not decrypt with this key, nonce and associated data",
                  {}};
  std::string raw;
  if (!from_base64(ciphertext_base64, raw) || raw.size() < static_cast<size_t>(kTag) ||
      raw.size() > INT_MAX || associated_data.size() > INT_MAX)
    return fail(bad);
  const size_t n = raw.size() - kTag;
  std::string plain(n, '\0');
  auto* out = reinterpret_cast<unsigned char*>(plain.data());
  CipherCtx ctx(EVP_CIPHER_CTX_new(), EVP_CIPHER_CTX_free);
  int len = 0;
  bool ok = ctx && EVP_DecryptInit_ex(ctx.get(), EVP_aes_256_gcm(), nullptr, bytes(key),
                                      bytes(nonce)) == 1;
  ok = ok && EVP_DecryptUpdate(ctx.get(), nullptr, &len, bytes(associated_data),
                               static_cast<int>(associated_data.size())) == 1;
  ok = ok && EVP_DecryptUpdate(ctx.get(), out, &len, bytes(raw), static_cast<int>(n)) == 1;
  ok = ok && EVP_CIPHER_CTX_ctrl(ctx.get(), EVP_CTRL_GCM_SET_TAG, kTag, raw.data() + n) == 1;
  // The tag is checked here: nothing decrypted is returned unless it matches.
  ok = ok && EVP_DecryptFinal_ex(ctx.get(), out + len, &len) == 1;
  if (!ok) return fail(bad);
  return plain;
}

}  // namespace stork::crypto
