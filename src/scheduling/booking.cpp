#include "scheduling/booking.hpp"

#include <algorithm>

#include "core/civil_date.hpp"
#include "crypto/hash.hpp"
#include "scheduling/schedule_repo.hpp"
#include "scheduling/schedules.hpp"

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
  a.cancel_reason = r.text(16);
  a.rebooked_to = r.opt_integer(17);
  a.payment = r.text(18);
  a.payment_due_at_ms = r.opt_integer(19);
  return a;
}

SessionView decode_session(const store::Row& r) {
  SessionView v;
  v.id = r.integer(0);
  v.clinic_code = r.text(1);
  v.clinic_name_zh = r.text(2);
  v.clinic_name_en = r.text(3);
  v.clinic_type = r.text(4);
  v.department_code = r.text(5);
  v.practitioner_id = r.opt_integer(6);
  v.practitioner_name = r.text(7);
  v.practitioner_title = r.text(8);
  v.day = r.text(9);
  v.period = parse_period(r.text(10)).value_or(Period::morning);
  v.starts_at_ms = r.integer(11);
  v.ends_at_ms = r.integer(12);
  v.status = r.text(13) == "stopped" ? SessionStatus::stopped : SessionStatus::open;
  v.capacity = static_cast<int>(r.integer(14));
  v.booked = static_cast<int>(r.integer(15));
  v.waitlist = static_cast<int>(r.integer(16));
  return v;
}

WaitlistEntry decode_wait(const store::Row& r) {
  return {r.integer(0), r.integer(1), r.integer(2), parse_channel(r.text(3)).value_or(Channel::online), r.text(4),
          r.opt_integer(5), r.integer(6)};
}

Error conflict(std::string code, std::string message) { return Error::conflict(std::move(code), std::move(message)); }

std::string request_hash(int64_t patient_id, int64_t slot_id, Channel channel, std::string_view kind) {
  return crypto::sha256_hex(std::string(kind) + "|" + std::to_string(patient_id) + "|" + std::to_string(slot_id) +
                            "|" + std::string(channel_name(channel)));
}

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

// One transaction's work on appointments.
struct BookingService::Tx {
  const BookingService& s;
  store::Connection& c;
  const auth::Principal* who;  // null: the system (sweeps, promotions)
  const auth::RequestContext& ctx;
  int64_t now;

  std::string actor() const { return who ? who->audit_name() : "system"; }

  Status audit(const std::string& action, int64_t appointment_id, std::string detail) {
    return s.audit_.append(c, {actor(), action, "appointment", std::to_string(appointment_id), "success",
                               std::move(detail)},
                           ctx);
  }

  Result<Appointment> load(int64_t id) {
    auto rows = c.query(sql::kSelectAppointment, {id});
    if (!rows) return fail(rows.error());
    if (rows->empty()) return fail(Error::not_found("appointment " + std::to_string(id)));
    return s.with_rules(decode((*rows)[0]));
  }

  // K no-shows within D days restrict online booking for R days after the
  // latest of them.
  Result<Restriction> restriction_of(int64_t patient_id) {
    if (auto r = c.query(sql::kSweepPatientNoShows, {now, patient_id}); !r) return fail(r.error());
    const auto& cfg = s.settings_;
    auto rows = c.query(sql::kRecentNoShows, {patient_id, now - int64_t{cfg.no_show_window_days} * 86'400'000});
    if (!rows) return fail(rows.error());
    Restriction out;
    for (const auto& r : *rows) out.no_show_appointment_ids.push_back(r.integer(0));
    if (static_cast<int>(rows->size()) >= cfg.no_show_limit) {
      const int64_t until = (*rows)[0].integer(1) + int64_t{cfg.no_show_restrict_days} * 86'400'000;
      if (until > now) out.restricted_until_ms = until;
    }
    return out;
  }

  // Every rule between the patient and a slot, apart from tickets.
  Status check_patient(int64_t patient_id, int64_t session_id, int64_t starts, int64_t ends,
                       const std::string& department, std::optional<int64_t> practitioner, Channel channel,
                       std::optional<int64_t> ignoring) {
    if (quota_class(channel) == QuotaClass::online) {
      auto r = restriction_of(patient_id);
      if (!r) return fail(r.error());
      if (r->restricted_until_ms)
        return fail(conflict("restricted", "online booking is suspended after " +
                                               std::to_string(r->no_show_appointment_ids.size()) +
                                               " missed appointments, until " + format_utc(*r->restricted_until_ms) +
                                               "; the one-stop window can still book")
                        .with("restricted_until", format_utc(*r->restricted_until_ms)));
    }
    auto day = c.query(sql::kSessionDay, {session_id});
    if (!day) return fail(day.error());
    auto same_day = c.query(sql::kPatientDayAppointments, {patient_id, (*day)[0].text(0)});
    if (!same_day) return fail(same_day.error());
    int in_department = 0, total = 0;
    for (const auto& row : *same_day) {
      const Appointment other = decode(row);
      if (ignoring && other.id == *ignoring) continue;
      ++total;
      if (other.session_id == session_id && other.practitioner_id && other.practitioner_id == practitioner)
        return fail(conflict("limit_reached", "one appointment per doctor per session")
                        .with("limit", std::string("per_doctor_session")));
      if (other.starts_at_ms < ends && starts < other.ends_at_ms)
        return fail(conflict("patient_conflict", "the patient already has an appointment at this time (#" +
                                                     std::to_string(other.id) + ")")
                        .with("appointment_id", other.id));
      if (other.department_code == department) ++in_department;
    }
    if (total >= s.settings_.max_per_patient_per_day)
      return fail(conflict("limit_reached", "at most " + std::to_string(s.settings_.max_per_patient_per_day) +
                                                " appointments per patient per day")
                      .with("limit", std::string("per_day")));
    if (in_department >= s.settings_.max_per_department_per_day)
      return fail(conflict("limit_reached", "at most " + std::to_string(s.settings_.max_per_department_per_day) +
                                                " appointment(s) per department per day")
                      .with("limit", std::string("per_department_day")));
    return {};
  }

  // Books one slot; `any_quota` serves the waitlist from any freed ticket.
  Result<Appointment> book_slot(int64_t patient_id, int64_t slot_id, Channel channel, bool any_quota,
                                std::optional<int64_t> ignoring, const std::string& how) {
    auto slot = c.query(sql::kSelectSlotForBooking, {slot_id});
    if (!slot) return fail(slot.error());
    if (slot->empty()) return fail(Error::invalid("slot_id", "no such slot"));
    const auto& row = (*slot)[0];
    const int64_t session_id = row.integer(0), starts = row.integer(1), ends = row.integer(2);
    const int64_t release_at = row.integer(3), pool_at = row.integer(4);
    if (row.text(5) != "open")
      return fail(conflict("session_stopped", "this clinic session was stopped; choose another slot"));
    if (starts <= now) return fail(conflict("slot_past", "this slot has already started"));
    if (release_at > now)
      return fail(conflict("not_released", "this slot opens for booking at " + format_utc(release_at))
                      .with("release_at", format_utc(release_at)));
    if (auto st = check_patient(patient_id, session_id, starts, ends, row.text(7), row.opt_integer(8), channel, ignoring);
        !st)
      return fail(st.error());

    // The lowest free ticket this channel may take. Under PostgreSQL a
    // concurrent booking can take the chosen ticket first; then the update
    // returns nothing and the next free one is tried.
    const std::string klass(quota_class_name(quota_class(channel)));
    const int64_t pooled = any_quota || now >= pool_at;
    int64_t ticket = 0;
    while (ticket == 0) {
      auto taken = c.query(sql::kTakeTicket, {slot_id, klass, pooled});
      if (!taken) return fail(taken.error());
      if (!taken->empty()) {
        ticket = (*taken)[0].integer(0);
        break;
      }
      auto left = c.query(sql::kFreeTicketsLeft, {slot_id, klass, pooled});
      if (!left) return fail(left.error());
      if ((*left)[0].integer(0) == 0) return fail(conflict("slot_full", "this slot is fully booked"));
      if ((*left)[0].integer(1) > 0) continue;  // ours was taken a moment ago; try the next
      return fail(conflict("quota_exhausted",
                           "the tickets left in this slot are reserved for other channels until " + format_utc(pool_at))
                      .with("pool_at", format_utc(pool_at)));
    }
    if (auto r = c.query(sql::kCountBooked, {slot_id, int64_t{1}}); !r) return fail(r.error());
    auto inserted = c.query(sql::kInsertAppointment, {patient_id, session_id, slot_id, ticket,
                                                      std::string(channel_name(channel)), actor(), now});
    if (!inserted) return fail(inserted.error());
    const int64_t id = (*inserted)[0].integer(0);
    if (auto st = open_bill(id, session_id, ignoring); !st) return fail(st.error());
    if (auto a = audit("appointment.book", id,
                       how + ": patient " + std::to_string(patient_id) + ", slot " + std::to_string(slot_id) +
                           ", ticket " + std::to_string(ticket) + ", " + std::string(channel_name(channel)));
        !a)
      return fail(a.error());
    return load(id);
  }

  // The new appointment's bill, through billing's hook.
  Status open_bill(int64_t id, int64_t session_id, std::optional<int64_t> replaces) {
    if (!s.hooks_.on_booked) return {};
    auto fresh = load(id);
    if (!fresh) return fail(fresh.error());
    auto facts = c.query(sql::kVisitFacts, {session_id});
    if (!facts) return fail(facts.error());
    const auto& f = (*facts)[0];
    auto terms = s.hooks_.on_booked(c, VisitFacts{*fresh, f.text(0), f.text(1), f.text(2), replaces, actor()}, now);
    if (!terms) return fail(terms.error());
    if (terms->payment == "none") return {};
    auto set = c.execute(sql::kSetPaymentTerms,
                         {id, terms->payment, terms->due_at_ms ? store::Value(*terms->due_at_ms) : store::Value()});
    return set ? Status{} : fail(set.error());
  }

  // Cancels a live appointment, returns its ticket, settles its bill and
  // gives the ticket to the waitlist.
  Status release(const Appointment& a, const std::string& reason, bool serve_waitlist, CancelCause cause) {
    auto changed = c.execute(sql::kCancelWithReason, {a.id, now, reason});
    if (!changed) return fail(changed.error());
    if (*changed != 1) return fail(conflict("invalid_state", "the appointment changed meanwhile; reload it"));
    if (auto r = c.execute(sql::kReturnTicket, {a.slot_id, int64_t{a.ticket_no}}); !r) return fail(r.error());
    if (auto r = c.query(sql::kCountBooked, {a.slot_id, int64_t{-1}}); !r) return fail(r.error());
    if (auto st = audit("appointment.cancel", a.id, "patient " + std::to_string(a.patient_id) + ": " + reason); !st)
      return st;
    if (s.hooks_.on_cancelled)
      if (auto st = s.hooks_.on_cancelled(c, a, cause, now, actor()); !st) return st;
    return serve_waitlist ? promote_waitlist(a.session_id) : Status{};
  }

  // The first waiting patient who may take a freed ticket gets it.
  Status promote_waitlist(int64_t session_id) {
    auto waiting = c.query(sql::kWaitingOfSession, {session_id});
    if (!waiting) return fail(waiting.error());
    for (const auto& w : *waiting) {
      auto free = c.query(sql::kFreeSlotOfSession, {session_id, now});
      if (!free) return fail(free.error());
      if (free->empty()) return {};
      const int64_t patient_id = w.integer(1);
      const Channel channel = parse_channel(w.text(2)).value_or(Channel::online);
      auto booked = book_slot(patient_id, (*free)[0].integer(0), channel, true, std::nullopt, "waitlist");
      if (!booked) {
        // Not eligible now (another appointment at that time, a limit):
        // the next in line is tried; a database error stops everything.
        if (booked.error().code.starts_with("db_") || booked.error().code == "unique_violation")
          return fail(booked.error());
        continue;
      }
      if (auto r = c.execute(sql::kPromoteWaitlist, {w.integer(0), booked->id}); !r) return fail(r.error());
      notify::Notification n;
      n.patient_id = patient_id;
      n.kind = "waitlist_promoted";
      n.title = "候补成功 Waitlist: you have an appointment";
      n.body = "Ticket " + std::to_string(booked->ticket_no) + " at " + format_utc(booked->starts_at_ms) + " (" +
               booked->clinic_code + ").";
      if (booked->payment == "due" && booked->payment_due_at_ms)
        n.body += " 请于 " + format_utc(*booked->payment_due_at_ms) +
                  " 前支付挂号费 Pay the fee by then (My bills), or the ticket goes to the next in line.";
      else if (booked->payment == "due")
        n.body += " 挂号费请在窗口或手机上支付 Pay the fee at the window or on your phone before check-in.";
      n.appointment_id = booked->id;
      n.created_at_ms = now;
      return notify::enqueue(c, n);
    }
    return {};
  }

  Result<std::vector<SlotView>> alternatives_for(const Appointment& a) {
    auto kind = c.query(sql::kClinicTypeOfSession, {a.session_id});
    if (!kind) return fail(kind.error());
    auto rows = c.query(sql::kAlternatives, {std::string(quota_class_name(quota_class(a.channel))), now,
                                             (*kind)[0].text(1), (*kind)[0].text(0), a.session_id, a.starts_at_ms});
    if (!rows) return fail(rows.error());
    std::vector<SlotView> out;
    for (const auto& r : *rows) out.push_back(slot_from_row(r, now));
    return out;
  }
};

BookingService::BookingService(store::Database& db, const Clock& clock, const auth::AuditLog& audit,
                               patients::PatientService& patients, BookingSettings settings)
    : db_(db), clock_(clock), audit_(audit), patients_(patients), settings_(settings) {}

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

  const std::string hash = request_hash(req.patient_id, req.slot_id, req.channel, "book");
  const std::string scope = who.audit_name();
  // Fast refusal without the writer: at a release surge almost every
  // attempt after the sell-out finds the slot full. A request whose key was
  // seen before still goes through the writer, to get its first answer.
  auto sold_out = store::read_tx(db_, [&](store::Connection& c) -> Result<bool> {
    auto seen = c.query(sql::kSelectIdempotency, {scope, req.idempotency_key});
    if (!seen) return fail(seen.error());
    if (!seen->empty()) return false;
    auto left = c.query(sql::kFreeTicketsLeft, {req.slot_id, std::string("online"), int64_t{1}});
    if (!left) return fail(left.error());
    if ((*left)[0].integer(0) > 0) return false;
    auto slot = c.query(sql::kSelectSlotForBooking, {req.slot_id});  // unknown slots get their own answer
    if (!slot) return fail(slot.error());
    return !slot->empty();
  });
  if (!sold_out) return fail(sold_out.error());
  if (*sold_out) return fail(conflict("slot_full", "this slot is fully booked"));
  auto attempt = [&]() -> Result<Booked> {
    return store::write_tx(db_, [&](store::Connection& c) -> Result<Booked> {
      Tx tx{*this, c, &who, ctx, clock_.now_ms()};
      auto seen = c.query(sql::kSelectIdempotency, {scope, req.idempotency_key});
      if (!seen) return fail(seen.error());
      if (!seen->empty()) {
        if ((*seen)[0].text(0) != hash)
          return fail(Error::conflict("idempotency_key_reused",
                                      "this Idempotency-Key was used for a different booking; use a new key"));
        auto a = tx.load((*seen)[0].integer(1));
        if (!a) return fail(a.error());
        return Booked{*a, true};
      }
      auto a = tx.book_slot(req.patient_id, req.slot_id, req.channel, false, std::nullopt, "booked");
      if (!a) return fail(a.error());
      if (auto r = c.execute(sql::kInsertIdempotency, {scope, req.idempotency_key, hash, a->id, tx.now}); !r)
        return fail(r.error());
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
  auto a = store::read_tx(db_, [&](store::Connection& c) {
    Tx tx{*this, c, &who, ctx, clock_.now_ms()};
    return tx.load(id);
  });
  if (!a) return a;
  if (auto s = patients_.authorize(who, a->patient_id); !s) return fail(s.error());
  return a;
}

Result<std::vector<Appointment>> BookingService::for_patient(const auth::Principal& who, int64_t patient_id,
                                                             const auth::RequestContext&) {
  if (auto s = patients_.authorize(who, patient_id); !s) return fail(s.error());
  return store::read_tx(db_, [&](store::Connection& c) -> Result<std::vector<Appointment>> {
    auto rows = c.query(sql::kPatientAppointments, {patient_id});
    if (!rows) return fail(rows.error());
    std::vector<Appointment> out;
    for (const auto& r : *rows) out.push_back(with_rules(decode(r)));
    return out;
  });
}

Appointment BookingService::with_rules(Appointment a) const {
  a.cancel_deadline_ms = a.starts_at_ms - int64_t{settings_.cancel_deadline_minutes} * 60'000;
  a.check_in_opens_ms = a.starts_at_ms - int64_t{settings_.check_in_open_minutes} * 60'000;
  return a;
}

Result<Appointment> BookingService::change_booked(const auth::Principal& who, int64_t id,
                                                  const auth::RequestContext& ctx, const Change& change) {
  if (auto a = get(who, id, ctx); !a) return a;  // may she touch it at all
  return store::write_tx(db_, [&](store::Connection& c) -> Result<Appointment> {
    Tx tx{*this, c, &who, ctx, clock_.now_ms()};
    auto a = tx.load(id);
    if (!a) return fail(a.error());
    if (a->status != AppointmentStatus::booked)
      return fail(conflict("invalid_state", "the appointment is " + std::string(status_name(a->status))));
    if (auto s = change(tx, *a); !s) return fail(s.error());
    return tx.load(id);
  });
}

Result<Appointment> BookingService::cancel(const auth::Principal& who, int64_t id, const auth::RequestContext& ctx) {
  return change_booked(who, id, ctx, [](Tx& tx, const Appointment& a) -> Status {
    if (tx.now > a.cancel_deadline_ms)
      return fail(conflict("cancel_deadline_passed", "appointments can be cancelled until " +
                                                         format_utc(a.cancel_deadline_ms))
                      .with("deadline", format_utc(a.cancel_deadline_ms)));
    return tx.release(a, "cancelled", true, CancelCause::cancelled);
  });
}

Result<Appointment> BookingService::check_in(const auth::Principal& who, int64_t id, const auth::RequestContext& ctx) {
  auto checked_in = change_booked(who, id, ctx, [](Tx& tx, const Appointment& a) -> Status {
    if (tx.now < a.check_in_opens_ms)
      return fail(conflict("check_in_too_early", "check-in opens at " + format_utc(a.check_in_opens_ms))
                      .with("opens_at", format_utc(a.check_in_opens_ms)));
    if (tx.now >= a.ends_at_ms) return fail(conflict("check_in_too_late", "the slot has ended"));
    if (a.payment == "due")
      return fail(conflict("payment_required", "the registration fee is unpaid; pay it first (phone or window)"));
    auto changed = tx.c.execute(sql::kSetAppointmentStatus, {a.id, std::string("checked_in"), tx.now, store::Value(),
                                                             std::string("booked")});
    if (!changed) return fail(changed.error());
    if (*changed != 1) return fail(conflict("invalid_state", "the appointment changed meanwhile; reload it"));
    if (auto st = tx.audit("appointment.check_in", a.id, "patient " + std::to_string(a.patient_id)); !st) return st;
    if (!tx.s.check_in_hooks_.in_transaction) return {};
    auto checked_in = tx.load(a.id);
    if (!checked_in) return fail(checked_in.error());
    return tx.s.check_in_hooks_.in_transaction(tx.c, *checked_in, tx.now);
  });
  if (checked_in && check_in_hooks_.after_commit) check_in_hooks_.after_commit(*checked_in);
  return checked_in;
}

Result<Booked> BookingService::rebook(const auth::Principal& who, int64_t id, int64_t slot_id,
                                      const std::string& key, const auth::RequestContext& ctx) {
  if (key.empty() || key.size() > 100)
    return fail(Error::invalid("Idempotency-Key", "send a header Idempotency-Key of 1 to 100 characters"));
  auto current = get(who, id, ctx);
  if (!current) return fail(current.error());
  const Channel channel = who.kind == auth::PrincipalKind::patient
                              ? Channel::online
                              : (may_use_channel(who, current->channel) ? current->channel : Channel::window);
  if (!may_use_channel(who, channel)) return fail(Error::forbidden("your role may not book appointments"));
  const std::string hash = request_hash(id, slot_id, channel, "rebook");
  const std::string scope = who.audit_name();
  return store::write_tx(db_, [&](store::Connection& c) -> Result<Booked> {
    Tx tx{*this, c, &who, ctx, clock_.now_ms()};
    auto seen = c.query(sql::kSelectIdempotency, {scope, key});
    if (!seen) return fail(seen.error());
    if (!seen->empty()) {
      if ((*seen)[0].text(0) != hash)
        return fail(Error::conflict("idempotency_key_reused", "this Idempotency-Key was used for another request"));
      auto a = tx.load((*seen)[0].integer(1));
      if (!a) return fail(a.error());
      return Booked{*a, true};
    }
    auto old = tx.load(id);
    if (!old) return fail(old.error());
    const bool live = old->status == AppointmentStatus::booked;
    if (old->rebooked_to)
      return fail(conflict("already_rebooked", "this appointment was already moved to appointment " +
                                                   std::to_string(*old->rebooked_to))
                      .with("rebooked_to", *old->rebooked_to));
    // Besides live ones, only those a stopped clinic cancelled can be moved.
    const bool stopped = old->status == AppointmentStatus::cancelled && old->cancel_reason.starts_with("session stopped");
    if (!live && !stopped)
      return fail(conflict("invalid_state", "the appointment is " + std::string(status_name(old->status))));
    auto fresh = tx.book_slot(old->patient_id, slot_id, channel, false, live ? std::optional(id) : std::nullopt,
                              "rebooked from appointment " + std::to_string(id));
    if (!fresh) return fail(fresh.error());
    if (live)
      if (auto s = tx.release(*old, "rebooked to appointment " + std::to_string(fresh->id), true, CancelCause::rebooked);
          !s)
        return fail(s.error());
    if (auto r = c.execute(sql::kSetRebookedTo, {id, fresh->id}); !r) return fail(r.error());
    if (auto r = c.execute(sql::kInsertIdempotency, {scope, key, hash, fresh->id, tx.now}); !r) return fail(r.error());
    return Booked{*fresh, false};
  });
}

Result<std::vector<SlotView>> BookingService::alternatives(const auth::Principal& who, int64_t id,
                                                           const auth::RequestContext& ctx) {
  auto a = get(who, id, ctx);
  if (!a) return fail(a.error());
  return store::read_tx(db_, [&](store::Connection& c) {
    Tx tx{*this, c, &who, ctx, clock_.now_ms()};
    return tx.alternatives_for(*a);
  });
}

Result<std::vector<SessionView>> BookingService::sessions(const std::string& from_day, const std::string& to_day,
                                                          const std::string& department, const std::string& clinic) {
  FieldErrors errors;
  const CivilDate today = local_date(clock_.now_ms(), settings_.utc_offset_minutes);
  const auto from = from_day.empty() ? std::optional(today) : parse_date(from_day);
  const auto to = to_day.empty() ? from : parse_date(to_day);
  if (!from) errors.add("from", "must be a date as YYYY-MM-DD");
  if (!to) errors.add("to", "must be a date as YYYY-MM-DD");
  if (auto s = errors.status(); !s) return fail(s.error());
  return store::read_tx(db_, [&](store::Connection& c) -> Result<std::vector<SessionView>> {
    auto rows = c.query(sql::kListSessions, {format_date(*from), format_date(*to), department, clinic});
    if (!rows) return fail(rows.error());
    std::vector<SessionView> out;
    for (const auto& r : *rows) out.push_back(decode_session(r));
    return out;
  });
}

Result<StoppedSession> BookingService::stop_session(const auth::Principal& who, int64_t session_id,
                                                    const std::string& reason, const auth::RequestContext& ctx) {
  if (reason.size() > 500) return fail(Error::invalid("reason", "must be at most 500 bytes"));
  return store::write_tx(db_, [&](store::Connection& c) -> Result<StoppedSession> {
    Tx tx{*this, c, &who, ctx, clock_.now_ms()};
    auto changed = c.execute(sql::kStopSession, {session_id});
    if (!changed) return fail(changed.error());
    if (*changed != 1) {
      auto exists = c.query(sql::kSelectSessionById, {session_id});
      if (!exists) return fail(exists.error());
      if (exists->empty()) return fail(Error::not_found("clinic session " + std::to_string(session_id)));
      return fail(conflict("invalid_state", "this session is already stopped"));
    }
    StoppedSession out;
    auto live = c.query(sql::kLiveAppointmentsOfSession, {session_id});
    if (!live) return fail(live.error());
    const std::string why = reason.empty() ? "the doctor is unavailable" : reason;
    for (const auto& row : *live) {
      const Appointment a = decode(row);
      if (auto s = tx.release(a, "session stopped: " + why, false, CancelCause::session_stopped); !s)
        return fail(s.error());
      auto alternatives = tx.alternatives_for(a);
      if (!alternatives) return fail(alternatives.error());
      notify::Notification n;
      n.patient_id = a.patient_id;
      n.kind = "session_stopped";
      n.title = "停诊通知 Clinic cancelled";
      n.body = "Your appointment (ticket " + std::to_string(a.ticket_no) + ", " + format_utc(a.starts_at_ms) + ", " +
               a.clinic_code + ") is cancelled: " + why + ". Choose one of the offered slots to rebook in one step.";
      n.appointment_id = a.id;
      for (const auto& alt : *alternatives) n.offer += (n.offer.empty() ? "" : ",") + std::to_string(alt.id);
      n.created_at_ms = tx.now;
      if (auto s = notify::enqueue(c, n); !s) return fail(s.error());
      auto cancelled = tx.load(a.id);
      if (!cancelled) return fail(cancelled.error());
      out.affected.push_back({*cancelled, std::move(*alternatives)});
    }
    auto waits = c.query(sql::kCancelWaitlistOfSession, {session_id});
    if (!waits) return fail(waits.error());
    for (const auto& w : *waits) {
      notify::Notification n;
      n.patient_id = w.integer(0);
      n.kind = "waitlist_cancelled";
      n.title = "停诊通知 Clinic cancelled";
      n.body = "The session you were waiting for is cancelled: " + why + ".";
      n.created_at_ms = tx.now;
      if (auto s = notify::enqueue(c, n); !s) return fail(s.error());
      ++out.waitlist_cancelled;
    }
    if (auto s = audit_.append(c, {who.audit_name(), "session.stop", "clinic_session", std::to_string(session_id),
                                   "success",
                                   why + "; " + std::to_string(out.affected.size()) + " appointments cancelled"},
                               ctx);
        !s)
      return fail(s.error());
    auto session = c.query(sql::kSelectSessionById, {session_id});
    if (!session) return fail(session.error());
    out.session = decode_session((*session)[0]);
    return out;
  });
}

Result<WaitlistEntry> BookingService::join_waitlist(const auth::Principal& who, int64_t patient_id,
                                                    int64_t session_id, Channel channel,
                                                    const auth::RequestContext& ctx) {
  if (!may_use_channel(who, channel))
    return fail(Error::invalid("channel", "you may not book through the " + std::string(channel_name(channel)) +
                                              " channel"));
  if (auto s = patients_.authorize(who, patient_id); !s) return fail(s.error());
  if (auto s = patients_.require_active(patient_id); !s) return fail(s.error());
  auto r = store::write_tx(db_, [&](store::Connection& c) -> Result<WaitlistEntry> {
    Tx tx{*this, c, &who, ctx, clock_.now_ms()};
    auto session = c.query(sql::kSelectSessionForWaitlist, {session_id});
    if (!session) return fail(session.error());
    if (session->empty()) return fail(Error::invalid("session_id", "no such clinic session"));
    if ((*session)[0].text(0) != "open") return fail(conflict("session_stopped", "this clinic session was stopped"));
    if ((*session)[0].integer(1) <= tx.now) return fail(conflict("slot_past", "this session has ended"));
    if ((*session)[0].integer(2) > tx.now)
      return fail(conflict("not_released", "this session opens for booking at " + format_utc((*session)[0].integer(2))));
    auto inserted = c.query(sql::kInsertWaitlist, {session_id, patient_id, std::string(channel_name(channel)), tx.now});
    if (!inserted) return fail(inserted.error());
    const int64_t id = (*inserted)[0].integer(0);
    if (auto s = audit_.append(c, {who.audit_name(), "waitlist.join", "waitlist", std::to_string(id), "success",
                                   "patient " + std::to_string(patient_id) + ", session " + std::to_string(session_id)},
                               ctx);
        !s)
      return fail(s.error());
    // A ticket may be free already (e.g. freed while she was deciding).
    if (auto s = tx.promote_waitlist(session_id); !s) return fail(s.error());
    auto row = c.query(sql::kSelectWaitlist, {id});
    if (!row) return fail(row.error());
    return decode_wait((*row)[0]);
  });
  if (!r && r.error().code == "unique_violation")
    return fail(conflict("already_waiting", "the patient is already on this session's waitlist"));
  return r;
}

Result<WaitlistEntry> BookingService::leave_waitlist(const auth::Principal& who, int64_t entry_id,
                                                     const auth::RequestContext& ctx) {
  auto entry = store::read_tx(db_, [&](store::Connection& c) -> Result<WaitlistEntry> {
    auto row = c.query(sql::kSelectWaitlist, {entry_id});
    if (!row) return fail(row.error());
    if (row->empty()) return fail(Error::not_found("waitlist entry " + std::to_string(entry_id)));
    return decode_wait((*row)[0]);
  });
  if (!entry) return entry;
  if (auto s = patients_.authorize(who, entry->patient_id); !s) return fail(s.error());
  return store::write_tx(db_, [&](store::Connection& c) -> Result<WaitlistEntry> {
    auto changed = c.execute(sql::kCancelWaitlist, {entry_id});
    if (!changed) return fail(changed.error());
    if (*changed != 1) return fail(conflict("invalid_state", "this entry is no longer waiting"));
    if (auto s = audit_.append(c, {who.audit_name(), "waitlist.leave", "waitlist", std::to_string(entry_id), "success",
                                   "patient " + std::to_string(entry->patient_id)},
                               ctx);
        !s)
      return fail(s.error());
    auto row = c.query(sql::kSelectWaitlist, {entry_id});
    if (!row) return fail(row.error());
    return decode_wait((*row)[0]);
  });
}

Result<std::vector<WaitlistEntry>> BookingService::waitlist_of(const auth::Principal& who, int64_t patient_id,
                                                               const auth::RequestContext&) {
  if (auto s = patients_.authorize(who, patient_id); !s) return fail(s.error());
  return store::read_tx(db_, [&](store::Connection& c) -> Result<std::vector<WaitlistEntry>> {
    auto rows = c.query(sql::kWaitlistOfPatient, {patient_id});
    if (!rows) return fail(rows.error());
    std::vector<WaitlistEntry> out;
    for (const auto& r : *rows) out.push_back(decode_wait(r));
    return out;
  });
}

Result<std::vector<notify::Notification>> BookingService::notifications_of(const auth::Principal& who,
                                                                           int64_t patient_id,
                                                                           const auth::RequestContext&) {
  if (auto s = patients_.authorize(who, patient_id); !s) return fail(s.error());
  return store::read_tx(db_, [&](store::Connection& c) { return notify::for_patient(c, patient_id); });
}

Result<int> BookingService::send_reminders(const auth::RequestContext& ctx) {
  return store::write_tx(db_, [&](store::Connection& c) -> Result<int> {
    const int64_t now = clock_.now_ms();
    auto rows = c.query(sql::kDueReminders, {now, now + int64_t{settings_.reminder_hours_before} * 3'600'000});
    if (!rows) return fail(rows.error());
    int sent = 0;
    for (const auto& row : *rows) {
      const Appointment a = decode(row);
      auto marked = c.execute(sql::kMarkReminded, {a.id, now});
      if (!marked) return fail(marked.error());
      if (*marked != 1) continue;  // another node reminded her
      notify::Notification n;
      n.patient_id = a.patient_id;
      n.kind = "reminder";
      n.title = "就诊提醒 Appointment reminder";
      n.body = "Ticket " + std::to_string(a.ticket_no) + " at " + format_utc(a.starts_at_ms) + " (" + a.clinic_code +
               "). Check in from " + format_utc(with_rules(a).check_in_opens_ms) + "." +
               (a.preparation.empty() ? "" : " " + a.preparation);
      n.appointment_id = a.id;
      n.created_at_ms = now;
      if (auto s = notify::enqueue(c, n); !s) return fail(s.error());
      ++sent;
    }
    if (sent > 0)
      if (auto s = audit_.append(c, {"system", "appointment.remind", "appointment", "", "success",
                                     std::to_string(sent) + " reminders"},
                                 ctx);
          !s)
        return fail(s.error());
    return sent;
  });
}

Result<int> BookingService::sweep_no_shows(const auth::RequestContext& ctx) {
  return store::write_tx(db_, [&](store::Connection& c) -> Result<int> {
    const int64_t now = clock_.now_ms();
    auto rows = c.query(sql::kSweepNoShows, {now});
    if (!rows) return fail(rows.error());
    for (const auto& r : *rows)
      if (auto s = audit_.append(c, {"system", "appointment.no_show", "appointment", std::to_string(r.integer(0)),
                                     "success", "not checked in by the end of the session"},
                                 ctx);
          !s)
        return fail(s.error());
    return static_cast<int>(rows->size());
  });
}

Result<Restriction> BookingService::restriction(const auth::Principal& who, int64_t patient_id,
                                                const auth::RequestContext& ctx) {
  if (auto s = patients_.authorize(who, patient_id); !s) return fail(s.error());
  return store::write_tx(db_, [&](store::Connection& c) {
    Tx tx{*this, c, &who, ctx, clock_.now_ms()};
    return tx.restriction_of(patient_id);
  });
}

void BookingService::set_payment_hooks(PaymentHooks hooks) { hooks_ = std::move(hooks); }

void BookingService::set_check_in_hooks(CheckInHooks hooks) { check_in_hooks_ = std::move(hooks); }

Result<bool> BookingService::complete(store::Connection& c, int64_t appointment_id) {
  auto changed = c.execute(sql::kSetAppointmentStatus, {appointment_id, std::string("completed"), store::Value(),
                                                        store::Value(), std::string("checked_in")});
  if (!changed) return fail(changed.error());
  return *changed == 1;
}

Result<bool> BookingService::has_encounter(store::Connection& c, int64_t practitioner_id, int64_t patient_id) const {
  auto rows = c.query(sql::kHasEncounter, {practitioner_id, patient_id});
  if (!rows) return fail(rows.error());
  return !rows->empty();
}

Result<Appointment> BookingService::load(store::Connection& c, int64_t appointment_id) const {
  auto rows = c.query(sql::kSelectAppointment, {appointment_id});
  if (!rows) return fail(rows.error());
  if (rows->empty()) return fail(Error::not_found("appointment " + std::to_string(appointment_id)));
  return with_rules(decode((*rows)[0]));
}

Result<SessionView> BookingService::session(store::Connection& c, int64_t session_id) {
  auto rows = c.query(sql::kSelectSessionById, {session_id});
  if (!rows) return fail(rows.error());
  if (rows->empty()) return fail(Error::not_found("clinic session " + std::to_string(session_id)));
  return decode_session((*rows)[0]);
}

Result<bool> BookingService::mark_paid(store::Connection& c, int64_t appointment_id) {
  auto changed = c.execute(sql::kMarkPaid, {appointment_id});
  if (!changed) return fail(changed.error());
  return *changed == 1;
}

Result<bool> BookingService::release_unpaid(store::Connection& c, int64_t appointment_id, const std::string& reason,
                                            const auth::RequestContext& ctx) {
  Tx tx{*this, c, nullptr, ctx, clock_.now_ms()};
  auto a = tx.load(appointment_id);
  if (!a) return fail(a.error());
  if (a->status != AppointmentStatus::booked || a->payment != "due") return false;
  if (auto s = tx.release(*a, reason, true, CancelCause::payment_expired); !s) return fail(s.error());
  return true;
}

patients::MergeStep BookingService::merge_step() const {
  return [](store::Connection& c, int64_t from, int64_t to) -> Status {
    if (auto r = c.execute(sql::kMoveAppointments, {from, to}); !r) return fail(r.error());
    if (auto r = c.execute(sql::kDropDuplicateWaits, {from, to}); !r) return fail(r.error());
    if (auto r = c.execute(sql::kMoveWaitlist, {from, to}); !r) return fail(r.error());
    return {};
  };
}

}  // namespace stork::scheduling
