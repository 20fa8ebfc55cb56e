#include "crypto/signature.hpp"

#include <openssl/ec.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>

#include <stdexcept>

#include "crypto/evp_detail.hpp"

namespace stork::crypto {
namespace detail {

std::optional<SignatureAlgorithm> algorithm_of(EVP_PKEY* key) {
  if (!key) return std::nullopt;
  if (EVP_PKEY_is_a(key, "SM2")) return SignatureAlgorithm::sm2_sm3;
  if (!EVP_PKEY_is_a(key, "EC")) return std::nullopt;
  // A plain EC key on the SM2 curve would sign as ECDSA, not SM2: refused.
  char name[64];
  size_t len = 0;
  if (EVP_PKEY_get_group_name(key, name, sizeof name, &len) != 1) return std::nullopt;
  const std::string_view group(name, len);
  if (group == "prime256v1" || group == "P-256" || group == "secp256r1")
    return SignatureAlgorithm::ecdsa_p256_sha256;
  return std::nullopt;
}

namespace {
const EVP_MD* digest_of(SignatureAlgorithm algorithm) {
  return algorithm == SignatureAlgorithm::sm2_sm3 ? EVP_sm3() : EVP_sha256();
}
// OpenSSL 3 computes SM2's Z value at the first update, so the ID can (and
// must) be set on the context that the init call hands back.
bool set_sm2_id(EVP_PKEY_CTX* pctx, SignatureAlgorithm algorithm) {
  if (algorithm != SignatureAlgorithm::sm2_sm3) return true;
  return pctx && EVP_PKEY_CTX_set1_id(pctx, kSm2Id.data(), static_cast<int>(kSm2Id.size())) == 1;
}
}  // namespace

bool init_sign(EVP_MD_CTX* ctx, EVP_PKEY* key, SignatureAlgorithm algorithm) {
  EVP_PKEY_CTX* pctx = nullptr;
  return EVP_DigestSignInit(ctx, &pctx, digest_of(algorithm), nullptr, key) == 1 &&
         set_sm2_id(pctx, algorithm);
}

bool init_verify(EVP_MD_CTX* ctx, EVP_PKEY* key, SignatureAlgorithm algorithm) {
  EVP_PKEY_CTX* pctx = nullptr;
  return EVP_DigestVerifyInit(ctx, &pctx, digest_of(algorithm), nullptr, key) == 1 &&
         set_sm2_id(pctx, algorithm);
}

}  // namespace detail

namespace {

using detail::Bio;
using detail::MdCtx;

std::shared_ptr<EVP_PKEY> own(EVP_PKEY* key) { return {key, EVP_PKEY_free}; }

// Refuses to prompt on the terminal for an encrypted key's passphrase.
int no_passphrase(char*, int, int, void*) { return 0; }

// Strict DER of ECDSA-Sig-Value (SM2 uses the same structure): anything
// that does not re-encode to the same bytes is malformed, so one signature
// has exactly one accepted encoding.
bool is_der_signature(std::string_view sig) {
  const auto* p = reinterpret_cast<const unsigned char*>(sig.data());
  ECDSA_SIG* parsed = d2i_ECDSA_SIG(nullptr, &p, static_cast<long>(sig.size()));
  if (!parsed) return false;
  unsigned char* der = nullptr;
  const int n = i2d_ECDSA_SIG(parsed, &der);
  const bool same = n > 0 && static_cast<size_t>(n) == sig.size() &&
                    std::string_view(reinterpret_cast<char*>(der), static_cast<size_t>(n)) == sig;
  OPENSSL_free(der);
  ECDSA_SIG_free(parsed);
  return same;
}

}  // namespace

std::string_view algorithm_name(SignatureAlgorithm algorithm) {
  return algorithm == SignatureAlgorithm::sm2_sm3 ? "SM2-SM3" : "ECDSA-P256-SHA256";
}

std::optional<SignatureAlgorithm> parse_algorithm(std::string_view name) {
  if (name == "SM2-SM3") return SignatureAlgorithm::sm2_sm3;
  if (name == "ECDSA-P256-SHA256") return SignatureAlgorithm::ecdsa_p256_sha256;
  return std::nullopt;
}

std::string_view failure_code(SignatureFailure failure) {
  switch (failure) {
    case SignatureFailure::malformed:
      return "signature_malformed";
    case SignatureFailure::algorithm_mismatch:
      return "signature_algorithm_mismatch";
    case SignatureFailure::mismatch:
      break;
  }
  return "signature_mismatch";
}

std::string_view failure_message(SignatureFailure failure) {
  switch (failure) {
    case SignatureFailure::malformed:
      return "the signature is not a DER-encoded signature value";
    case SignatureFailure::algorithm_mismatch:
      return "the signer's key is not of the algorithm the signature names";
    case SignatureFailure::mismatch:
      break;
  }
  return "the signature does not match the content: the content was changed or another key signed "
         "it";
}

// --- VerifyingKey ---

Result<VerifyingKey> VerifyingKey::from_pem(std::string_view pem) {
  Bio bio = detail::read_bio(pem);
  EVP_PKEY* key = bio ? PEM_read_bio_PUBKEY(bio.get(), nullptr, no_passphrase, nullptr) : nullptr;
  ERR_clear_error();
  if (!key) return fail(Error::invalid("public_key", "is not a PEM public key"));
  auto owned = own(key);
  return from_native(key, "public_key");
}

Result<VerifyingKey> VerifyingKey::from_native(EVP_PKEY* key, std::string_view field) {
  const auto algorithm = detail::algorithm_of(key);
  if (!algorithm)
    return fail(Error::invalid(std::string(field), "is neither an SM2 nor a P-256 key"));
  EVP_PKEY_up_ref(key);
  return VerifyingKey(own(key), *algorithm);
}

std::string VerifyingKey::pem() const {
  Bio bio = detail::memory_bio();
  if (!bio || PEM_write_bio_PUBKEY(bio.get(), key_.get()) != 1)
    throw std::runtime_error("cannot encode the public key as PEM");
  return detail::drain(bio.get());
}

std::expected<void, SignatureFailure> VerifyingKey::verify(SignatureAlgorithm algorithm,
                                                           std::string_view message,
                                                           std::string_view signature) const {
  if (algorithm != algorithm_) return std::unexpected(SignatureFailure::algorithm_mismatch);
  if (!is_der_signature(signature)) {
    ERR_clear_error();
    return std::unexpected(SignatureFailure::malformed);
  }
  MdCtx ctx(EVP_MD_CTX_new(), EVP_MD_CTX_free);
  const bool ok =
      ctx && detail::init_verify(ctx.get(), key_.get(), algorithm) &&
      EVP_DigestVerify(ctx.get(), reinterpret_cast<const unsigned char*>(signature.data()),
                       signature.size(), reinterpret_cast<const unsigned char*>(message.data()),
                       message.size()) == 1;
  // A failed verification leaves entries on this thread's OpenSSL error queue.
  ERR_clear_error();
  if (!ok) return std::unexpected(SignatureFailure::mismatch);
  return {};
}

bool VerifyingKey::operator==(const VerifyingKey& other) const {
  return EVP_PKEY_eq(key_.get(), other.key_.get()) == 1;
}

// --- SigningKey ---

SigningKey SigningKey::generate(SignatureAlgorithm algorithm) {
  EVP_PKEY* key = algorithm == SignatureAlgorithm::sm2_sm3
                      ? EVP_PKEY_Q_keygen(nullptr, nullptr, "SM2")
                      : EVP_EC_gen("P-256");
  if (!key) throw std::runtime_error("key generation failed");
  auto owned = own(key);
  if (detail::algorithm_of(key) != algorithm)
    throw std::runtime_error("OpenSSL generated a key of another type");
  return SigningKey(std::move(owned), algorithm);
}

Result<SigningKey> SigningKey::from_pem(std::string_view pem) {
  Bio bio = detail::read_bio(pem);
  EVP_PKEY* key =
      bio ? PEM_read_bio_PrivateKey(bio.get(), nullptr, no_passphrase, nullptr) : nullptr;
  ERR_clear_error();
  if (!key) return fail(Error::invalid("private_key", "is not an unencrypted PEM private key"));
  return from_native(key, "private_key");
}

Result<SigningKey> SigningKey::from_native(EVP_PKEY* key, std::string_view field) {
  auto owned = own(key);
  const auto algorithm = detail::algorithm_of(key);
  if (!algorithm)
    return fail(Error::invalid(std::string(field), "is neither an SM2 nor a P-256 key"));
  return SigningKey(std::move(owned), *algorithm);
}

VerifyingKey SigningKey::public_key() const {
  // Through the SubjectPublicKeyInfo encoding, so the public object holds
  // no private material.
  unsigned char* der = nullptr;
  const int n = i2d_PUBKEY(key_.get(), &der);
  const unsigned char* p = der;
  EVP_PKEY* pub = n > 0 ? d2i_PUBKEY(nullptr, &p, n) : nullptr;
  OPENSSL_free(der);
  if (!pub) throw std::runtime_error("cannot extract the public key");
  auto owned = own(pub);
  auto key = VerifyingKey::from_native(pub, "public_key");
  if (!key) throw std::runtime_error("the public key changed type");
  return *key;
}

std::string SigningKey::pem() const {
  Bio bio = detail::memory_bio();
  if (!bio ||
      PEM_write_bio_PrivateKey(bio.get(), key_.get(), nullptr, nullptr, 0, nullptr, nullptr) != 1)
    throw std::runtime_error("cannot encode the private key as PEM");
  return detail::drain(bio.get());
}

std::string SigningKey::sign(std::string_view message) const {
  MdCtx ctx(EVP_MD_CTX_new(), EVP_MD_CTX_free);
  const auto* data = reinterpret_cast<const unsigned char*>(message.data());
  size_t len = 0;
  bool ok = ctx && detail::init_sign(ctx.get(), key_.get(), algorithm_) &&
            EVP_DigestSign(ctx.get(), nullptr, &len, data, message.size()) == 1;
  std::string sig(len, '\0');
  ok = ok && EVP_DigestSign(ctx.get(), reinterpret_cast<unsigned char*>(sig.data()), &len, data,
                            message.size()) == 1;
  if (!ok) throw std::runtime_error(std::string(algorithm_name(algorithm_)) + " signing failed");
  sig.resize(len);
  return sig;
}

}  // namespace stork::crypto
