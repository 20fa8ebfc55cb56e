#pragma once
// Booking, cancelling, checking in and rebooking appointments; the
// waitlist; stop-clinic; the no-show rule.
//
// A booking takes the lowest free ticket of its slot that its channel's
// quota class may use (any class once the session's common-pool time has
// passed), in one transaction with the appointment, its idempotency record
// and its audit entry. A slot has exactly `capacity` tickets and a ticket is
// taken by one live appointment only, so no concurrency, on any backend or
// any number of nodes, can overbook a slot or give a ticket number twice.
//
// A freed ticket (cancel) goes to the first eligible patient on the
// session's waitlist, in the same transaction, and she is notified. A
// stopped session cancels its appointments and notifies each patient with
// the nearest equivalent slots for one-click rebooking.
//
// Thread-safe: state is in the database.
#include <functional>
#include <optional>
#include <vector>

#include "auth/audit.hpp"
#include "auth/roles.hpp"
#include "core/clock.hpp"
#include "notify/notifications.hpp"
#include "patients/service.hpp"
#include "scheduling/payment_hooks.hpp"
#include "scheduling/schedule_model.hpp"
#include "store/database.hpp"

namespace stork::scheduling {

struct BookingSettings {
  int max_per_patient_per_day = 3;
  int max_per_department_per_day = 1;
  int cancel_deadline_minutes = 120;  // before the slot starts
  int check_in_open_minutes = 60;     // check-in opens this long before the slot
  int no_show_limit = 3;              // K no-shows...
  int no_show_window_days = 90;       // ...within D days...
  int no_show_restrict_days = 30;     // ...restrict online booking for R days
  int reminder_hours_before = 24;     // the reminder (with preparation) goes out this long before
  int utc_offset_minutes = 8 * 60;
};

struct Booked {
  Appointment appointment;
  bool replayed = false;  // the same Idempotency-Key answered before
};

struct SessionView {
  int64_t id = 0;
  std::string clinic_code, clinic_name_zh, clinic_name_en, clinic_type, department_code;
  std::optional<int64_t> practitioner_id;
  std::string practitioner_name, practitioner_title;
  std::string day;
  Period period = Period::morning;
  int64_t starts_at_ms = 0, ends_at_ms = 0;
  SessionStatus status = SessionStatus::open;
  int capacity = 0, booked = 0, waitlist = 0;
};

struct AffectedAppointment {
  Appointment appointment;
  std::vector<SlotView> alternatives;
};

struct StoppedSession {
  SessionView session;
  std::vector<AffectedAppointment> affected;
  int waitlist_cancelled = 0;
};

struct WaitlistEntry {
  int64_t id = 0, session_id = 0, patient_id = 0;
  Channel channel = Channel::online;
  std::string status;  // waiting | promoted | cancelled
  std::optional<int64_t> appointment_id;
  int64_t created_at_ms = 0;
};

struct Restriction {
  std::optional<int64_t> restricted_until_ms;
  std::vector<int64_t> no_show_appointment_ids;  // within the window, newest first
};

class BookingService {
 public:
  BookingService(store::Database& db, const Clock& clock, const auth::AuditLog& audit,
                 patients::PatientService& patients, BookingSettings settings);

  // Errors: validation_failed (patient_id, slot_id, channel,
  // Idempotency-Key), forbidden (a patient booking for someone not in her
  // family), idempotency_key_reused (422: same key, different request),
  // not_released, slot_past, session_stopped, slot_full, quota_exhausted,
  // limit_reached, patient_conflict, restricted (409).
  Result<Booked> book(const auth::Principal& who, const BookingRequest& req, const auth::RequestContext& ctx);
  Result<Appointment> get(const auth::Principal& who, int64_t id, const auth::RequestContext& ctx);
  Result<std::vector<Appointment>> for_patient(const auth::Principal& who, int64_t patient_id,
                                               const auth::RequestContext& ctx);
  // Errors: cancel_deadline_passed, invalid_state (409).
  Result<Appointment> cancel(const auth::Principal& who, int64_t id, const auth::RequestContext& ctx);
  // Errors: check_in_too_early, check_in_too_late, payment_required, invalid_state (409).
  Result<Appointment> check_in(const auth::Principal& who, int64_t id, const auth::RequestContext& ctx);
  // Moves a live (or stop-cancelled) appointment to another slot in one
  // transaction: the new booking is made first, then the old one released.
  // Once only: errors already_rebooked (with rebooked_to), invalid_state.
  Result<Booked> rebook(const auth::Principal& who, int64_t id, int64_t slot_id, const std::string& idempotency_key,
                        const auth::RequestContext& ctx);
  // The nearest equivalent open slots (same department and clinic type).
  Result<std::vector<SlotView>> alternatives(const auth::Principal& who, int64_t id, const auth::RequestContext& ctx);

  Result<std::vector<SessionView>> sessions(const std::string& from_day, const std::string& to_day,
                                            const std::string& department, const std::string& clinic);
  // Errors: not_found, invalid_state (already stopped).
  Result<StoppedSession> stop_session(const auth::Principal& who, int64_t session_id, const std::string& reason,
                                      const auth::RequestContext& ctx);

  // Errors: validation_failed (session_id), already_waiting (409).
  Result<WaitlistEntry> join_waitlist(const auth::Principal& who, int64_t patient_id, int64_t session_id,
                                      Channel channel, const auth::RequestContext& ctx);
  Result<WaitlistEntry> leave_waitlist(const auth::Principal& who, int64_t entry_id, const auth::RequestContext& ctx);
  Result<std::vector<WaitlistEntry>> waitlist_of(const auth::Principal& who, int64_t patient_id,
                                                 const auth::RequestContext& ctx);
  Result<std::vector<notify::Notification>> notifications_of(const auth::Principal& who, int64_t patient_id,
                                                              const auth::RequestContext& ctx);

  // Notifies each patient whose appointment starts within the reminder
  // window (once per appointment, whichever node runs it); returns how many.
  Result<int> send_reminders(const auth::RequestContext& ctx);
  // Marks live appointments of ended sessions as no-shows; returns how many.
  Result<int> sweep_no_shows(const auth::RequestContext& ctx);
  Result<Restriction> restriction(const auth::Principal& who, int64_t patient_id, const auth::RequestContext& ctx);

  // For PatientService::add_merge_step: appointments follow a merged record.
  patients::MergeStep merge_step() const;

  // Billing plugs in here before the server serves (not thread-safe to change later).
  void set_payment_hooks(PaymentHooks hooks);
  // Triage plugs in here: `in_transaction` runs inside the check-in
  // transaction with the checked-in appointment, so a checked-in patient is
  // always in a queue; `after_commit` runs once it is durable (live updates).
  struct CheckInHooks {
    std::function<Status(store::Connection&, const Appointment&, int64_t now_ms)> in_transaction;
    std::function<void(const Appointment&)> after_commit;
  };
  void set_check_in_hooks(CheckInHooks hooks);
  // For triage, inside its own transaction: the visit ended. False when the
  // appointment was not checked in.
  Result<bool> complete(store::Connection& c, int64_t appointment_id);
  // One clinic session, for other modules. Errors: not_found.
  Result<SessionView> session(store::Connection& c, int64_t session_id);
  // For clinical access rules: the patient has an appointment that was not
  // cancelled with this practitioner (an encounter).
  Result<bool> has_encounter(store::Connection& c, int64_t practitioner_id, int64_t patient_id) const;
  // The appointment as stored, inside the caller's transaction. Errors: not_found.
  Result<Appointment> load(store::Connection& c, int64_t appointment_id) const;
  // For billing, inside its own transaction: the appointment's fee is paid.
  // Returns false when the appointment is no longer live (billing refunds).
  Result<bool> mark_paid(store::Connection& c, int64_t appointment_id);
  // For billing: an unpaid hold expired; the appointment is cancelled, its
  // ticket returned and offered to the waitlist. False if it was not an
  // unpaid live appointment (any more).
  Result<bool> release_unpaid(store::Connection& c, int64_t appointment_id, const std::string& reason,
                              const auth::RequestContext& ctx);

 private:
  struct Tx;
  using Change = std::function<Status(Tx&, const Appointment&)>;
  // Authorizes, loads a live (booked) appointment in a write transaction,
  // applies `change`, and returns the appointment as it now is.
  Result<Appointment> change_booked(const auth::Principal& who, int64_t id, const auth::RequestContext& ctx,
                                    const Change& change);
  // Fills in the cancel deadline and check-in opening from the settings.
  Appointment with_rules(Appointment a) const;
  store::Database& db_;
  const Clock& clock_;
  const auth::AuditLog& audit_;
  patients::PatientService& patients_;
  BookingSettings settings_;
  PaymentHooks hooks_;
  CheckInHooks check_in_hooks_;
};

// The channels a principal may book through: patients online or at a
// kiosk, the window for itself and the phone line, doctors their add-on
// quota and referrals.
bool may_use_channel(const auth::Principal& who, Channel c);

}  // namespace stork::scheduling
