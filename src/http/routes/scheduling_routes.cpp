// The appointment platform: schedule templates, session generation, the
// free-slot search, booking, cancelling and check-in.
#include "core/civil_date.hpp"
#include "core/clock.hpp"
#include "http/json.hpp"
#include "http/problem.hpp"
#include "http/routes/routes.hpp"

namespace stork::http {
namespace {

using auth::Role;
namespace json = boost::json;
namespace sched = scheduling;

std::string hhmm(int minute) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%02d:%02d", minute / 60, minute % 60);
  return buf;
}

// "08:30" -> 510; -1 when malformed.
int parse_hhmm(const std::string& t) {
  if (t.size() != 5 || t[2] != ':') return -1;
  for (size_t i : {0u, 1u, 3u, 4u})
    if (t[i] < '0' || t[i] > '9') return -1;
  const int h = (t[0] - '0') * 10 + (t[1] - '0'), m = (t[3] - '0') * 10 + (t[4] - '0');
  return h < 24 && m < 60 ? h * 60 + m : -1;
}

json::object template_json(const sched::ScheduleTemplate& t) {
  json::object o{{"id", t.id},
                 {"clinic_code", t.clinic_code},
                 {"room_code", t.room_code},
                 {"weekday", t.weekday},
                 {"period", std::string(sched::period_name(t.period))},
                 {"start", hhmm(t.start_minute)},
                 {"end", hhmm(t.end_minute)},
                 {"slot_minutes", t.slot_minutes},
                 {"capacity_per_slot", t.capacity_per_slot},
                 {"quota",
                  {{"online", t.quota_percent[0]},
                   {"window", t.quota_percent[1]},
                   {"referral", t.quota_percent[2]},
                   {"doctor", t.quota_percent[3]}}},
                 {"release_days_ahead", t.release_days_ahead},
                 {"release_time", hhmm(t.release_minute)},
                 {"pool_minutes_before", t.pool_minutes_before},
                 {"preparation", t.preparation},
                 {"active", t.active}};
  o["practitioner_id"] = t.practitioner_id ? json::value(*t.practitioner_id) : json::value();
  return o;
}

json::object slot_json(const sched::SlotView& s) {
  json::object o{{"id", s.id},
                 {"session_id", s.session_id},
                 {"start", format_utc(s.starts_at_ms)},
                 {"end", format_utc(s.ends_at_ms)},
                 {"capacity", s.capacity},
                 {"booked", s.booked},
                 {"remaining", s.remaining},
                 {"released", s.released},
                 {"release_at", format_utc(s.release_at_ms)},
                 {"day", s.day},
                 {"period", std::string(sched::period_name(s.period))},
                 {"clinic", {{"code", s.clinic_code}, {"name_zh", s.clinic_name_zh}, {"name_en", s.clinic_name_en},
                             {"type", s.clinic_type}, {"department_code", s.department_code}}},
                 {"preparation", s.preparation}};
  if (s.practitioner_id)
    o["practitioner"] = {{"id", *s.practitioner_id}, {"name", s.practitioner_name}, {"title", s.practitioner_title}};
  else
    o["practitioner"] = nullptr;
  return o;
}

json::object appointment_json(const sched::Appointment& a) {
  json::object o{{"id", a.id},
                 {"patient_id", a.patient_id},
                 {"session_id", a.session_id},
                 {"slot_id", a.slot_id},
                 {"ticket_no", a.ticket_no},
                 {"channel", std::string(sched::channel_name(a.channel))},
                 {"status", std::string(sched::status_name(a.status))},
                 {"start", format_utc(a.starts_at_ms)},
                 {"end", format_utc(a.ends_at_ms)},
                 {"clinic_code", a.clinic_code},
                 {"department_code", a.department_code},
                 {"preparation", a.preparation},
                 {"created_at", format_utc(a.created_at_ms)}};
  o["practitioner_id"] = a.practitioner_id ? json::value(*a.practitioner_id) : json::value();
  o["checked_in_at"] = a.checked_in_at_ms ? json::value(format_utc(*a.checked_in_at_ms)) : json::value();
  o["cancelled_at"] = a.cancelled_at_ms ? json::value(format_utc(*a.cancelled_at_ms)) : json::value();
  o["cancel_reason"] = a.cancel_reason;
  o["rebooked_to"] = a.rebooked_to ? json::value(*a.rebooked_to) : json::value();
  o["cancel_deadline"] = format_utc(a.cancel_deadline_ms);
  o["check_in_opens_at"] = format_utc(a.check_in_opens_ms);
  o["payment"] = a.payment;
  o["payment_due_at"] = a.payment_due_at_ms ? json::value(format_utc(*a.payment_due_at_ms)) : json::value();
  return o;
}

json::object session_json(const sched::SessionView& s) {
  json::object o{{"id", s.id},
                 {"clinic", {{"code", s.clinic_code}, {"name_zh", s.clinic_name_zh}, {"name_en", s.clinic_name_en},
                             {"type", s.clinic_type}, {"department_code", s.department_code}}},
                 {"day", s.day},
                 {"period", std::string(sched::period_name(s.period))},
                 {"start", format_utc(s.starts_at_ms)},
                 {"end", format_utc(s.ends_at_ms)},
                 {"status", s.status == sched::SessionStatus::open ? "open" : "stopped"},
                 {"capacity", s.capacity},
                 {"booked", s.booked},
                 {"waitlist", s.waitlist}};
  if (s.practitioner_id)
    o["practitioner"] = {{"id", *s.practitioner_id}, {"name", s.practitioner_name}, {"title", s.practitioner_title}};
  else
    o["practitioner"] = nullptr;
  return o;
}

json::object wait_json(const sched::WaitlistEntry& w) {
  json::object o{{"id", w.id},
                 {"session_id", w.session_id},
                 {"patient_id", w.patient_id},
                 {"channel", std::string(sched::channel_name(w.channel))},
                 {"status", w.status},
                 {"created_at", format_utc(w.created_at_ms)}};
  o["appointment_id"] = w.appointment_id ? json::value(*w.appointment_id) : json::value();
  return o;
}

json::array slots_json(const std::vector<sched::SlotView>& slots) {
  json::array out;
  for (const auto& s : slots) out.push_back(slot_json(s));
  return out;
}

Result<sched::Channel> channel_of(const std::string& text, std::string_view field) {
  if (text.empty()) return sched::Channel::online;
  if (auto c = sched::parse_channel(text)) return *c;
  return fail(Error::invalid(std::string(field), "must be online, kiosk, phone_line, window, referral or doctor"));
}

// A template from JSON, every problem named; `weekly` templates carry a
// weekday, one-off sessions a day.
Result<sched::ScheduleTemplate> read_template(const json::object& body, bool weekly) {
  JsonReader r(body);
  if (weekly)
    r.allow_only({"clinic_code", "practitioner_id", "room_code", "weekday", "period", "start", "end",
                  "slot_minutes", "capacity_per_slot", "quota", "release_days_ahead", "release_time",
                  "pool_minutes_before", "preparation"});
  else
    r.allow_only({"clinic_code", "practitioner_id", "room_code", "day", "period", "start", "end", "slot_minutes",
                  "capacity_per_slot", "quota", "release_days_ahead", "release_time", "pool_minutes_before",
                  "preparation"});
  sched::ScheduleTemplate t;
  t.clinic_code = r.required_string("clinic_code", 40);
  t.practitioner_id = r.optional_id("practitioner_id");
  t.room_code = r.optional_string("room_code", 40).value_or("");
  auto integer = [&](const char* key, int fallback, bool required) {
    auto it = body.find(key);
    if (it == body.end() || it->value().is_null()) {
      if (required) r.add_error(key, "is required");
      return fallback;
    }
    if (!it->value().is_int64()) {
      r.add_error(key, "must be a whole number");
      return fallback;
    }
    const int64_t v = it->value().get_int64();
    if (v < -1'000'000 || v > 1'000'000) {
      r.add_error(key, "is out of range");
      return fallback;
    }
    return static_cast<int>(v);
  };
  t.weekday = weekly ? integer("weekday", 1, true) : 1;
  const auto period = sched::parse_period(r.required_string("period", 20));
  if (!period && body.contains("period")) r.add_error("period", "must be morning, afternoon or evening");
  t.period = period.value_or(sched::Period::morning);
  auto time = [&](const char* key, int fallback, bool required) {
    auto text = required ? r.required_string(key, 5) : r.optional_string(key, 5).value_or(hhmm(fallback));
    const int m = parse_hhmm(text);
    if (m < 0 && !text.empty()) r.add_error(key, "must be a time as HH:MM");
    return m < 0 ? fallback : m;
  };
  t.start_minute = time("start", 8 * 60, true);
  t.end_minute = time("end", 12 * 60, true);
  t.slot_minutes = integer("slot_minutes", 30, false);
  t.capacity_per_slot = integer("capacity_per_slot", 0, true);
  if (auto q = body.if_contains("quota")) {
    if (!q->is_object()) {
      r.add_error("quota", "must be an object {online, window, referral, doctor}");
    } else {
      JsonReader qr(q->as_object());
      qr.allow_only({"online", "window", "referral", "doctor"});
      for (size_t i = 0; i < 4; ++i) {
        const auto name = std::string(sched::quota_class_name(sched::kQuotaClasses[i]));
        auto v = q->as_object().if_contains(name);
        t.quota_percent[i] = v && v->is_int64() ? static_cast<int>(v->get_int64()) : 0;
        if (v && !v->is_int64()) r.add_error("quota." + name, "must be a whole number");
      }
      if (auto s = qr.status(); !s)
        for (auto& f : s.error().fields) r.add_error("quota." + f.field, f.message);
    }
  }
  t.release_days_ahead = integer("release_days_ahead", 7, false);
  t.release_minute = time("release_time", 8 * 60, false);
  t.pool_minutes_before = integer("pool_minutes_before", 24 * 60, false);
  t.preparation = r.optional_string("preparation", 1000).value_or("");
  if (!weekly) (void)r.required_string("day", 10);
  if (auto s = r.status(); !s) {
    for (auto& f : sched::check_template(t))
      if (!r.has_error(f.field)) r.add_error(f.field, f.message);
    return fail(r.status().error());
  }
  return t;
}

}  // namespace

void add_scheduling_routes(Router& router, SchedulingDeps deps) {
  auto& schedules = deps.schedules;
  auto& booking = deps.booking;
  auto& billing = deps.billing;
  const auto readers = Access::only({Role::clerk, Role::triage_nurse, Role::doctor, Role::pharmacist,
                                     Role::mdt_coordinator, Role::dispatcher});
  const auto window = Access::only({Role::clerk, Role::triage_nurse});

  router.add({.method = "GET", .pattern = "/api/v1/schedule-templates",
              .access = Access::only({Role::admin, Role::manager, Role::clerk}), .handler = [&schedules](Request& req) {
                auto list = schedules.list_templates();
                if (!list) return problem(list.error(), req.request_id);
                json::array items;
                for (const auto& t : *list) items.push_back(template_json(t));
                return json_response(200, {{"items", items}});
              }});

  router.add({.method = "POST", .pattern = "/api/v1/schedule-templates", .access = Access::only({Role::admin}),
              .body = Body::json, .handler = [&schedules](Request& req) {
                STORK_JSON_BODY(body, req);
                auto t = read_template(body, true);
                if (!t) return problem(t.error(), req.request_id);
                auto created = schedules.create_template(*req.principal, *t, req.context());
                if (!created) return problem(created.error(), req.request_id);
                return json_response(201, template_json(*created));
              }});

  router.add({.method = "POST", .pattern = "/api/v1/clinic-sessions", .access = Access::only({Role::admin}),
              .body = Body::json, .handler = [&schedules, &booking](Request& req) {
                STORK_JSON_BODY(body, req);
                auto t = read_template(body, false);
                if (!t) return problem(t.error(), req.request_id);
                auto id = schedules.create_one_off(*req.principal, *t, std::string(body.at("day").as_string()),
                                                   req.context());
                if (!id) return problem(id.error(), req.request_id);
                auto list = booking.sessions(std::string(body.at("day").as_string()),
                                             std::string(body.at("day").as_string()), "", t->clinic_code);
                if (!list) return problem(list.error(), req.request_id);
                for (const auto& s : *list)
                  if (s.id == *id) return json_response(201, session_json(s));
                return problem(Error::internal("the new session was not found"), req.request_id);
              }});

  router.add({.method = "GET", .pattern = "/api/v1/holidays", .access = Access::any_staff(),
              .handler = [&schedules](Request& req) {
                auto list = schedules.holidays();
                if (!list) return problem(list.error(), req.request_id);
                json::array items;
                for (const auto& [day, name] : *list) items.push_back({{"day", day}, {"name", name}});
                return json_response(200, {{"items", items}});
              }});

  router.add({.method = "POST", .pattern = "/api/v1/holidays", .access = Access::only({Role::admin}),
              .body = Body::json, .handler = [&schedules](Request& req) {
                STORK_JSON_BODY(body, req);
                JsonReader r(body);
                r.allow_only({"day", "name"});
                const std::string day = r.required_string("day", 10);
                const std::string name = r.required_string("name", 100);
                if (auto s = r.status(); !s) return problem(s.error(), req.request_id);
                if (auto s = schedules.add_holiday(*req.principal, day, name, req.context()); !s)
                  return problem(s.error(), req.request_id);
                return json_response(201, {{"day", day}, {"name", name}});
              }});

  router.add({.method = "POST", .pattern = "/api/v1/clinic-sessions/generate", .access = Access::only({Role::admin}),
              .body = Body::json, .handler = [&schedules](Request& req) {
                STORK_JSON_BODY(body, req);
                JsonReader r(body);
                r.allow_only({"from", "days"});
                const std::string from = r.required_string("from", 10);
                const auto days_v = body.if_contains("days");
                int days = 14;
                if (days_v && !days_v->is_int64()) r.add_error("days", "must be a whole number");
                else if (days_v) days = static_cast<int>(std::clamp<int64_t>(days_v->get_int64(), -1, 1000));
                if (auto s = r.status(); !s) return problem(s.error(), req.request_id);
                auto report = schedules.generate(*req.principal, from, days, req.context());
                if (!report) return problem(report.error(), req.request_id);
                return json_response(200, {{"sessions_created", report->sessions_created},
                                           {"special_needs_skipped", report->special_needs_skipped},
                                           {"holiday_sessions_skipped", report->holiday_sessions_skipped},
                                           {"slots_created", report->slots_created},
                                           {"tickets_created", report->tickets_created}});
              }});

  // Public: anyone may look for a free slot before signing in.
  router.add({.method = "GET", .pattern = "/api/v1/slots", .access = Access::anyone(),
              .handler = [&schedules](Request& req) {
                sched::SlotQuery q;
                FieldErrors errors;
                q.department_code = query_value(req, "department");
                q.clinic_code = query_value(req, "clinic");
                q.clinic_type = query_value(req, "clinic_type");
                q.from_day = query_value(req, "from");
                q.to_day = query_value(req, "to");
                if (auto d = query_value(req, "doctor"); !d.empty()) {
                  auto id = parse_id(d, "doctor");
                  if (!id) errors.add("doctor", "must be a practitioner id");
                  else q.practitioner_id = *id;
                }
                if (auto p = query_value(req, "period"); !p.empty()) {
                  q.period = sched::parse_period(p);
                  if (!q.period) errors.add("period", "must be morning, afternoon or evening");
                }
                auto channel = channel_of(query_value(req, "channel"), "channel");
                if (!channel) errors.add("channel", channel.error().fields[0].message);
                else q.channel = *channel;
                q.only_available = query_value(req, "available") == "true";
                if (auto s = errors.status(); !s) return problem(s.error(), req.request_id);
                auto slots = schedules.search(q);
                if (!slots) return problem(slots.error(), req.request_id);
                json::array items;
                for (const auto& s : *slots) items.push_back(slot_json(s));
                return json_response(200, {{"items", items}});
              }});

  router.add({.method = "GET", .pattern = "/api/v1/slots/{id}", .access = Access::anyone(),
              .handler = [&schedules](Request& req) {
                auto id = parse_id(req.path_param("id"), "id");
                if (!id) return problem(id.error(), req.request_id);
                auto channel = channel_of(query_value(req, "channel"), "channel");
                if (!channel) return problem(channel.error(), req.request_id);
                auto slot = schedules.slot(*id, *channel);
                if (!slot) return problem(slot.error(), req.request_id);
                return json_response(200, slot_json(*slot));
              }});

  const auto bookers = Access::only({Role::clerk, Role::triage_nurse, Role::doctor, Role::mdt_coordinator}).and_patients();
  router.add({.method = "POST", .pattern = "/api/v1/appointments", .access = bookers, .body = Body::json,
              .handler = [&booking](Request& req) {
                STORK_JSON_BODY(body, req);
                JsonReader r(body);
                r.allow_only({"patient_id", "slot_id", "channel"});
                sched::BookingRequest b;
                b.patient_id = r.required_id("patient_id");
                b.slot_id = r.required_id("slot_id");
                auto channel = channel_of(r.optional_string("channel", 20).value_or(""), "channel");
                if (!channel) r.add_error("channel", channel.error().fields[0].message);
                else b.channel = *channel;
                b.idempotency_key = std::string(req.header("idempotency-key"));
                if (b.idempotency_key.empty()) r.add_error("Idempotency-Key", "the header is required");
                if (auto s = r.status(); !s) return problem(s.error(), req.request_id);
                auto booked = booking.book(*req.principal, b, req.context());
                if (!booked) return problem(booked.error(), req.request_id);
                auto res = json_response(201, appointment_json(booked->appointment));
                res.headers.emplace_back("Location", "/api/v1/appointments/" + std::to_string(booked->appointment.id));
                if (booked->replayed) res.headers.emplace_back("Idempotent-Replayed", "true");
                return res;
              }});

  router.add({.method = "GET", .pattern = "/api/v1/appointments/{id}", .access = readers.and_patients(),
              .handler = [&booking](Request& req) {
                auto id = parse_id(req.path_param("id"), "id");
                if (!id) return problem(id.error(), req.request_id);
                auto a = booking.get(*req.principal, *id, req.context());
                if (!a) return problem(a.error(), req.request_id);
                return json_response(200, appointment_json(*a));
              }});

  for (const bool cancel : {true, false}) {
    router.add({.method = "POST",
                .pattern = cancel ? "/api/v1/appointments/{id}/cancel" : "/api/v1/appointments/{id}/check-in",
                .access = window.and_patients(), .handler = [&booking, &billing, cancel](Request& req) {
                  auto id = parse_id(req.path_param("id"), "id");
                  if (!id) return problem(id.error(), req.request_id);
                  auto a = cancel ? booking.cancel(*req.principal, *id, req.context())
                                  : booking.check_in(*req.principal, *id, req.context());
                  if (!a) return problem(a.error(), req.request_id);
                  if (cancel) (void)billing.process_refunds(req.context());
                  return json_response(200, appointment_json(*a));
                }});
  }

  router.add({.method = "GET", .pattern = "/api/v1/appointments/{id}/alternatives", .access = readers.and_patients(),
              .handler = [&booking](Request& req) {
                auto id = parse_id(req.path_param("id"), "id");
                if (!id) return problem(id.error(), req.request_id);
                auto list = booking.alternatives(*req.principal, *id, req.context());
                if (!list) return problem(list.error(), req.request_id);
                return json_response(200, {{"items", slots_json(*list)}});
              }});

  router.add({.method = "POST", .pattern = "/api/v1/appointments/{id}/rebook", .access = window.and_patients(),
              .body = Body::json, .handler = [&booking](Request& req) {
                auto id = parse_id(req.path_param("id"), "id");
                if (!id) return problem(id.error(), req.request_id);
                // Whose appointment it is decides before what the body says.
                if (auto a = booking.get(*req.principal, *id, req.context()); !a)
                  return problem(a.error(), req.request_id);
                STORK_JSON_BODY(body, req);
                JsonReader r(body);
                r.allow_only({"slot_id"});
                const int64_t slot = r.required_id("slot_id");
                const std::string key(req.header("idempotency-key"));
                if (key.empty()) r.add_error("Idempotency-Key", "the header is required");
                if (auto s = r.status(); !s) return problem(s.error(), req.request_id);
                auto booked = booking.rebook(*req.principal, *id, slot, key, req.context());
                if (!booked) return problem(booked.error(), req.request_id);
                auto res = json_response(201, appointment_json(booked->appointment));
                res.headers.emplace_back("Location", "/api/v1/appointments/" + std::to_string(booked->appointment.id));
                if (booked->replayed) res.headers.emplace_back("Idempotent-Replayed", "true");
                return res;
              }});

  const auto session_viewers = Access::only({Role::admin, Role::manager, Role::clerk, Role::triage_nurse});
  router.add({.method = "GET", .pattern = "/api/v1/clinic-sessions", .access = session_viewers,
              .handler = [&booking](Request& req) {
                auto list = booking.sessions(query_value(req, "from"), query_value(req, "to"),
                                             query_value(req, "department"), query_value(req, "clinic"));
                if (!list) return problem(list.error(), req.request_id);
                json::array items;
                for (const auto& s : *list) items.push_back(session_json(s));
                return json_response(200, {{"items", items}});
              }});

  router.add({.method = "POST", .pattern = "/api/v1/clinic-sessions/{id}/stop", .access = Access::only({Role::admin}),
              .body = Body::json, .handler = [&booking, &billing](Request& req) {
                auto id = parse_id(req.path_param("id"), "id");
                if (!id) return problem(id.error(), req.request_id);
                STORK_JSON_BODY(body, req);
                JsonReader r(body);
                r.allow_only({"reason"});
                const std::string reason = r.optional_string("reason", 500).value_or("");
                if (auto s = r.status(); !s) return problem(s.error(), req.request_id);
                auto stopped = booking.stop_session(*req.principal, *id, reason, req.context());
                if (!stopped) return problem(stopped.error(), req.request_id);
                (void)billing.process_refunds(req.context());
                json::array affected;
                for (const auto& a : stopped->affected)
                  affected.push_back({{"appointment_id", a.appointment.id},
                                      {"patient_id", a.appointment.patient_id},
                                      {"ticket_no", a.appointment.ticket_no},
                                      {"alternatives", slots_json(a.alternatives)}});
                return json_response(200, {{"session", session_json(stopped->session)},
                                           {"affected", affected},
                                           {"waitlist_cancelled", stopped->waitlist_cancelled}});
              }});

  router.add({.method = "POST", .pattern = "/api/v1/waitlist", .access = window.and_patients(), .body = Body::json,
              .handler = [&booking](Request& req) {
                STORK_JSON_BODY(body, req);
                JsonReader r(body);
                r.allow_only({"patient_id", "session_id", "channel"});
                const int64_t patient = r.required_id("patient_id");
                const int64_t session = r.required_id("session_id");
                const bool is_patient = req.principal->kind == auth::PrincipalKind::patient;
                auto channel = channel_of(r.optional_string("channel", 20).value_or(is_patient ? "online" : "window"),
                                          "channel");
                if (!channel) r.add_error("channel", channel.error().fields[0].message);
                if (auto s = r.status(); !s) return problem(s.error(), req.request_id);
                auto entry = booking.join_waitlist(*req.principal, patient, session, *channel, req.context());
                if (!entry) return problem(entry.error(), req.request_id);
                return json_response(201, wait_json(*entry));
              }});

  router.add({.method = "POST", .pattern = "/api/v1/waitlist/{id}/cancel", .access = window.and_patients(),
              .handler = [&booking](Request& req) {
                auto id = parse_id(req.path_param("id"), "id");
                if (!id) return problem(id.error(), req.request_id);
                auto entry = booking.leave_waitlist(*req.principal, *id, req.context());
                if (!entry) return problem(entry.error(), req.request_id);
                return json_response(200, wait_json(*entry));
              }});

  router.add({.method = "GET", .pattern = "/api/v1/patients/{id}/waitlist", .access = readers.and_patients(),
              .handler = [&booking](Request& req) {
                auto id = parse_id(req.path_param("id"), "id");
                if (!id) return problem(id.error(), req.request_id);
                auto list = booking.waitlist_of(*req.principal, *id, req.context());
                if (!list) return problem(list.error(), req.request_id);
                json::array items;
                for (const auto& w : *list) items.push_back(wait_json(w));
                return json_response(200, {{"items", items}});
              }});

  router.add({.method = "GET", .pattern = "/api/v1/patients/{id}/notifications", .access = readers.and_patients(),
              .handler = [&booking](Request& req) {
                auto id = parse_id(req.path_param("id"), "id");
                if (!id) return problem(id.error(), req.request_id);
                auto list = booking.notifications_of(*req.principal, *id, req.context());
                if (!list) return problem(list.error(), req.request_id);
                json::array items;
                for (const auto& n : *list) {
                  json::object o{{"id", n.id}, {"kind", n.kind}, {"title", n.title}, {"body", n.body},
                                 {"created_at", format_utc(n.created_at_ms)}};
                  o["appointment_id"] = n.appointment_id ? json::value(*n.appointment_id) : json::value();
                  json::array offer;
                  for (size_t start = 0; start < n.offer.size();) {
                    const size_t comma = std::min(n.offer.find(',', start), n.offer.size());
                    offer.emplace_back(std::stoll(n.offer.substr(start, comma - start)));
                    start = comma + 1;
                  }
                  o["offered_slot_ids"] = std::move(offer);
                  items.push_back(std::move(o));
                }
                return json_response(200, {{"items", items}});
              }});

  router.add({.method = "GET", .pattern = "/api/v1/patients/{id}/restriction", .access = readers.and_patients(),
              .handler = [&booking](Request& req) {
                auto id = parse_id(req.path_param("id"), "id");
                if (!id) return problem(id.error(), req.request_id);
                auto r = booking.restriction(*req.principal, *id, req.context());
                if (!r) return problem(r.error(), req.request_id);
                json::array ids;
                for (auto a : r->no_show_appointment_ids) ids.emplace_back(a);
                json::object o{{"no_show_appointment_ids", ids}};
                o["restricted_until"] =
                    r->restricted_until_ms ? json::value(format_utc(*r->restricted_until_ms)) : json::value();
                return json_response(200, o);
              }});

  router.add({.method = "GET", .pattern = "/api/v1/reports/special-needs-share",
              .access = Access::only({Role::admin, Role::manager}), .handler = [&schedules](Request& req) {
                auto share = schedules.special_needs_share(query_value(req, "from"), query_value(req, "to"));
                if (!share) return problem(share.error(), req.request_id);
                return json_response(200, {{"special_needs_capacity", share->special_needs},
                                           {"total_capacity", share->total},
                                           {"percent", share->percent},
                                           {"limit_percent", share->limit_percent}});
              }});

  router.add({.method = "GET", .pattern = "/api/v1/patients/{id}/appointments", .access = readers.and_patients(),
              .handler = [&booking](Request& req) {
                auto id = parse_id(req.path_param("id"), "id");
                if (!id) return problem(id.error(), req.request_id);
                auto list = booking.for_patient(*req.principal, *id, req.context());
                if (!list) return problem(list.error(), req.request_id);
                json::array items;
                for (const auto& a : *list) items.push_back(appointment_json(a));
                return json_response(200, {{"items", items}});
              }});
}

}  // namespace stork::http
