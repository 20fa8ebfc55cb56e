#include "notify/notifications.hpp"

#include <array>

namespace stork::notify {
namespace {

constexpr store::Sql kInsert{
    "notify_insert_notification",
    "INSERT INTO notifications (patient_id, kind, title, body, appointment_id, offer, created_at)"
    " VALUES ($1, $2, $3, $4, $5, $6, $7)"};
constexpr store::Sql kForPatient{
    "notify_notifications_for_patient",
    "SELECT id, patient_id, kind, title, body, appointment_id, offer, created_at FROM notifications"
    " WHERE patient_id = $1 ORDER BY id DESC LIMIT $2"};

#define STORK_NOTIFICATIONS_DDL(ID)                                                                     \
  "CREATE TABLE notifications (id " ID ", patient_id BIGINT NOT NULL REFERENCES patients(id),"          \
  " kind TEXT NOT NULL, title TEXT NOT NULL, body TEXT NOT NULL, appointment_id BIGINT,"                \
  " offer TEXT NOT NULL DEFAULT '', created_at BIGINT NOT NULL);"                                       \
  "CREATE INDEX notifications_patient ON notifications (patient_id, id);"

constexpr std::array<store::Migration, 1> kMigrations = {{
    {"notify/0002_notifications", STORK_NOTIFICATIONS_DDL("INTEGER PRIMARY KEY"),
     STORK_NOTIFICATIONS_DDL("BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY")},
}};

}  // namespace

std::span<const store::Migration> notification_migrations() { return kMigrations; }

Status enqueue(store::Connection& c, const Notification& n) {
  auto r = c.execute(kInsert, {n.patient_id, n.kind, n.title, n.body, store::nullable(n.appointment_id), n.offer,
                               n.created_at_ms});
  if (!r) return fail(r.error());
  return {};
}

Result<std::vector<Notification>> for_patient(store::Connection& c, int64_t patient_id, int limit) {
  auto rows = c.query(kForPatient, {patient_id, int64_t{limit}});
  if (!rows) return fail(rows.error());
  std::vector<Notification> out;
  for (const auto& r : *rows)
    out.push_back({r.integer(0), r.integer(1), r.text(2), r.text(3), r.text(4), r.opt_integer(5), r.text(6),
                   r.integer(7)});
  return out;
}

}  // namespace stork::notify
