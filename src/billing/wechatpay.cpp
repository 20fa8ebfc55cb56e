#include "billing/wechatpay.hpp"

#include <openssl/evp.h>

#include <boost/json.hpp>
#include <cctype>
#include <cstdint>
#include <optional>

#include "billing/gateway_http.hpp"
#include "billing/trade_bill.hpp"
#include "billing/wechat_time.hpp"
#include "core/civil_date.hpp"
#include "crypto/aead.hpp"
#include "crypto/random.hpp"

namespace stork::billing {
namespace {

namespace json = boost::json;

constexpr int64_t kMaxSkewMs = 5 * 60 * 1000;  // WeChat's advice for notification timestamps
constexpr std::string_view kSignatureType = "WECHATPAY2-SHA256-RSA2048";

// ---- reading untrusted JSON without throwing

std::optional<json::object> parse_object(std::string_view text) {
  boost::system::error_code ec;
  json::value v = json::parse(text, ec);
  if (ec || !v.is_object()) return std::nullopt;
  return std::move(v.as_object());
}

const json::object* object_at(const json::object& o, std::string_view key) {
  const json::value* v = o.if_contains(key);
  return v ? v->if_object() : nullptr;
}

std::optional<std::string> string_at(const json::object& o, std::string_view key) {
  const json::value* v = o.if_contains(key);
  if (!v || !v->is_string()) return std::nullopt;
  return std::string(v->get_string());
}

std::optional<int64_t> int_at(const json::object& o, std::string_view key) {
  const json::value* v = o.if_contains(key);
  if (!v) return std::nullopt;
  if (const int64_t* i = v->if_int64()) return *i;
  if (const uint64_t* u = v->if_uint64(); u && *u <= static_cast<uint64_t>(INT64_MAX))
    return static_cast<int64_t>(*u);
  return std::nullopt;
}

// How a field problem is reported: validation_failed for what a caller
// hands us (notifications), gateway_unavailable for the gateway's answers.
using Complaint = Error (*)(std::string field, std::string message);

Error bad_input(std::string field, std::string message) {
  return Error::invalid(std::move(field), std::move(message));
}

Error bad_answer(std::string field, std::string message) {
  return Error{
      "gateway_unavailable", "the gateway's answer is malformed: " + field + " " + message, {}};
}

Result<std::string> required_string(const json::object& o, std::string_view key,
                                    const std::string& prefix, Complaint complain) {
  auto s = string_at(o, key);
  if (!s || s->empty())
    return fail(complain(prefix + std::string(key), "is required (a non-empty string)"));
  return *s;
}

// success_time is required once something succeeded, and must parse when present.
Result<int64_t> read_success_time(const json::object& o, bool required, const std::string& prefix,
                                  Complaint complain) {
  auto text = string_at(o, "success_time");
  if (!text || text->empty()) {
    if (required) return fail(complain(prefix + "success_time", "is required once paid"));
    return 0;
  }
  auto ms = parse_rfc3339(*text);
  if (!ms) return fail(complain(prefix + "success_time", "is not an RFC 3339 time"));
  return *ms;
}

// A transaction, from a query answer or a decrypted TRANSACTION.* resource.
Result<Transaction> read_transaction(const json::object& o, const std::string& prefix,
                                     Complaint complain) {
  Transaction t;
  auto no = required_string(o, "out_trade_no", prefix, complain);
  if (!no) return fail(no.error());
  t.out_trade_no = std::move(*no);
  auto state = required_string(o, "trade_state", prefix, complain);
  if (!state) return fail(state.error());
  t.trade_state = std::move(*state);
  const bool paid = t.trade_state == kTradeSuccess || t.trade_state == kTradeRefund;
  t.transaction_id = string_at(o, "transaction_id").value_or("");
  if (paid && t.transaction_id.empty())
    return fail(complain(prefix + "transaction_id", "is required once paid"));
  const json::object* amount = object_at(o, "amount");
  const auto total = amount ? int_at(*amount, "total") : std::nullopt;
  if (total && *total < 0) return fail(complain(prefix + "amount.total", "must not be negative"));
  if (paid && !total) return fail(complain(prefix + "amount.total", "is required once paid"));
  t.amount_fen = total.value_or(0);
  auto when = read_success_time(o, paid, prefix, complain);
  if (!when) return fail(when.error());
  t.success_time_ms = *when;
  return t;
}

// A refund, from a refund answer (status key "status") or a decrypted
// REFUND.* resource ("refund_status"). Also returns its out_trade_no.
Result<std::pair<RefundResult, std::string>> read_refund(const json::object& o,
                                                         std::string_view status_key,
                                                         const std::string& prefix,
                                                         Complaint complain) {
  RefundResult r;
  const std::pair<std::string_view, std::string*> fields[] = {
      {"out_refund_no", &r.out_refund_no}, {"refund_id", &r.refund_id}, {status_key, &r.status}};
  for (auto [key, into] : fields) {
    auto s = required_string(o, key, prefix, complain);
    if (!s) return fail(s.error());
    *into = std::move(*s);
  }
  const json::object* amount = object_at(o, "amount");
  const auto refund = amount ? int_at(*amount, "refund") : std::nullopt;
  if (!refund || *refund <= 0)
    return fail(complain(prefix + "amount.refund", "is required (fen, > 0)"));
  r.refund_fen = *refund;
  auto when = read_success_time(o, r.status == kRefundSuccess, prefix, complain);
  if (!when) return fail(when.error());
  r.success_time_ms = *when;
  return std::pair{std::move(r), string_at(o, "out_trade_no").value_or("")};
}

bool iequals(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i)
    if (std::tolower(static_cast<unsigned char>(a[i])) !=
        std::tolower(static_cast<unsigned char>(b[i])))
      return false;
  return true;
}

std::optional<int64_t> parse_seconds(std::string_view text) {
  if (text.empty() || text.size() > 12) return std::nullopt;
  int64_t v = 0;
  for (char c : text) {
    if (c < '0' || c > '9') return std::nullopt;
    v = v * 10 + (c - '0');
  }
  return v;
}

// The message WeChat signs, for notifications and API answers alike.
std::string signed_message(std::string_view timestamp, std::string_view nonce,
                           std::string_view body) {
  std::string m;
  m.reserve(timestamp.size() + nonce.size() + body.size() + 3);
  m.append(timestamp).append("\n").append(nonce).append("\n").append(body).append("\n");
  return m;
}

std::string sha1_hex(std::string_view data) {
  unsigned char md[EVP_MAX_MD_SIZE];
  unsigned int n = 0;
  if (EVP_Digest(data.data(), data.size(), md, &n, EVP_sha1(), nullptr) != 1) return {};
  return crypto::to_hex(std::string_view(reinterpret_cast<const char*>(md), n));
}

// A refusal or failure answer: WeChat's error body is {"code", "message"}.
Error error_from(const HttpReply& reply, const std::string& what) {
  std::string code = "HTTP_" + std::to_string(reply.status), message;
  if (auto body = parse_object(reply.body)) {
    code = string_at(*body, "code").value_or(code);
    message = string_at(*body, "message").value_or("");
  }
  const std::string said = code + (message.empty() ? "" : ": " + message);
  if (reply.status == 404)
    return Error::not_found(what + " (gateway says " + said + ")").with("gateway_code", code);
  // Rate limiting passes: the caller should come back later, as for a 5xx.
  if (reply.status >= 400 && reply.status < 500 && reply.status != 429)
    return Error{"gateway_refused", "the gateway refused: " + said, {}}.with("gateway_code", code);
  return Error{"gateway_unavailable",
               "the gateway answered " + std::to_string(reply.status) + ": " + said,
               {}}
      .with("gateway_code", code);
}

bool has_gateway_code(const Error& e, std::string_view code) {
  for (const auto& d : e.details)
    if (d.key == "gateway_code" && std::holds_alternative<std::string>(d.value) &&
        std::get<std::string>(d.value) == code)
      return true;
  return false;
}

bool valid_order_number(std::string_view s) {
  if (s.size() < 6 || s.size() > 32) return false;
  for (unsigned char c : s)
    if (!std::isalnum(c) && c != '_' && c != '-' && c != '|' && c != '*' && c != '@') return false;
  return true;
}

Error bad_signature(std::string message) { return Error{"bad_signature", std::move(message), {}}; }

}  // namespace

Result<std::unique_ptr<WechatPayGateway>> WechatPayGateway::create(WechatPayOptions options) {
  FieldErrors errors;
  if (!options.base_url.starts_with("http://") && !options.base_url.starts_with("https://"))
    errors.add("base_url", "must be an http:// or https:// URL");
  if (options.mchid.empty()) errors.add("mchid", "is required");
  if (options.apiv3_key.size() != crypto::kAeadKeyBytes)
    errors.add("apiv3_key", "must be 32 bytes");
  if (options.timeout_ms <= 0) errors.add("timeout_ms", "must be positive");
  auto cert = crypto::Certificate::from_pem(options.platform_cert_pem);
  if (!cert) errors.add("platform_cert_pem", "is not a PEM X.509 certificate with an RSA key");
  if (auto s = errors.status(); !s) return fail(s.error());
  while (options.base_url.ends_with('/')) options.base_url.pop_back();
  return std::unique_ptr<WechatPayGateway>(
      new WechatPayGateway(std::move(options), std::move(*cert)));
}

Result<std::string> WechatPayGateway::call(const std::string& method, const std::string& path,
                                           const std::string& body, const std::string& what) const {
  HttpCall c;
  c.method = method;
  c.url = options_.base_url + path;
  c.headers = {{"Accept", "application/json"}};
  if (method != "GET") c.headers.emplace_back("Content-Type", "application/json");
  c.body = body;
  c.timeout_ms = options_.timeout_ms;
  auto reply = http_call(c);
  if (!reply) return fail(reply.error());
  if (reply->status < 200 || reply->status >= 300) return fail(error_from(*reply, what));
  if (reply->body.empty()) return std::string();
  // An unsigned or badly signed "SUCCESS" must not reach the ledger.
  auto header = [&](const char* name) {
    auto it = reply->headers.find(name);
    return it == reply->headers.end() ? std::string() : it->second;
  };
  const std::string serial = header("wechatpay-serial");
  if (!iequals(serial, platform_cert_.serial_hex()) ||
      !platform_cert_.verify(
          signed_message(header("wechatpay-timestamp"), header("wechatpay-nonce"), reply->body),
          header("wechatpay-signature")))
    return fail(Error{
        "gateway_unavailable",
        "the gateway's answer to " + method + " " + path + " does not carry a valid signature",
        {}});
  return std::move(reply->body);
}

Result<Prepay> WechatPayGateway::create_prepay(const PrepayRequest& req) {
  FieldErrors errors;
  if (!valid_order_number(req.out_trade_no))
    errors.add("out_trade_no", "must be 6 to 32 letters, digits or _-|*@");
  if (req.description.empty() || req.description.size() > 127)
    errors.add("description", "must be 1 to 127 bytes");
  if (req.amount_fen <= 0) errors.add("amount_fen", "must be positive");
  if (req.expires_at_ms <= 0) errors.add("expires_at_ms", "is required");
  if (!req.notify_url.starts_with("http://") && !req.notify_url.starts_with("https://"))
    errors.add("notify_url", "must be an http:// or https:// URL");
  if (auto s = errors.status(); !s) return fail(s.error());

  const json::object body = {
      {"mchid", options_.mchid},
      {"description", req.description},
      {"out_trade_no", req.out_trade_no},
      {"time_expire", format_rfc3339(req.expires_at_ms, options_.utc_offset_minutes)},
      {"notify_url", req.notify_url},
      {"amount", {{"total", req.amount_fen}, {"currency", "CNY"}}},
      // The real gateway wants the payer's address; PrepayRequest does not carry it.
      {"scene_info", {{"payer_client_ip", "127.0.0.1"}, {"h5_info", {{"type", "Wap"}}}}},
  };
  auto answer =
      call("POST", "/v3/pay/transactions/h5", json::serialize(body), "order " + req.out_trade_no);
  if (!answer) return fail(answer.error());
  auto o = parse_object(*answer);
  if (!o) return fail(bad_answer("body", "is not a JSON object"));
  auto h5_url = required_string(*o, "h5_url", "", bad_answer);
  if (!h5_url) return fail(h5_url.error());
  Prepay p;
  p.prepay_id = string_at(*o, "prepay_id").value_or("");
  if (p.prepay_id.empty()) {
    // The real H5 answer carries the id only inside h5_url (…?prepay_id=wx…&package=…).
    const auto at = h5_url->find("prepay_id=");
    if (at != std::string::npos) {
      const auto start = at + 10;
      p.prepay_id = h5_url->substr(start, h5_url->find('&', start) - start);
    }
  }
  // WeChat sends the browser back to redirect_url, appended by the merchant.
  p.pay_url = *h5_url;
  if (!req.return_url.empty())
    p.pay_url += (p.pay_url.find('?') == std::string::npos ? "?" : "&") +
                 std::string("redirect_url=") + url_encode(req.return_url);
  return p;
}

Result<Transaction> WechatPayGateway::query(const std::string& out_trade_no) {
  if (out_trade_no.empty()) return fail(Error::invalid("out_trade_no", "is required"));
  auto answer = call("GET",
                     "/v3/pay/transactions/out-trade-no/" + url_encode(out_trade_no) +
                         "?mchid=" + url_encode(options_.mchid),
                     "", "order " + out_trade_no);
  if (!answer) return fail(answer.error());
  auto o = parse_object(*answer);
  if (!o) return fail(bad_answer("body", "is not a JSON object"));
  auto t = read_transaction(*o, "", bad_answer);
  if (!t) return fail(t.error());
  if (t->out_trade_no != out_trade_no)
    return fail(bad_answer("out_trade_no", "names another order"));
  return t;
}

Status WechatPayGateway::close(const std::string& out_trade_no) {
  if (out_trade_no.empty()) return fail(Error::invalid("out_trade_no", "is required"));
  const json::object body = {{"mchid", options_.mchid}};
  auto answer =
      call("POST", "/v3/pay/transactions/out-trade-no/" + url_encode(out_trade_no) + "/close",
           json::serialize(body), "order " + out_trade_no);
  if (!answer) return fail(answer.error());
  return {};
}

Result<RefundResult> WechatPayGateway::refund(const RefundRequest& req) {
  FieldErrors errors;
  if (req.out_trade_no.empty()) errors.add("out_trade_no", "is required");
  if (!valid_order_number(req.out_refund_no))
    errors.add("out_refund_no", "must be 6 to 32 letters, digits or _-|*@");
  if (req.refund_fen <= 0) errors.add("refund_fen", "must be positive");
  if (req.total_fen < req.refund_fen) errors.add("total_fen", "must be at least the refund");
  if (req.reason.size() > 80) errors.add("reason", "must be at most 80 bytes");
  if (auto s = errors.status(); !s) return fail(s.error());
  json::object body = {
      {"out_trade_no", req.out_trade_no},
      {"out_refund_no", req.out_refund_no},
      {"amount", {{"refund", req.refund_fen}, {"total", req.total_fen}, {"currency", "CNY"}}},
  };
  if (!req.reason.empty()) body["reason"] = req.reason;
  auto answer = call("POST", "/v3/refund/domestic/refunds", json::serialize(body),
                     "order " + req.out_trade_no);
  if (!answer) return fail(answer.error());
  auto o = parse_object(*answer);
  if (!o) return fail(bad_answer("body", "is not a JSON object"));
  auto r = read_refund(*o, "status", "", bad_answer);
  if (!r) return fail(r.error());
  if (r->first.out_refund_no != req.out_refund_no)
    return fail(bad_answer("out_refund_no", "names another refund"));
  return std::move(r->first);
}

Result<RefundResult> WechatPayGateway::query_refund(const std::string& out_refund_no) {
  if (out_refund_no.empty()) return fail(Error::invalid("out_refund_no", "is required"));
  auto answer = call("GET", "/v3/refund/domestic/refunds/" + url_encode(out_refund_no), "",
                     "refund " + out_refund_no);
  if (!answer) return fail(answer.error());
  auto o = parse_object(*answer);
  if (!o) return fail(bad_answer("body", "is not a JSON object"));
  auto r = read_refund(*o, "status", "", bad_answer);
  if (!r) return fail(r.error());
  if (r->first.out_refund_no != out_refund_no)
    return fail(bad_answer("out_refund_no", "names another refund"));
  return std::move(r->first);
}

Result<std::vector<StatementLine>> WechatPayGateway::statement(const std::string& date) {
  if (!parse_date(date)) return fail(Error::invalid("date", "must be YYYY-MM-DD"));
  auto answer = call("GET", "/v3/bill/tradebill?bill_date=" + date + "&bill_type=ALL", "",
                     "statement " + date);
  if (!answer) {
    // A day without any trade has no bill at all.
    if (has_gateway_code(answer.error(), "NO_STATEMENT_EXIST")) return std::vector<StatementLine>{};
    return fail(answer.error());
  }
  auto o = parse_object(*answer);
  if (!o) return fail(bad_answer("body", "is not a JSON object"));
  auto url = required_string(*o, "download_url", "", bad_answer);
  if (!url) return fail(url.error());
  const auto hash_type = string_at(*o, "hash_type").value_or("");
  const auto hash_value = string_at(*o, "hash_value").value_or("");
  if (hash_type != "SHA1" || hash_value.empty())
    return fail(bad_answer("hash_type", "must be SHA1 with a hash_value"));

  HttpCall download;
  download.url = *url;
  download.timeout_ms = options_.timeout_ms;
  auto file = http_call(download);
  if (!file) return fail(file.error());
  if (file->status != 200) return fail(error_from(*file, "statement " + date));
  // The bill itself is not signed: the signed answer's hash vouches for it.
  if (!iequals(sha1_hex(file->body), hash_value))
    return fail(
        Error{"gateway_unavailable", "the downloaded trade bill does not match its SHA1", {}});
  return parse_trade_bill(file->body, options_.utc_offset_minutes);
}

Result<Notice> WechatPayGateway::open_notification(
    const std::map<std::string, std::string>& headers, std::string_view body,
    int64_t now_ms) const {
  auto header = [&](const char* name) -> std::string_view {
    auto it = headers.find(name);
    return it == headers.end() ? std::string_view() : std::string_view(it->second);
  };
  const std::string_view timestamp = header("wechatpay-timestamp"),
                         nonce = header("wechatpay-nonce"),
                         signature = header("wechatpay-signature"),
                         serial = header("wechatpay-serial");
  if (timestamp.empty() || nonce.empty() || signature.empty() || serial.empty())
    return fail(bad_signature(
        "the notification lacks a Wechatpay-Timestamp, -Nonce, -Signature or -Serial header"));
  if (auto type = header("wechatpay-signature-type"); !type.empty() && type != kSignatureType)
    return fail(bad_signature("unsupported Wechatpay-Signature-Type '" + std::string(type) + "'"));
  if (!iequals(serial, platform_cert_.serial_hex()))
    return fail(bad_signature("signed with an unknown platform certificate (serial " +
                              std::string(serial) + ")"));
  const auto seconds = parse_seconds(timestamp);
  if (!seconds) return fail(bad_signature("malformed Wechatpay-Timestamp"));
  if (!platform_cert_.verify(signed_message(timestamp, nonce, body), signature))
    return fail(bad_signature("the notification's signature does not verify"));
  // Checked after the signature so a genuine but old message is named for what it is.
  const int64_t skew = now_ms - *seconds * 1000;
  if (skew > kMaxSkewMs || skew < -kMaxSkewMs)
    return fail(Error{"stale_notification",
                      "the notification's timestamp is " + std::to_string(skew / 1000) +
                          " s from now (more than 300 s)",
                      {}});

  auto o = parse_object(body);
  if (!o) return fail(Error::invalid("body", "is not a JSON object"));
  Notice n;
  n.nonce = std::string(nonce);
  n.timestamp_s = *seconds;
  auto id = required_string(*o, "id", "", bad_input);
  if (!id) return fail(id.error());
  n.id = std::move(*id);
  auto event = required_string(*o, "event_type", "", bad_input);
  if (!event) return fail(event.error());
  n.event_type = std::move(*event);
  if (string_at(*o, "resource_type") != "encrypt-resource")
    return fail(Error::invalid("resource_type", "must be encrypt-resource"));
  const json::object* resource = object_at(*o, "resource");
  if (!resource) return fail(Error::invalid("resource", "is required (an object)"));
  if (string_at(*resource, "algorithm") != "AEAD_AES_256_GCM")
    return fail(Error::invalid("resource.algorithm", "must be AEAD_AES_256_GCM"));
  auto ciphertext = required_string(*resource, "ciphertext", "resource.", bad_input);
  if (!ciphertext) return fail(ciphertext.error());
  const auto resource_nonce = string_at(*resource, "nonce").value_or("");
  if (resource_nonce.size() != crypto::kAeadNonceBytes)
    return fail(Error::invalid("resource.nonce", "must be 12 bytes"));
  const auto associated = string_at(*resource, "associated_data").value_or("");
  auto plain = crypto::aead_decrypt(options_.apiv3_key, resource_nonce, associated, *ciphertext);
  if (!plain) return fail(bad_signature("the resource does not decrypt with the APIv3 key"));
  auto inner = parse_object(*plain);
  if (!inner) return fail(Error::invalid("resource.ciphertext", "does not hold a JSON object"));
  if (auto mchid = string_at(*inner, "mchid"); mchid && *mchid != options_.mchid)
    return fail(Error::invalid("resource.mchid", "names another merchant"));

  if (n.event_type.starts_with("TRANSACTION.")) {
    auto t = read_transaction(*inner, "resource.", bad_input);
    if (!t) return fail(t.error());
    n.transaction = std::move(*t);
  } else if (n.event_type.starts_with("REFUND.")) {
    auto r = read_refund(*inner, "refund_status", "resource.", bad_input);
    if (!r) return fail(r.error());
    if (r->second.empty()) return fail(Error::invalid("resource.out_trade_no", "is required"));
    n.refund = std::move(r->first);
    n.refund_of_trade = std::move(r->second);
  }
  return n;
}

}  // namespace stork::billing
