#pragma once
// RSA keys, self-signed X.509 certificates and SHA256withRSA (PKCS#1 v1.5)
// signatures over OpenSSL 3's EVP interface: what WeChat Pay API v3 uses to
// sign notifications and responses ("WECHATPAY2-SHA256-RSA2048").
//
// Signatures travel as standard base64 (crypto/random.hpp's base64()).
//
// Thread safety: both classes are immutable after construction and share
// the underlying OpenSSL key by reference count; copies and concurrent
// sign()/verify() calls from any thread are safe.
#include <memory>
#include <string>
#include <string_view>

#include "core/error.hpp"

struct evp_pkey_st;  // OpenSSL's EVP_PKEY, kept out of this header

namespace stork::crypto {

class RsaPrivateKey {
 public:
  // A fresh RSA-2048 key. Throws when OpenSSL cannot generate one (no
  // entropy): nothing sensible can continue without it.
  static RsaPrivateKey generate();
  // PEM ("BEGIN PRIVATE KEY" or "BEGIN RSA PRIVATE KEY"). Errors:
  // validation_failed (field "private_key") for anything else.
  static Result<RsaPrivateKey> from_pem(std::string_view pem);

  std::string pem() const;  // PKCS#8
  // Base64 SHA256withRSA (PKCS#1 v1.5) signature of message.
  std::string sign(std::string_view message) const;

 private:
  friend class Certificate;
  explicit RsaPrivateKey(std::shared_ptr<evp_pkey_st> key) : key_(std::move(key)) {}
  std::shared_ptr<evp_pkey_st> key_;
};

class Certificate {
 public:
  // A self-signed certificate for key: subject and issuer CN=common_name,
  // a random 128-bit serial, valid from a day ago for valid_days.
  static Certificate self_signed(const RsaPrivateKey& key, std::string_view common_name,
                                 int valid_days = 3650);
  // Errors: validation_failed (field "certificate") when pem holds no
  // X.509 certificate with an RSA public key.
  static Result<Certificate> from_pem(std::string_view pem);

  const std::string& pem() const { return pem_; }
  // Upper-case hex without leading zeros, as WeChat's Wechatpay-Serial header.
  const std::string& serial_hex() const { return serial_hex_; }
  // True when signature_base64 is a valid SHA256withRSA signature of message
  // by the certificate's key. Any malformed input is simply false.
  bool verify(std::string_view message, std::string_view signature_base64) const;

 private:
  Certificate(std::shared_ptr<evp_pkey_st> public_key, std::string pem, std::string serial_hex)
      : public_key_(std::move(public_key)),
        pem_(std::move(pem)),
        serial_hex_(std::move(serial_hex)) {}
  std::shared_ptr<evp_pkey_st> public_key_;
  std::string pem_;
  std::string serial_hex_;
};

}  // namespace stork::crypto
