#include "paysim/notice.hpp"

#include <boost/json.hpp>
#include <cctype>
#include <stdexcept>

#include "billing/wechat_time.hpp"
#include "crypto/aead.hpp"
#include "crypto/random.hpp"

namespace stork::paysim {
namespace {

namespace json = boost::json;

constexpr const char* kAppId = "wxd678efh567hg6787";
constexpr const char* kOpenId = "oUpF8uMuAJO_M2pxb1Q9zNjWeS6o";

std::string upper_hex(size_t bytes) {
  std::string s = crypto::random_hex(bytes);
  for (char& c : s) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return s;
}

// WeChat's resource nonces are 12 letters and digits.
std::string resource_nonce() {
  static constexpr char kAlphabet[] =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
  std::string out;
  for (unsigned char c : crypto::random_bytes(crypto::kAeadNonceBytes)) out += kAlphabet[c % 62];
  return out;
}

// "EV-" and a UUID-like id: the notification's id, repeated on every retry.
std::string notification_id() {
  const std::string h = crypto::random_hex(16);
  return h.substr(0, 8) + "-" + h.substr(8, 4) + "-" + h.substr(12, 4) + "-" + h.substr(16, 4) +
         "-" + h.substr(20);
}

std::string trade_state_desc(const std::string& state) {
  if (state == "SUCCESS") return "支付成功";
  if (state == "REFUND") return "转入退款";
  if (state == "CLOSED") return "已关闭";
  return "未支付";
}

}  // namespace

NoticeMaker::NoticeMaker(crypto::RsaPrivateKey key, crypto::Certificate cert, std::string apiv3_key,
                         std::string mchid, int utc_offset_minutes)
    : key_(std::move(key)),
      cert_(std::move(cert)),
      apiv3_key_(std::move(apiv3_key)),
      mchid_(std::move(mchid)),
      utc_offset_minutes_(utc_offset_minutes) {}

std::string transaction_json(const SimTrade& t, const std::string& mchid, int utc_offset_minutes,
                             int64_t amount_fen) {
  const int64_t total = amount_fen >= 0 ? amount_fen : t.amount_fen;
  const bool paid = t.times_paid > 0;
  json::object o = {
      {"appid", kAppId},
      {"mchid", mchid},
      {"out_trade_no", t.out_trade_no},
      {"trade_type", "MWEB"},
      {"trade_state", t.state},
      {"trade_state_desc", trade_state_desc(t.state)},
      {"attach", ""},
      {"amount",
       {{"total", total},
        {"payer_total", paid ? total : 0},
        {"currency", "CNY"},
        {"payer_currency", "CNY"}}},
  };
  if (paid) {
    o["transaction_id"] = t.transaction_id;
    o["bank_type"] = "OTHERS";
    o["success_time"] = billing::format_rfc3339(t.success_ms, utc_offset_minutes);
    o["payer"] = {{"openid", kOpenId}};
  }
  return json::serialize(o);
}

std::string refund_answer_json(const SimRefund& r, const SimTrade& t, int utc_offset_minutes) {
  json::object o = {
      {"refund_id", r.refund_id},
      {"out_refund_no", r.out_refund_no},
      {"transaction_id", t.transaction_id},
      {"out_trade_no", r.out_trade_no},
      {"channel", "ORIGINAL"},
      {"user_received_account", "支付用户零钱"},
      {"create_time", billing::format_rfc3339(r.create_ms, utc_offset_minutes)},
      {"status", r.status},
      {"funds_account", "AVAILABLE"},
      {"amount",
       {{"total", t.amount_fen},
        {"refund", r.amount_fen},
        {"payer_total", t.amount_fen},
        {"payer_refund", r.amount_fen},
        {"settlement_total", t.amount_fen},
        {"settlement_refund", r.amount_fen},
        {"discount_refund", 0},
        {"currency", "CNY"}}},
  };
  if (r.success_ms > 0)
    o["success_time"] = billing::format_rfc3339(r.success_ms, utc_offset_minutes);
  return json::serialize(o);
}

std::string NoticeMaker::envelope(std::string_view event_type, std::string_view summary,
                                  std::string_view original_type, const std::string& resource_json,
                                  int64_t now_ms) const {
  const std::string nonce = resource_nonce();
  auto ciphertext = crypto::aead_encrypt(apiv3_key_, nonce, original_type, resource_json);
  if (!ciphertext)
    throw std::logic_error("resource encryption failed: " + ciphertext.error().message);
  const json::object o = {
      {"id", "EV-" + notification_id()},
      {"create_time", billing::format_rfc3339(now_ms, utc_offset_minutes_)},
      {"resource_type", "encrypt-resource"},
      {"event_type", event_type},
      {"summary", summary},
      {"resource",
       {{"original_type", original_type},
        {"algorithm", "AEAD_AES_256_GCM"},
        {"ciphertext", *ciphertext},
        {"associated_data", original_type},
        {"nonce", nonce}}},
  };
  return json::serialize(o);
}

std::string NoticeMaker::transaction_body(const SimTrade& t, int64_t now_ms,
                                          int64_t amount_fen) const {
  return envelope("TRANSACTION.SUCCESS", "支付成功", "transaction",
                  transaction_json(t, mchid_, utc_offset_minutes_, amount_fen), now_ms);
}

std::string NoticeMaker::refund_body(const SimRefund& r, const SimTrade& t, int64_t now_ms,
                                     int64_t amount_fen) const {
  const json::object resource = {
      {"mchid", mchid_},
      {"out_trade_no", r.out_trade_no},
      {"transaction_id", t.transaction_id},
      {"out_refund_no", r.out_refund_no},
      {"refund_id", r.refund_id},
      {"refund_status", r.status},
      {"success_time", billing::format_rfc3339(r.success_ms, utc_offset_minutes_)},
      {"user_received_account", "支付用户零钱"},
      {"amount",
       {{"total", t.amount_fen},
        {"refund", amount_fen >= 0 ? amount_fen : r.amount_fen},
        {"payer_total", t.amount_fen},
        {"payer_refund", amount_fen >= 0 ? amount_fen : r.amount_fen}}},
  };
  return envelope("REFUND.SUCCESS", "退款成功", "refund", json::serialize(resource), now_ms);
}

Envelope NoticeMaker::sign(std::string body, int64_t now_ms) const {
  Envelope e;
  e.timestamp_s = now_ms / 1000;
  e.nonce = upper_hex(16);
  e.headers = signed_headers(body, std::to_string(e.timestamp_s), e.nonce);
  e.body = std::move(body);
  return e;
}

Headers NoticeMaker::answer_headers(std::string_view body, int64_t now_ms) const {
  return signed_headers(body, std::to_string(now_ms / 1000), upper_hex(16));
}

Headers NoticeMaker::signed_headers(std::string_view body, const std::string& timestamp,
                                    const std::string& nonce) const {
  std::string message;
  message.append(timestamp).append("\n").append(nonce).append("\n").append(body).append("\n");
  return {{"Wechatpay-Timestamp", timestamp},
          {"Wechatpay-Nonce", nonce},
          {"Wechatpay-Signature", key_.sign(message)},
          {"Wechatpay-Serial", cert_.serial_hex()},
          {"Wechatpay-Signature-Type", "WECHATPAY2-SHA256-RSA2048"}};
}

}  // namespace stork::paysim
