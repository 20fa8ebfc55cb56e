#pragma once
// OpenSSL plumbing shared by crypto/signature.cpp, keystore.cpp and
// x509_ca.cpp; not for use outside src/crypto/.
#include <openssl/bio.h>
#include <openssl/evp.h>

#include <climits>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "crypto/signature.hpp"

namespace stork::crypto::detail {

using Bio = std::unique_ptr<BIO, decltype(&BIO_free)>;
using MdCtx = std::unique_ptr<EVP_MD_CTX, decltype(&EVP_MD_CTX_free)>;

// The GM/T 0009 default distinguishing ID for SM2.
inline constexpr std::string_view kSm2Id = "1234567812345678";

inline Bio read_bio(std::string_view text) {
  // Lengths beyond int would be truncated by BIO_new_mem_buf.
  if (text.size() > INT_MAX) return Bio(nullptr, BIO_free);
  return Bio(BIO_new_mem_buf(text.data(), static_cast<int>(text.size())), BIO_free);
}
inline Bio memory_bio() { return Bio(BIO_new(BIO_s_mem()), BIO_free); }
inline std::string drain(BIO* bio) {
  char* data = nullptr;
  const long n = BIO_get_mem_data(bio, &data);
  return n > 0 ? std::string(data, static_cast<size_t>(n)) : std::string();
}

// SM2 or P-256, judged by the key itself; nullopt for anything else.
std::optional<SignatureAlgorithm> algorithm_of(EVP_PKEY* key);

// Readies ctx to sign (or verify) with key under algorithm: SM3 with the
// SM2 distinguishing ID, or SHA-256. The caller has checked that key is of
// that algorithm. Returns false when OpenSSL refuses.
bool init_sign(EVP_MD_CTX* ctx, EVP_PKEY* key, SignatureAlgorithm algorithm);
bool init_verify(EVP_MD_CTX* ctx, EVP_PKEY* key, SignatureAlgorithm algorithm);

}  // namespace stork::crypto::detail
