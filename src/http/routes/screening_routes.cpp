// Gate screening (level 1 of pre-examination): the questionnaire, patients'
// and nurses' screenings, the temperature measured at the gate, the gate's list.
#include "core/clock.hpp"
#include "http/json.hpp"
#include "http/problem.hpp"
#include "http/routes/routes.hpp"

namespace stork::http {
namespace {

using auth::Role;
namespace json = boost::json;
using triage::AnswerValue;

std::optional<double> as_number(const json::value& v) {
  if (v.is_double()) return v.get_double();
  if (v.is_int64()) return static_cast<double>(v.get_int64());
  if (v.is_uint64()) return static_cast<double>(v.get_uint64());
  return std::nullopt;
}

json::value value_json(const AnswerValue& v) {
  if (const auto* b = std::get_if<bool>(&v)) return *b;
  if (const auto* d = std::get_if<double>(&v)) return *d;
  return json::string(std::get<std::string>(v));
}

// An answer or a rule's value: true/false, a number or a string.
std::optional<AnswerValue> read_value(const json::value& v, const std::string& field, JsonReader& errors) {
  if (v.is_bool()) return AnswerValue{v.get_bool()};
  if (auto d = as_number(v)) return AnswerValue{*d};
  if (v.is_string() && v.get_string().size() <= 1000) return AnswerValue{std::string(v.get_string())};
  errors.add_error(field, "must be true, false, a number or a string of at most 1000 bytes");
  return std::nullopt;
}

// Copies a nested reader's problems under the prefix ("questions[2].").
void merge_errors(JsonReader& into, const JsonReader& nested, const std::string& prefix) {
  if (auto s = nested.status(); !s)
    for (const auto& f : s.error().fields) into.add_error(prefix + f.field, f.message);
}

// Each element of an array member as an object, problems named "key[i]".
template <class F>
void each_object(const json::object& obj, std::string_view key, JsonReader& r, size_t max_items, F&& fn) {
  auto it = obj.find(key);
  if (it == obj.end() || it->value().is_null()) return;
  if (!it->value().is_array()) {
    r.add_error(std::string(key), "must be an array of objects");
    return;
  }
  const auto& arr = it->value().get_array();
  if (arr.size() > max_items) {
    r.add_error(std::string(key), "must have at most " + std::to_string(max_items) + " items");
    return;
  }
  for (size_t i = 0; i < arr.size(); ++i) {
    const std::string at = std::string(key) + "[" + std::to_string(i) + "]";
    if (!arr[i].is_object()) {
      r.add_error(at, "must be an object");
      continue;
    }
    fn(arr[i].get_object(), at);
  }
}

std::optional<double> optional_number(const json::object& obj, std::string_view key, JsonReader& r) {
  auto it = obj.find(key);
  if (it == obj.end() || it->value().is_null()) return std::nullopt;
  auto d = as_number(it->value());
  if (!d) r.add_error(std::string(key), "must be a number");
  return d;
}

triage::Question read_question(const json::object& o, JsonReader& r) {
  r.allow_only({"id", "kind", "text_zh", "text_en", "required", "audience", "choices", "min", "max"});
  triage::Question q;
  q.id = r.required_string("id", 40);
  const std::string kind = r.required_string("kind", 20);
  if (auto k = triage::parse_question_kind(kind)) q.kind = *k;
  else if (!kind.empty()) r.add_error("kind", "must be yes_no, choice, number or text");
  q.text_zh = r.optional_string("text_zh", 500).value_or("");
  q.text_en = r.optional_string("text_en", 500).value_or("");
  q.required = r.optional_bool("required").value_or(true);
  const std::string audience = r.optional_string("audience", 20).value_or("everyone");
  if (auto a = triage::parse_audience(audience)) q.audience = *a;
  else r.add_error("audience", "must be everyone or children");
  each_object(o, "choices", r, 30, [&](const json::object& co, const std::string& at) {
    JsonReader cr(co);
    cr.allow_only({"code", "label_zh", "label_en"});
    triage::AnswerChoice c{cr.required_string("code", 40), cr.optional_string("label_zh", 200).value_or(""),
                           cr.optional_string("label_en", 200).value_or("")};
    merge_errors(r, cr, at + ".");
    q.choices.push_back(std::move(c));
  });
  q.min = optional_number(o, "min", r);
  q.max = optional_number(o, "max", r);
  return q;
}

triage::RoutingRule read_rule(const json::object& o, JsonReader& r) {
  r.allow_only({"id", "when", "route"});
  triage::RoutingRule rule;
  rule.id = r.required_string("id", 40);
  rule.route = r.required_string("route", 40);
  if (!o.contains("when")) r.add_error("when", "is required: the conditions, all of which must hold");
  each_object(o, "when", r, 10, [&](const json::object& co, const std::string& at) {
    JsonReader cr(co);
    cr.allow_only({"field", "op", "value"});
    triage::RuleCondition c;
    c.field = cr.required_string("field", 40);
    const std::string op = cr.required_string("op", 10);
    if (auto parsed = triage::parse_condition_op(op)) c.op = *parsed;
    else if (!op.empty()) cr.add_error("op", "must be eq, ne, lt, lte, gt or gte");
    if (auto it = co.find("value"); it == co.end() || it->value().is_null()) cr.add_error("value", "is required");
    else if (auto v = read_value(it->value(), "value", cr)) c.value = *v;
    merge_errors(r, cr, at + ".");
    rule.when.push_back(std::move(c));
  });
  return rule;
}

// The PUT body; the read-only members a GET returned are accepted and ignored,
// so a page can edit what it read and send it back.
Result<triage::Questionnaire> read_questionnaire(const json::object& body) {
  JsonReader r(body);
  r.allow_only({"title_zh", "title_en", "questions", "routes", "rules", "default_route", "version", "created_at"});
  triage::Questionnaire q;
  q.title_zh = r.optional_string("title_zh", 200).value_or("");
  q.title_en = r.optional_string("title_en", 200).value_or("");
  q.default_route = r.optional_string("default_route", 40).value_or("");
  for (const char* key : {"questions", "routes"})
    if (!body.contains(key)) r.add_error(key, "is required");
  each_object(body, "questions", r, 100, [&](const json::object& o, const std::string& at) {
    JsonReader qr(o);
    q.questions.push_back(read_question(o, qr));
    merge_errors(r, qr, at + ".");
  });
  each_object(body, "routes", r, 30, [&](const json::object& o, const std::string& at) {
    JsonReader rr(o);
    rr.allow_only({"code", "name_zh", "name_en", "instruction_zh", "instruction_en", "alert"});
    q.routes.push_back({rr.required_string("code", 40), rr.optional_string("name_zh", 100).value_or(""),
                        rr.optional_string("name_en", 100).value_or(""),
                        rr.optional_string("instruction_zh", 1000).value_or(""),
                        rr.optional_string("instruction_en", 1000).value_or(""),
                        rr.optional_bool("alert").value_or(false)});
    merge_errors(r, rr, at + ".");
  });
  each_object(body, "rules", r, 100, [&](const json::object& o, const std::string& at) {
    JsonReader rr(o);
    q.rules.push_back(read_rule(o, rr));
    merge_errors(r, rr, at + ".");
  });
  if (auto s = r.status(); !s) return fail(s.error());
  return q;
}

json::object route_json(const triage::ScreeningRoute& r) {
  return {{"code", r.code},
          {"name_zh", r.name_zh},
          {"name_en", r.name_en},
          {"instruction_zh", r.instruction_zh},
          {"instruction_en", r.instruction_en},
          {"alert", r.alert}};
}

json::object questionnaire_json(const triage::Questionnaire& q) {
  json::array questions, routes, rules;
  for (const auto& qu : q.questions) {
    json::object o{{"id", qu.id},
                   {"kind", triage::question_kind_name(qu.kind)},
                   {"text_zh", qu.text_zh},
                   {"text_en", qu.text_en},
                   {"required", qu.required},
                   {"audience", triage::audience_name(qu.audience)}};
    if (qu.kind == triage::QuestionKind::choice) {
      json::array choices;
      for (const auto& c : qu.choices)
        choices.push_back({{"code", c.code}, {"label_zh", c.label_zh}, {"label_en", c.label_en}});
      o["choices"] = std::move(choices);
    }
    if (qu.min) o["min"] = *qu.min;
    if (qu.max) o["max"] = *qu.max;
    questions.push_back(std::move(o));
  }
  for (const auto& r : q.routes) routes.push_back(route_json(r));
  for (const auto& rule : q.rules) {
    json::array when;
    for (const auto& c : rule.when)
      when.push_back({{"field", c.field}, {"op", triage::condition_op_name(c.op)}, {"value", value_json(c.value)}});
    rules.push_back({{"id", rule.id}, {"when", std::move(when)}, {"route", rule.route}});
  }
  return {{"version", q.version},
          {"title_zh", q.title_zh},
          {"title_en", q.title_en},
          {"questions", std::move(questions)},
          {"routes", std::move(routes)},
          {"rules", std::move(rules)},
          {"default_route", q.default_route},
          {"created_at", format_utc(q.created_at_ms)}};
}

json::object record_json(const triage::ScreeningRecord& r) {
  json::object answers;
  for (const auto& [id, v] : r.answers) answers[id] = value_json(v);
  json::object o{{"id", r.id},
                 {"patient_id", r.patient_id},
                 {"name", r.name},
                 {"sex", r.sex},
                 {"age_years", r.age_years},
                 {"day", r.day},
                 {"questionnaire_version", r.questionnaire_version},
                 {"answers", std::move(answers)},
                 {"temperature_source", r.temperature_source},
                 {"route", r.route.code},
                 {"route_name_zh", r.route.name_zh},
                 {"route_name_en", r.route.name_en},
                 {"instruction_zh", r.route.instruction_zh},
                 {"instruction_en", r.route.instruction_en},
                 {"alert", r.route.alert},
                 {"channel", r.channel},
                 {"created_by", r.created_by},
                 {"created_at", format_utc(r.created_at_ms)},
                 {"updated_at", format_utc(r.updated_at_ms)}};
  o["temperature_c"] = r.temperature_c ? json::value(*r.temperature_c) : json::value();
  o["temperature_at"] = r.temperature_at_ms ? json::value(format_utc(*r.temperature_at_ms)) : json::value();
  o["rule"] = r.rule_id.empty() ? json::value() : json::value(r.rule_id);
  return o;
}

Response records_json(const Result<std::vector<triage::ScreeningRecord>>& list, const Request& req) {
  if (!list) return problem(list.error(), req.request_id);
  json::array items;
  for (const auto& r : *list) items.push_back(record_json(r));
  return json_response(200, {{"items", std::move(items)}});
}

}  // namespace

void add_screening_routes(Router& router, triage::ScreeningService& screening) {
  const auto gate = Access::only({Role::triage_nurse});
  const auto readers = Access::only({Role::triage_nurse, Role::doctor}).and_patients();

  router.add({.method = "GET", .pattern = "/api/v1/triage/screening/questionnaire",
              .access = Access::any_staff().and_patients(), .handler = [&screening](Request& req) {
                auto q = screening.active();
                if (!q) return problem(q.error(), req.request_id);
                return json_response(200, questionnaire_json(*q));
              }});

  router.add({.method = "PUT", .pattern = "/api/v1/triage/screening/questionnaire",
              .access = Access::only({Role::admin}), .body = Body::json, .handler = [&screening](Request& req) {
                STORK_JSON_BODY(body, req);
                auto q = read_questionnaire(body);
                if (!q) return problem(q.error(), req.request_id);
                auto stored = screening.publish(*req.principal, std::move(*q), req.context());
                if (!stored) return problem(stored.error(), req.request_id);
                return json_response(201, questionnaire_json(*stored));
              }});

  router.add({.method = "POST", .pattern = "/api/v1/patients/{id}/screenings", .access = gate.and_patients(),
              .body = Body::json, .handler = [&screening](Request& req) {
                auto id = parse_id(req.path_param("id"), "id");
                if (!id) return problem(id.error(), req.request_id);
                if (auto a = screening.authorize(*req.principal, *id); !a) return problem(a.error(), req.request_id);
                STORK_JSON_BODY(body, req);
                JsonReader r(body);
                r.allow_only({"answers", "temperature_c", "questionnaire_version"});
                triage::NewScreening s;
                s.patient_id = *id;
                s.questionnaire_version = r.optional_id("questionnaire_version");
                s.temperature_c = optional_number(body, "temperature_c", r);
                if (auto it = body.find("answers"); it == body.end() || !it->value().is_object()) {
                  r.add_error("answers", "is required: an object of question id to answer");
                } else if (it->value().get_object().size() > 100) {
                  r.add_error("answers", "must have at most 100 answers");
                } else {
                  for (const auto& [key, value] : it->value().get_object()) {
                    const std::string field = "answers." + std::string(key.substr(0, 60));
                    if (auto v = read_value(value, field, r)) s.answers[std::string(key)] = *v;
                  }
                }
                if (auto st = r.status(); !st) return problem(st.error(), req.request_id);
                auto rec = screening.screen(*req.principal, s, req.context());
                if (!rec) return problem(rec.error(), req.request_id);
                auto res = json_response(201, record_json(*rec));
                res.headers.emplace_back("Location", "/api/v1/patients/" + std::to_string(*id) + "/screenings");
                return res;
              }});

  router.add({.method = "POST", .pattern = "/api/v1/triage/screenings/{id}/temperature", .access = gate,
              .body = Body::json, .handler = [&screening](Request& req) {
                auto id = parse_id(req.path_param("id"), "id");
                if (!id) return problem(id.error(), req.request_id);
                STORK_JSON_BODY(body, req);
                JsonReader r(body);
                r.allow_only({"temperature_c"});
                auto t = optional_number(body, "temperature_c", r);
                if (!t && !r.has_error("temperature_c")) r.add_error("temperature_c", "is required");
                if (auto st = r.status(); !st) return problem(st.error(), req.request_id);
                auto rec = screening.record_temperature(*req.principal, *id, *t, req.context());
                if (!rec) return problem(rec.error(), req.request_id);
                return json_response(200, record_json(*rec));
              }});

  router.add({.method = "GET", .pattern = "/api/v1/triage/screenings", .access = gate,
              .handler = [&screening](Request& req) {
                triage::ScreeningFilter f;
                f.day = query_value(req, "day");
                f.route = query_value(req, "route");
                if (const std::string limit = query_value(req, "limit"); !limit.empty()) {
                  auto n = parse_id(limit, "limit");
                  if (!n) return problem(n.error(), req.request_id);
                  f.limit = static_cast<int>(std::min<int64_t>(*n, 1'000'000));
                }
                return records_json(screening.list(*req.principal, f, req.context()), req);
              }});

  router.add({.method = "GET", .pattern = "/api/v1/patients/{id}/screenings", .access = readers,
              .handler = [&screening](Request& req) {
                auto id = parse_id(req.path_param("id"), "id");
                if (!id) return problem(id.error(), req.request_id);
                return records_json(screening.of_patient(*req.principal, *id, req.context()), req);
              }});
}

}  // namespace stork::http
