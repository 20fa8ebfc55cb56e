#pragma once
// The signed, expiring token inside an e-card QR code.
//
// "SC1.<patient id>.<card version>.<expiry, unix seconds>.<MAC>" where MAC
// is HMAC-SHA-256 over the first four parts, truncated to 128 bits and
// base64url-encoded. It names the patient by id only: never an identity
// number. Reissuing a card bumps its version, which replaces every QR
// issued before.
//
// Thread safety: immutable after construction.
#include <cstdint>
#include <string>
#include <string_view>

#include "core/error.hpp"

namespace stork::patients {

struct CardClaims {
  int64_t patient_id = 0;
  int64_t version = 0;
  int64_t expires_ms = 0;  // whole seconds
};

class CardTokenSigner {
 public:
  // key: 32 secret bytes, e.g. derive_card_key(master key).
  explicit CardTokenSigner(std::string key) : key_(std::move(key)) {}

  std::string sign(const CardClaims& claims) const;
  // Errors (field "qr"): card_forged (malformed or bad MAC), card_expired.
  Result<CardClaims> verify(std::string_view token, int64_t now_ms) const;

 private:
  std::string mac(std::string_view payload) const;
  std::string key_;
};

std::string derive_card_key(std::string_view master_key);

}  // namespace stork::patients
