// Clinical documents: records, prescriptions and reports, their signatures,
// the pharmacist's review, report intake over REST, and verification
// (docs/clinical-api.md). Handlers decode, call one service function, encode.
#include "clinical/report_json.hpp"
#include "http/json.hpp"
#include "http/problem.hpp"
#include "http/routes/routes.hpp"

namespace stork::http {
namespace {

using auth::Role;
namespace json = boost::json;
using clinical::DocumentView;

json::value opt(const std::optional<int64_t>& v) { return v ? json::value(*v) : json::value(nullptr); }

json::value document_json(const DocumentView& v) {
  const auto& d = v.document;
  boost::system::error_code ec;
  json::value content = json::parse(d.content, ec);
  json::object signer;
  if (d.signed_)
    signer = {{"user_id", opt(d.signer_user_id)},
              {"name", d.signer_name},
              {"certificate_serial", v.signer_serial},
              {"algorithm", v.signer_algorithm}};
  return json::object{
      {"id", d.id},
      {"kind", clinical::kind_name(d.kind)},
      {"status", d.signed_ ? "signed" : "draft"},
      {"version", d.version},
      {"replaces", opt(d.replaces)},
      {"superseded_by", opt(d.superseded_by)},
      {"patient", {{"id", d.patient_id}, {"name", v.patient_name}}},
      {"author", {{"user_id", opt(d.author_user_id)}}},
      {"content", ec ? json::value(nullptr) : std::move(content)},
      {"created_at", d.created_at_ms},
      {"updated_at", d.updated_at_ms},
      {"signed_at", opt(d.signed_at_ms)},
      {"signer", d.signed_ ? json::value(std::move(signer)) : json::value(nullptr)},
      {"review",
       {{"status", d.review_status},
        {"pharmacist", d.reviewer_name},
        {"at", opt(d.reviewed_at_ms)},
        {"reason", d.review_reason}}},
      {"dispensed_at", opt(d.dispensed_at_ms)},
      {"released", clinical::is_report(d.kind) && d.signed_},
      {"abnormal_count", d.abnormal_count},
      {"source", d.source},
      {"interpreter", d.interpreter},
      {"verify_code", v.verify_code},
  };
}

Response documents_response(const Result<std::vector<DocumentView>>& list, const Request& req) {
  if (!list) return problem(list.error(), req.request_id);
  json::array out;
  for (const auto& v : *list) out.push_back(document_json(v));
  return json_response(200, json::object{{"documents", std::move(out)}});
}

json::value report_json(const clinical::VerificationReport& r) {
  json::array checks, signatures;
  for (const auto& c : r.checks)
    checks.push_back(json::object{{"name", c.name}, {"ok", c.ok}, {"code", c.code}, {"message", c.message}});
  for (const auto& s : r.signatures)
    signatures.push_back(json::object{{"role", s.role},
                                      {"signer", s.signer},
                                      {"user_id", s.user_id},
                                      {"signed_at", s.signed_at_ms},
                                      {"algorithm", s.algorithm},
                                      {"certificate_serial", s.certificate_serial},
                                      {"timestamp_at", opt(s.timestamp_at_ms)}});
  return json::object{{"valid", r.valid},
                      {"reason", r.reason.empty() ? json::value(nullptr) : json::value(r.reason)},
                      {"checks", std::move(checks)},
                      {"signatures", std::move(signatures)}};
}

json::value credential_json(const clinical::Credential& c, int max_failures) {
  return json::object{{"enrolled", true},
                      {"user_id", c.user_id},
                      {"algorithm", c.algorithm},
                      {"storage", c.storage},
                      {"token_label", c.token_label},
                      {"certificate_serial", c.serial},
                      {"subject", c.subject},
                      {"not_before", c.not_before_ms},
                      {"not_after", c.not_after_ms},
                      {"status", c.status},
                      {"revoked_at", opt(c.revoked_at_ms)},
                      {"failed_pins", c.failed_pins},
                      {"locked", c.failed_pins >= max_failures}};
}

std::string break_glass(const Request& req) { return query_value(req, "break_glass"); }

Result<int64_t> path_id(const Request& req) { return parse_id(req.path_param("id"), "id"); }

}  // namespace

void add_document_routes(Router& router, DocumentDeps deps) {
  auto& documents = deps.documents;
  auto& keys = deps.keys;
  const Access doctors = Access::only({Role::doctor});
  const Access readers = Access::only({Role::doctor, Role::pharmacist}).and_patients();

  router.add({.method = "POST", .pattern = "/api/v1/documents", .access = doctors, .body = Body::json,
              .handler = [&documents](Request& req) {
                STORK_JSON_BODY(body, req);
                JsonReader r(body);
                r.allow_only({"kind", "patient_id", "content"});
                std::string kind = r.required_string("kind", 40);
                int64_t patient_id = r.required_id("patient_id");
                const auto* content = body.if_contains("content");
                if (!content) r.add_error("content", "is required");
                if (auto st = r.status(); !st) return problem(st.error(), req.request_id);
                auto v = documents.create(*req.principal, kind, patient_id, json::serialize(*content),
                                          break_glass(req), req.context());
                if (!v) return problem(v.error(), req.request_id);
                auto res = json_response(201, document_json(*v));
                res.headers.emplace_back("Location", "/api/v1/documents/" + std::to_string(v->document.id));
                return res;
              }});

  router.add({.method = "PUT", .pattern = "/api/v1/documents/{id}", .access = doctors, .body = Body::json,
              .handler = [&documents](Request& req) {
                auto id = path_id(req);
                if (!id) return problem(id.error(), req.request_id);
                STORK_JSON_BODY(body, req);
                JsonReader r(body);
                r.allow_only({"content"});
                const auto* content = body.if_contains("content");
                if (!content) r.add_error("content", "is required");
                if (auto st = r.status(); !st) return problem(st.error(), req.request_id);
                auto v = documents.update(*req.principal, *id, json::serialize(*content), req.context());
                if (!v) return problem(v.error(), req.request_id);
                return json_response(200, document_json(*v));
              }});

  router.add({.method = "DELETE", .pattern = "/api/v1/documents/{id}", .access = doctors,
              .handler = [&documents](Request& req) {
                auto id = path_id(req);
                if (!id) return problem(id.error(), req.request_id);
                if (auto s = documents.discard(*req.principal, *id, req.context()); !s)
                  return problem(s.error(), req.request_id);
                return Response{.status = 204, .content_type = "", .body = ""};
              }});

  router.add({.method = "POST", .pattern = "/api/v1/documents/{id}/sign", .access = doctors, .body = Body::json,
              .handler = [&documents](Request& req) {
                auto id = path_id(req);
                if (!id) return problem(id.error(), req.request_id);
                STORK_JSON_BODY(body, req);
                JsonReader r(body);
                r.allow_only({"pin"});
                std::string pin = r.required_string("pin", 64);
                if (auto st = r.status(); !st) return problem(st.error(), req.request_id);
                auto v = documents.sign(*req.principal, *id, pin, req.context());
                if (!v) return problem(v.error(), req.request_id);
                return json_response(200, document_json(*v));
              }});

  router.add({.method = "POST", .pattern = "/api/v1/documents/{id}/revise", .access = doctors,
              .handler = [&documents](Request& req) {
                auto id = path_id(req);
                if (!id) return problem(id.error(), req.request_id);
                auto v = documents.revise(*req.principal, *id, req.context());
                if (!v) return problem(v.error(), req.request_id);
                return json_response(201, document_json(*v));
              }});

  router.add({.method = "GET", .pattern = "/api/v1/documents/pending-reports", .access = doctors,
              .handler = [&documents](Request& req) {
                return documents_response(documents.pending_reports(*req.principal, req.context()), req);
              }});

  router.add({.method = "GET", .pattern = "/api/v1/documents/{id}", .access = readers,
              .handler = [&documents](Request& req) {
                auto id = path_id(req);
                if (!id) return problem(id.error(), req.request_id);
                auto v = documents.get(*req.principal, *id, break_glass(req), req.context());
                if (!v) return problem(v.error(), req.request_id);
                return json_response(200, document_json(*v));
              }});

  router.add({.method = "GET", .pattern = "/api/v1/documents", .access = Access::only({Role::doctor}).and_patients(),
              .handler = [&documents](Request& req) {
                auto patient = parse_id(query_value(req, "patient_id"), "patient_id");
                if (!patient) return problem(patient.error(), req.request_id);
                return documents_response(documents.list(*req.principal, *patient, query_value(req, "kind"),
                                                         break_glass(req), req.context()),
                                          req);
              }});

  router.add({.method = "GET", .pattern = "/api/v1/documents/{id}/verify", .access = readers,
              .handler = [&documents](Request& req) {
                auto id = path_id(req);
                if (!id) return problem(id.error(), req.request_id);
                auto r = documents.verify(*req.principal, *id, break_glass(req), req.context());
                if (!r) return problem(r.error(), req.request_id);
                return json_response(200, report_json(*r));
              }});

  router.add({.method = "GET", .pattern = "/api/v1/documents/{id}/export", .access = readers,
              .handler = [&documents](Request& req) {
                auto id = path_id(req);
                if (!id) return problem(id.error(), req.request_id);
                auto bundle = documents.export_bundle(*req.principal, *id, break_glass(req), req.context());
                if (!bundle) return problem(bundle.error(), req.request_id);
                Response res{.status = 200, .content_type = "application/json", .body = std::move(*bundle)};
                res.headers.emplace_back("Content-Disposition",
                                         "attachment; filename=\"document-" + std::to_string(*id) + ".json\"");
                return res;
              }});

  router.add({.method = "GET", .pattern = "/api/v1/documents/{id}/print", .access = readers,
              .handler = [&documents](Request& req) {
                auto id = path_id(req);
                if (!id) return problem(id.error(), req.request_id);
                auto html = documents.print(*req.principal, *id, break_glass(req), req.context());
                if (!html) return problem(html.error(), req.request_id);
                return Response{.status = 200, .content_type = "text/html; charset=utf-8", .body = std::move(*html)};
              }});

  router.add({.method = "GET", .pattern = "/api/v1/public/verify/{id}", .access = Access::anyone(),
              .handler = [&documents](Request& req) {
                auto id = path_id(req);
                if (!id) return problem(id.error(), req.request_id);
                std::string code = query_value(req, "code");
                if (code.empty() || code.size() > 64) return problem(Error::invalid("code", "is required"), req.request_id);
                auto v = documents.public_verify(*id, code, req.context());
                if (!v) return problem(v.error(), req.request_id);
                const auto& d = v->document;
                return json_response(
                    200, json::object{{"valid", v->report.valid},
                                      {"reason", v->report.reason.empty() ? json::value(nullptr)
                                                                          : json::value(v->report.reason)},
                                      {"kind", clinical::kind_name(d.kind)},
                                      {"signer", d.signer_name},
                                      {"signed_at", opt(d.signed_at_ms)},
                                      {"patient", v->patient_name},
                                      {"version", d.version},
                                      {"superseded", d.superseded_by.has_value()},
                                      {"checks", report_json(v->report).as_object().at("checks")}});
              }});

  router.add({.method = "GET", .pattern = "/api/v1/prescriptions/review-queue", .access = Access::only({Role::pharmacist}),
              .handler = [&documents](Request& req) {
                return documents_response(documents.review_queue(*req.principal, req.context()), req);
              }});

  router.add({.method = "POST", .pattern = "/api/v1/documents/{id}/review", .access = Access::only({Role::pharmacist}),
              .body = Body::json, .handler = [&documents](Request& req) {
                auto id = path_id(req);
                if (!id) return problem(id.error(), req.request_id);
                STORK_JSON_BODY(body, req);
                JsonReader r(body);
                r.allow_only({"decision", "reason", "pin"});
                std::string decision = r.required_string("decision", 20);
                std::string reason = r.optional_string("reason", 1000).value_or("");
                std::string pin = r.optional_string("pin", 64).value_or("");
                if (decision == "approve" && pin.empty()) r.add_error("pin", "is required to co-sign");
                if (auto st = r.status(); !st) return problem(st.error(), req.request_id);
                auto v = documents.review(*req.principal, *id, decision, reason, pin, req.context());
                if (!v) return problem(v.error(), req.request_id);
                return json_response(200, document_json(*v));
              }});

  router.add({.method = "POST", .pattern = "/api/v1/documents/{id}/dispense", .access = Access::only({Role::pharmacist}),
              .handler = [&documents](Request& req) {
                auto id = path_id(req);
                if (!id) return problem(id.error(), req.request_id);
                auto v = documents.dispense(*req.principal, *id, req.context());
                if (!v) return problem(v.error(), req.request_id);
                return json_response(200, document_json(*v));
              }});

  router.add({.method = "POST", .pattern = "/api/v1/patients/{id}/referrals", .access = doctors, .body = Body::json,
              .handler = [&documents](Request& req) {
                auto id = path_id(req);
                if (!id) return problem(id.error(), req.request_id);
                STORK_JSON_BODY(body, req);
                JsonReader r(body);
                r.allow_only({"to_user_id", "reason"});
                int64_t to = r.required_id("to_user_id");
                std::string reason = r.required_string("reason", 500);
                if (auto st = r.status(); !st) return problem(st.error(), req.request_id);
                if (auto s = documents.refer(*req.principal, *id, to, reason, req.context()); !s)
                  return problem(s.error(), req.request_id);
                return json_response(201, json::object{{"patient_id", *id}, {"to_user_id", to}});
              }});

  router.add({.method = "POST", .pattern = "/api/v1/reports", .access = Access::only({Role::interface, Role::admin}),
              .body = Body::json, .handler = [&documents](Request& req) {
                auto in = clinical::report_from_json(req.body);
                if (!in) return problem(in.error(), req.request_id);
                auto stored = documents.receive_report(*in, req.principal->audit_name(), req.context());
                if (!stored) return problem(stored.error(), req.request_id);
                return json_response(stored->duplicate ? 200 : 201,
                                     json::object{{"id", stored->document_id}, {"duplicate", stored->duplicate}});
              }});

  router.add({.method = "GET", .pattern = "/api/v1/signing/me", .access = Access::only({Role::doctor, Role::pharmacist}),
              .handler = [&keys, max = deps.max_pin_failures](Request& req) {
                auto c = keys.latest(req.principal->id);
                if (!c) return problem(c.error(), req.request_id);
                if (!*c) return json_response(200, json::object{{"enrolled", false}});
                return json_response(200, credential_json(**c, max));
              }});

  router.add({.method = "GET", .pattern = "/api/v1/signing/credentials",
              .access = Access::only({Role::admin, Role::auditor}), .handler = [&keys, max = deps.max_pin_failures](Request& req) {
                auto all = keys.list();
                if (!all) return problem(all.error(), req.request_id);
                json::array out;
                for (const auto& c : *all) out.push_back(credential_json(c, max));
                return json_response(200, json::object{{"credentials", std::move(out)}});
              }});
}

}  // namespace stork::http
