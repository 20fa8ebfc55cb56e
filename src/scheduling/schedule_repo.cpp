#include "scheduling/schedule_repo.hpp"

#include <array>

namespace stork::scheduling::sql {
namespace {

// Tickets are the unit of capacity: a slot has exactly `capacity` ticket
// rows, each taken by at most one live appointment, so a slot can never
// hold more. The partial unique index is the second lock on the door: no
// two live appointments share a ticket number in a session.
#define STORK_BOOKING_DDL(ID)                                                                            \
  "CREATE TABLE schedule_templates ("                                                                    \
  " id " ID ", clinic_code TEXT NOT NULL REFERENCES clinics(code),"                                      \
  " practitioner_id BIGINT REFERENCES practitioners(id), room_code TEXT NOT NULL DEFAULT '',"            \
  " weekday INTEGER NOT NULL CHECK (weekday BETWEEN 1 AND 7),"                                           \
  " period TEXT NOT NULL CHECK (period IN ('morning', 'afternoon', 'evening')),"                         \
  " start_minute INTEGER NOT NULL, end_minute INTEGER NOT NULL, slot_minutes INTEGER NOT NULL,"          \
  " capacity_per_slot INTEGER NOT NULL CHECK (capacity_per_slot > 0),"                                   \
  " quota_online INTEGER NOT NULL, quota_window INTEGER NOT NULL, quota_referral INTEGER NOT NULL,"      \
  " quota_doctor INTEGER NOT NULL, release_days_ahead INTEGER NOT NULL, release_minute INTEGER NOT NULL," \
  " pool_minutes_before INTEGER NOT NULL, preparation TEXT NOT NULL DEFAULT '',"                         \
  " active INTEGER NOT NULL DEFAULT 1, created_at BIGINT NOT NULL,"                                      \
  " CHECK (start_minute < end_minute));"                                                                 \
  "CREATE TABLE clinic_sessions ("                                                                       \
  " id " ID ", template_id BIGINT NOT NULL REFERENCES schedule_templates(id),"                           \
  " clinic_code TEXT NOT NULL REFERENCES clinics(code), practitioner_id BIGINT REFERENCES practitioners(id)," \
  " day TEXT NOT NULL, period TEXT NOT NULL, starts_at BIGINT NOT NULL, ends_at BIGINT NOT NULL,"        \
  " release_at BIGINT NOT NULL, pool_at BIGINT NOT NULL,"                                                \
  " status TEXT NOT NULL CHECK (status IN ('open', 'stopped')), preparation TEXT NOT NULL DEFAULT '',"   \
  " created_at BIGINT NOT NULL, UNIQUE (template_id, day));"                                             \
  "CREATE INDEX clinic_sessions_day ON clinic_sessions (day, clinic_code);"                              \
  "CREATE TABLE slots ("                                                                                 \
  " id " ID ", session_id BIGINT NOT NULL REFERENCES clinic_sessions(id),"                               \
  " starts_at BIGINT NOT NULL, ends_at BIGINT NOT NULL, capacity INTEGER NOT NULL CHECK (capacity > 0),"  \
  " booked INTEGER NOT NULL CHECK (booked >= 0 AND booked <= capacity));"                                \
  "CREATE INDEX slots_session ON slots (session_id, starts_at);"                                         \
  "CREATE TABLE tickets ("                                                                               \
  " slot_id BIGINT NOT NULL REFERENCES slots(id), session_id BIGINT NOT NULL,"                           \
  " ticket_no INTEGER NOT NULL, quota_class TEXT NOT NULL, taken INTEGER NOT NULL,"                      \
  " PRIMARY KEY (slot_id, ticket_no), UNIQUE (session_id, ticket_no));"                                  \
  "CREATE TABLE appointments ("                                                                          \
  " id " ID ", patient_id BIGINT NOT NULL REFERENCES patients(id),"                                      \
  " session_id BIGINT NOT NULL REFERENCES clinic_sessions(id), slot_id BIGINT NOT NULL REFERENCES slots(id)," \
  " ticket_no INTEGER NOT NULL, channel TEXT NOT NULL,"                                                  \
  " status TEXT NOT NULL CHECK (status IN ('booked', 'checked_in', 'completed', 'cancelled', 'no_show')),"  \
  " booked_by TEXT NOT NULL, created_at BIGINT NOT NULL, checked_in_at BIGINT, cancelled_at BIGINT,"      \
  " cancel_reason TEXT NOT NULL DEFAULT '', no_show_at BIGINT, rebooked_to BIGINT, reminded_at BIGINT);"                      \
  "CREATE UNIQUE INDEX appointments_live_ticket ON appointments (session_id, ticket_no)"                 \
  " WHERE status <> 'cancelled';"                                                                        \
  "CREATE INDEX appointments_patient ON appointments (patient_id, session_id);"                           \
  "CREATE INDEX appointments_slot ON appointments (slot_id);"                                            \
  "CREATE INDEX appointments_session_status ON appointments (session_id, status);"                       \
  "CREATE TABLE waitlist ("                                                                              \
  " id " ID ", session_id BIGINT NOT NULL REFERENCES clinic_sessions(id),"                               \
  " patient_id BIGINT NOT NULL REFERENCES patients(id), channel TEXT NOT NULL,"                          \
  " status TEXT NOT NULL CHECK (status IN ('waiting', 'promoted', 'cancelled')),"                        \
  " appointment_id BIGINT REFERENCES appointments(id), created_at BIGINT NOT NULL);"                     \
  "CREATE UNIQUE INDEX waitlist_once ON waitlist (session_id, patient_id) WHERE status = 'waiting';"      \
  "CREATE TABLE idempotency_keys ("                                                                      \
  " scope TEXT NOT NULL, idem_key TEXT NOT NULL, request_hash TEXT NOT NULL,"                            \
  " appointment_id BIGINT NOT NULL REFERENCES appointments(id), created_at BIGINT NOT NULL,"             \
  " PRIMARY KEY (scope, idem_key));"

constexpr std::array kMigrations = {
    store::Migration{"scheduling/0002_appointments", STORK_BOOKING_DDL("INTEGER PRIMARY KEY"),
                     STORK_BOOKING_DDL("BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY")},
    store::Migration{"scheduling/0003_holidays",
                     "CREATE TABLE holidays (day TEXT PRIMARY KEY, name TEXT NOT NULL, created_at BIGINT NOT NULL);",
                     ""},
    // Billing: an appointment's payment view and its online hold.
    store::Migration{"scheduling/0004_payment",
                     "ALTER TABLE appointments ADD COLUMN payment TEXT NOT NULL DEFAULT 'none'"
                     " CHECK (payment IN ('none', 'due', 'paid'));"
                     "ALTER TABLE appointments ADD COLUMN payment_due_at BIGINT;",
                     ""},
};

}  // namespace

std::span<const store::Migration> booking_migrations() { return kMigrations; }

}  // namespace stork::scheduling::sql
