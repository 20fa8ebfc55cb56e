// The master patient index: registration, search, families, e-cards, merge.
#include "core/clock.hpp"
#include "http/json.hpp"
#include "http/problem.hpp"
#include "http/routes/patient_json.hpp"
#include "http/routes/routes.hpp"
#include "patients/qr_image.hpp"

namespace stork::http {
namespace {

using auth::Role;
namespace json = boost::json;

// Who works with patient records. Least privilege: the IT admin, managers
// and auditors see no patients here (auditors read the audit trail).
const std::vector<Role> kReaders = {Role::clerk, Role::triage_nurse, Role::doctor, Role::pharmacist,
                                    Role::mdt_coordinator, Role::dispatcher};
const std::vector<Role> kRegistrars = {Role::clerk, Role::triage_nurse};
const std::vector<Role> kScanners = {Role::clerk, Role::triage_nurse, Role::doctor, Role::pharmacist,
                                     Role::mdt_coordinator};

const std::initializer_list<std::string_view> kPatientFields = {
    "name",      "sex",       "birth_date", "id_type", "id_number", "phone", "phone_foreign", "address",
    "ethnicity", "allergies", "confirmed_not_duplicate"};

patients::NewPatient read_new_patient(JsonReader& r) {
  patients::NewPatient p;
  p.name = r.required_string("name", 400);
  p.sex = r.required_string("sex", 10);
  p.birth_date = r.required_string("birth_date", 10);
  p.id_type = r.optional_string("id_type", 40).value_or("resident_id");
  p.id_number = r.optional_string("id_number", 40).value_or("");
  p.phone = r.optional_string("phone", 40).value_or("");
  p.phone_foreign = r.optional_bool("phone_foreign").value_or(false);
  p.address = r.optional_string("address", 1000).value_or("");
  p.ethnicity = r.optional_string("ethnicity", 100).value_or("");
  p.allergies = r.optional_string("allergies", 4000).value_or("");
  p.confirmed_not_duplicate = r.optional_bool("confirmed_not_duplicate").value_or(false);
  return p;
}

// 201 with the new record, or 409 likely_duplicate listing the records the
// clerk should look at before confirming.
Response registration_response(const Request& req, const patients::Registration& reg) {
  if (reg.created) {
    auto res = json_response(201, patient_json(*reg.created));
    res.headers.emplace_back("Location", "/api/v1/patients/" + std::to_string(reg.created->id));
    return res;
  }
  Error e = Error::conflict("likely_duplicate",
                            "a patient with the same name and date of birth or phone is registered; check the "
                            "candidates, then resend with confirmed_not_duplicate: true if this is someone else");
  auto res = problem(e, req.request_id);
  auto body = json::parse(res.body).as_object();
  body["candidates"] = patients_json(reg.candidates);
  res.body = json::serialize(body);
  return res;
}

bool flag(const Request& req, const std::string& name) {
  auto it = req.query.find(name);
  return it != req.query.end() && (it->second == "true" || it->second == "1");
}

// The one search box of the window: a card number, an identity number, a
// phone, or the start of a name.
Result<patients::SearchQuery> read_search(const Request& req) {
  patients::SearchQuery q;
  int given = 0;
  for (const auto& [key, by, prefix] :
       std::initializer_list<std::tuple<std::string, patients::SearchBy, bool>>{
           {"card_no", patients::SearchBy::card_no, false},
           {"id_number", patients::SearchBy::id_number, false},
           {"phone", patients::SearchBy::phone, false},
           {"name", patients::SearchBy::name, false},
           {"name_prefix", patients::SearchBy::name, true}}) {
    if (auto it = req.query.find(key); it != req.query.end()) {
      ++given;
      q.by = by;
      q.prefix = prefix;
      q.value = patients::trim_spaces(it->second);
    }
  }
  if (auto it = req.query.find("q"); it != req.query.end()) {
    ++given;
    q.value = patients::trim_spaces(it->second);
    const std::string id = patients::normalize_id_number(q.value);
    const std::string phone = patients::normalize_phone(q.value);
    if (patients::card_number_valid(q.value)) q.by = patients::SearchBy::card_no;
    else if (id.size() == 18 && id.find_first_not_of("0123456789X") == std::string::npos)
      q.by = patients::SearchBy::id_number;
    else if (patients::check_phone(phone, false).empty()) q.by = patients::SearchBy::phone;
    else {
      q.by = patients::SearchBy::name;
      q.prefix = true;
    }
  }
  FieldErrors errors;
  if (given != 1) errors.add("query", "give exactly one of q, card_no, id_number, phone, name, name_prefix");
  else if (q.value.empty() || q.value.size() > 100) errors.add("query", "the search value must have 1 to 100 bytes");
  if (auto it = req.query.find("limit"); it != req.query.end()) {
    auto v = parse_id(it->second, "limit");
    if (!v || *v > 100) errors.add("limit", "must be between 1 and 100");
    else q.limit = static_cast<int>(*v);
  }
  if (auto s = errors.status(); !s) return fail(s.error());
  return q;
}

// The card with its QR drawn from the same token, so the image and the
// expiry shown beside it always match.
Response card_response(const patients::CardView& card, const Request& req) {
  auto qr = patients::encode_qr(card.qr);
  if (!qr) return problem(qr.error(), req.request_id);
  auto body = card_json(card);
  body["qr_svg"] = patients::qr_svg(*qr);
  auto res = json_response(200, body);
  res.headers.emplace_back("Cache-Control", "no-store");
  return res;
}

// The {id} of the path, once the caller may reach that patient at all.
Result<int64_t> patient_in_path(patients::PatientService& svc, const Request& req) {
  auto id = parse_id(req.path_param("id"), "id");
  if (!id) return id;
  if (auto s = svc.authorize(*req.principal, *id); !s) return fail(s.error());
  return id;
}

Response card_image(patients::PatientService& svc, Request& req, bool svg) {
  auto id = patient_in_path(svc, req);
  if (!id) return problem(id.error(), req.request_id);
  auto card = svc.card(*req.principal, *id, req.context());
  if (!card) return problem(card.error(), req.request_id);
  auto qr = patients::encode_qr(card->qr);
  if (!qr) return problem(qr.error(), req.request_id);
  Response res;
  if (svg) {
    res.content_type = "image/svg+xml";
    res.body = patients::qr_svg(*qr);
  } else {
    auto png = patients::qr_png(*qr, 8);
    if (!png) return problem(png.error(), req.request_id);
    res.content_type = "image/png";
    res.body = std::move(*png);
  }
  // The QR carries a session-like token: never cache it.
  res.headers.emplace_back("Cache-Control", "no-store");
  return res;
}

}  // namespace

void add_patient_routes(Router& router, patients::PatientService& patients_svc) {
  auto& svc = patients_svc;
  const auto readers = Access::only(kReaders);
  const auto registrars = Access::only(kRegistrars);
  const auto clerk = Access::only({Role::clerk});

  router.add({.method = "POST", .pattern = "/api/v1/patients", .access = registrars.and_patients(),
              .body = Body::json, .handler = [&svc](Request& req) {
                STORK_JSON_BODY(body, req);
                JsonReader r(body);
                r.allow_only(kPatientFields);
                auto p = read_new_patient(r);
                if (auto s = r.status(); !s) return problem(s.error(), req.request_id);
                auto reg = svc.register_patient(*req.principal, p, req.context());
                if (!reg) return problem(reg.error(), req.request_id);
                return registration_response(req, *reg);
              }});

  router.add({.method = "GET", .pattern = "/api/v1/patients", .access = readers, .handler = [&svc](Request& req) {
                auto q = read_search(req);
                if (!q) return problem(q.error(), req.request_id);
                auto found = svc.search(*req.principal, *q, req.context());
                if (!found) return problem(found.error(), req.request_id);
                return json_response(200, {{"items", patients_json(*found)}});
              }});

  router.add({.method = "GET", .pattern = "/api/v1/patients/duplicates", .access = registrars,
              .handler = [&svc](Request& req) {
                auto get = [&](const char* k) {
                  auto it = req.query.find(k);
                  return it == req.query.end() ? std::string() : it->second;
                };
                if (get("name").empty() || get("name").size() > 200)
                  return problem(Error::invalid("name", "is required"), req.request_id);
                auto found = svc.likely_duplicates(*req.principal, get("name"), get("birth_date"), get("phone"),
                                                   req.context());
                if (!found) return problem(found.error(), req.request_id);
                return json_response(200, {{"items", patients_json(*found)}});
              }});

  router.add({.method = "GET", .pattern = "/api/v1/patients/{id}", .access = readers.and_patients(),
              .handler = [&svc](Request& req) {
                auto id = patient_in_path(svc, req);
                if (!id) return problem(id.error(), req.request_id);
                auto p = svc.get(*req.principal, *id, flag(req, "reveal"), req.context());
                if (!p) return problem(p.error(), req.request_id);
                return json_response(200, patient_json(*p));
              }});

  router.add({.method = "PATCH", .pattern = "/api/v1/patients/{id}", .access = registrars.and_patients(),
              .body = Body::json, .handler = [&svc](Request& req) {
                auto id = patient_in_path(svc, req);
                if (!id) return problem(id.error(), req.request_id);
                STORK_JSON_BODY(body, req);
                JsonReader r(body);
                r.allow_only({"name", "phone", "phone_foreign", "address", "ethnicity", "allergies"});
                patients::PatientPatch patch;
                patch.name = r.optional_string("name", 400);
                patch.phone = r.optional_string("phone", 40);
                patch.phone_foreign = r.optional_bool("phone_foreign");
                patch.address = r.optional_string("address", 1000);
                patch.ethnicity = r.optional_string("ethnicity", 100);
                patch.allergies = r.optional_string("allergies", 4000);
                if (auto s = r.status(); !s) return problem(s.error(), req.request_id);
                auto p = svc.update(*req.principal, *id, patch, req.context());
                if (!p) return problem(p.error(), req.request_id);
                return json_response(200, patient_json(*p));
              }});

  router.add({.method = "GET", .pattern = "/api/v1/patients/{id}/family", .access = readers.and_patients(),
              .handler = [&svc](Request& req) {
                auto id = patient_in_path(svc, req);
                if (!id) return problem(id.error(), req.request_id);
                auto f = svc.family(*req.principal, *id, req.context());
                if (!f) return problem(f.error(), req.request_id);
                return json_response(200, family_json(*f));
              }});

  // Either links an existing record ({child_id}, staff only) or registers
  // a new child under the guardian ({child: {...}}).
  router.add({.method = "POST", .pattern = "/api/v1/patients/{id}/children", .access = registrars.and_patients(),
              .body = Body::json, .handler = [&svc](Request& req) {
                auto id = patient_in_path(svc, req);
                if (!id) return problem(id.error(), req.request_id);
                STORK_JSON_BODY(body, req);
                JsonReader r(body);
                r.allow_only({"child_id", "child", "relationship"});
                const std::string relationship = r.optional_string("relationship", 20).value_or("mother");
                const auto child_id = r.optional_id("child_id");
                const auto child = body.if_contains("child");
                if (child_id.has_value() == (child != nullptr))
                  r.add_error("child", "give either child_id (an existing record) or child (a new one)");
                if (child && !child->is_object()) r.add_error("child", "must be an object");
                if (auto s = r.status(); !s) return problem(s.error(), req.request_id);
                if (child_id) {
                  if (auto s = svc.link_child(*req.principal, *id, *child_id, relationship, req.context()); !s)
                    return problem(s.error(), req.request_id);
                  auto f = svc.family(*req.principal, *id, req.context());
                  if (!f) return problem(f.error(), req.request_id);
                  return json_response(200, family_json(*f));
                }
                JsonReader cr(child->as_object());
                cr.allow_only(kPatientFields);
                auto p = read_new_patient(cr);
                if (auto s = cr.status(); !s) {
                  Error e = s.error();
                  for (auto& f : e.fields) f.field = "child." + f.field;
                  return problem(e, req.request_id);
                }
                auto reg = svc.add_child(*req.principal, *id, p, relationship, req.context());
                if (!reg) {
                  // The child's fields are named as the client nested them.
                  Error e = reg.error();
                  for (auto& f : e.fields)
                    if (f.field != "relationship") f.field = "child." + f.field;
                  return problem(e, req.request_id);
                }
                return registration_response(req, *reg);
              }});

  router.add({.method = "POST", .pattern = "/api/v1/patients/{id}/children/{child_id}/unlink",
              .access = clerk.and_patients(), .body = Body::json, .handler = [&svc](Request& req) {
                auto id = patient_in_path(svc, req);
                if (!id) return problem(id.error(), req.request_id);
                auto child_id = parse_id(req.path_param("child_id"), "child_id");
                if (!child_id) return problem(child_id.error(), req.request_id);
                STORK_JSON_BODY(body, req);
                JsonReader r(body);
                r.allow_only({"reason"});
                const std::string reason = r.optional_string("reason", 500).value_or("");
                if (auto s = r.status(); !s) return problem(s.error(), req.request_id);
                if (auto s = svc.unlink_child(*req.principal, *id, *child_id, reason, req.context()); !s)
                  return problem(s.error(), req.request_id);
                return Response::no_content();
              }});

  router.add({.method = "POST", .pattern = "/api/v1/patients/{id}/newborns", .access = registrars.and_patients(),
              .body = Body::json, .handler = [&svc](Request& req) {
                auto id = patient_in_path(svc, req);
                if (!id) return problem(id.error(), req.request_id);
                STORK_JSON_BODY(body, req);
                JsonReader r(body);
                r.allow_only({"sex", "birth_date", "birth_time", "relationship"});
                patients::NewNewborn baby;
                baby.sex = r.required_string("sex", 10);
                baby.birth_date = r.required_string("birth_date", 10);
                baby.birth_time = r.required_string("birth_time", 5);
                baby.relationship = r.optional_string("relationship", 20).value_or("mother");
                if (auto s = r.status(); !s) return problem(s.error(), req.request_id);
                auto p = svc.register_newborn(*req.principal, *id, baby, req.context());
                if (!p) return problem(p.error(), req.request_id);
                auto res = json_response(201, patient_json(*p));
                res.headers.emplace_back("Location", "/api/v1/patients/" + std::to_string(p->id));
                return res;
              }});

  router.add({.method = "POST", .pattern = "/api/v1/patients/{id}/identity", .access = clerk.and_patients(),
              .body = Body::json, .handler = [&svc](Request& req) {
                auto id = patient_in_path(svc, req);
                if (!id) return problem(id.error(), req.request_id);
                STORK_JSON_BODY(body, req);
                JsonReader r(body);
                r.allow_only({"name", "id_type", "id_number"});
                patients::IdentityCompletion c;
                c.name = r.optional_string("name", 400).value_or("");
                c.id_type = r.optional_string("id_type", 40).value_or("resident_id");
                c.id_number = r.required_string("id_number", 40);
                if (auto s = r.status(); !s) return problem(s.error(), req.request_id);
                auto p = svc.complete_identity(*req.principal, *id, c, req.context());
                if (!p) return problem(p.error(), req.request_id);
                return json_response(200, patient_json(*p));
              }});

  router.add({.method = "POST", .pattern = "/api/v1/patients/{id}/merge", .access = clerk, .body = Body::json,
              .handler = [&svc](Request& req) {
                auto id = patient_in_path(svc, req);
                if (!id) return problem(id.error(), req.request_id);
                STORK_JSON_BODY(body, req);
                JsonReader r(body);
                r.allow_only({"merged_id", "reason"});
                const int64_t merged = r.required_id("merged_id");
                const std::string reason = r.optional_string("reason", 500).value_or("");
                if (auto s = r.status(); !s) return problem(s.error(), req.request_id);
                auto p = svc.merge(*req.principal, *id, merged, reason, req.context());
                if (!p) return problem(p.error(), req.request_id);
                return json_response(200, patient_json(*p));
              }});

  const auto card_access = registrars.and_patients();
  router.add({.method = "GET", .pattern = "/api/v1/patients/{id}/card", .access = card_access,
              .handler = [&svc](Request& req) {
                auto id = patient_in_path(svc, req);
                if (!id) return problem(id.error(), req.request_id);
                auto card = svc.card(*req.principal, *id, req.context());
                if (!card) return problem(card.error(), req.request_id);
                return card_response(*card, req);
              }});
  router.add({.method = "GET", .pattern = "/api/v1/patients/{id}/card.svg", .access = card_access,
              .handler = [&svc](Request& req) { return card_image(svc, req, true); }});
  router.add({.method = "GET", .pattern = "/api/v1/patients/{id}/card.png", .access = card_access,
              .handler = [&svc](Request& req) { return card_image(svc, req, false); }});

  router.add({.method = "POST", .pattern = "/api/v1/patients/{id}/card/reissue", .access = clerk.and_patients(),
              .body = Body::json, .handler = [&svc](Request& req) {
                auto id = patient_in_path(svc, req);
                if (!id) return problem(id.error(), req.request_id);
                STORK_JSON_BODY(body, req);
                JsonReader r(body);
                r.allow_only({"reason"});
                const std::string reason = r.optional_string("reason", 500).value_or("");
                if (auto s = r.status(); !s) return problem(s.error(), req.request_id);
                auto card = svc.reissue_card(*req.principal, *id, reason, req.context());
                if (!card) return problem(card.error(), req.request_id);
                return card_response(*card, req);
              }});

  router.add({.method = "POST", .pattern = "/api/v1/cards/resolve", .access = Access::only(kScanners),
              .body = Body::json, .handler = [&svc](Request& req) {
                STORK_JSON_BODY(body, req);
                JsonReader r(body);
                r.allow_only({"qr"});
                const std::string qr = r.required_string("qr", 200);
                if (auto s = r.status(); !s) return problem(s.error(), req.request_id);
                auto p = svc.resolve_card(*req.principal, qr, req.context());
                if (!p) return problem(p.error(), req.request_id);
                return json_response(200, patient_json(*p));
              }});
}

}  // namespace stork::http
