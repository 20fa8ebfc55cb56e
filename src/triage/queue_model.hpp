#pragma once
// The waiting line of a clinic session (FHIR Encounter in shape): one entry
// per checked-in appointment, its calls, and the rules that order it.
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace stork::triage {

// appointment: booked ahead; walk_in: booked on the day after the session
// began (the window, a kiosk); return_visit: seen, sent for tests, back with results.
enum class EntryKind { appointment, walk_in, return_visit };
// waiting -> called -> in_room -> done; a called patient who does not come
// is marked absent and waits again.
enum class EntryState { waiting, called, in_room, done };

std::string_view kind_name(EntryKind k);
std::string_view state_name(EntryState s);

struct QueueEntry {
  int64_t id = 0;
  int64_t session_id = 0;
  int64_t appointment_id = 0;
  int64_t patient_id = 0;
  int ticket_no = 0;
  std::string name;  // masked, e.g. "张*丽"
  EntryKind kind = EntryKind::appointment;
  EntryState state = EntryState::waiting;
  int64_t arrived_at_ms = 0;      // checked in, or back with results
  int64_t slot_starts_at_ms = 0;
  std::optional<int64_t> called_at_ms, seen_at_ms, done_at_ms;
  std::string room_code;          // "" until called, or the room it was transferred to
  std::optional<int64_t> called_by;  // practitioner id
  int absences = 0;
  // After a first absence the entry may be called again once the session
  // has made this many calls (see order_queue).
  std::optional<int64_t> eligible_after_call;
  std::optional<int64_t> absent_at_ms;
  std::vector<std::string> flags;  // priority flag codes
  int priority_rank = 0;           // the highest rank among its flags
  std::optional<int> level;        // the last triage level (1 most urgent)
  std::string clinic_code, department_code;
};

// How a clinic orders its line (`*` holds the hospital's defaults).
struct QueueRules {
  int return_after = 3;         // a return visit waits behind at most this many patients
  int absent_move_back = 3;     // a first absence moves the patient back this many places
  int late_grace_minutes = 0;   // arriving later than slot start + grace is "late"
  int minutes_per_patient = 8;  // for the estimated wait
};

// Whether a patient arrived after her slot (plus grace) had begun.
bool is_late(const QueueEntry& e, const QueueRules& rules);

// The waiting entries in call order; entries in other states are ignored.
//
// 1. Priority: entries with a ranked flag come first, highest rank first.
// 2. The main line: appointments by slot start, and within one slot the
//    on-time ones before the late ones, then by ticket; walk-ins take their
//    arrival time as their place in that line (ties: appointments first).
// 3. Return visits (back with results), in order of return, each behind at
//    most `return_after` patients of the main line counted from the previous
//    return visit (or the head of the line).
// 4. A first absence: the entry stands `absent_move_back` places back from
//    the head, counted in calls: it is placed behind as many patients as
//    calls remain until `eligible_after_call`.
// 5. A second absence: to the end, in order of absence.
// `calls_made` is the session's call counter now.
std::vector<QueueEntry> order_queue(std::vector<QueueEntry> entries, const QueueRules& rules, int64_t calls_made);

}  // namespace stork::triage
