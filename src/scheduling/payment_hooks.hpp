#pragma once
// Billing's part in an appointment's life. Scheduling knows nothing of fees
// or money: it calls these hooks inside the booking's own transaction, so an
// appointment and its bill are created, moved and cancelled together, and a
// crash leaves neither without the other.
#include <functional>
#include <optional>
#include <string>

#include "core/error.hpp"
#include "scheduling/schedule_model.hpp"
#include "store/database.hpp"

namespace stork::scheduling {

// What a new appointment means for its bill.
struct VisitFacts {
  const Appointment& appointment;
  std::string clinic_type;          // for the registration fee
  std::string practitioner_title;   // "" for exam clinics
  std::string day;                  // the session's local date, for fee validity
  std::optional<int64_t> replaces;  // a rebooking: the appointment it moves from
  std::string actor;                // who booked, for the bill's audit entry
};

// The appointment's view of its payment: "none" (nothing to pay), "due"
// (a bill is open; check-in waits for it), "paid".
struct PaymentTerms {
  std::string payment = "none";
  std::optional<int64_t> due_at_ms;  // an online hold: released if still unpaid then
};

enum class CancelCause { cancelled, session_stopped, payment_expired, rebooked };

struct PaymentHooks {
  std::function<Result<PaymentTerms>(store::Connection&, const VisitFacts&, int64_t now_ms)> on_booked;
  std::function<Status(store::Connection&, const Appointment&, CancelCause, int64_t now_ms, const std::string& actor)>
      on_cancelled;
};

}  // namespace stork::scheduling
