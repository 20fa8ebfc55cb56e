#pragma once
// Signatures for clinical documents over OpenSSL 3's EVP interface:
//  - SM2 with SM3 (GB/T 32918), with the distinguishing ID
//    "1234567812345678" that GM/T 0009 sets as the default. OpenSSL 3.0's
//    own default is an empty ID, so it is always set explicitly here, or
//    signatures would not verify in other SM2 implementations.
//  - ECDSA on P-256 with SHA-256.
// A signature is the DER-encoded (r, s) pair as raw bytes; callers base64
// it for storage. Both algorithms are randomized: signing the same message
// twice gives different bytes, and both verify.
//
// Thread safety: SigningKey and VerifyingKey are immutable after
// construction and share the OpenSSL key by reference count; copies and
// concurrent calls from any thread are safe. Signing is CPU work: keep it
// off I/O threads.
#include <expected>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "core/error.hpp"

struct evp_pkey_st;  // OpenSSL's EVP_PKEY, kept out of this header

namespace stork::crypto {

enum class SignatureAlgorithm { sm2_sm3, ecdsa_p256_sha256 };

// "SM2-SM3" and "ECDSA-P256-SHA256": the names stored beside a signature.
std::string_view algorithm_name(SignatureAlgorithm algorithm);
std::optional<SignatureAlgorithm> parse_algorithm(std::string_view name);

// Why a signature did not verify. A changed message and a different key
// cannot be told apart: both are `mismatch`.
enum class SignatureFailure {
  malformed,           // not a DER-encoded (r, s) pair
  algorithm_mismatch,  // the key is not of the algorithm the signature names
  mismatch,            // not a signature of this message by this key
};
// Stable codes: "signature_malformed", "signature_algorithm_mismatch",
// "signature_mismatch".
std::string_view failure_code(SignatureFailure failure);
std::string_view failure_message(SignatureFailure failure);

class VerifyingKey {
 public:
  // A SubjectPublicKeyInfo PEM ("BEGIN PUBLIC KEY") holding an SM2 or P-256
  // key. Errors: validation_failed (field "public_key").
  static Result<VerifyingKey> from_pem(std::string_view pem);
  // Takes a reference to key. Errors: validation_failed (field `field`)
  // when it is neither an SM2 nor a P-256 key.
  static Result<VerifyingKey> from_native(evp_pkey_st* key, std::string_view field);

  SignatureAlgorithm algorithm() const { return algorithm_; }
  std::string pem() const;
  // Checks signature over message, made with `algorithm` by this key.
  std::expected<void, SignatureFailure> verify(SignatureAlgorithm algorithm,
                                               std::string_view message,
                                               std::string_view signature) const;
  // The same public key.
  bool operator==(const VerifyingKey& other) const;

  // The OpenSSL key, for crypto/ code only; not owned by the caller.
  evp_pkey_st* native() const { return key_.get(); }

 private:
  VerifyingKey(std::shared_ptr<evp_pkey_st> key, SignatureAlgorithm algorithm)
      : key_(std::move(key)), algorithm_(algorithm) {}
  std::shared_ptr<evp_pkey_st> key_;
  SignatureAlgorithm algorithm_;
};

class SigningKey {
 public:
  // A fresh key. Throws when OpenSSL cannot make one (no entropy).
  static SigningKey generate(SignatureAlgorithm algorithm);
  // An unencrypted PKCS#8 PEM ("BEGIN PRIVATE KEY") of an SM2 or P-256 key.
  // Errors: validation_failed (field "private_key"). Encrypted keys go
  // through crypto/keystore.hpp.
  static Result<SigningKey> from_pem(std::string_view pem);
  // Takes ownership of key. Errors: validation_failed (field `field`).
  static Result<SigningKey> from_native(evp_pkey_st* key, std::string_view field);

  SignatureAlgorithm algorithm() const { return algorithm_; }
  VerifyingKey public_key() const;
  // Unencrypted PKCS#8 PEM: for tests and crypto/keystore.cpp only.
  std::string pem() const;
  // The DER signature of message. Throws only when OpenSSL fails with a
  // valid key, which is a bug.
  std::string sign(std::string_view message) const;

  evp_pkey_st* native() const { return key_.get(); }

 private:
  SigningKey(std::shared_ptr<evp_pkey_st> key, SignatureAlgorithm algorithm)
      : key_(std::move(key)), algorithm_(algorithm) {}
  std::shared_ptr<evp_pkey_st> key_;
  SignatureAlgorithm algorithm_;
};

}  // namespace stork::crypto
