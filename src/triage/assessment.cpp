#include "triage/assessment.hpp"

#include <boost/json.hpp>

#include "core/civil_date.hpp"
#include "triage/queue_repo.hpp"

namespace stork::triage {
namespace {

namespace json = boost::json;

int months_between(CivilDate birth, CivilDate on) {
  int months = (on.year - birth.year) * 12 + (on.month - birth.month);
  if (on.day < birth.day) --months;
  return std::max(0, months);
}

// The stored record of the vitals, as entered.
std::string vitals_json(const Vitals& v) {
  json::object o;
  auto put = [&](const char* key, const auto& value) {
    if (value) o[key] = *value;
  };
  put("temperature_c", v.temperature_c);
  put("heart_rate", v.heart_rate);
  put("respiratory_rate", v.respiratory_rate);
  put("systolic_bp", v.systolic_bp);
  put("diastolic_bp", v.diastolic_bp);
  put("spo2", v.spo2);
  if (v.consciousness) o["consciousness"] = static_cast<int>(*v.consciousness);
  o["supplemental_oxygen"] = v.supplemental_oxygen;
  if (v.oxygen_therapy) o["oxygen_therapy"] = static_cast<int>(*v.oxygen_therapy);
  put("gestational_week", v.gestational_week);
  put("fetal_heart_rate", v.fetal_heart_rate);
  put("age_months", v.age_months);
  put("capillary_refill_seconds", v.capillary_refill_seconds);
  if (v.respiratory_effort) o["respiratory_effort"] = static_cast<int>(*v.respiratory_effort);
  return json::serialize(o);
}

}  // namespace

const Scale& scale_for_age(int age_months) { return age_months < 216 ? pews() : meows(); }

AssessmentService::AssessmentService(store::Database& db, const Clock& clock, const auth::AuditLog& audit,
                                     patients::PatientService& patients, scheduling::BookingService& booking,
                                     QueueService& queues, int utc_offset_minutes)
    : db_(db), clock_(clock), audit_(audit), patients_(patients), booking_(booking), queues_(queues),
      utc_offset_minutes_(utc_offset_minutes) {}

Result<Assessment> AssessmentService::assess(const auth::Principal& who, const AssessmentRequest& req,
                                             const auth::RequestContext& ctx) {
  FieldErrors errors;
  for (auto& e : vitals_errors(req.vitals)) errors.add("vitals." + e.field, e.message);
  if (req.appointment_id <= 0) errors.add("appointment_id", "is required");
  if (req.scale != "auto" && req.scale != "none" && !find_scale(req.scale))
    errors.add("scale", "must be auto, meows, pews or none");
  if (req.expected_resources < 0 || req.expected_resources > 10) errors.add("expected_resources", "must be 0 to 10");
  if (req.note.size() > 1000) errors.add("note", "must be at most 1000 bytes");
  auto known = queues_.flags();
  if (!known) return fail(known.error());
  for (size_t i = 0; i < req.flags.size(); ++i)
    if (std::ranges::none_of(*known, [&](const FlagDefinition& f) { return f.code == req.flags[i]; }))
      errors.add("flags[" + std::to_string(i) + "]", "unknown flag '" + req.flags[i] + "'");
  if (auto s = errors.status(); !s) return fail(s.error());

  std::vector<std::pair<std::string, std::string>> events;
  auto out = store::write_tx(db_, [&](store::Connection& c) -> Result<Assessment> {
    events.clear();
    const int64_t now = clock_.now_ms();
    auto appointment = booking_.load(c, req.appointment_id);
    if (!appointment && appointment.error().code == "not_found")
      return fail(Error::invalid("appointment_id", "no such appointment"));
    if (!appointment) return fail(appointment.error());
    using enum scheduling::AppointmentStatus;
    if (appointment->status != booked && appointment->status != checked_in)
      return fail(Error::conflict("invalid_state", "the appointment is " +
                                                       std::string(scheduling::status_name(appointment->status))));
    auto person = patients_.basics(c, appointment->patient_id);
    if (!person) return fail(person.error());

    Assessment a;
    a.appointment_id = appointment->id;
    a.patient_id = appointment->patient_id;
    a.vitals = req.vitals;
    if (!a.vitals.age_months)
      if (auto born = parse_date(person->birth_date))
        a.vitals.age_months = months_between(*born, local_date(now, utc_offset_minutes_));
    const Scale* scale = req.scale == "auto"   ? &scale_for_age(a.vitals.age_months.value_or(216))
                         : req.scale == "none" ? nullptr
                                               : find_scale(req.scale);
    if (scale) {
      auto scored = evaluate(*scale, a.vitals);
      if (!scored) return fail(Error::invalid("vitals.age_months", scored.error().message));
      a.scale = std::move(*scored);
    }
    a.emergency = emergency_level(a.vitals, req.expected_resources);
    a.implausible = implausible(a.vitals);
    a.refer_to_emergency = a.emergency.level <= 2;
    a.flags_added = req.flags;
    auto add = [&](const std::string& f) {
      if (std::ranges::find(a.flags_added, f) == a.flags_added.end()) a.flags_added.push_back(f);
    };
    if ((a.scale && a.scale->triggered) || a.refer_to_emergency) add("critical");
    if (a.vitals.gestational_week && *a.vitals.gestational_week >= kLatePregnancyWeek) add("late_pregnancy");
    a.created_at_ms = now;

    std::string implausible_text;
    for (const auto& f : a.implausible) implausible_text += (implausible_text.empty() ? "" : "; ") + f.field;
    std::string flags_text;
    for (const auto& f : a.flags_added) flags_text += (flags_text.empty() ? "" : ",") + f;
    const int level = a.refer_to_emergency ? a.emergency.level : a.scale ? a.scale->level : a.emergency.level;
    auto id = c.query(sql::kInsertAssessment,
                      {a.appointment_id, a.patient_id, vitals_json(a.vitals),
                       std::string(a.scale ? a.scale->scale : "none"), int64_t{a.scale ? a.scale->total : 0},
                       int64_t{level}, int64_t{a.scale && a.scale->triggered}, int64_t{a.emergency.level},
                       implausible_text, flags_text, req.note, who.audit_name(), now});
    if (!id) return fail(id.error());
    a.id = (*id)[0].integer(0);
    if (auto st = queues_.apply_assessment(c, a.appointment_id, a.flags_added, level, events); !st)
      return fail(st.error());
    if (auto st = audit_.append(c, {who.audit_name(), "triage.assess", "patient", std::to_string(a.patient_id),
                                    "success", "appointment " + std::to_string(a.appointment_id) + ", level " +
                                                   std::to_string(level)},
                                ctx);
        !st)
      return fail(st.error());
    return a;
  });
  if (out) queues_.publish(events);
  return out;
}

}  // namespace stork::triage
