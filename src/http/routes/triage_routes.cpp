// Level 2 and 3 of pre-examination: area triage (vitals, scales,
// priority), queues, the doctor's calls, the area displays, the patient's
// position and the measured waiting times. Level 1 (gate screening) is in
// screening_routes.cpp.
#include "core/clock.hpp"
#include "http/json.hpp"
#include "http/problem.hpp"
#include "http/routes/routes.hpp"

namespace stork::http {
namespace {

using auth::Role;
namespace json = boost::json;
using triage::Placed;

json::value opt_time(const std::optional<int64_t>& ms) { return ms ? json::value(format_utc(*ms)) : json::value(); }

json::object entry_json(const Placed& p, const triage::QueueRules* rules = nullptr) {
  const auto& e = p.entry;
  json::array flags;
  for (const auto& f : e.flags) flags.emplace_back(f);
  json::object o{{"id", e.id},
                 {"session_id", e.session_id},
                 {"appointment_id", e.appointment_id},
                 {"patient_id", e.patient_id},
                 {"ticket_no", e.ticket_no},
                 {"clinic_code", e.clinic_code},
                 {"department_code", e.department_code},
                 {"name", e.name},
                 {"kind", triage::kind_name(e.kind)},
                 {"state", triage::state_name(e.state)},
                 {"arrived_at", format_utc(e.arrived_at_ms)},
                 {"slot_starts_at", format_utc(e.slot_starts_at_ms)},
                 {"called_at", opt_time(e.called_at_ms)},
                 {"seen_at", opt_time(e.seen_at_ms)},
                 {"done_at", opt_time(e.done_at_ms)},
                 {"room_code", e.room_code.empty() ? json::value() : json::value(e.room_code)},
                 {"absences", e.absences},
                 {"flags", flags},
                 {"priority_rank", e.priority_rank}};
  o["level"] = e.level ? json::value(*e.level) : json::value();
  if (rules) o["late"] = triage::is_late(e, *rules);
  if (e.state == triage::EntryState::waiting && p.position > 0) {
    o["position"] = p.position;
    o["estimated_wait_minutes"] = p.estimated_wait_minutes;
  } else {
    o["position"] = nullptr;
    o["estimated_wait_minutes"] = nullptr;
  }
  return o;
}

json::object room_json(const triage::RoomView& r) {
  json::object o{{"room_code", r.room_code}, {"room_name", r.room_name}, {"state", r.state}};
  o["practitioner_id"] = r.practitioner_id ? json::value(*r.practitioner_id) : json::value();
  return o;
}

json::object session_json(const scheduling::SessionView& s) {
  json::object o{{"id", s.id},
                 {"clinic_code", s.clinic_code},
                 {"clinic_name_zh", s.clinic_name_zh},
                 {"clinic_name_en", s.clinic_name_en},
                 {"clinic_type", s.clinic_type},
                 {"department_code", s.department_code},
                 {"practitioner_name", s.practitioner_name},
                 {"day", s.day},
                 {"period", scheduling::period_name(s.period)},
                 {"starts_at", format_utc(s.starts_at_ms)},
                 {"ends_at", format_utc(s.ends_at_ms)},
                 {"status", s.status == scheduling::SessionStatus::open ? "open" : "stopped"}};
  o["practitioner_id"] = s.practitioner_id ? json::value(*s.practitioner_id) : json::value();
  return o;
}

json::object summary_json(const triage::SessionSummary& s) {
  json::array rooms;
  for (const auto& r : s.rooms) rooms.push_back(room_json(r));
  auto o = session_json(s.session);
  o["waiting"] = s.waiting;
  o["called"] = s.called;
  o["in_room"] = s.in_room;
  o["done"] = s.done;
  o["rooms"] = rooms;
  return o;
}

json::object rules_json(const triage::QueueRules& r) {
  return {{"return_after", r.return_after},
          {"absent_move_back", r.absent_move_back},
          {"late_grace_minutes", r.late_grace_minutes},
          {"minutes_per_patient", r.minutes_per_patient}};
}

json::object queue_json(const triage::SessionQueue& q) {
  json::array rooms, waiting, called, in_room;
  for (const auto& r : q.rooms) rooms.push_back(room_json(r));
  for (const auto& p : q.waiting) waiting.push_back(entry_json(p, &q.rules));
  for (const auto& p : q.called) called.push_back(entry_json(p, &q.rules));
  for (const auto& p : q.in_room) in_room.push_back(entry_json(p, &q.rules));
  return {{"session", session_json(q.session)}, {"rules", rules_json(q.rules)}, {"rooms", rooms},
          {"waiting", waiting}, {"called", called}, {"in_room", in_room}, {"done_count", q.done},
          {"calls_made", q.calls_made}, {"version", q.version}};
}

json::object durations_json(const triage::Durations& d) {
  return {{"count", d.count}, {"avg_minutes", d.avg_minutes}, {"p50_minutes", d.p50_minutes},
          {"p90_minutes", d.p90_minutes}};
}

json::object wait_json(const triage::WaitGroup& g) {
  return {{"patients", g.patients}, {"wait_to_call", durations_json(g.wait_to_call)},
          {"call_to_seen", durations_json(g.call_to_seen)}};
}

template <class K>
json::array groups_json(const std::vector<std::pair<K, triage::WaitGroup>>& groups, const char* key) {
  json::array out;
  for (const auto& [k, g] : groups) {
    auto o = wait_json(g);
    o[key] = k;
    out.push_back(std::move(o));
  }
  return out;
}

// Reads one vital: a number within what JSON can carry; the physical range
// is the triage module's to judge.
template <class T>
void read_number(const json::object& o, const char* key, std::optional<T>& out, JsonReader& r) {
  auto it = o.find(key);
  if (it == o.end() || it->value().is_null()) return;
  const auto& v = it->value();
  if constexpr (std::is_integral_v<T>) {
    if (v.is_int64() && v.get_int64() >= -100000 && v.get_int64() <= 100000) {
      out = static_cast<T>(v.get_int64());
      return;
    }
    r.add_error(std::string("vitals.") + key, "must be a whole number");
  } else {
    if (v.is_int64()) out = static_cast<double>(v.get_int64());
    else if (v.is_double()) out = v.get_double();
    else r.add_error(std::string("vitals.") + key, "must be a number");
  }
}

template <class E>
void read_enum(const json::object& o, const char* key, std::initializer_list<std::pair<const char*, E>> names,
               std::optional<E>& out, JsonReader& r) {
  auto it = o.find(key);
  if (it == o.end() || it->value().is_null()) return;
  std::string allowed;
  for (const auto& [name, value] : names) {
    if (it->value().is_string() && it->value().get_string() == name) {
      out = value;
      return;
    }
    allowed += (allowed.empty() ? "" : ", ") + std::string(name);
  }
  r.add_error(std::string("vitals.") + key, "must be one of " + allowed);
}

triage::Vitals read_vitals(const json::object& o, JsonReader& r) {
  using triage::Avpu, triage::Effort, triage::OxygenTherapy;
  JsonReader keys(o);
  keys.allow_only({"temperature_c", "heart_rate", "respiratory_rate", "systolic_bp", "diastolic_bp", "spo2",
                   "consciousness", "supplemental_oxygen", "oxygen_therapy", "gestational_week", "fetal_heart_rate",
                   "age_months", "capillary_refill_seconds", "respiratory_effort"});
  if (auto s = keys.status(); !s)
    for (const auto& f : s.error().fields) r.add_error("vitals." + f.field, f.message);
  triage::Vitals v;
  read_number(o, "temperature_c", v.temperature_c, r);
  read_number(o, "heart_rate", v.heart_rate, r);
  read_number(o, "respiratory_rate", v.respiratory_rate, r);
  read_number(o, "systolic_bp", v.systolic_bp, r);
  read_number(o, "diastolic_bp", v.diastolic_bp, r);
  read_number(o, "spo2", v.spo2, r);
  read_number(o, "gestational_week", v.gestational_week, r);
  read_number(o, "fetal_heart_rate", v.fetal_heart_rate, r);
  read_number(o, "age_months", v.age_months, r);
  read_number(o, "capillary_refill_seconds", v.capillary_refill_seconds, r);
  read_enum<Avpu>(o, "consciousness",
                  {{"alert", Avpu::alert}, {"voice", Avpu::voice}, {"pain", Avpu::pain},
                   {"unresponsive", Avpu::unresponsive}},
                  v.consciousness, r);
  read_enum<OxygenTherapy>(o, "oxygen_therapy",
                           {{"room_air", OxygenTherapy::room_air}, {"low", OxygenTherapy::low},
                            {"high", OxygenTherapy::high}},
                           v.oxygen_therapy, r);
  read_enum<Effort>(o, "respiratory_effort",
                    {{"normal", Effort::normal}, {"mild", Effort::mild}, {"moderate", Effort::moderate},
                     {"severe", Effort::severe}},
                    v.respiratory_effort, r);
  if (auto it = o.find("supplemental_oxygen"); it != o.end()) {
    if (it->value().is_bool()) v.supplemental_oxygen = it->value().get_bool();
    else r.add_error("vitals.supplemental_oxygen", "must be true or false");
  }
  return v;
}

json::object scale_json(const triage::ScaleResult& s) {
  json::array scores, missing;
  for (const auto& p : s.scores) {
    const char* colour = p.colour == triage::Colour::red ? "red" : p.colour == triage::Colour::yellow ? "yellow" : "";
    scores.push_back({{"param", triage::param_name(p.param)}, {"value", p.value}, {"score", p.score},
                      {"colour", colour}});
  }
  for (const auto& m : s.missing) missing.emplace_back(m);
  return {{"id", s.scale}, {"total", s.total}, {"triggered", s.triggered}, {"level", s.level},
          {"level_name", s.level_name}, {"scores", scores}, {"missing", missing}};
}

json::object assessment_json(const triage::Assessment& a) {
  json::array implausible, flags;
  for (const auto& f : a.implausible) implausible.push_back({{"field", "vitals." + f.field}, {"message", f.message}});
  for (const auto& f : a.flags_added) flags.emplace_back(f);
  json::object o{{"id", a.id},
                 {"appointment_id", a.appointment_id},
                 {"patient_id", a.patient_id},
                 {"emergency", {{"level", a.emergency.level}, {"name", a.emergency.level_name}}},
                 {"refer_to_emergency", a.refer_to_emergency},
                 {"implausible", implausible},
                 {"flags", flags},
                 {"created_at", format_utc(a.created_at_ms)}};
  o["scale"] = a.scale ? json::value(scale_json(*a.scale)) : json::value();
  if (a.vitals.age_months) o["age_months"] = *a.vitals.age_months;
  return o;
}

// The path's {id} as a positive number, or the problem to return.
#define STORK_PATH_ID(var, req, name)                                  \
  auto var##_parsed = parse_id((req).path_param("id"), name);              \
  if (!var##_parsed) return problem(var##_parsed.error(), (req).request_id); \
  const int64_t var = *var##_parsed

// The `{room_code}` body of the room routes.
Result<std::string> room_code_body(const Request& req) {
  auto body = parse_json_object(req.body);
  if (!body) return fail(body.error());
  JsonReader r(*body);
  r.allow_only({"room_code"});
  std::string room = r.required_string("room_code", 40);
  if (auto s = r.status(); !s) return fail(s.error());
  return room;
}

Response placed_response(const Result<Placed>& p, const Request& req) {
  if (!p) return problem(p.error(), req.request_id);
  return json_response(200, entry_json(*p));
}

}  // namespace

void add_triage_routes(Router& router, TriageDeps deps) {
  auto& queues = deps.queues;
  auto& assessments = deps.assessments;
  const auto nurse = Access::only({Role::triage_nurse});
  const auto doctor = Access::only({Role::doctor});
  const auto floor = Access::only({Role::triage_nurse, Role::doctor});
  const auto viewers = Access::only({Role::triage_nurse, Role::doctor, Role::display, Role::manager, Role::admin});

  router.add({.method = "GET", .pattern = "/api/v1/triage/sessions", .access = viewers,
              .handler = [&queues](Request& req) {
                auto list = queues.sessions(query_value(req, "day"), query_value(req, "department"));
                if (!list) return problem(list.error(), req.request_id);
                json::array items;
                for (const auto& s : *list) items.push_back(summary_json(s));
                return json_response(200, {{"items", items}});
              }});

  router.add({.method = "GET", .pattern = "/api/v1/triage/sessions/{id}/queue", .access = floor,
              .handler = [&queues](Request& req) {
                STORK_PATH_ID(id, req, "id");
                auto q = queues.queue(*req.principal, id, req.context());
                if (!q) return problem(q.error(), req.request_id);
                return json_response(200, queue_json(*q));
              }});

  router.add({.method = "POST", .pattern = "/api/v1/triage/sessions/{id}/rooms", .access = doctor,
              .body = Body::json, .handler = [&queues](Request& req) {
                STORK_PATH_ID(id, req, "id");
                auto room = room_code_body(req);
                if (!room) return problem(room.error(), req.request_id);
                auto v = queues.open_room(*req.principal, id, *room, req.context());
                if (!v) return problem(v.error(), req.request_id);
                return json_response(200, room_json(*v));
              }});

  for (const auto& [action, state] : {std::pair{"pause", "paused"}, {"resume", "open"}, {"close", "closed"}}) {
    router.add({.method = "POST", .pattern = std::string("/api/v1/triage/sessions/{id}/rooms/{room}/") + action,
                .access = doctor, .handler = [&queues, state = std::string(state)](Request& req) {
                  STORK_PATH_ID(id, req, "id");
                  auto v = queues.set_room_state(*req.principal, id, req.path_param("room"), state, req.context());
                  if (!v) return problem(v.error(), req.request_id);
                  return json_response(200, room_json(*v));
                }});
  }

  router.add({.method = "POST", .pattern = "/api/v1/triage/sessions/{id}/call-next", .access = doctor,
              .body = Body::json, .handler = [&queues](Request& req) {
                STORK_PATH_ID(id, req, "id");
                auto room = room_code_body(req);
                if (!room) return problem(room.error(), req.request_id);
                return placed_response(queues.call_next(*req.principal, id, *room, req.context()), req);
              }});

  using Action = Result<Placed> (triage::QueueService::*)(const auth::Principal&, int64_t,
                                                          const auth::RequestContext&);
  for (const auto& [path, action, access] :
       {std::tuple{"recall", Action{&triage::QueueService::recall}, doctor},
        {"absent", Action{&triage::QueueService::absent}, doctor},
        {"confirm", Action{&triage::QueueService::confirm}, doctor},
        {"finish", Action{&triage::QueueService::finish}, doctor},
        {"return", Action{&triage::QueueService::return_with_results}, floor}}) {
    router.add({.method = "POST", .pattern = std::string("/api/v1/triage/entries/{id}/") + path, .access = access,
                .handler = [&queues, action](Request& req) {
                  STORK_PATH_ID(id, req, "id");
                  return placed_response((queues.*action)(*req.principal, id, req.context()), req);
                }});
  }

  router.add({.method = "POST", .pattern = "/api/v1/triage/entries/{id}/transfer", .access = floor,
              .body = Body::json, .handler = [&queues](Request& req) {
                STORK_PATH_ID(id, req, "id");
                STORK_JSON_BODY(body, req);
                JsonReader r(body);
                r.allow_only({"room_code", "session_id"});
                const auto session = r.optional_id("session_id");
                const std::string room = r.optional_string("room_code", 40).value_or("");
                if (auto s = r.status(); !s) return problem(s.error(), req.request_id);
                return placed_response(queues.transfer(*req.principal, id, session, room, req.context()), req);
              }});

  router.add({.method = "POST", .pattern = "/api/v1/triage/entries/{id}/flags", .access = floor,
              .body = Body::json, .handler = [&queues](Request& req) {
                STORK_PATH_ID(id, req, "id");
                STORK_JSON_BODY(body, req);
                JsonReader r(body);
                r.allow_only({"add", "remove"});
                const auto add = r.optional_string_array("add", 20).value_or(std::vector<std::string>{});
                const auto remove = r.optional_string_array("remove", 20).value_or(std::vector<std::string>{});
                if (auto s = r.status(); !s) return problem(s.error(), req.request_id);
                return placed_response(queues.set_flags(*req.principal, id, add, remove, req.context()), req);
              }});

  router.add({.method = "GET", .pattern = "/api/v1/triage/flags", .access = Access::any_staff(),
              .handler = [&queues](Request& req) {
                auto list = queues.flags();
                if (!list) return problem(list.error(), req.request_id);
                json::array items;
                for (const auto& f : *list)
                  items.push_back({{"code", f.code}, {"name_zh", f.name_zh}, {"name_en", f.name_en}, {"rank", f.rank}});
                return json_response(200, {{"items", items}});
              }});

  router.add({.method = "PUT", .pattern = "/api/v1/triage/flags/{code}", .access = Access::only({Role::admin}),
              .body = Body::json, .handler = [&queues](Request& req) {
                STORK_JSON_BODY(body, req);
                JsonReader r(body);
                r.allow_only({"name_zh", "name_en", "rank"});
                triage::FlagDefinition f;
                f.code = req.path_param("code");
                f.name_zh = r.required_string("name_zh", 60);
                f.name_en = r.required_string("name_en", 60);
                if (auto it = body.find("rank"); it != body.end() && it->value().is_int64() &&
                                                  it->value().get_int64() >= 0 && it->value().get_int64() <= 9)
                  f.rank = static_cast<int>(it->value().get_int64());
                else
                  r.add_error("rank", "must be a whole number from 0 (shown only) to 9");
                if (auto s = r.status(); !s) return problem(s.error(), req.request_id);
                auto saved = queues.set_flag(*req.principal, f, req.context());
                if (!saved) return problem(saved.error(), req.request_id);
                return json_response(200, {{"code", saved->code}, {"name_zh", saved->name_zh},
                                           {"name_en", saved->name_en}, {"rank", saved->rank}});
              }});

  router.add({.method = "POST", .pattern = "/api/v1/triage/assessments", .access = nurse, .body = Body::json,
              .handler = [&assessments](Request& req) {
                STORK_JSON_BODY(body, req);
                JsonReader r(body);
                r.allow_only({"appointment_id", "vitals", "scale", "expected_resources", "flags", "note"});
                triage::AssessmentRequest a;
                a.appointment_id = r.required_id("appointment_id");
                if (auto it = body.find("vitals"); it == body.end() || !it->value().is_object())
                  r.add_error("vitals", "an object of measured vital signs");
                else
                  a.vitals = read_vitals(it->value().get_object(), r);
                a.scale = r.optional_string("scale", 20).value_or("auto");
                if (auto it = body.find("expected_resources"); it != body.end()) {
                  if (it->value().is_int64() && it->value().get_int64() >= 0 && it->value().get_int64() <= 10)
                    a.expected_resources = static_cast<int>(it->value().get_int64());
                  else
                    r.add_error("expected_resources", "must be a whole number from 0 to 10");
                }
                a.flags = r.optional_string_array("flags", 20).value_or(std::vector<std::string>{});
                a.note = r.optional_string("note", 1000).value_or("");
                if (auto s = r.status(); !s) return problem(s.error(), req.request_id);
                auto done = assessments.assess(*req.principal, a, req.context());
                if (!done) return problem(done.error(), req.request_id);
                return json_response(201, assessment_json(*done));
              }});

  router.add({.method = "GET", .pattern = "/api/v1/triage/display/{department}",
              .access = Access::only({Role::display, Role::triage_nurse, Role::doctor}),
              .handler = [&queues](Request& req) {
                auto v = queues.display(req.path_param("department"));
                if (!v) return problem(v.error(), req.request_id);
                json::array calls, sessions;
                for (const auto& c : v->calls)
                  calls.push_back(json::object{{"session_id", c.session_id}, {"ticket_no", c.ticket_no},
                                               {"name", c.name}, {"room_code", c.room_code},
                                               {"room_name", c.room_name}, {"clinic_name_zh", c.clinic_name_zh},
                                               {"clinic_name_en", c.clinic_name_en}, {"recall", c.recall},
                                               {"called_at", format_utc(c.called_at_ms)}});
                for (const auto& s : v->sessions) sessions.push_back(summary_json(s));
                return json_response(200, {{"department", v->department}, {"calls", calls}, {"sessions", sessions}});
              }});

  router.add({.method = "GET", .pattern = "/api/v1/patients/{id}/queue",
              .access = Access::only({Role::triage_nurse, Role::doctor, Role::clerk}).and_patients(),
              .handler = [&queues](Request& req) {
                STORK_PATH_ID(id, req, "id");
                auto list = queues.of_patient(*req.principal, id, req.context());
                if (!list) return problem(list.error(), req.request_id);
                json::array items;
                for (const auto& p : *list) items.push_back(entry_json(p));
                return json_response(200, {{"items", items}});
              }});

  router.add({.method = "GET", .pattern = "/api/v1/triage/stats", .access = Access::only({Role::manager, Role::admin}),
              .handler = [&queues](Request& req) {
                int64_t doctor_id = 0;
                if (auto d = query_value(req, "doctor"); !d.empty()) {
                  auto id = parse_id(d, "doctor");
                  if (!id) return problem(id.error(), req.request_id);
                  doctor_id = *id;
                }
                auto s = queues.stats(query_value(req, "from"), query_value(req, "to"), query_value(req, "clinic"),
                                      doctor_id);
                if (!s) return problem(s.error(), req.request_id);
                return json_response(200, {{"overall", wait_json(s->overall)},
                                           {"by_clinic", groups_json(s->by_clinic, "clinic_code")},
                                           {"by_doctor", groups_json(s->by_doctor, "practitioner_id")},
                                           {"by_hour", groups_json(s->by_hour, "hour")},
                                           {"by_day", groups_json(s->by_day, "day")}});
              }});

  router.add({.method = "GET", .pattern = "/api/v1/triage/queue-rules/{clinic}", .access = Access::any_staff(),
              .handler = [&queues](Request& req) {
                auto r = queues.rules(req.path_param("clinic"));
                if (!r) return problem(r.error(), req.request_id);
                return json_response(200, rules_json(*r));
              }});

  router.add({.method = "PUT", .pattern = "/api/v1/triage/queue-rules/{clinic}", .access = Access::only({Role::admin}),
              .body = Body::json, .handler = [&queues](Request& req) {
                STORK_JSON_BODY(body, req);
                JsonReader r(body);
                r.allow_only({"return_after", "absent_move_back", "late_grace_minutes", "minutes_per_patient"});
                triage::QueueRules rules;
                for (auto [key, field] : {std::pair{"return_after", &rules.return_after},
                                          {"absent_move_back", &rules.absent_move_back},
                                          {"late_grace_minutes", &rules.late_grace_minutes},
                                          {"minutes_per_patient", &rules.minutes_per_patient}}) {
                  auto it = body.find(key);
                  if (it == body.end()) r.add_error(key, "is required");
                  else if (!it->value().is_int64() || it->value().get_int64() < -1000 || it->value().get_int64() > 1000)
                    r.add_error(key, "must be a whole number");
                  else *field = static_cast<int>(it->value().get_int64());
                }
                if (auto s = r.status(); !s) return problem(s.error(), req.request_id);
                auto saved = queues.set_rules(*req.principal, req.path_param("clinic"), rules, req.context());
                if (!saved) return problem(saved.error(), req.request_id);
                return json_response(200, rules_json(*saved));
              }});
}

}  // namespace stork::http
