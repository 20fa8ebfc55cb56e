#include "patients/portal.hpp"

#include "crypto/hash.hpp"
#include "crypto/random.hpp"
#include "patients/identity.hpp"
#include "patients/repo.hpp"

namespace stork::patients {
namespace {

constexpr std::string_view kAccountPhone = "portal_accounts.phone";
constexpr std::string_view kPatientPhone = "patients.phone";

// Uniform six digits: rejection sampling over 32 random bits.
std::string six_digit_code() {
  constexpr uint32_t kRange = 1'000'000;
  constexpr uint32_t kLimit = UINT32_MAX - UINT32_MAX % kRange;
  while (true) {
    const std::string b = crypto::random_bytes(4);
    uint32_t v = 0;
    for (char ch : b) v = (v << 8) | static_cast<unsigned char>(ch);
    if (v < kLimit) {
      std::string code = std::to_string(v % kRange);
      return std::string(6 - code.size(), '0') + code;
    }
  }
}

std::string code_hash(const std::string& phone_index, const std::string& code) {
  return crypto::sha256_hex(phone_index + ":" + code);
}

Error too_many(std::string message, int64_t retry_after_ms) {
  return Error::conflict("too_many_requests", std::move(message))
      .with("retry_after_seconds", std::max<int64_t>(1, (retry_after_ms + 999) / 1000));
}

Result<std::string> valid_phone(const std::string& raw, bool foreign) {
  const std::string phone = normalize_phone(raw);
  auto errors = check_phone(phone, foreign);
  if (!errors.empty()) return fail(Error::invalid(std::move(errors)));
  return phone;
}

}  // namespace

PortalService::PortalService(store::Database& db, const Clock& clock, const auth::AuditLog& audit,
                             const crypto::FieldCipher& cipher, auth::AuthService& auth, notify::SmsGateway& sms,
                             PortalSettings settings)
    : db_(db), clock_(clock), audit_(audit), cipher_(cipher), auth_(auth), sms_(sms), settings_(settings) {}

Result<CodeSent> PortalService::request_code(const std::string& raw_phone, bool foreign,
                                             const auth::RequestContext& ctx) {
  auto phone = valid_phone(raw_phone, foreign);
  if (!phone) return fail(phone.error());
  const std::string index = cipher_.blind_index(*phone, kAccountPhone);
  const std::string code = six_digit_code();
  CodeSent sent;
  sent.phone_masked = crypto::mask_phone(*phone);
  auto s = db_.write([&](store::Connection& c) -> Status {
    const int64_t now = clock_.now_ms();
    const int64_t hour_ago = now - 3'600'000;
    auto by_phone = c.query(sql::kCountOtpsByPhoneSince, {index, hour_ago});
    if (!by_phone) return fail(by_phone.error());
    const int64_t count = (*by_phone)[0].integer(0);
    if (auto last = (*by_phone)[0].opt_integer(1)) {
      const int64_t wait = *last + int64_t{settings_.cooldown_seconds} * 1000 - now;
      if (wait > 0) return fail(too_many("a code was sent to this phone a moment ago; wait before asking again", wait));
    }
    if (count >= settings_.per_phone_per_hour)
      return fail(too_many("too many codes for this phone in the last hour", 3'600'000 / 4));
    auto by_ip = c.query(sql::kCountOtpsByIpSince, {ctx.ip, hour_ago});
    if (!by_ip) return fail(by_ip.error());
    if ((*by_ip)[0].integer(0) >= settings_.per_address_per_hour)
      return fail(too_many("too many codes requested from this address in the last hour", 3'600'000 / 4));
    sent.expires_at_ms = now + int64_t{settings_.code_ttl_seconds} * 1000;
    if (auto r = c.execute(sql::kInsertOtp, {index, code_hash(index, code), ctx.ip, now, sent.expires_at_ms}); !r)
      return fail(r.error());
    return audit_.append(c, {"patient:" + sent.phone_masked, "portal.code_sent", "phone", sent.phone_masked,
                             "success", ""},
                         ctx);
  });
  if (!s) return fail(s.error());
  // Sent after the code is durable, so a code that arrives always works.
  if (auto r = sms_.send(*phone, "【Stork】您的验证码是 " + code + "，5分钟内有效。Your Stork code is " + code + "."); !r)
    return fail(r.error());
  sent.retry_after_seconds = settings_.cooldown_seconds;
  return sent;
}

Result<PortalLogin> PortalService::login(const std::string& raw_phone, const std::string& code,
                                         const auth::RequestContext& ctx) {
  FieldErrors errors;
  const std::string phone = normalize_phone(raw_phone);
  const bool foreign = phone.starts_with("+");
  for (auto& e : check_phone(phone, foreign)) errors.add(e.field, e.message);
  if (code.size() != 6 || code.find_first_not_of("0123456789") != std::string::npos)
    errors.add("code", "is the 6-digit code from the text message");
  if (auto s = errors.status(); !s) return fail(s.error());

  const std::string index = cipher_.blind_index(phone, kAccountPhone);
  const std::string masked = crypto::mask_phone(phone);
  std::optional<Error> refusal;  // committed with its failed attempt, then returned
  PortalLogin out;
  auto s = db_.write([&](store::Connection& c) -> Status {
    const int64_t now = clock_.now_ms();
    auto refuse = [&](Error e, std::string detail) -> Status {
      refusal = std::move(e);
      return audit_.append(c, {"patient:" + masked, "portal.login", "phone", masked, "failure", std::move(detail)},
                           ctx);
    };
    auto latest = c.query(sql::kLatestOtp, {index});
    if (!latest) return fail(latest.error());
    const Error invalid = Error::invalid("code", "the code is wrong or has expired");
    if (latest->empty()) return refuse(invalid, "no code sent");
    const auto& otp = (*latest)[0];
    const int64_t otp_id = otp.integer(0);
    if (!otp.is_null(4) || otp.integer(2) <= now) return refuse(invalid, "code used or expired");
    if (otp.integer(3) >= settings_.max_attempts)
      return refuse(Error::conflict("code_locked", "too many wrong codes; request a new code"), "code locked");
    if (!crypto::constant_time_equal(otp.text(1), code_hash(index, code))) {
      auto attempts = c.query(sql::kOtpFailedAttempt, {otp_id});
      if (!attempts) return fail(attempts.error());
      const bool locked = (*attempts)[0].integer(0) >= settings_.max_attempts;
      return refuse(locked ? Error::conflict("code_locked", "too many wrong codes; request a new code") : invalid,
                    locked ? "wrong code; now locked" : "wrong code");
    }
    if (auto r = c.execute(sql::kConsumeOtp, {otp_id, now}); !r) return fail(r.error());

    auto account = c.query(sql::kSelectAccountByPhone, {index});
    if (!account) return fail(account.error());
    if (account->empty()) {
      auto created = c.query(sql::kInsertAccount, {index, cipher_.encrypt(phone, kAccountPhone), now});
      if (!created) return fail(created.error());
      out.account_id = (*created)[0].integer(0);
    } else {
      out.account_id = (*account)[0].integer(0);
      out.patient_id = (*account)[0].opt_integer(1);
      if (auto r = c.execute(sql::kTouchAccount, {out.account_id, now}); !r) return fail(r.error());
    }
    if (!out.patient_id) {
      auto self = c.query(sql::kSelectSelfCandidate, {cipher_.blind_index(phone, kPatientPhone)});
      if (!self) return fail(self.error());
      if (!self->empty()) {
        out.patient_id = (*self)[0].integer(0);
        if (auto r = c.execute(sql::kBindAccount, {out.account_id, *out.patient_id}); !r) return fail(r.error());
      }
    }
    auto token = auth_.issue_patient_token(c, out.account_id, ctx);
    if (!token) return fail(token.error());
    out.token = std::move(token->first);
    out.expires_at_ms = token->second;
    return audit_.append(c, {"patient:account" + std::to_string(out.account_id), "portal.login", "portal_account",
                             std::to_string(out.account_id), "success",
                             out.patient_id ? "patient " + std::to_string(*out.patient_id) : "not registered yet"},
                         ctx);
  });
  if (!s) return fail(s.error());
  if (refusal) return fail(*refusal);
  return out;
}

}  // namespace stork::patients
