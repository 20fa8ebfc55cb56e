#pragma once
// Patient sign-in on the phone: a one-time code by SMS, then a patient
// session. The portal account is keyed by the phone number; on first
// sign-in it binds to the record registered with that phone (the adult one,
// not a child's), or she registers herself afterwards.
//
// Codes are six digits, stored hashed, valid for five minutes, dead after
// five wrong guesses. Requests are rate-limited per phone (one a minute,
// five an hour) and per address (config portal_codes_per_address_per_hour).
#include <cstdint>
#include <optional>
#include <string>

#include "auth/audit.hpp"
#include "auth/service.hpp"
#include "core/clock.hpp"
#include "crypto/field_cipher.hpp"
#include "notify/sms.hpp"
#include "store/database.hpp"

namespace stork::patients {

struct PortalSettings {
  int code_ttl_seconds = 300;
  int max_attempts = 5;
  int cooldown_seconds = 60;
  int per_phone_per_hour = 5;
  int per_address_per_hour = 200;
};

struct CodeSent {
  std::string phone_masked;
  int64_t expires_at_ms = 0;
  int retry_after_seconds = 0;
};

struct PortalLogin {
  std::string token;
  int64_t expires_at_ms = 0;
  int64_t account_id = 0;
  std::optional<int64_t> patient_id;  // empty: she registers herself next
};

class PortalService {
 public:
  PortalService(store::Database& db, const Clock& clock, const auth::AuditLog& audit,
                const crypto::FieldCipher& cipher, auth::AuthService& auth, notify::SmsGateway& sms,
                PortalSettings settings = {});

  // Errors: validation_failed (phone), too_many_requests (with
  // retry_after_seconds).
  Result<CodeSent> request_code(const std::string& phone, bool foreign, const auth::RequestContext& ctx);
  // Errors: validation_failed, code_invalid (wrong, expired, used or never
  // sent), code_locked (too many wrong guesses: request a new one).
  Result<PortalLogin> login(const std::string& phone, const std::string& code, const auth::RequestContext& ctx);

 private:
  store::Database& db_;
  const Clock& clock_;
  const auth::AuditLog& audit_;
  const crypto::FieldCipher& cipher_;
  auth::AuthService& auth_;
  notify::SmsGateway& sms_;
  PortalSettings settings_;
};

}  // namespace stork::patients
