#pragma once
// Every SQL statement of the queues: entries, rooms, calls, rules, flags,
// triage assessments.
#include <span>

#include "store/database.hpp"
#include "store/migrations.hpp"

namespace stork::triage::sql {

using store::Sql;

std::span<const store::Migration> queue_migrations();

// The per-session counter row; updating it first serializes every change to
// one session's line (a row lock on PostgreSQL, the single writer on SQLite).
inline constexpr Sql kEnsureQueueSession{
    "triage_ensure_queue_session",
    "INSERT INTO queue_sessions (session_id, calls_made, version) VALUES ($1, 0, 0) ON CONFLICT DO NOTHING"};
inline constexpr Sql kBumpQueueVersion{
    "triage_bump_queue_version",
    "UPDATE queue_sessions SET version = version + 1, calls_made = calls_made + $2 WHERE session_id = $1"
    " RETURNING calls_made, version"};
inline constexpr Sql kQueueCounters{"triage_queue_counters",
                                    "SELECT calls_made, version FROM queue_sessions WHERE session_id = $1"};

#define STORK_ENTRY_COLUMNS                                                                                   \
  "id, session_id, appointment_id, patient_id, ticket_no, name, kind, state, arrived_at, slot_starts_at,"   \
  " called_at, seen_at, done_at, room_code, called_by, absences, eligible_after_call, absent_at, flags,"    \
  " priority_rank, level, clinic_code, department_code"
inline constexpr Sql kInsertEntry{
    "triage_insert_entry",
    "INSERT INTO queue_entries (session_id, appointment_id, patient_id, ticket_no, name, kind, state, arrived_at,"
    " slot_starts_at, clinic_code, department_code, practitioner_id, flags, priority_rank)"
    " VALUES ($1, $2, $3, $4, $5, $6, 'waiting', $7, $8, $9, $10, $11, '', 0) ON CONFLICT (appointment_id) DO NOTHING"};
inline constexpr Sql kSelectEntry{"triage_select_entry",
                                  "SELECT " STORK_ENTRY_COLUMNS " FROM queue_entries WHERE id = $1"};
inline constexpr Sql kEntryOfAppointment{"triage_entry_of_appointment",
                                         "SELECT " STORK_ENTRY_COLUMNS " FROM queue_entries WHERE appointment_id = $1"};
inline constexpr Sql kEntriesOfSession{
    "triage_entries_of_session",
    "SELECT " STORK_ENTRY_COLUMNS " FROM queue_entries WHERE session_id = $1 AND state <> 'done' ORDER BY id"};
inline constexpr Sql kDoneCount{"triage_done_count",
                                "SELECT COUNT(*) FROM queue_entries WHERE session_id = $1 AND state = 'done'"};
inline constexpr Sql kEntriesOfPatientSince{
    "triage_entries_of_patient_since",
    "SELECT " STORK_ENTRY_COLUMNS " FROM queue_entries WHERE patient_id = $1 AND arrived_at >= $2 ORDER BY id"};
// State changes are conditional on the state read, so two doctors cannot
// both take one patient.
inline constexpr Sql kCallEntry{
    "triage_call_entry",
    "UPDATE queue_entries SET state = 'called', called_at = $2, room_code = $3, called_by = $4"
    " WHERE id = $1 AND state = 'waiting'"};
inline constexpr Sql kMarkAbsent{
    "triage_mark_absent",
    "UPDATE queue_entries SET state = 'waiting', absences = absences + 1, eligible_after_call = $2,"
    " absent_at = $3, called_at = NULL, room_code = '', called_by = NULL WHERE id = $1 AND state = 'called'"};
inline constexpr Sql kConfirmEntry{
    "triage_confirm_entry",
    "UPDATE queue_entries SET state = 'in_room', seen_at = $2 WHERE id = $1 AND state = 'called'"};
inline constexpr Sql kFinishEntry{
    "triage_finish_entry",
    "UPDATE queue_entries SET state = 'done', done_at = $2 WHERE id = $1 AND state IN ('called', 'in_room')"};
inline constexpr Sql kTransferEntry{
    "triage_transfer_entry",
    "UPDATE queue_entries SET state = 'waiting', session_id = $2, room_code = $3, called_at = NULL, called_by = NULL,"
    " seen_at = NULL, eligible_after_call = NULL WHERE id = $1 AND state IN ('waiting', 'called', 'in_room')"};
// Back with results: a new wait, measured from her return.
inline constexpr Sql kReturnEntry{
    "triage_return_entry",
    "UPDATE queue_entries SET state = 'waiting', kind = 'return_visit', arrived_at = $2, called_at = NULL,"
    " called_by = NULL, seen_at = NULL, done_at = NULL, room_code = '', absences = 0, eligible_after_call = NULL,"
    " absent_at = NULL WHERE id = $1 AND state IN ('in_room', 'done')"};
inline constexpr Sql kSetFlags{"triage_set_flags",
                               "UPDATE queue_entries SET flags = $2, priority_rank = $3 WHERE id = $1"};
inline constexpr Sql kSetLevel{"triage_set_level", "UPDATE queue_entries SET level = $2 WHERE id = $1"};

// Rooms a doctor works in during a session.
inline constexpr Sql kUpsertRoom{
    "triage_upsert_room",
    "INSERT INTO queue_rooms (session_id, room_code, practitioner_id, state, updated_at) VALUES ($1, $2, $3, 'open', $4)"
    " ON CONFLICT (session_id, room_code) DO UPDATE SET practitioner_id = excluded.practitioner_id, state = 'open',"
    " updated_at = excluded.updated_at"};
inline constexpr Sql kSetRoomState{
    "triage_set_room_state",
    "UPDATE queue_rooms SET state = $3, updated_at = $4 WHERE session_id = $1 AND room_code = $2"};
inline constexpr Sql kRoomsOfSession{
    "triage_rooms_of_session",
    "SELECT room_code, practitioner_id, state FROM queue_rooms WHERE session_id = $1 ORDER BY room_code"};
inline constexpr Sql kRoom{"triage_room",
                           "SELECT room_code, practitioner_id, state FROM queue_rooms"
                           " WHERE session_id = $1 AND room_code = $2"};

// The call log: what displays show and speak.
inline constexpr Sql kInsertCall{
    "triage_insert_call",
    "INSERT INTO queue_calls (entry_id, session_id, department_code, room_code, ticket_no, name, recall, called_at,"
    " called_by) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING id"};
inline constexpr Sql kRecentCalls{
    "triage_recent_calls",
    "SELECT q.ticket_no, q.name, q.room_code, q.recall, q.called_at, q.session_id FROM queue_calls q"
    " WHERE q.department_code = $1 AND q.called_at >= $2 ORDER BY q.called_at DESC, q.id DESC LIMIT 10"};

// Rules per clinic; '*' holds the defaults.
inline constexpr Sql kRulesFor{
    "triage_rules_for",
    "SELECT clinic_code, return_after, absent_move_back, late_grace_minutes, minutes_per_patient FROM queue_rules"
    " WHERE clinic_code IN ($1, '*') ORDER BY CASE WHEN clinic_code = '*' THEN 1 ELSE 0 END LIMIT 1"};
inline constexpr Sql kUpsertRules{
    "triage_upsert_rules",
    "INSERT INTO queue_rules (clinic_code, return_after, absent_move_back, late_grace_minutes, minutes_per_patient)"
    " VALUES ($1, $2, $3, $4, $5) ON CONFLICT (clinic_code) DO UPDATE SET return_after = excluded.return_after,"
    " absent_move_back = excluded.absent_move_back, late_grace_minutes = excluded.late_grace_minutes,"
    " minutes_per_patient = excluded.minutes_per_patient"};

inline constexpr Sql kMoveEntries{"triage_move_entries",
                                  "UPDATE queue_entries SET patient_id = $2 WHERE patient_id = $1"};
inline constexpr Sql kMoveAssessments{"triage_move_assessments",
                                      "UPDATE triage_assessments SET patient_id = $2 WHERE patient_id = $1"};
inline constexpr Sql kUpsertFlag{
    "triage_upsert_flag",
    "INSERT INTO priority_flags (code, name_zh, name_en, rank) VALUES ($1, $2, $3, $4) ON CONFLICT (code)"
    " DO UPDATE SET name_zh = excluded.name_zh, name_en = excluded.name_en, rank = excluded.rank"};
inline constexpr Sql kListFlags{"triage_list_flags",
                                "SELECT code, name_zh, name_en, rank FROM priority_flags ORDER BY rank DESC, code"};

inline constexpr Sql kInsertAssessment{
    "triage_insert_assessment",
    "INSERT INTO triage_assessments (appointment_id, patient_id, vitals, scale, score, level, triggered,"
    " emergency_level, implausible, flags, note, nurse, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9,"
    " $10, $11, $12, $13) RETURNING id"};

// Waiting times of finished or seen visits in [from, to).
inline constexpr Sql kWaits{
    "triage_waits",
    "SELECT e.clinic_code, COALESCE(e.called_by, e.practitioner_id), e.arrived_at, e.called_at, e.seen_at"
    " FROM queue_entries e WHERE e.called_at IS NOT NULL AND e.arrived_at >= $1 AND e.arrived_at < $2"
    " AND ($3 = '' OR e.clinic_code = $3) AND ($4 = 0 OR COALESCE(e.called_by, e.practitioner_id) = $4)"};

}  // namespace stork::triage::sql
