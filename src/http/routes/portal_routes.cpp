// Patient sign-in on the phone and the SMS simulator's outbox.
#include "core/clock.hpp"
#include "http/json.hpp"
#include "http/problem.hpp"
#include "http/routes/patient_json.hpp"
#include "http/routes/routes.hpp"
#include "patients/identity.hpp"

namespace stork::http {
namespace {
namespace json = boost::json;
}

void add_portal_routes(Router& router, PortalDeps deps) {
  auto& portal = deps.portal;
  auto& patients_svc = deps.patients;
  auto& sms = deps.sms;

  router.add({.method = "POST", .pattern = "/api/v1/portal/otp", .access = Access::anyone(), .body = Body::json,
              .handler = [&portal](Request& req) {
                STORK_JSON_BODY(body, req);
                JsonReader r(body);
                r.allow_only({"phone", "phone_foreign"});
                const std::string phone = r.required_string("phone", 40);
                const bool foreign = r.optional_bool("phone_foreign").value_or(false);
                if (auto s = r.status(); !s) return problem(s.error(), req.request_id);
                auto sent = portal.request_code(phone, foreign, req.context());
                if (!sent) return problem(sent.error(), req.request_id);
                return json_response(202, {{"phone", sent->phone_masked},
                                           {"expires_at", format_utc(sent->expires_at_ms)},
                                           {"retry_after_seconds", sent->retry_after_seconds}});
              }});

  router.add({.method = "POST", .pattern = "/api/v1/portal/login", .access = Access::anyone(), .body = Body::json,
              .handler = [&portal](Request& req) {
                STORK_JSON_BODY(body, req);
                JsonReader r(body);
                r.allow_only({"phone", "code"});
                const std::string phone = r.required_string("phone", 40);
                const std::string code = r.required_string("code", 20);
                if (auto s = r.status(); !s) return problem(s.error(), req.request_id);
                auto login = portal.login(phone, code, req.context());
                if (!login) return problem(login.error(), req.request_id);
                json::object o{{"token", login->token},
                               {"expires_at", format_utc(login->expires_at_ms)},
                               {"account_id", login->account_id}};
                o["patient_id"] = login->patient_id ? json::value(*login->patient_id) : json::value();
                return json_response(200, o);
              }});

  // The signed-in patient and her family; null patient until she registers.
  router.add({.method = "GET", .pattern = "/api/v1/portal/me", .access = Access::patients_only(),
              .handler = [&patients_svc](Request& req) {
                auto self = patients_svc.self_of(req.principal->id);
                if (!self) return problem(self.error(), req.request_id);
                json::object o{{"account_id", req.principal->id}};
                if (!*self) {
                  o["family"] = nullptr;
                  return json_response(200, o);
                }
                auto f = patients_svc.family(*req.principal, **self, req.context());
                if (!f) return problem(f.error(), req.request_id);
                o["family"] = family_json(*f);
                return json_response(200, o);
              }});

  // The SMS simulator's delivered messages for one phone: what the phone
  // would have received. Exists only because the simulator is the SMS
  // adapter; a deployment with a real provider has no such route.
  router.add({.method = "GET", .pattern = "/api/v1/sms-simulator/outbox", .access = Access::anyone(),
              .handler = [&sms](Request& req) {
                auto it = req.query.find("phone");
                const std::string phone = patients::normalize_phone(it == req.query.end() ? "" : it->second);
                auto errors = patients::check_phone(phone, phone.starts_with("+"));
                if (!errors.empty()) return problem(Error::invalid(std::move(errors)), req.request_id);
                auto inbox = sms.inbox(phone, 10);
                if (!inbox) return problem(inbox.error(), req.request_id);
                json::array items;
                for (const auto& m : *inbox)
                  items.push_back({{"id", m.id}, {"phone", m.phone_masked}, {"text", m.text},
                                   {"sent_at", format_utc(m.sent_at_ms)}});
                return json_response(200, {{"simulator", true}, {"items", items}});
              }});
}

}  // namespace stork::http
