#include "scheduling/booking.hpp"

#include "core/civil_date.hpp"
#include "crypto/hash.hpp"
#include "scheduling/schedule_repo.hpp"

namespace stork::scheduling {
namespace {

using auth::Role;

Appointment decode(const store::Row& r) {
  Appointment a;
  a.id = r.integer(0);
  a.patient_id = r.integer(1);
  a.session_id = r.integer(2);
  a.slot_id = r.integer(3);
  a.ticket_no = static_cast<int>(r.integer(4));
  a.channel = parse_channel(r.text(5)).value_or(Channel::online);
  const std::string st = r.text(6);
  for (auto s : {AppointmentStatus::booked, AppointmentStatus::checked_in, AppointmentStatus::completed,
                 AppointmentStatus::cancelled, AppointmentStatus::no_show})
    if (status_name(s) == st) a.status = s;
  a.starts_at_ms = r.integer(7);
  a.ends_at_ms = r.integer(8);
  a.clinic_code = r.text(9);
  a.department_code = r.text(10);
  a.practitioner_id = r.opt_integer(11);
  a.preparation = r.text(12);
  a.created_at_ms = r.integer(13);
  a.checked_in_at_ms = r.opt_integer(14);
  a.cancelled_at_ms = r.opt_integer(15);
  return a;
}

Error conflict(std::string code, std::string message) { return Error::conflict(std::move(code), std::move(message)); }

}  // namespace

bool may_use_channel(const auth::Principal& who, Channel c) {
  if (who.kind == auth::PrincipalKind::patient) return c == Channel::online || c == Channel::kiosk;
  switch (c) {
    case Channel::window:
    case Channel::phone_line:
    case Channel::kiosk: return who.has_role(Role::clerk) || who.has_role(Role::triage_nurse);
    case Channel::doctor: return who.has_role(Role::doctor);
    case Channel::referral: return who.has_role(Role::doctor) || who.has_role(Role::mdt_coordinator);
    case Channel::online: return false;  // the patient's own phone
  }
  return false;
}

BookingService::BookingService(store::Database& db, const Clock& clock, const auth::AuditLog& audit,
                               patients::PatientService& patients, BookingSettings settings)
    : db_(db), clock_(clock), audit_(audit), patients_(patients), settings_(settings) {}

Result<Appointment> BookingService::load(store::Connection& c, int64_t id) {
  auto rows = c.query(sql::kSelectAppointment, {id});
  if (!rows) return fail(rows.error());
  if (rows->empty()) return fail(Error::not_found("appointment " + std::to_string(id)));
  return decode((*rows)[0]);
}

Result<Booked> BookingService::book(const auth::Principal& who, const BookingRequest& req,
                                    const auth::RequestContext& ctx) {
  FieldErrors errors;
  if (req.idempotency_key.empty() || req.idempotency_key.size() > 100)
    errors.add("Idempotency-Key", "send a header Idempotency-Key of 1 to 100 characters, new for each booking");
  if (!may_use_channel(who, req.channel))
    errors.add("channel", "you may not book through the " + std::string(channel_name(req.channel)) + " channel");
  if (auto s = errors.status(); !s) return fail(s.error());
  if (auto s = patients_.authorize(who, req.patient_id); !s) return fail(s.error());
  // Real-name booking: the patient must be on record.
  if (auto s = patients_.require_active(req.patient_id); !s) return fail(s.error());

  const std::string hash = crypto::sha256_hex(std::to_string(req.patient_id) + "|" + std::to_string(req.slot_id) +
                                              "|" + std::string(channel_name(req.channel)));
  const std::string scope = who.audit_name();
  auto attempt = [&]() -> Result<Booked> {
    return store::write_tx(db_, [&](store::Connection& c) -> Result<Booked> {
      const int64_t now = clock_.now_ms();
      auto seen = c.query(sql::kSelectIdempotency, {scope, req.idempotency_key});
      if (!seen) return fail(seen.error());
      if (!seen->empty()) {
        if ((*seen)[0].text(0) != hash)
          return fail(Error::conflict("idempotency_key_reused",
                                      "this Idempotency-Key was used for a different booking; use a new key"));
        auto a = load(c, (*seen)[0].integer(1));
        if (!a) return fail(a.error());
        return Booked{*a, true};
      }
      auto slot = c.query(sql::kSelectSlotForBooking, {req.slot_id});
      if (!slot) return fail(slot.error());
      if (slot->empty()) return fail(Error::invalid("slot_id", "no such slot"));
      const auto& s = (*slot)[0];
      const int64_t session_id = s.integer(0), starts = s.integer(1), ends = s.integer(2);
      const int64_t release_at = s.integer(3), pool_at = s.integer(4);
      const std::string department = s.text(7);
      const auto practitioner = s.opt_integer(8);
      if (s.text(5) != "open")
        return fail(conflict("session_stopped", "this clinic session was stopped; choose another slot"));
      if (starts <= now) return fail(conflict("slot_past", "this slot has already started"));
      if (release_at > now)
        return fail(conflict("not_released", "this slot opens for booking at " + format_utc(release_at))
                        .with("release_at", format_utc(release_at)));

      // Limits against the patient's other live appointments that day.
      auto day = c.query(sql::kSessionDay, {session_id});
      if (!day) return fail(day.error());
      auto same_day = c.query(sql::kPatientDayAppointments, {req.patient_id, (*day)[0].text(0)});
      if (!same_day) return fail(same_day.error());
      int in_department = 0;
      for (const auto& row : *same_day) {
        const Appointment other = decode(row);
        if (other.session_id == session_id && other.practitioner_id && other.practitioner_id == practitioner)
          return fail(conflict("limit_reached", "one appointment per doctor per session"));
        if (other.starts_at_ms < ends && starts < other.ends_at_ms)
          return fail(conflict("patient_conflict", "the patient already has an appointment at this time (#" +
                                                       std::to_string(other.id) + ")")
                          .with("appointment_id", other.id));
        if (other.department_code == department) ++in_department;
      }
      if (static_cast<int>(same_day->size()) >= settings_.max_per_patient_per_day)
        return fail(conflict("limit_reached", "at most " + std::to_string(settings_.max_per_patient_per_day) +
                                                  " appointments per patient per day"));
      if (in_department >= settings_.max_per_department_per_day)
        return fail(conflict("limit_reached", "at most " + std::to_string(settings_.max_per_department_per_day) +
                                                  " appointment(s) per department per day"));

      // The lowest free ticket this channel may take. Under PostgreSQL a
      // concurrent booking can take the chosen ticket first; then the
      // update returns nothing and the next free one is tried.
      const std::string klass(quota_class_name(quota_class(req.channel)));
      std::optional<int64_t> ticket;
      while (!ticket) {
        auto taken = c.query(sql::kTakeTicket, {req.slot_id, klass, int64_t{now >= pool_at}});
        if (!taken) return fail(taken.error());
        if (!taken->empty()) {
          ticket = (*taken)[0].integer(0);
          break;
        }
        auto left = c.query(sql::kFreeTicketsLeft, {req.slot_id, klass, int64_t{now >= pool_at}});
        if (!left) return fail(left.error());
        if ((*left)[0].integer(0) == 0) return fail(conflict("slot_full", "this slot is fully booked"));
        // A ticket this channel may use is still free: another booking took
        // the one chosen a moment ago. Try again.
        if ((*left)[0].integer(1) > 0) continue;
        return fail(conflict("quota_exhausted", "the tickets left in this slot are reserved for other channels until " +
                                                    format_utc(pool_at))
                        .with("pool_at", format_utc(pool_at)));
      }
      if (auto r = c.query(sql::kCountBooked, {req.slot_id, int64_t{1}}); !r) return fail(r.error());
      auto inserted = c.query(sql::kInsertAppointment, {req.patient_id, session_id, req.slot_id, *ticket,
                                                        std::string(channel_name(req.channel)), scope, now});
      if (!inserted) return fail(inserted.error());
      const int64_t id = (*inserted)[0].integer(0);
      if (auto r = c.execute(sql::kInsertIdempotency, {scope, req.idempotency_key, hash, id, now}); !r)
        return fail(r.error());
      if (auto a = audit_.append(c, {who.audit_name(), "appointment.book", "appointment", std::to_string(id),
                                     "success",
                                     "patient " + std::to_string(req.patient_id) + ", slot " +
                                         std::to_string(req.slot_id) + ", ticket " + std::to_string(*ticket) + ", " +
                                         std::string(channel_name(req.channel))},
                                 ctx);
          !a)
        return fail(a.error());
      auto a = load(c, id);
      if (!a) return fail(a.error());
      return Booked{*a, false};
    });
  };
  auto r = attempt();
  // The same key racing itself: the loser's transaction rolled back; the
  // retry finds the winner's record and answers with it.
  if (!r && r.error().code == "unique_violation") r = attempt();
  return r;
}

Result<Appointment> BookingService::get(const auth::Principal& who, int64_t id, const auth::RequestContext& ctx) {
  auto a = store::read_tx(db_, [&](store::Connection& c) { return load(c, id); });
  if (!a) return a;
  if (auto s = patients_.authorize(who, a->patient_id); !s) return fail(s.error());
  (void)ctx;
  return a;
}

Result<std::vector<Appointment>> BookingService::for_patient(const auth::Principal& who, int64_t patient_id,
                                                             const auth::RequestContext& ctx) {
  if (auto s = patients_.authorize(who, patient_id); !s) return fail(s.error());
  (void)ctx;
  return store::read_tx(db_, [&](store::Connection& c) -> Result<std::vector<Appointment>> {
    auto rows = c.query(sql::kPatientAppointments, {patient_id});
    if (!rows) return fail(rows.error());
    std::vector<Appointment> out;
    for (const auto& r : *rows) out.push_back(decode(r));
    return out;
  });
}

Result<Appointment> BookingService::cancel(const auth::Principal& who, int64_t id, const auth::RequestContext& ctx) {
  return transition(who, id, ctx, true);
}

Result<Appointment> BookingService::check_in(const auth::Principal& who, int64_t id, const auth::RequestContext& ctx) {
  return transition(who, id, ctx, false);
}

Result<Appointment> BookingService::transition(const auth::Principal& who, int64_t id, const auth::RequestContext& ctx,
                                               bool cancel) {
  auto current = get(who, id, ctx);
  if (!current) return current;
  return store::write_tx(db_, [&](store::Connection& c) -> Result<Appointment> {
    const int64_t now = clock_.now_ms();
    auto a = load(c, id);
    if (!a) return fail(a.error());
    if (a->status != AppointmentStatus::booked)
      return fail(conflict("invalid_state", "the appointment is " + std::string(status_name(a->status))));
    std::optional<int64_t> checked_in, cancelled;
    std::string next;
    if (cancel) {
      const int64_t deadline = a->starts_at_ms - int64_t{settings_.cancel_deadline_minutes} * 60'000;
      if (now > deadline)
        return fail(conflict("cancel_deadline_passed", "appointments can be cancelled until " + format_utc(deadline))
                        .with("deadline", format_utc(deadline)));
      cancelled = now;
      next = "cancelled";
    } else {
      const int64_t opens = a->starts_at_ms - int64_t{settings_.check_in_open_minutes} * 60'000;
      if (now < opens)
        return fail(conflict("check_in_too_early", "check-in opens at " + format_utc(opens)).with("opens_at",
                                                                                                   format_utc(opens)));
      if (now >= a->ends_at_ms) return fail(conflict("check_in_too_late", "the slot has ended"));
      checked_in = now;
      next = "checked_in";
    }
    auto changed = c.execute(sql::kSetAppointmentStatus,
                             {id, next, store::nullable(checked_in), store::nullable(cancelled), std::string("booked")});
    if (!changed) return fail(changed.error());
    if (*changed != 1) return fail(conflict("invalid_state", "the appointment changed meanwhile; reload it"));
    if (cancel) {
      if (auto r = c.execute(sql::kReturnTicket, {a->slot_id, int64_t{a->ticket_no}}); !r) return fail(r.error());
      if (auto r = c.query(sql::kCountBooked, {a->slot_id, int64_t{-1}}); !r) return fail(r.error());
    }
    if (auto s = audit_.append(c, {who.audit_name(), cancel ? "appointment.cancel" : "appointment.check_in",
                                   "appointment", std::to_string(id), "success",
                                   "patient " + std::to_string(a->patient_id)},
                               ctx);
        !s)
      return fail(s.error());
    return load(c, id);
  });
}

patients::MergeStep BookingService::merge_step() const {
  return [](store::Connection& c, int64_t from, int64_t to) -> Status {
    if (auto r = c.execute(sql::kMoveAppointments, {from, to}); !r) return fail(r.error());
    return {};
  };
}

}  // namespace stork::scheduling
