#pragma once
// Messages to patients (the notification outbox): a stopped clinic with the
// slots offered instead, a waitlist promotion. Written in the transaction of
// the change they report, so none is lost or sent for a change that rolled
// back; the phone shows them and an SMS adapter may relay them.
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "store/database.hpp"
#include "store/migrations.hpp"

namespace stork::notify {

struct Notification {
  int64_t id = 0;
  int64_t patient_id = 0;
  std::string kind;   // "session_stopped", "waitlist_promoted", ...
  std::string title;  // one line, shown as is
  std::string body;
  std::optional<int64_t> appointment_id;
  std::string offer;  // comma-separated slot ids offered for one-click rebooking
  int64_t created_at_ms = 0;
};

// Inside the caller's transaction.
Status enqueue(store::Connection& c, const Notification& n);
Result<std::vector<Notification>> for_patient(store::Connection& c, int64_t patient_id, int limit = 50);

std::span<const store::Migration> notification_migrations();

}  // namespace stork::notify
