#include "patients/card_token.hpp"

#include <charconv>
#include <vector>

#include "crypto/hash.hpp"
#include "crypto/random.hpp"

namespace stork::patients {
namespace {

constexpr std::string_view kPrefix = "SC1";

std::vector<std::string_view> split_dots(std::string_view s) {
  std::vector<std::string_view> parts;
  size_t start = 0;
  while (true) {
    const auto dot = s.find('.', start);
    parts.push_back(s.substr(start, dot == std::string_view::npos ? std::string_view::npos : dot - start));
    if (dot == std::string_view::npos) break;
    start = dot + 1;
  }
  return parts;
}

bool parse_positive(std::string_view s, int64_t& out) {
  if (s.empty() || s.size() > 18 || s[0] == '0') return false;
  auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), out);
  return ec == std::errc() && end == s.data() + s.size() && out > 0;
}

Error forged() {
  Error e = Error::invalid("qr", "this is not a Stork e-card code, or it was altered");
  e.code = "card_forged";
  return e;
}

}  // namespace

std::string derive_card_key(std::string_view master_key) {
  return crypto::hmac_sha256(master_key, "stork/e-card-qr/v1");
}

std::string CardTokenSigner::mac(std::string_view payload) const {
  return crypto::base64url(crypto::hmac_sha256(key_, payload).substr(0, 16));
}

std::string CardTokenSigner::sign(const CardClaims& c) const {
  const std::string payload = std::string(kPrefix) + "." + std::to_string(c.patient_id) + "." +
                              std::to_string(c.version) + "." + std::to_string(c.expires_ms / 1000);
  return payload + "." + mac(payload);
}

Result<CardClaims> CardTokenSigner::verify(std::string_view token, int64_t now_ms) const {
  if (token.size() > 128) return fail(forged());
  const auto parts = split_dots(token);
  if (parts.size() != 5 || parts[0] != kPrefix) return fail(forged());
  const std::string_view payload = token.substr(0, token.size() - parts[4].size() - 1);
  if (!crypto::constant_time_equal(mac(payload), parts[4])) return fail(forged());
  CardClaims c;
  int64_t expires_s = 0;
  if (!parse_positive(parts[1], c.patient_id) || !parse_positive(parts[2], c.version) ||
      !parse_positive(parts[3], expires_s))
    return fail(forged());
  c.expires_ms = expires_s * 1000;
  if (c.expires_ms <= now_ms) {
    Error e = Error::invalid("qr", "this e-card code has expired; refresh the card on the phone");
    e.code = "card_expired";
    return fail(e);
  }
  return c;
}

}  // namespace stork::patients
