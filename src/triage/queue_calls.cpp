// The doctor's calls: call next, recall, absent, confirm, finish, a return
// with results, transfers. Each is one change of a line (queue_tx.hpp).
#include "triage/queue_service.hpp"
#include "triage/queue_tx.hpp"

namespace stork::triage {

Result<Placed> QueueService::call_next(const auth::Principal& who, int64_t session_id, const std::string& room_code,
                                       const auth::RequestContext& ctx) {
  if (room_code.empty()) return fail(Error::invalid("room_code", "is required"));
  return change(who, ctx, [&](Tx& tx) -> Result<Placed> {
    // The lock comes first: a second doctor waits here and then sees this call.
    auto counters = tx.lock(session_id, true);
    if (!counters) return fail(counters.error());
    auto room = tx.room(session_id, room_code);
    if (!room) return fail(room.error());
    if (!*room || (*room)->state != "open")
      return fail(conflict("room_closed", "room " + room_code + " is " + (*room ? (*room)->state : "not open") +
                                              " for this session; open it first")
                      .with("room_code", room_code));
    auto session_view = tx.session(session_id);
    if (!session_view) return fail(session_view.error());
    auto rules = tx.rules(session_view->clinic_code);
    if (!rules) return fail(rules.error());
    auto entries = tx.entries(session_id);
    if (!entries) return fail(entries.error());
    // calls_made already counts this call; the order is the one before it.
    auto line = order_queue(std::move(*entries), *rules, counters->calls_made - 1);
    auto next = std::ranges::find_if(line, [&](const QueueEntry& e) {
      return e.room_code.empty() || e.room_code == room_code;  // transferred patients wait for their room
    });
    if (next == line.end()) return fail(conflict("queue_empty", "nobody is waiting for this room"));
    auto by = tx.practitioner(*session_view);
    if (!by) return fail(by.error());
    auto changed = tx.c.execute(sql::kCallEntry, {next->id, tx.now, room_code, store::nullable(*by)});
    if (!changed) return fail(changed.error());
    if (*changed != 1) return fail(conflict("invalid_state", "the queue changed meanwhile; call again"));
    auto called = tx.entry(next->id);
    if (!called) return fail(called.error());
    if (auto st = tx.audit("queue.call", called->id, "ticket " + std::to_string(called->ticket_no) + " to " + room_code);
        !st)
      return fail(st.error());
    if (auto st = tx.announce_call(*called, room_code, false); !st) return fail(st.error());
    if (auto st = tx.announce(session_id, "called"); !st) return fail(st.error());
    return Placed{*called, 0, 0};
  });
}

namespace {
// A change of one entry: loads it, checks the state it must be in, applies.
template <class Tx>
Result<QueueEntry> load_in(Tx& tx, int64_t entry_id, std::initializer_list<EntryState> allowed) {
  auto e = tx.entry(entry_id);
  if (!e) return fail(e.error());
  if (std::ranges::find(allowed, e->state) == allowed.end()) return fail(invalid_state(*e));
  return e;
}
}  // namespace

Result<Placed> QueueService::recall(const auth::Principal& who, int64_t entry_id, const auth::RequestContext& ctx) {
  return change(who, ctx, [&](Tx& tx) -> Result<Placed> {
    auto e = load_in(tx, entry_id, {EntryState::called});
    if (!e) return fail(e.error());
    if (auto lock = tx.lock(e->session_id, false); !lock) return fail(lock.error());
    if (auto st = tx.audit("queue.recall", e->id, "ticket " + std::to_string(e->ticket_no)); !st) return fail(st.error());
    if (auto st = tx.announce_call(*e, e->room_code, true); !st) return fail(st.error());
    return Placed{*e, 0, 0};
  });
}

Result<Placed> QueueService::absent(const auth::Principal& who, int64_t entry_id, const auth::RequestContext& ctx) {
  return change(who, ctx, [&](Tx& tx) -> Result<Placed> {
    auto e = load_in(tx, entry_id, {EntryState::called});
    if (!e) return fail(e.error());
    auto counters = tx.lock(e->session_id, false);
    if (!counters) return fail(counters.error());
    auto session_view = tx.session(e->session_id);
    if (!session_view) return fail(session_view.error());
    auto rules = tx.rules(session_view->clinic_code);
    if (!rules) return fail(rules.error());
    auto changed = tx.c.execute(sql::kMarkAbsent, {e->id, counters->calls_made + rules->absent_move_back, tx.now});
    if (!changed) return fail(changed.error());
    if (*changed != 1) return fail(conflict("invalid_state", "the patient changed meanwhile; reload the queue"));
    if (auto st = tx.audit("queue.absent", e->id, "absence " + std::to_string(e->absences + 1)); !st)
      return fail(st.error());
    if (auto st = tx.announce(e->session_id, "absent"); !st) return fail(st.error());
    return tx.placed(e->id);
  });
}

Result<Placed> QueueService::confirm(const auth::Principal& who, int64_t entry_id, const auth::RequestContext& ctx) {
  return change(who, ctx, [&](Tx& tx) -> Result<Placed> {
    auto e = load_in(tx, entry_id, {EntryState::called});
    if (!e) return fail(e.error());
    if (auto lock = tx.lock(e->session_id, false); !lock) return fail(lock.error());
    auto changed = tx.c.execute(sql::kConfirmEntry, {e->id, tx.now});
    if (!changed) return fail(changed.error());
    if (*changed != 1) return fail(conflict("invalid_state", "the patient changed meanwhile; reload the queue"));
    if (auto st = tx.audit("queue.confirm", e->id, "in room " + e->room_code); !st) return fail(st.error());
    if (auto st = tx.announce(e->session_id, "in_room"); !st) return fail(st.error());
    return tx.placed(e->id);
  });
}

Result<Placed> QueueService::finish(const auth::Principal& who, int64_t entry_id, const auth::RequestContext& ctx) {
  return change(who, ctx, [&](Tx& tx) -> Result<Placed> {
    auto e = load_in(tx, entry_id, {EntryState::called, EntryState::in_room});
    if (!e) return fail(e.error());
    if (auto lock = tx.lock(e->session_id, false); !lock) return fail(lock.error());
    auto changed = tx.c.execute(sql::kFinishEntry, {e->id, tx.now});
    if (!changed) return fail(changed.error());
    if (*changed != 1) return fail(conflict("invalid_state", "the patient changed meanwhile; reload the queue"));
    // A return visit finishes an appointment that is already completed.
    if (auto done = tx.s.booking_.complete(tx.c, e->appointment_id); !done) return fail(done.error());
    if (auto st = tx.audit("queue.finish", e->id, "appointment " + std::to_string(e->appointment_id)); !st)
      return fail(st.error());
    if (auto st = tx.announce(e->session_id, "done"); !st) return fail(st.error());
    return tx.placed(e->id);
  });
}

Result<Placed> QueueService::return_with_results(const auth::Principal& who, int64_t entry_id,
                                                 const auth::RequestContext& ctx) {
  return change(who, ctx, [&](Tx& tx) -> Result<Placed> {
    auto e = load_in(tx, entry_id, {EntryState::in_room, EntryState::done});
    if (!e) return fail(e.error());
    if (auto lock = tx.lock(e->session_id, false); !lock) return fail(lock.error());
    auto changed = tx.c.execute(sql::kReturnEntry, {e->id, tx.now});
    if (!changed) return fail(changed.error());
    if (*changed != 1) return fail(conflict("invalid_state", "the patient changed meanwhile; reload the queue"));
    if (auto st = tx.audit("queue.return", e->id, "back with results"); !st) return fail(st.error());
    if (auto st = tx.announce(e->session_id, "returned"); !st) return fail(st.error());
    return tx.placed(e->id);
  });
}

Result<Placed> QueueService::transfer(const auth::Principal& who, int64_t entry_id, std::optional<int64_t> to_session,
                                      const std::string& room_code, const auth::RequestContext& ctx) {
  if (!to_session && room_code.empty())
    return fail(Error::invalid("room_code", "give room_code or session_id to transfer to"));
  return change(who, ctx, [&](Tx& tx) -> Result<Placed> {
    auto e = load_in(tx, entry_id, {EntryState::waiting, EntryState::called, EntryState::in_room});
    if (!e) return fail(e.error());
    const int64_t target = to_session.value_or(e->session_id);
    if (target != e->session_id) {
      auto from = tx.session(e->session_id);
      if (!from) return fail(from.error());
      auto to = tx.session(target);
      if (!to && to.error().code == "not_found") return fail(Error::invalid("session_id", "no such clinic session"));
      if (!to) return fail(to.error());
      if (to->day != from->day) return fail(Error::invalid("session_id", "must be a session of the same day"));
      if (to->status != scheduling::SessionStatus::open)
        return fail(Error::invalid("session_id", "that clinic session was stopped"));
    }
    // Lock both lines in id order so two transfers cannot deadlock.
    for (int64_t id : {std::min(target, e->session_id), std::max(target, e->session_id)})
      if (auto lock = tx.lock(id, false); !lock) return fail(lock.error());
    auto rooms = tx.rooms(target);
    if (!rooms) return fail(rooms.error());
    if (!room_code.empty()) {
      auto it = std::ranges::find_if(*rooms, [&](const RoomView& r) { return r.room_code == room_code; });
      if (it == rooms->end() || it->state == "closed")
        return fail(conflict("room_closed", "room " + room_code + " is not open for that session")
                        .with("room_code", room_code));
    } else if (std::ranges::none_of(*rooms, [](const RoomView& r) { return r.state != "closed"; })) {
      return fail(conflict("room_closed", "no room is open for that session"));
    }
    auto changed = tx.c.execute(sql::kTransferEntry, {e->id, target, room_code});
    if (!changed) return fail(changed.error());
    if (*changed != 1) return fail(conflict("invalid_state", "the patient changed meanwhile; reload the queue"));
    if (auto st = tx.audit("queue.transfer", e->id,
                           "to session " + std::to_string(target) + (room_code.empty() ? "" : " room " + room_code));
        !st)
      return fail(st.error());
    if (auto st = tx.announce(e->session_id, "transferred"); !st) return fail(st.error());
    if (target != e->session_id)
      if (auto st = tx.announce(target, "transferred"); !st) return fail(st.error());
    return tx.placed(e->id);
  });
}

}  // namespace stork::triage
