#include "paysim/routes.hpp"

#include <openssl/evp.h>

#include <boost/json.hpp>
#include <cctype>

#include "billing/gateway_http.hpp"
#include "billing/wechat_time.hpp"
#include "core/civil_date.hpp"
#include "crypto/random.hpp"
#include "http/json.hpp"
#include "paysim/checkout_page.hpp"

namespace stork::paysim {
namespace {

namespace json = boost::json;
using http::Access;
using http::Body;
using http::Request;
using http::Response;

constexpr int64_t kDefaultExpiryMs = 2 * 3600 * 1000;  // WeChat's default for an unpaid order

// ---- answers

// Merchant API answers are signed like WeChat's, so the adapter can verify them.
Response signed_answer(const RouteDeps& d, int status, std::string body) {
  Response r{status, "application/json", std::move(body), {}};
  r.headers = d.maker.answer_headers(r.body, d.clock.now_ms());
  return r;
}

std::string error_body(const GatewayError& e) {
  return json::serialize(json::object{{"code", e.code}, {"message", e.message}});
}

Response refusal(const RouteDeps& d, const GatewayError& e) {
  return signed_answer(d, e.status, error_body(e));
}

Response param_error(const RouteDeps& d, std::string message) {
  return refusal(d, {400, "PARAM_ERROR", std::move(message)});
}

// Control API answers are plain JSON.
Response control_answer(int status, const json::value& v) { return http::json_response(status, v); }

Response control_refusal(const GatewayError& e) {
  return Response{e.status, "application/json", error_body(e), {}};
}

// ---- request checks

bool valid_order_number(std::string_view s) {
  if (s.size() < 6 || s.size() > 32) return false;
  for (unsigned char c : s)
    if (!std::isalnum(c) && c != '_' && c != '-' && c != '|' && c != '*' && c != '@') return false;
  return true;
}

bool http_url(std::string_view s) { return s.starts_with("http://") || s.starts_with("https://"); }

// JsonReader's collected field errors as one WeChat PARAM_ERROR message.
std::string describe(const Error& e) {
  std::string m;
  for (const auto& f : e.fields) m += (m.empty() ? "" : "; ") + f.field + " " + f.message;
  return m.empty() ? e.message : m;
}

std::optional<int64_t> positive(const json::object& o, std::string_view key) {
  const json::value* v = o.if_contains(key);
  if (!v) return std::nullopt;
  if (v->is_int64() && v->get_int64() > 0) return v->get_int64();
  if (v->is_uint64() && v->get_uint64() <= static_cast<uint64_t>(INT64_MAX) && v->get_uint64() > 0)
    return static_cast<int64_t>(v->get_uint64());
  return std::nullopt;
}

std::string base_url(const RouteDeps& d, const Request& req) {
  if (!d.public_url.empty()) return d.public_url;
  return "http://" + std::string(req.header("host"));
}

std::string sha1_hex(std::string_view data) {
  unsigned char md[EVP_MAX_MD_SIZE];
  unsigned int n = 0;
  EVP_Digest(data.data(), data.size(), md, &n, EVP_sha1(), nullptr);
  return crypto::to_hex(std::string_view(reinterpret_cast<const char*>(md), n));
}

// ---- merchant API (WeChat Pay v3)

Response prepay_h5(const RouteDeps& d, Request& req) {
  auto parsed = http::parse_json_object(req.body);
  if (!parsed) return param_error(d, "the body is not a JSON object");
  const json::object& o = *parsed;
  http::JsonReader r(o);
  const std::string mchid = r.required_string("mchid", 32);
  PrepayParams p;
  p.description = r.required_string("description", 127);
  p.out_trade_no = r.required_string("out_trade_no", 32);
  p.notify_url = r.required_string("notify_url", 256);
  const auto time_expire = r.optional_string("time_expire", 64);
  if (auto s = r.status(); !s) return param_error(d, describe(s.error()));
  if (mchid != d.maker.mchid())
    return refusal(d, {400, "MCH_NOT_EXISTS", "商户号不存在 unknown mchid"});
  if (!valid_order_number(p.out_trade_no))
    return param_error(d, "out_trade_no must be 6-32 of [0-9A-Za-z_-|*@]");
  if (p.description.empty()) return param_error(d, "description is required");
  if (!http_url(p.notify_url)) return param_error(d, "notify_url must be an http(s) URL");
  const json::value* amount = o.if_contains("amount");
  const auto total =
      amount && amount->is_object() ? positive(amount->get_object(), "total") : std::nullopt;
  if (!total) return param_error(d, "amount.total must be a positive whole number of fen");
  if (const json::value* cur = amount->get_object().if_contains("currency"); cur && *cur != "CNY")
    return param_error(d, "amount.currency must be CNY");
  p.amount_fen = *total;
  if (time_expire) {
    auto ms = billing::parse_rfc3339(*time_expire);
    if (!ms) return param_error(d, "time_expire must be RFC 3339 (2026-11-27T16:00:00+08:00)");
    p.expires_ms = *ms;
  } else {
    p.expires_ms = d.clock.now_ms() + kDefaultExpiryMs;
  }
  auto t = d.gateway.prepay(p);
  if (!t) return refusal(d, t.error());
  const std::string h5_url = base_url(d, req) + "/checkout/" + t->prepay_id;
  return signed_answer(
      d, 200, json::serialize(json::object{{"prepay_id", t->prepay_id}, {"h5_url", h5_url}}));
}

Response query_trade(const RouteDeps& d, Request& req) {
  if (auto it = req.query.find("mchid"); it != req.query.end() && it->second != d.maker.mchid())
    return refusal(d, {400, "MCH_NOT_EXISTS", "商户号不存在 unknown mchid"});
  auto t = d.gateway.query(req.path_param("out_trade_no"));
  if (!t) return refusal(d, t.error());
  return signed_answer(d, 200, transaction_json(*t, d.maker.mchid(), d.maker.utc_offset_minutes()));
}

Response close_trade(const RouteDeps& d, Request& req) {
  auto parsed = http::parse_json_object(req.body);
  if (!parsed) return param_error(d, "the body is not a JSON object");
  const json::value* mchid = parsed->if_contains("mchid");
  if (!mchid || *mchid != d.maker.mchid().c_str())
    return refusal(d, {400, "MCH_NOT_EXISTS", "商户号不存在 unknown mchid"});
  auto t = d.gateway.close(req.path_param("out_trade_no"));
  if (!t) return refusal(d, t.error());
  return signed_answer(d, 204, "");
}

Response create_refund(const RouteDeps& d, Request& req) {
  auto parsed = http::parse_json_object(req.body);
  if (!parsed) return param_error(d, "the body is not a JSON object");
  const json::object& o = *parsed;
  http::JsonReader r(o);
  RefundParams p;
  p.out_trade_no = r.required_string("out_trade_no", 32);
  p.out_refund_no = r.required_string("out_refund_no", 64);
  p.reason = r.optional_string("reason", 80).value_or("");
  if (auto s = r.status(); !s) return param_error(d, describe(s.error()));
  if (!valid_order_number(p.out_refund_no))
    return param_error(d, "out_refund_no must be 6-64 of [0-9A-Za-z_-|*@]");
  const json::value* amount = o.if_contains("amount");
  const json::object* a = amount ? amount->if_object() : nullptr;
  const auto refund = a ? positive(*a, "refund") : std::nullopt;
  const auto total = a ? positive(*a, "total") : std::nullopt;
  if (!refund || !total)
    return param_error(d, "amount.refund and amount.total must be positive whole numbers of fen");
  if (const json::value* cur = a->if_contains("currency"); cur && *cur != "CNY")
    return param_error(d, "amount.currency must be CNY");
  if (*refund > *total) return param_error(d, "amount.refund exceeds amount.total");
  p.amount_fen = *refund;
  p.total_fen = *total;
  auto result = d.gateway.refund(p);
  if (!result) return refusal(d, result.error());
  return signed_answer(
      d, 200, refund_answer_json(result->first, result->second, d.maker.utc_offset_minutes()));
}

Response query_refund(const RouteDeps& d, Request& req) {
  auto result = d.gateway.query_refund(req.path_param("out_refund_no"));
  if (!result) return refusal(d, result.error());
  return signed_answer(
      d, 200, refund_answer_json(result->first, result->second, d.maker.utc_offset_minutes()));
}

Response trade_bill(const RouteDeps& d, Request& req) {
  const auto day = parse_date(req.query["bill_date"]);
  if (!day) return param_error(d, "bill_date must be YYYY-MM-DD");
  if (auto type = req.query.find("bill_type"); type != req.query.end() && type->second != "ALL")
    return param_error(d, "only bill_type=ALL is simulated");
  auto csv = d.gateway.trade_bill(*day);
  if (!csv) return refusal(d, csv.error());
  const std::string hash = sha1_hex(*csv);
  const std::string token = d.gateway.keep_bill(std::move(*csv));
  return signed_answer(
      d, 200,
      json::serialize(json::object{
          {"hash_type", "SHA1"},
          {"hash_value", hash},
          {"download_url", base_url(d, req) + "/v3/billdownload/file?token=" + token},
      }));
}

Response download_bill(const RouteDeps& d, Request& req) {
  auto csv = d.gateway.kept_bill(req.query["token"]);
  if (!csv) return refusal(d, {404, "RESOURCE_NOT_EXISTS", "no bill for this token"});
  return Response{200, "text/csv; charset=utf-8", std::move(*csv), {}};
}

// ---- checkout (the patient's browser)

Response html(int status, std::string body) {
  return Response{status, "text/html; charset=utf-8", std::move(body), {}};
}

Response checkout_get(const RouteDeps& d, Request& req) {
  const std::string prepay_id = req.path_param("prepay_id");
  auto t = d.gateway.by_prepay(prepay_id);
  if (!t) return html(404, outcome_page("订单不存在", "No such order", prepay_id));
  return html(200, checkout_page(*t, "/checkout/" + prepay_id, req.query["redirect_url"]));
}

Response checkout_post(const RouteDeps& d, Request& req) {
  const std::string prepay_id = req.path_param("prepay_id");
  auto form = http::parse_query(req.body);
  const std::string redirect = form["redirect_url"];
  auto t = d.gateway.by_prepay(prepay_id);
  if (!t) return html(404, outcome_page("订单不存在", "No such order", prepay_id));
  auto paid = d.gateway.pay(t->out_trade_no);
  // Paid now or paid before (a double tap): either way the merchant's page
  // takes over and asks its server, which queries us.
  if (paid || paid.error().code == "ORDERPAID") {
    if (http_url(redirect)) {
      Response r{303, "", "", {}};
      r.headers.emplace_back("Location", redirect);
      return r;
    }
    return html(200, outcome_page("支付成功", "Payment complete", t->out_trade_no));
  }
  return html(409, outcome_page("无法支付", "Payment refused", paid.error().message));
}

// ---- control API (tests)

Response sim_pay(const RouteDeps& d, Request& req) {
  auto parsed = http::parse_json_object(req.body);
  if (!parsed) return control_refusal({400, "PARAM_ERROR", "the body is not a JSON object"});
  http::JsonReader r(*parsed);
  const std::string no = r.required_string("out_trade_no", 64);
  if (auto s = r.status(); !s) return control_refusal({400, "PARAM_ERROR", describe(s.error())});
  auto t = d.gateway.pay(no);
  if (!t) return control_refusal(t.error());
  return Response{200,
                  "application/json",
                  transaction_json(*t, d.maker.mchid(), d.maker.utc_offset_minutes()),
                  {}};
}

json::object faults_json(const Faults& f) {
  return {{"delay_ms", f.delay_ms}, {"duplicate", f.duplicate},
          {"drop", f.drop},         {"replay", f.replay},
          {"forge", f.forge},       {"refund_processing", f.refund_processing}};
}

Response sim_put_faults(const RouteDeps& d, Request& req) {
  auto parsed = http::parse_json_object(req.body);
  if (!parsed) return control_refusal({400, "PARAM_ERROR", "the body is not a JSON object"});
  Faults f = d.gateway.faults();
  for (const auto& [key, value] : *parsed) {
    if (!value.is_number())
      return control_refusal({400, "PARAM_ERROR", std::string(key) + " must be a number"});
    if (auto s = set_fault(f, key, value.to_number<double>()); !s)
      return control_refusal({400, "PARAM_ERROR", s.error().message});
  }
  d.gateway.set_faults(f);
  return control_answer(200, faults_json(f));
}

Response sim_statement(const RouteDeps& d, Request& req) {
  const auto day = parse_date(req.query["date"]);
  if (!day) return control_refusal({400, "PARAM_ERROR", "date must be YYYY-MM-DD"});
  auto csv = d.gateway.trade_bill(*day);
  if (!csv) return control_refusal(csv.error());
  return Response{200, "text/csv; charset=utf-8", std::move(*csv), {}};
}

}  // namespace

void add_sim_routes(http::Router& router, RouteDeps deps) {
  // Handlers copy the small deps struct; its references stay valid (REQUIRES above).
  auto with = [deps](Response (*fn)(const RouteDeps&, Request&)) {
    return [deps, fn](Request& req) { return fn(deps, req); };
  };
  router.add({.method = "POST",
              .pattern = "/v3/pay/transactions/h5",
              .access = Access::anyone(),
              .body = Body::json,
              .handler = with(prepay_h5)});
  router.add({.method = "GET",
              .pattern = "/v3/pay/transactions/out-trade-no/{out_trade_no}",
              .access = Access::anyone(),
              .handler = with(query_trade)});
  router.add({.method = "POST",
              .pattern = "/v3/pay/transactions/out-trade-no/{out_trade_no}/close",
              .access = Access::anyone(),
              .body = Body::json,
              .handler = with(close_trade)});
  router.add({.method = "POST",
              .pattern = "/v3/refund/domestic/refunds",
              .access = Access::anyone(),
              .body = Body::json,
              .handler = with(create_refund)});
  router.add({.method = "GET",
              .pattern = "/v3/refund/domestic/refunds/{out_refund_no}",
              .access = Access::anyone(),
              .handler = with(query_refund)});
  router.add({.method = "GET",
              .pattern = "/v3/bill/tradebill",
              .access = Access::anyone(),
              .handler = with(trade_bill)});
  router.add({.method = "GET",
              .pattern = "/v3/billdownload/file",
              .access = Access::anyone(),
              .handler = with(download_bill)});

  router.add({.method = "GET",
              .pattern = "/checkout/{prepay_id}",
              .access = Access::anyone(),
              .handler = with(checkout_get)});
  router.add({.method = "POST",
              .pattern = "/checkout/{prepay_id}",
              .access = Access::anyone(),
              .handler = with(checkout_post)});

  router.add({.method = "POST",
              .pattern = "/sim/v1/pay",
              .access = Access::anyone(),
              .body = Body::json,
              .handler = with(sim_pay)});
  router.add({.method = "GET",
              .pattern = "/sim/v1/faults",
              .access = Access::anyone(),
              .handler = [deps](Request&) {
                return control_answer(200, faults_json(deps.gateway.faults()));
              }});
  router.add({.method = "PUT",
              .pattern = "/sim/v1/faults",
              .access = Access::anyone(),
              .body = Body::json,
              .handler = with(sim_put_faults)});
  router.add({.method = "GET",
              .pattern = "/sim/v1/trades",
              .access = Access::anyone(),
              .handler = [deps](Request&) { return control_answer(200, deps.gateway.report()); }});
  router.add(
      {.method = "GET",
       .pattern = "/sim/v1/outbox",
       .access = Access::anyone(),
       .handler = [deps](Request&) { return control_answer(200, deps.gateway.outbox_report()); }});
  router.add(
      {.method = "GET", .pattern = "/healthz", .access = Access::anyone(), .handler = [](Request&) {
         return control_answer(200, {{"status", "ok"}});
       }});
  router.add({.method = "GET",
              .pattern = "/sim/v1/statement",
              .access = Access::anyone(),
              .handler = with(sim_statement)});
}

}  // namespace stork::paysim
