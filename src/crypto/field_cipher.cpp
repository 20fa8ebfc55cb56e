#include "crypto/field_cipher.hpp"

#include <openssl/evp.h>
#include <sys/stat.h>

#include <cassert>
#include <filesystem>
#include <fstream>
#include <memory>
#include <stdexcept>

#include "crypto/hash.hpp"
#include "crypto/random.hpp"

namespace stork::crypto {
namespace {

constexpr size_t kNonce = 12;
constexpr size_t kTag = 16;
constexpr std::string_view kPrefix = "v1:";

using CipherCtx = std::unique_ptr<EVP_CIPHER_CTX, decltype(&EVP_CIPHER_CTX_free)>;

// Splits a UTF-8 string into code points so masking never cuts a character.
std::vector<std::string_view> utf8_chars(std::string_view s) {
  std::vector<std::string_view> out;
  for (size_t i = 0; i < s.size();) {
    const unsigned char c = static_cast<unsigned char>(s[i]);
    size_t len = c < 0x80 ? 1 : (c >> 5) == 6 ? 2 : (c >> 4) == 14 ? 3 : (c >> 3) == 30 ? 4 : 1;
    len = std::min(len, s.size() - i);
    out.push_back(s.substr(i, len));
    i += len;
  }
  return out;
}

}  // namespace

FieldCipher::FieldCipher(std::string_view master_key) {
  assert(master_key.size() == 32);
  encryption_key_ = hmac_sha256(master_key, "stork field encryption v1");
  index_key_ = hmac_sha256(master_key, "stork blind index v1");
}

std::string FieldCipher::encrypt(std::string_view plaintext, std::string_view column) const {
  const std::string nonce = random_bytes(kNonce);
  std::string out = nonce;
  out.resize(kNonce + plaintext.size() + kTag);
  auto* dst = reinterpret_cast<unsigned char*>(out.data());
  CipherCtx ctx(EVP_CIPHER_CTX_new(), EVP_CIPHER_CTX_free);
  int len = 0;
  bool ok = ctx && EVP_EncryptInit_ex(ctx.get(), EVP_aes_256_gcm(), nullptr,
                                      reinterpret_cast<const unsigned char*>(encryption_key_.data()),
                                      reinterpret_cast<const unsigned char*>(nonce.data())) == 1;
  ok = ok && EVP_EncryptUpdate(ctx.get(), nullptr, &len,
                               reinterpret_cast<const unsigned char*>(column.data()),
                               static_cast<int>(column.size())) == 1;
  ok = ok && EVP_EncryptUpdate(ctx.get(), dst + kNonce, &len,
                               reinterpret_cast<const unsigned char*>(plaintext.data()),
                               static_cast<int>(plaintext.size())) == 1;
  ok = ok && EVP_EncryptFinal_ex(ctx.get(), dst + kNonce + len, &len) == 1;
  ok = ok && EVP_CIPHER_CTX_ctrl(ctx.get(), EVP_CTRL_GCM_GET_TAG, kTag,
                                 dst + kNonce + plaintext.size()) == 1;
  if (!ok) throw std::runtime_error("AES-256-GCM encryption failed");
  return std::string(kPrefix) + base64(out);
}

Result<std::string> FieldCipher::decrypt(std::string_view stored, std::string_view column) const {
  const Error bad{"decrypt_failed", "stored value cannot be decrypted with this key", {}};
  std::string raw;
  if (!stored.starts_with(kPrefix) || !from_base64(stored.substr(kPrefix.size()), raw) ||
      raw.size() < kNonce + kTag)
    return fail(bad);
  const size_t n = raw.size() - kNonce - kTag;
  const auto* src = reinterpret_cast<const unsigned char*>(raw.data());
  std::string plain(n, '\0');
  CipherCtx ctx(EVP_CIPHER_CTX_new(), EVP_CIPHER_CTX_free);
  int len = 0;
  bool ok = ctx && EVP_DecryptInit_ex(ctx.get(), EVP_aes_256_gcm(), nullptr,
                                      reinterpret_cast<const unsigned char*>(encryption_key_.data()),
                                      src) == 1;
  ok = ok && EVP_DecryptUpdate(ctx.get(), nullptr, &len,
                               reinterpret_cast<const unsigned char*>(column.data()),
                               static_cast<int>(column.size())) == 1;
  ok = ok && EVP_DecryptUpdate(ctx.get(), reinterpret_cast<unsigned char*>(plain.data()), &len,
                               src + kNonce, static_cast<int>(n)) == 1;
  ok = ok && EVP_CIPHER_CTX_ctrl(ctx.get(), EVP_CTRL_GCM_SET_TAG, kTag,
                                 const_cast<unsigned char*>(src + kNonce + n)) == 1;
  ok = ok && EVP_DecryptFinal_ex(ctx.get(), reinterpret_cast<unsigned char*>(plain.data()) + len,
                                 &len) == 1;
  if (!ok) return fail(bad);
  return plain;
}

std::string FieldCipher::blind_index(std::string_view value, std::string_view column) const {
  std::string data(column);
  data += '\0';
  data += value;
  return to_hex(hmac_sha256(index_key_, data));
}

Result<std::string> load_or_create_key(const std::string& path) {
  namespace fs = std::filesystem;
  std::error_code ec;
  if (!fs::exists(path, ec)) {
    const auto dir = fs::path(path).parent_path();
    if (!dir.empty()) fs::create_directories(dir, ec);
    const std::string hex = to_hex(random_bytes(32));
    const mode_t old = umask(077);  // the key file is born private
    {
      std::ofstream out(path, std::ios::trunc);
      out << hex << '\n';
      if (!out) {
        umask(old);
        return fail(Error::invalid("key_file", "cannot create key file '" + path + "'"));
      }
    }
    umask(old);
  }
  std::ifstream in(path);
  std::string hex;
  in >> hex;
  if (hex.size() != 64 || hex.find_first_not_of("0123456789abcdefABCDEF") != std::string::npos)
    return fail(Error::invalid("key_file", "'" + path + "' must hold 64 hex characters"));
  std::string key;
  for (size_t i = 0; i < 64; i += 2) {
    const auto byte = std::stoi(hex.substr(i, 2), nullptr, 16);
    key += static_cast<char>(byte);
  }
  return key;
}

std::string mask_id_number(std::string_view id) {
  if (id.size() <= 8) return std::string(id.size(), '*');
  return std::string(id.substr(0, 4)) + std::string(id.size() - 8, '*') +
         std::string(id.substr(id.size() - 4));
}

std::string mask_phone(std::string_view phone) {
  if (phone.size() <= 7) return std::string(phone.size(), '*');
  return std::string(phone.substr(0, 3)) + std::string(phone.size() - 7, '*') +
         std::string(phone.substr(phone.size() - 4));
}

std::string mask_name(std::string_view name) {
  const auto chars = utf8_chars(name);
  if (chars.empty()) return {};
  if (chars.size() == 1) return std::string(chars[0]);
  std::string out(chars.front());
  if (chars.size() == 2) return out + "*";
  for (size_t i = 1; i + 1 < chars.size(); ++i) out += '*';
  out += chars.back();
  return out;
}

}  // namespace stork::crypto
