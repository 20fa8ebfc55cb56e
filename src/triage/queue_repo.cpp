#include "triage/queue_repo.hpp"

#include <array>

namespace stork::triage::sql {
namespace {

// Queue state lives here, not in memory: a restarted node, or any other
// node, serves the same lines.
#define STORK_QUEUE_DDL(ID)                                                                                    \
  "CREATE TABLE queue_sessions ("                                                                              \
  " session_id BIGINT PRIMARY KEY REFERENCES clinic_sessions(id), calls_made BIGINT NOT NULL,"                 \
  " version BIGINT NOT NULL);"                                                                                 \
  "CREATE TABLE queue_entries ("                                                                               \
  " id " ID ", session_id BIGINT NOT NULL REFERENCES clinic_sessions(id),"                                     \
  " appointment_id BIGINT NOT NULL UNIQUE REFERENCES appointments(id),"                                        \
  " patient_id BIGINT NOT NULL REFERENCES patients(id), ticket_no INTEGER NOT NULL, name TEXT NOT NULL,"       \
  " kind TEXT NOT NULL CHECK (kind IN ('appointment', 'walk_in', 'return_visit')),"                            \
  " state TEXT NOT NULL CHECK (state IN ('waiting', 'called', 'in_room', 'done')),"                            \
  " arrived_at BIGINT NOT NULL, slot_starts_at BIGINT NOT NULL, called_at BIGINT, seen_at BIGINT,"            \
  " done_at BIGINT, room_code TEXT NOT NULL DEFAULT '', called_by BIGINT,"                                     \
  " absences INTEGER NOT NULL DEFAULT 0, eligible_after_call BIGINT, absent_at BIGINT,"                        \
  " flags TEXT NOT NULL DEFAULT '', priority_rank INTEGER NOT NULL DEFAULT 0, level INTEGER,"                   \
  " clinic_code TEXT NOT NULL, department_code TEXT NOT NULL, practitioner_id BIGINT);"                        \
  "CREATE INDEX queue_entries_session ON queue_entries (session_id, state);"                                   \
  "CREATE INDEX queue_entries_patient ON queue_entries (patient_id, arrived_at);"                               \
  "CREATE INDEX queue_entries_arrived ON queue_entries (arrived_at);"                                          \
  "CREATE TABLE queue_rooms ("                                                                                 \
  " session_id BIGINT NOT NULL REFERENCES clinic_sessions(id), room_code TEXT NOT NULL,"                       \
  " practitioner_id BIGINT, state TEXT NOT NULL CHECK (state IN ('open', 'paused', 'closed')),"                \
  " updated_at BIGINT NOT NULL, PRIMARY KEY (session_id, room_code));"                                         \
  "CREATE TABLE queue_calls ("                                                                                 \
  " id " ID ", entry_id BIGINT NOT NULL REFERENCES queue_entries(id), session_id BIGINT NOT NULL,"             \
  " department_code TEXT NOT NULL, room_code TEXT NOT NULL, ticket_no INTEGER NOT NULL, name TEXT NOT NULL,"   \
  " recall INTEGER NOT NULL, called_at BIGINT NOT NULL, called_by BIGINT);"                                    \
  "CREATE INDEX queue_calls_department ON queue_calls (department_code, called_at);"                          \
  "CREATE TABLE queue_rules ("                                                                                 \
  " clinic_code TEXT PRIMARY KEY, return_after INTEGER NOT NULL, absent_move_back INTEGER NOT NULL,"          \
  " late_grace_minutes INTEGER NOT NULL, minutes_per_patient INTEGER NOT NULL);"                               \
  "INSERT INTO queue_rules VALUES ('*', 3, 3, 0, 8);"                                                          \
  "CREATE TABLE priority_flags ("                                                                              \
  " code TEXT PRIMARY KEY, name_zh TEXT NOT NULL, name_en TEXT NOT NULL, rank INTEGER NOT NULL);"              \
  "INSERT INTO priority_flags VALUES"                                                                          \
  " ('critical', '危急值/危重', 'Critical finding', 3),"                                                       \
  " ('green_channel', '绿色通道', 'Green channel', 2),"                                                        \
  " ('military', '军人优先', 'Military', 1),"                                                                  \
  " ('disabled', '残疾人优先', 'Disabled', 1),"                                                               \
  " ('elderly', '老年人优先', 'Elderly', 1),"                                                                  \
  " ('late_pregnancy', '孕晚期', 'Late pregnancy', 1),"                                                        \
  " ('mdt_cohort', 'MDT 随访', 'MDT cohort', 1),"                                                              \
  " ('infectious', '传染病筛查阳性', 'Infection screening positive', 0);"                                      \
  "CREATE TABLE triage_assessments ("                                                                          \
  " id " ID ", appointment_id BIGINT NOT NULL REFERENCES appointments(id),"                                    \
  " patient_id BIGINT NOT NULL REFERENCES patients(id), vitals TEXT NOT NULL, scale TEXT NOT NULL,"           \
  " score INTEGER NOT NULL, level INTEGER NOT NULL, triggered INTEGER NOT NULL, emergency_level INTEGER NOT NULL," \
  " implausible TEXT NOT NULL, flags TEXT NOT NULL, note TEXT NOT NULL, nurse TEXT NOT NULL,"                   \
  " created_at BIGINT NOT NULL);"                                                                              \
  "CREATE INDEX triage_assessments_appointment ON triage_assessments (appointment_id);"

constexpr std::array kMigrations = {
    store::Migration{"triage/0001_queues", STORK_QUEUE_DDL("INTEGER PRIMARY KEY"),
                     STORK_QUEUE_DDL("BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY")},
};

}  // namespace

std::span<const store::Migration> queue_migrations() { return kMigrations; }

}  // namespace stork::triage::sql
