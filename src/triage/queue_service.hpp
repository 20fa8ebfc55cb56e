#pragma once
// Queues and calling (issue 6): the waiting line of each clinic session,
// the doctor's calls, the area displays and the patient's position.
//
// A checked-in appointment joins its session's line inside the check-in
// transaction (BookingService's check-in hook). Every change to a line
// first bumps the session's counter row, which serializes changes to one
// line on every backend and node: two doctors calling at once get two
// different patients, and nobody is called twice or skipped. The order is
// computed, never stored (order_queue), so rules can change at any time.
//
// After each change commits, the service publishes `queue.<session_id>`
// (the new order as opaque entry ids: no personal data) and, for calls,
// `display.<department>` with the ticket and the masked name.
//
// Thread-safe: state is in the database.
#include <optional>
#include <string>
#include <vector>

#include "auth/audit.hpp"
#include "auth/roles.hpp"
#include "core/clock.hpp"
#include "core/events.hpp"
#include "patients/service.hpp"
#include "scheduling/booking.hpp"
#include "scheduling/directory.hpp"
#include "store/database.hpp"
#include "triage/queue_model.hpp"
#include "triage/waiting_stats.hpp"

namespace stork::triage {

struct QueueSettings {
  int utc_offset_minutes = 8 * 60;
};

struct RoomView {
  std::string room_code;
  std::string room_name;
  std::optional<int64_t> practitioner_id;
  std::string state;  // open | paused | closed
};

// A waiting entry's place in line.
struct Placed {
  QueueEntry entry;
  int position = 0;  // 1-based; 0 when not waiting
  int estimated_wait_minutes = 0;
};

struct SessionQueue {
  scheduling::SessionView session;
  QueueRules rules;
  std::vector<RoomView> rooms;
  std::vector<Placed> waiting;  // in call order
  std::vector<Placed> called, in_room;
  int done = 0;
  int64_t calls_made = 0, version = 0;
};

struct SessionSummary {
  scheduling::SessionView session;
  int waiting = 0, called = 0, in_room = 0, done = 0;
  std::vector<RoomView> rooms;
};

struct CallView {
  int64_t session_id = 0;
  int ticket_no = 0;
  std::string name;  // masked
  std::string room_code, room_name;
  std::string clinic_name_zh, clinic_name_en;
  bool recall = false;
  int64_t called_at_ms = 0;
};

struct DisplayView {
  std::string department;
  std::vector<CallView> calls;  // newest first, at most 10, today only
  std::vector<SessionSummary> sessions;
};

struct FlagDefinition {
  std::string code, name_zh, name_en;
  int rank = 0;  // 0: shown to staff, no effect on order
};

class QueueService {
 public:
  QueueService(store::Database& db, const Clock& clock, const auth::AuditLog& audit,
               patients::PatientService& patients, scheduling::BookingService& booking,
               scheduling::DirectoryService& directory, QueueSettings settings);

  // Installs the check-in hook. Call once before serving.
  void attach();
  // Where live updates go (after commit). Not thread-safe to change later.
  void set_publisher(EventPublisher publish);

  // Sessions of a day (default today) with their line counts.
  Result<std::vector<SessionSummary>> sessions(const std::string& day, const std::string& department);
  Result<SessionQueue> queue(const auth::Principal& who, int64_t session_id, const auth::RequestContext& ctx);

  // The doctor opens (or reopens) a room for a session. Errors: not_found,
  // validation_failed (room_code).
  Result<RoomView> open_room(const auth::Principal& who, int64_t session_id, const std::string& room_code,
                             const auth::RequestContext& ctx);
  // state: open | paused | closed. Errors: not_found (room not opened).
  Result<RoomView> set_room_state(const auth::Principal& who, int64_t session_id, const std::string& room_code,
                                  const std::string& state, const auth::RequestContext& ctx);

  // Calls the first patient in line into the room. Errors: queue_empty,
  // room_closed (paused, closed or never opened) (409).
  Result<Placed> call_next(const auth::Principal& who, int64_t session_id, const std::string& room_code,
                           const auth::RequestContext& ctx);
  // Shows and speaks the call again. Errors: invalid_state (not called).
  Result<Placed> recall(const auth::Principal& who, int64_t entry_id, const auth::RequestContext& ctx);
  // The called patient did not come: back `absent_move_back` places, after
  // the second absence to the end. Errors: invalid_state.
  Result<Placed> absent(const auth::Principal& who, int64_t entry_id, const auth::RequestContext& ctx);
  // Level 3: the patient is in the room. Errors: invalid_state.
  Result<Placed> confirm(const auth::Principal& who, int64_t entry_id, const auth::RequestContext& ctx);
  // The visit is over; the appointment is completed. Errors: invalid_state.
  Result<Placed> finish(const auth::Principal& who, int64_t entry_id, const auth::RequestContext& ctx);
  // Back with results: waiting again as a return visit. Errors: invalid_state.
  Result<Placed> return_with_results(const auth::Principal& who, int64_t entry_id, const auth::RequestContext& ctx);
  // To another room of the session (room_code) or another session of the
  // same day (session_id, any of its open rooms). Errors: room_closed (409),
  // validation_failed (session_id: another day, stopped; room_code), invalid_state.
  Result<Placed> transfer(const auth::Principal& who, int64_t entry_id, std::optional<int64_t> to_session,
                          const std::string& room_code, const auth::RequestContext& ctx);
  // Errors: validation_failed (add / remove: unknown flag code).
  Result<Placed> set_flags(const auth::Principal& who, int64_t entry_id, const std::vector<std::string>& add,
                           const std::vector<std::string>& remove, const auth::RequestContext& ctx);
  // For the triage desk, inside its transaction: adds flags and the level to
  // the appointment's entry (if it is in a line) and announces the change.
  Status apply_assessment(store::Connection& c, int64_t appointment_id, const std::vector<std::string>& add_flags,
                          int level, std::vector<std::pair<std::string, std::string>>& events);
  // Sends events collected in a committed transaction.
  void publish(const std::vector<std::pair<std::string, std::string>>& events) const;

  Result<std::vector<FlagDefinition>> flags();
  // Adds a flag or changes one; a new rank applies at once to every line.
  // Errors: validation_failed (code, name_zh, name_en, rank).
  Result<FlagDefinition> set_flag(const auth::Principal& who, const FlagDefinition& flag,
                                  const auth::RequestContext& ctx);
  // The area screen. No patient ids: ticket numbers and masked names only.
  Result<DisplayView> display(const std::string& department);
  // Today's entries of a patient (her own or her child's) with positions.
  Result<std::vector<Placed>> of_patient(const auth::Principal& who, int64_t patient_id,
                                         const auth::RequestContext& ctx);

  // Waiting times of visits that arrived from `from` to `to` (local dates,
  // inclusive; default today), optionally of one clinic or doctor.
  // Errors: validation_failed (from, to: not dates, to before from, over 366 days).
  Result<WaitingStats> stats(const std::string& from, const std::string& to, const std::string& clinic,
                             int64_t practitioner_id);

  // For PatientService::add_merge_step: queue entries and assessments follow a merged record.
  static patients::MergeStep merge_step();

  Result<QueueRules> rules(const std::string& clinic_code);
  // Errors: validation_failed naming the field.
  Result<QueueRules> set_rules(const auth::Principal& who, const std::string& clinic_code, const QueueRules& rules,
                               const auth::RequestContext& ctx);

 private:
  struct Tx;
  template <class F>
  auto change(const auth::Principal& who, const auth::RequestContext& ctx, F&& fn)
      -> decltype(fn(std::declval<Tx&>()));
  // Reads the line and publishes it (after a check-in has committed).
  void announce_after_commit(int64_t session_id, const std::string& reason);
  store::Database& db_;
  const Clock& clock_;
  const auth::AuditLog& audit_;
  patients::PatientService& patients_;
  scheduling::BookingService& booking_;
  scheduling::DirectoryService& directory_;
  QueueSettings settings_;
  EventPublisher publish_;
};

}  // namespace stork::triage
