#pragma once
// Every SQL statement of templates, sessions, slots, tickets and
// appointments.
#include "store/database.hpp"
#include "store/migrations.hpp"

namespace stork::scheduling::sql {

using store::Sql;

// Appended to the directory's migrations.
std::span<const store::Migration> booking_migrations();

inline constexpr Sql kInsertTemplate{
    "sched_insert_template",
    "INSERT INTO schedule_templates (clinic_code, practitioner_id, room_code, weekday, period, start_minute,"
    " end_minute, slot_minutes, capacity_per_slot, quota_online, quota_window, quota_referral, quota_doctor,"
    " release_days_ahead, release_minute, pool_minutes_before, preparation, active, created_at)"
    " VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $19, $18) RETURNING id"};
#define STORK_TEMPLATE_COLUMNS                                                                           \
  "t.id, t.clinic_code, t.practitioner_id, t.room_code, t.weekday, t.period, t.start_minute, t.end_minute," \
  " t.slot_minutes, t.capacity_per_slot, t.quota_online, t.quota_window, t.quota_referral, t.quota_doctor,"  \
  " t.release_days_ahead, t.release_minute, t.pool_minutes_before, t.preparation, t.active"
inline constexpr Sql kListTemplates{"sched_list_templates",
                                    "SELECT " STORK_TEMPLATE_COLUMNS " FROM schedule_templates t ORDER BY t.id"};
inline constexpr Sql kListActiveTemplates{
    "sched_list_active_templates",
    "SELECT " STORK_TEMPLATE_COLUMNS " FROM schedule_templates t WHERE t.active = 1 ORDER BY t.id"};
inline constexpr Sql kClinicExists{"sched_clinic_exists",
                                   "SELECT department_code, clinic_type FROM clinics WHERE code = $1"};
inline constexpr Sql kPractitionerExists{"sched_practitioner_exists",
                                         "SELECT department_code FROM practitioners WHERE id = $1"};
inline constexpr Sql kRoomExists{"sched_room_exists", "SELECT 1 FROM rooms WHERE code = $1"};

inline constexpr Sql kInsertSession{
    "sched_insert_session",
    "INSERT INTO clinic_sessions (template_id, clinic_code, practitioner_id, day, period, starts_at, ends_at,"
    " release_at, pool_at, status, preparation, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, 'open',"
    " $10, $11) ON CONFLICT (template_id, day) DO NOTHING RETURNING id"};
inline constexpr Sql kInsertHoliday{"sched_insert_holiday",
                                    "INSERT INTO holidays (day, name, created_at) VALUES ($1, $2, $3)"};
inline constexpr Sql kListHolidays{"sched_list_holidays", "SELECT day, name FROM holidays ORDER BY day"};
inline constexpr Sql kHolidaysBetween{"sched_holidays_between",
                                      "SELECT day FROM holidays WHERE day >= $1 AND day <= $2"};
inline constexpr Sql kDeleteEmptySession{"sched_delete_empty_session", "DELETE FROM clinic_sessions WHERE id = $1"};
inline constexpr Sql kInsertSlot{
    "sched_insert_slot",
    "INSERT INTO slots (session_id, starts_at, ends_at, capacity, booked) VALUES ($1, $2, $3, $4, 0) RETURNING id"};
inline constexpr Sql kInsertTicket{
    "sched_insert_ticket",
    "INSERT INTO tickets (slot_id, session_id, ticket_no, quota_class, taken) VALUES ($1, $2, $3, $4, 0)"};

#define STORK_SLOT_VIEW_COLUMNS                                                                              \
  "s.id, s.session_id, s.starts_at, s.ends_at, s.capacity, s.booked, cs.release_at, cs.pool_at, cs.clinic_code," \
  " c.name_zh, c.name_en, c.clinic_type, c.department_code, cs.practitioner_id, COALESCE(p.name, ''),"          \
  " COALESCE(p.title, ''), cs.day, cs.period, cs.preparation,"                                                 \
  " (SELECT COUNT(*) FROM tickets t WHERE t.slot_id = s.id AND t.taken = 0"                                     \
  "  AND (t.quota_class = $1 OR cs.pool_at <= $2))"
// Free-slot search: open sessions in a day range, filtered by department,
// clinic, clinic type, doctor and period ('' / 0 = any).
inline constexpr Sql kSearchSlots{
    "sched_search_slots",
    "SELECT " STORK_SLOT_VIEW_COLUMNS " FROM slots s JOIN clinic_sessions cs ON cs.id = s.session_id"
    " JOIN clinics c ON c.code = cs.clinic_code LEFT JOIN practitioners p ON p.id = cs.practitioner_id"
    " WHERE cs.day >= $3 AND cs.day <= $4 AND cs.status = 'open' AND s.starts_at > $2"
    " AND ($5 = '' OR c.department_code = $5) AND ($6 = '' OR cs.clinic_code = $6)"
    " AND ($7 = '' OR c.clinic_type = $7) AND (CAST($8 AS BIGINT) = 0 OR cs.practitioner_id = $8)"
    " AND ($9 = '' OR cs.period = $9) ORDER BY s.starts_at, s.id LIMIT $10"};
inline constexpr Sql kSelectSlotView{
    "sched_select_slot_view",
    "SELECT " STORK_SLOT_VIEW_COLUMNS " FROM slots s JOIN clinic_sessions cs ON cs.id = s.session_id"
    " JOIN clinics c ON c.code = cs.clinic_code LEFT JOIN practitioners p ON p.id = cs.practitioner_id"
    " WHERE s.id = $3"};
inline constexpr Sql kSelectSlotForBooking{
    "sched_select_slot_for_booking",
    "SELECT s.session_id, s.starts_at, s.ends_at, cs.release_at, cs.pool_at, cs.status, cs.clinic_code,"
    " c.department_code, cs.practitioner_id, cs.preparation FROM slots s"
    " JOIN clinic_sessions cs ON cs.id = s.session_id JOIN clinics c ON c.code = cs.clinic_code WHERE s.id = $1"};
// Takes the lowest free ticket of the slot this channel may use. The outer
// `taken = 0` is re-checked on the locked row, so two bookings racing for
// one ticket cannot both win (one gets no row and tries the next ticket).
inline constexpr Sql kTakeTicket{
    "sched_take_ticket",
    "UPDATE tickets SET taken = 1 WHERE slot_id = $1 AND taken = 0 AND ticket_no = (SELECT MIN(t.ticket_no)"
    " FROM tickets t WHERE t.slot_id = $1 AND t.taken = 0 AND (t.quota_class = $2 OR $3 = 1)) RETURNING ticket_no"};
// Free tickets of the slot: all of them, and those this channel may use.
inline constexpr Sql kFreeTicketsLeft{
    "sched_free_tickets_left",
    "SELECT COUNT(*), COALESCE(SUM(CASE WHEN quota_class = $2 OR $3 = 1 THEN 1 ELSE 0 END), 0) FROM tickets"
    " WHERE slot_id = $1 AND taken = 0"};
inline constexpr Sql kReturnTicket{
    "sched_return_ticket", "UPDATE tickets SET taken = 0 WHERE slot_id = $1 AND ticket_no = $2 AND taken = 1"};
inline constexpr Sql kCountBooked{
    "sched_count_booked", "UPDATE slots SET booked = booked + $2 WHERE id = $1 RETURNING booked, capacity"};

#define STORK_APPOINTMENT_COLUMNS                                                                           \
  "a.id, a.patient_id, a.session_id, a.slot_id, a.ticket_no, a.channel, a.status, s.starts_at, s.ends_at," \
  " cs.clinic_code, c.department_code, cs.practitioner_id, cs.preparation, a.created_at, a.checked_in_at,"  \
  " a.cancelled_at, a.cancel_reason, a.rebooked_to, a.payment, a.payment_due_at"
#define STORK_APPOINTMENT_FROM                                                                              \
  " FROM appointments a JOIN slots s ON s.id = a.slot_id JOIN clinic_sessions cs ON cs.id = a.session_id"   \
  " JOIN clinics c ON c.code = cs.clinic_code"
inline constexpr Sql kInsertAppointment{
    "sched_insert_appointment",
    "INSERT INTO appointments (patient_id, session_id, slot_id, ticket_no, channel, status, booked_by, created_at)"
    " VALUES ($1, $2, $3, $4, $5, 'booked', $6, $7) RETURNING id"};
inline constexpr Sql kHasEncounter{
    "sched_has_encounter",
    "SELECT 1 FROM appointments a JOIN clinic_sessions s ON s.id = a.session_id"
    " WHERE s.practitioner_id = $1 AND a.patient_id = $2 AND a.status <> 'cancelled' LIMIT 1"};

inline constexpr Sql kSelectAppointment{
    "sched_select_appointment", "SELECT " STORK_APPOINTMENT_COLUMNS STORK_APPOINTMENT_FROM " WHERE a.id = $1"};
inline constexpr Sql kPatientAppointments{
    "sched_patient_appointments",
    "SELECT " STORK_APPOINTMENT_COLUMNS STORK_APPOINTMENT_FROM " WHERE a.patient_id = $1 ORDER BY s.starts_at DESC"
    " LIMIT 200"};
// The patient's live appointments on a local day, for the limits and the
// overlap rule.
inline constexpr Sql kPatientDayAppointments{
    "sched_patient_day_appointments",
    "SELECT " STORK_APPOINTMENT_COLUMNS STORK_APPOINTMENT_FROM
    " WHERE a.patient_id = $1 AND cs.day = $2 AND a.status IN ('booked', 'checked_in')"};
inline constexpr Sql kSetAppointmentStatus{
    "sched_set_appointment_status",
    "UPDATE appointments SET status = $2, checked_in_at = COALESCE($3, checked_in_at),"
    " cancelled_at = COALESCE($4, cancelled_at) WHERE id = $1 AND status = $5"};
inline constexpr Sql kSessionDay{"sched_session_day", "SELECT day FROM clinic_sessions WHERE id = $1"};

inline constexpr Sql kSelectIdempotency{
    "sched_select_idempotency",
    "SELECT request_hash, appointment_id FROM idempotency_keys WHERE scope = $1 AND idem_key = $2"};
inline constexpr Sql kInsertIdempotency{
    "sched_insert_idempotency",
    "INSERT INTO idempotency_keys (scope, idem_key, request_hash, appointment_id, created_at)"
    " VALUES ($1, $2, $3, $4, $5)"};
inline constexpr Sql kCancelWithReason{
    "sched_cancel_with_reason",
    "UPDATE appointments SET status = 'cancelled', cancelled_at = $2, cancel_reason = $3 WHERE id = $1"
    " AND status = 'booked'"};

// Sessions for the manager and the slot board, with their fill.
// Live appointments starting within the reminder window, not yet reminded.
inline constexpr Sql kDueReminders{
    "sched_due_reminders",
    "SELECT " STORK_APPOINTMENT_COLUMNS STORK_APPOINTMENT_FROM
    " WHERE a.status = 'booked' AND a.reminded_at IS NULL AND s.starts_at > $1 AND s.starts_at <= $2"
    " ORDER BY s.starts_at LIMIT 1000"};
inline constexpr Sql kMarkReminded{
    "sched_mark_reminded", "UPDATE appointments SET reminded_at = $2 WHERE id = $1 AND reminded_at IS NULL"};
inline constexpr Sql kSetRebookedTo{"sched_set_rebooked_to",
                                    "UPDATE appointments SET rebooked_to = $2 WHERE id = $1 AND rebooked_to IS NULL"};

inline constexpr Sql kListSessions{
    "sched_list_sessions",
    "SELECT cs.id, cs.clinic_code, c.name_zh, c.name_en, c.clinic_type, c.department_code, cs.practitioner_id,"
    " COALESCE(p.name, ''), COALESCE(p.title, ''), cs.day, cs.period, cs.starts_at, cs.ends_at, cs.status,"
    " (SELECT COALESCE(SUM(s.capacity), 0) FROM slots s WHERE s.session_id = cs.id),"
    " (SELECT COALESCE(SUM(s.booked), 0) FROM slots s WHERE s.session_id = cs.id),"
    " (SELECT COUNT(*) FROM waitlist w WHERE w.session_id = cs.id AND w.status = 'waiting')"
    " FROM clinic_sessions cs JOIN clinics c ON c.code = cs.clinic_code"
    " LEFT JOIN practitioners p ON p.id = cs.practitioner_id"
    " WHERE cs.day >= $1 AND cs.day <= $2 AND ($3 = '' OR c.department_code = $3) AND ($4 = '' OR cs.clinic_code = $4)"
    " ORDER BY cs.day, cs.starts_at, c.department_code, cs.id LIMIT 2000"};
inline constexpr Sql kSelectSessionById{
    "sched_select_session_by_id",
    "SELECT cs.id, cs.clinic_code, c.name_zh, c.name_en, c.clinic_type, c.department_code, cs.practitioner_id,"
    " COALESCE(p.name, ''), COALESCE(p.title, ''), cs.day, cs.period, cs.starts_at, cs.ends_at, cs.status,"
    " (SELECT COALESCE(SUM(s.capacity), 0) FROM slots s WHERE s.session_id = cs.id),"
    " (SELECT COALESCE(SUM(s.booked), 0) FROM slots s WHERE s.session_id = cs.id),"
    " (SELECT COUNT(*) FROM waitlist w WHERE w.session_id = cs.id AND w.status = 'waiting')"
    " FROM clinic_sessions cs JOIN clinics c ON c.code = cs.clinic_code"
    " LEFT JOIN practitioners p ON p.id = cs.practitioner_id WHERE cs.id = $1"};
inline constexpr Sql kStopSession{"sched_stop_session",
                                  "UPDATE clinic_sessions SET status = 'stopped' WHERE id = $1 AND status = 'open'"};
inline constexpr Sql kLiveAppointmentsOfSession{
    "sched_live_appointments_of_session",
    "SELECT " STORK_APPOINTMENT_COLUMNS STORK_APPOINTMENT_FROM " WHERE a.session_id = $1 AND a.status = 'booked'"
    " ORDER BY a.ticket_no"};
// Equivalent slots for a patient who lost hers: same department and clinic
// type, open, released, bookable by her channel, nearest in time first.
inline constexpr Sql kAlternatives{
    "sched_alternatives",
    "SELECT " STORK_SLOT_VIEW_COLUMNS " FROM slots s JOIN clinic_sessions cs ON cs.id = s.session_id"
    " JOIN clinics c ON c.code = cs.clinic_code LEFT JOIN practitioners p ON p.id = cs.practitioner_id"
    " WHERE c.department_code = $3 AND c.clinic_type = $4 AND cs.id <> $5 AND cs.status = 'open'"
    " AND s.starts_at > $2 AND cs.release_at <= $2 AND EXISTS (SELECT 1 FROM tickets t WHERE t.slot_id = s.id"
    " AND t.taken = 0 AND (t.quota_class = $1 OR cs.pool_at <= $2))"
    " ORDER BY ABS(s.starts_at - CAST($6 AS BIGINT)), s.id LIMIT 3"};
// What billing needs to price a visit.
inline constexpr Sql kVisitFacts{
    "sched_visit_facts",
    "SELECT c.clinic_type, COALESCE(p.title, ''), cs.day FROM clinic_sessions cs"
    " JOIN clinics c ON c.code = cs.clinic_code LEFT JOIN practitioners p ON p.id = cs.practitioner_id"
    " WHERE cs.id = $1"};
inline constexpr Sql kSetPaymentTerms{
    "sched_set_payment_terms", "UPDATE appointments SET payment = $2, payment_due_at = $3 WHERE id = $1"};
inline constexpr Sql kMarkPaid{
    "sched_mark_paid",
    "UPDATE appointments SET payment = 'paid', payment_due_at = NULL WHERE id = $1"
    " AND status IN ('booked', 'checked_in')"};
inline constexpr Sql kClinicTypeOfSession{
    "sched_clinic_type_of_session",
    "SELECT c.clinic_type, c.department_code FROM clinic_sessions cs JOIN clinics c ON c.code = cs.clinic_code"
    " WHERE cs.id = $1"};

inline constexpr Sql kInsertWaitlist{
    "sched_insert_waitlist",
    "INSERT INTO waitlist (session_id, patient_id, channel, status, created_at) VALUES ($1, $2, $3, 'waiting', $4)"
    " RETURNING id"};
inline constexpr Sql kWaitingOfSession{
    "sched_waiting_of_session",
    "SELECT id, patient_id, channel FROM waitlist WHERE session_id = $1 AND status = 'waiting' ORDER BY id"};
inline constexpr Sql kPromoteWaitlist{
    "sched_promote_waitlist",
    "UPDATE waitlist SET status = 'promoted', appointment_id = $2 WHERE id = $1 AND status = 'waiting'"};
inline constexpr Sql kCancelWaitlistOfSession{
    "sched_cancel_waitlist_of_session",
    "UPDATE waitlist SET status = 'cancelled' WHERE session_id = $1 AND status = 'waiting' RETURNING patient_id"};
inline constexpr Sql kWaitlistOfPatient{
    "sched_waitlist_of_patient",
    "SELECT w.id, w.session_id, w.patient_id, w.channel, w.status, w.appointment_id, w.created_at FROM waitlist w"
    " WHERE w.patient_id = $1 ORDER BY w.id DESC LIMIT 100"};
inline constexpr Sql kSelectWaitlist{
    "sched_select_waitlist",
    "SELECT w.id, w.session_id, w.patient_id, w.channel, w.status, w.appointment_id, w.created_at FROM waitlist w"
    " WHERE w.id = $1"};
inline constexpr Sql kCancelWaitlist{"sched_cancel_waitlist",
                                     "UPDATE waitlist SET status = 'cancelled' WHERE id = $1 AND status = 'waiting'"};
inline constexpr Sql kSelectSessionForWaitlist{
    "sched_select_session_for_waitlist", "SELECT status, ends_at, release_at FROM clinic_sessions WHERE id = $1"};
// A slot of the session with a free ticket (any class: the waitlist is
// served from whatever is freed).
inline constexpr Sql kFreeSlotOfSession{
    "sched_free_slot_of_session",
    "SELECT s.id FROM slots s WHERE s.session_id = $1 AND s.starts_at > $2 AND EXISTS (SELECT 1 FROM tickets t"
    " WHERE t.slot_id = s.id AND t.taken = 0) ORDER BY s.starts_at LIMIT 1"};

// No-shows: live appointments whose session has ended.
inline constexpr Sql kSweepNoShows{
    "sched_sweep_no_shows",
    "UPDATE appointments SET status = 'no_show', no_show_at = $1 WHERE status = 'booked' AND session_id IN"
    " (SELECT id FROM clinic_sessions WHERE ends_at <= $1) RETURNING id"};
inline constexpr Sql kSweepPatientNoShows{
    "sched_sweep_patient_no_shows",
    "UPDATE appointments SET status = 'no_show', no_show_at = $1 WHERE status = 'booked' AND patient_id = $2"
    " AND session_id IN (SELECT id FROM clinic_sessions WHERE ends_at <= $1) RETURNING id"};
inline constexpr Sql kRecentNoShows{
    "sched_recent_no_shows",
    "SELECT a.id, cs.ends_at FROM appointments a JOIN clinic_sessions cs ON cs.id = a.session_id"
    " WHERE a.patient_id = $1 AND a.status = 'no_show' AND cs.ends_at > $2 ORDER BY cs.ends_at DESC"};

// Published capacity by whether it is special-needs, for the national cap.
inline constexpr Sql kCapacityShare{
    "sched_capacity_share",
    "SELECT COALESCE(SUM(CASE WHEN c.clinic_type = 'special_needs' THEN s.capacity ELSE 0 END), 0),"
    " COALESCE(SUM(s.capacity), 0) FROM slots s JOIN clinic_sessions cs ON cs.id = s.session_id"
    " JOIN clinics c ON c.code = cs.clinic_code WHERE cs.day >= $1 AND cs.day <= $2 AND cs.status = 'open'"};

inline constexpr Sql kMoveAppointments{"sched_move_appointments",
                                       "UPDATE appointments SET patient_id = $2 WHERE patient_id = $1"};
inline constexpr Sql kDropDuplicateWaits{
    "sched_drop_duplicate_waits",
    "UPDATE waitlist SET status = 'cancelled' WHERE patient_id = $1 AND status = 'waiting' AND session_id IN"
    " (SELECT session_id FROM waitlist WHERE patient_id = $2 AND status = 'waiting')"};
inline constexpr Sql kMoveWaitlist{"sched_move_waitlist", "UPDATE waitlist SET patient_id = $2 WHERE patient_id = $1"};

}  // namespace stork::scheduling::sql
