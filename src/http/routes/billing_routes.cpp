// Billing: the fee catalogue, bills, mobile checkout and its gateway
// notifications, window payments, refunds, receipts, takings and
// reconciliation.
#include "core/clock.hpp"
#include "http/json.hpp"
#include "http/problem.hpp"
#include "http/routes/routes.hpp"

namespace stork::http {
namespace {

using auth::Role;
namespace json = boost::json;
namespace bill = billing;

json::value opt_time(const std::optional<int64_t>& ms) { return ms ? json::value(format_utc(*ms)) : json::value(); }

json::object fee_json(const bill::FeeItem& f) {
  return {{"id", f.id},
          {"code", f.code},
          {"kind", f.kind},
          {"name_zh", f.name_zh},
          {"name_en", f.name_en},
          {"clinic_type", f.clinic_type},
          {"clinic_code", f.clinic_code},
          {"doctor_title", f.doctor_title},
          {"amount_fen", f.amount_fen},
          {"insurance_percent", f.insurance_percent},
          {"valid_from", f.valid_from},
          {"valid_to", f.valid_to}};
}

json::object entry_json(const bill::LedgerEntry& e) {
  json::object o{{"id", e.id},          {"kind", e.kind},     {"amount_fen", e.amount_fen},
                 {"method", e.method},  {"cause", e.cause},   {"reason", e.reason},
                 {"receipt_no", e.receipt_no}, {"actor", e.actor}, {"occurred_at", format_utc(e.occurred_at_ms)},
                 {"recorded_at", format_utc(e.recorded_at_ms)}};
  o["refund_of"] = e.refund_of ? json::value(*e.refund_of) : json::value();
  if (e.kind == "refund") o["refund_status"] = e.refund_status;
  return o;
}

json::object order_json(const bill::Order& o) {
  json::array items, ledger;
  for (const auto& i : o.items)
    items.push_back({{"fee_code", i.fee_code}, {"name_zh", i.name_zh}, {"name_en", i.name_en},
                     {"quantity", i.quantity}, {"unit_fen", i.unit_fen}, {"amount_fen", i.amount_fen},
                     {"insurance_percent", i.insurance_percent}});
  for (const auto& e : o.ledger) ledger.push_back(entry_json(e));
  json::object out{{"id", o.id},
                   {"order_no", o.order_no},
                   {"patient_id", o.patient_id},
                   {"description", o.description},
                   {"items", items},
                   {"total_fen", o.total_fen},
                   {"paid_fen", o.sums.paid},
                   {"refunded_fen", o.sums.refunded},
                   {"outstanding_fen", o.outstanding_fen},
                   {"refundable_fen", o.refundable_fen},
                   {"state", o.state},
                   {"created_at", format_utc(o.created_at_ms)},
                   {"ledger", ledger}};
  out["appointment_id"] = o.appointment_id ? json::value(*o.appointment_id) : json::value();
  out["hold_until"] = opt_time(o.hold_until_ms);
  out["pay_url"] = o.pay_url ? json::value(*o.pay_url) : json::value();
  return out;
}

json::object receipt_json(const bill::Receipt& r) {
  return {{"receipt_no", r.receipt_no}, {"kind", r.kind},         {"method", r.method},
          {"amount_fen", r.amount_fen}, {"order_id", r.order_id}, {"order_no", r.order_no},
          {"patient_id", r.patient_id}, {"description", r.description}, {"issued_at", format_utc(r.issued_at_ms)},
          {"reverses", r.reverses}};
}

}  // namespace

void add_billing_routes(Router& router, billing::BillingService& billing) {
  const auto window = Access::only({Role::clerk});
  const auto readers = Access::only({Role::clerk, Role::doctor, Role::manager}).and_patients();

  router.add({.method = "GET", .pattern = "/api/v1/fees", .access = Access::anyone(),
              .handler = [&billing](Request& req) {
                auto list = billing.fees(query_value(req, "date"));
                if (!list) return problem(list.error(), req.request_id);
                json::array items;
                for (const auto& f : *list) items.push_back(fee_json(f));
                return json_response(200, {{"items", items}});
              }});

  router.add({.method = "POST", .pattern = "/api/v1/fees", .access = Access::only({Role::admin, Role::manager}),
              .body = Body::json, .handler = [&billing](Request& req) {
                STORK_JSON_BODY(body, req);
                JsonReader r(body);
                r.allow_only({"code", "kind", "name_zh", "name_en", "clinic_type", "clinic_code", "doctor_title",
                              "amount_fen", "insurance_percent", "valid_from", "valid_to"});
                bill::FeeItem f;
                f.code = r.required_string("code", 40);
                f.kind = r.required_string("kind", 20);
                f.name_zh = r.required_string("name_zh", 100);
                f.name_en = r.required_string("name_en", 100);
                f.clinic_type = r.optional_string("clinic_type", 40).value_or("");
                f.clinic_code = r.optional_string("clinic_code", 40).value_or("");
                f.doctor_title = r.optional_string("doctor_title", 40).value_or("");
                f.amount_fen = r.required_fen("amount_fen");
                if (auto it = body.find("insurance_percent"); it != body.end()) {
                  if (it->value().is_int64() && it->value().get_int64() >= 0 && it->value().get_int64() <= 100)
                    f.insurance_percent = static_cast<int>(it->value().get_int64());
                  else
                    r.add_error("insurance_percent", "a whole number from 0 to 100");
                }
                f.valid_from = r.required_string("valid_from", 10);
                f.valid_to = r.optional_string("valid_to", 10).value_or("");
                if (auto s = r.status(); !s) return problem(s.error(), req.request_id);
                auto created = billing.add_fee(*req.principal, f, req.context());
                if (!created) return problem(created.error(), req.request_id);
                return json_response(201, fee_json(*created));
              }});

  router.add({.method = "POST", .pattern = "/api/v1/orders", .access = Access::only({Role::clerk, Role::doctor}),
              .body = Body::json, .handler = [&billing](Request& req) {
                STORK_JSON_BODY(body, req);
                JsonReader r(body);
                r.allow_only({"patient_id", "items"});
                const int64_t patient_id = r.required_id("patient_id");
                std::vector<bill::ItemRequest> items;
                auto it = body.find("items");
                if (it == body.end() || !it->value().is_array()) {
                  r.add_error("items", "an array of {fee_code, quantity}");
                } else {
                  const auto& arr = it->value().get_array();
                  for (size_t i = 0; i < arr.size() && i < 51; ++i) {
                    const std::string at = "items[" + std::to_string(i) + "]";
                    if (!arr[i].is_object()) {
                      r.add_error(at, "an object {fee_code, quantity}");
                      continue;
                    }
                    JsonReader item(arr[i].get_object());
                    bill::ItemRequest ir;
                    ir.fee_code = item.required_string("fee_code", 40);
                    ir.quantity = static_cast<int>(std::min<int64_t>(item.optional_id("quantity").value_or(1), 1000));
                    if (auto s = item.status(); !s)
                      for (const auto& f : s.error().fields) r.add_error(at + "." + f.field, f.message);
                    items.push_back(ir);
                  }
                }
                if (auto s = r.status(); !s) return problem(s.error(), req.request_id);
                auto o = billing.create_order(*req.principal, patient_id, items, req.context());
                if (!o) return problem(o.error(), req.request_id);
                auto res = json_response(201, order_json(*o));
                res.headers.emplace_back("Location", "/api/v1/orders/" + std::to_string(o->id));
                return res;
              }});

  router.add({.method = "GET", .pattern = "/api/v1/orders/{id}", .access = readers,
              .handler = [&billing](Request& req) {
                auto id = parse_id(req.path_param("id"), "id");
                if (!id) return problem(id.error(), req.request_id);
                auto o = billing.order(*req.principal, *id, req.context());
                if (!o) return problem(o.error(), req.request_id);
                return json_response(200, order_json(*o));
              }});

  router.add({.method = "GET", .pattern = "/api/v1/patients/{id}/orders", .access = readers,
              .handler = [&billing](Request& req) {
                auto id = parse_id(req.path_param("id"), "id");
                if (!id) return problem(id.error(), req.request_id);
                auto list = billing.orders_of(*req.principal, *id, req.context());
                if (!list) return problem(list.error(), req.request_id);
                json::array items;
                for (const auto& o : *list) items.push_back(order_json(o));
                return json_response(200, {{"items", items}});
              }});

  router.add({.method = "GET", .pattern = "/api/v1/patients/{id}/receipts", .access = readers,
              .handler = [&billing](Request& req) {
                auto id = parse_id(req.path_param("id"), "id");
                if (!id) return problem(id.error(), req.request_id);
                auto list = billing.receipts_of(*req.principal, *id, req.context());
                if (!list) return problem(list.error(), req.request_id);
                json::array items;
                for (const auto& r : *list) items.push_back(receipt_json(r));
                return json_response(200, {{"items", items}});
              }});

  router.add({.method = "GET", .pattern = "/api/v1/receipts/{no}", .access = readers,
              .handler = [&billing](Request& req) {
                auto r = billing.receipt(*req.principal, req.path_param("no"), req.context());
                if (!r) return problem(r.error(), req.request_id);
                return json_response(200, receipt_json(*r));
              }});

  router.add({.method = "POST", .pattern = "/api/v1/orders/{id}/checkout", .access = window.and_patients(),
              .handler = [&billing](Request& req) {
                auto id = parse_id(req.path_param("id"), "id");
                if (!id) return problem(id.error(), req.request_id);
                auto p = billing.checkout(*req.principal, *id, req.context());
                if (!p) return problem(p.error(), req.request_id);
                return json_response(200, {{"prepay_id", p->prepay_id}, {"pay_url", p->pay_url}});
              }});

  router.add({.method = "POST", .pattern = "/api/v1/orders/{id}/sync", .access = window.and_patients(),
              .handler = [&billing](Request& req) {
                auto id = parse_id(req.path_param("id"), "id");
                if (!id) return problem(id.error(), req.request_id);
                auto o = billing.sync(*req.principal, *id, req.context());
                if (!o) return problem(o.error(), req.request_id);
                return json_response(200, order_json(*o));
              }});

  router.add({.method = "POST", .pattern = "/api/v1/orders/{id}/payments", .access = window, .body = Body::json,
              .handler = [&billing](Request& req) {
                auto id = parse_id(req.path_param("id"), "id");
                if (!id) return problem(id.error(), req.request_id);
                STORK_JSON_BODY(body, req);
                JsonReader r(body);
                r.allow_only({"method", "amount_fen", "reference"});
                bill::WindowPayment pay;
                pay.method = r.required_string("method", 20);
                pay.amount_fen = r.required_fen("amount_fen");
                pay.reference = r.optional_string("reference", 64).value_or("");
                pay.idempotency_key = std::string(req.header("idempotency-key"));
                if (pay.idempotency_key.empty()) r.add_error("Idempotency-Key", "the header is required");
                if (auto s = r.status(); !s) return problem(s.error(), req.request_id);
                auto receipt = billing.pay_at_window(*req.principal, *id, pay, req.context());
                if (!receipt) return problem(receipt.error(), req.request_id);
                return json_response(201, receipt_json(*receipt));
              }});

  router.add({.method = "POST", .pattern = "/api/v1/orders/{id}/insurance", .access = window, .body = Body::json,
              .handler = [&billing](Request& req) {
                auto id = parse_id(req.path_param("id"), "id");
                if (!id) return problem(id.error(), req.request_id);
                STORK_JSON_BODY(body, req);
                JsonReader r(body);
                r.allow_only({"insurance_no"});
                const std::string no = r.required_string("insurance_no", 40);
                if (auto s = r.status(); !s) return problem(s.error(), req.request_id);
                auto o = billing.settle_insurance(*req.principal, *id, no, req.context());
                if (!o) return problem(o.error(), req.request_id);
                return json_response(200, order_json(*o));
              }});

  router.add({.method = "POST", .pattern = "/api/v1/orders/{id}/refunds", .access = window, .body = Body::json,
              .handler = [&billing](Request& req) {
                auto id = parse_id(req.path_param("id"), "id");
                if (!id) return problem(id.error(), req.request_id);
                STORK_JSON_BODY(body, req);
                JsonReader r(body);
                r.allow_only({"amount_fen", "reason"});
                bill::RefundAsk ask;
                ask.amount_fen = r.required_fen("amount_fen");
                ask.reason = r.required_string("reason", 200);
                ask.idempotency_key = std::string(req.header("idempotency-key"));
                if (ask.idempotency_key.empty()) r.add_error("Idempotency-Key", "the header is required");
                if (auto s = r.status(); !s) return problem(s.error(), req.request_id);
                auto receipts = billing.refund(*req.principal, *id, ask, req.context());
                if (!receipts) return problem(receipts.error(), req.request_id);
                json::array items;
                for (const auto& x : *receipts) items.push_back(receipt_json(x));
                return json_response(201, {{"items", items}});
              }});

  router.add({.method = "POST", .pattern = "/api/v1/refunds/{id}/paid-out", .access = window,
              .handler = [&billing](Request& req) {
                auto id = parse_id(req.path_param("id"), "id");
                if (!id) return problem(id.error(), req.request_id);
                auto o = billing.pay_out(*req.principal, *id, req.context());
                if (!o) return problem(o.error(), req.request_id);
                return json_response(200, order_json(*o));
              }});

  // The gateway's asynchronous notification: authenticated by its
  // signature, not a token. Success is 204 only once the payment is durable.
  router.add({.method = "POST", .pattern = "/api/v1/billing/notify/wechatpay", .access = Access::anyone(),
              .handler = [&billing](Request& req) {
                std::map<std::string, std::string> headers(req.headers.begin(), req.headers.end());
                auto s = billing.handle_notification(headers, req.body, req.context());
                if (!s) return problem(s.error(), req.request_id);
                Response res;
                res.status = 204;
                return res;
              }});

  router.add({.method = "GET", .pattern = "/api/v1/billing/takings", .access = Access::only({Role::manager, Role::clerk}),
              .handler = [&billing](Request& req) {
                auto t = billing.takings(query_value(req, "date"));
                if (!t) return problem(t.error(), req.request_id);
                json::array lines;
                for (const auto& l : t->by_method)
                  lines.push_back({{"method", l.method}, {"payments", l.payments}, {"refunds", l.refunds},
                                   {"paid_fen", l.paid_fen}, {"refunded_fen", l.refunded_fen},
                                   {"net_fen", l.paid_fen - l.refunded_fen}});
                return json_response(200, {{"date", t->date},
                                            {"by_method", lines},
                                            {"net_fen", t->net_fen},
                                            {"orders_paid", t->orders_paid},
                                            {"orders_open", t->orders_open},
                                            {"auto_refunds", t->auto_refunds}});
              }});

  router.add({.method = "GET", .pattern = "/api/v1/billing/reconciliation", .access = Access::only({Role::manager}),
              .handler = [&billing](Request& req) {
                auto rec = billing.reconcile(query_value(req, "date"));
                if (!rec) return problem(rec.error(), req.request_id);
                return json_response(200, reconciliation_json(*rec));
              }});
}

json::object reconciliation_json(const billing::Reconciliation& r) {
  json::array mismatches;
  for (const auto& m : r.mismatches)
    mismatches.push_back({{"type", m.type}, {"kind", m.kind}, {"reference", m.reference}, {"order_no", m.order_no},
                          {"ledger_fen", m.ledger_fen}, {"statement_fen", m.statement_fen},
                          {"ledger_state", m.ledger_state}, {"statement_state", m.statement_state}});
  return {{"date", r.date},
          {"ledger", {{"payments", r.ledger_payments}, {"refunds", r.ledger_refunds}, {"net_fen", r.ledger_net_fen}}},
          {"statement",
           {{"payments", r.statement_payments}, {"refunds", r.statement_refunds}, {"net_fen", r.statement_net_fen}}},
          {"mismatches", mismatches}};
}

}  // namespace stork::http
