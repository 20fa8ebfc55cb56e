#pragma once
// Booking, cancelling and checking in appointments.
//
// A booking takes the lowest free ticket of its slot that its channel's
// quota class may use (any class once the session's common-pool time has
// passed), in one transaction with the appointment, its idempotency record
// and its audit entry. A slot has exactly `capacity` tickets and a ticket is
// taken by one live appointment only, so no concurrency, on any backend or
// any number of nodes, can overbook a slot or give a ticket number twice.
//
// Thread-safe: state is in the database.
#include <optional>
#include <vector>

#include "auth/audit.hpp"
#include "auth/roles.hpp"
#include "core/clock.hpp"
#include "patients/service.hpp"
#include "scheduling/schedule_model.hpp"
#include "store/database.hpp"

namespace stork::scheduling {

struct BookingSettings {
  int max_per_patient_per_day = 3;
  int max_per_department_per_day = 1;
  int cancel_deadline_minutes = 120;  // before the slot starts
  int check_in_open_minutes = 60;     // check-in opens this long before the slot
  int utc_offset_minutes = 8 * 60;
};

struct Booked {
  Appointment appointment;
  bool replayed = false;  // the same Idempotency-Key answered before
};

class BookingService {
 public:
  BookingService(store::Database& db, const Clock& clock, const auth::AuditLog& audit,
                 patients::PatientService& patients, BookingSettings settings);

  // Errors: validation_failed (slot_id, channel, Idempotency-Key),
  // forbidden (a patient booking for someone not in her family),
  // idempotency_key_reused (422: same key, different request),
  // not_released, slot_past, session_stopped, slot_full, quota_exhausted,
  // limit_reached, patient_conflict (409).
  Result<Booked> book(const auth::Principal& who, const BookingRequest& req, const auth::RequestContext& ctx);
  Result<Appointment> get(const auth::Principal& who, int64_t id, const auth::RequestContext& ctx);
  Result<std::vector<Appointment>> for_patient(const auth::Principal& who, int64_t patient_id,
                                               const auth::RequestContext& ctx);
  // Errors: cancel_deadline_passed, invalid_state (409).
  Result<Appointment> cancel(const auth::Principal& who, int64_t id, const auth::RequestContext& ctx);
  // Errors: check_in_too_early, check_in_too_late, invalid_state (409).
  Result<Appointment> check_in(const auth::Principal& who, int64_t id, const auth::RequestContext& ctx);

  // For PatientService::add_merge_step: appointments follow a merged record.
  patients::MergeStep merge_step() const;

 private:
  Result<Appointment> load(store::Connection& c, int64_t id);
  Result<Appointment> transition(const auth::Principal& who, int64_t id, const auth::RequestContext& ctx,
                                 bool cancel);

  store::Database& db_;
  const Clock& clock_;
  const auth::AuditLog& audit_;
  patients::PatientService& patients_;
  BookingSettings settings_;
};

// The channels a principal may book through: patients online or at a
// kiosk, the window for itself and the phone line, doctors their add-on
// quota and referrals.
bool may_use_channel(const auth::Principal& who, Channel c);

}  // namespace stork::scheduling
