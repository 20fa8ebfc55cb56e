#include "triage/queue_service.hpp"

#include <algorithm>
#include <boost/json.hpp>

#include "core/civil_date.hpp"
#include "core/log.hpp"
#include "triage/name_mask.hpp"
#include "triage/queue_repo.hpp"

namespace stork::triage {
namespace {

namespace json = boost::json;
using Events = std::vector<std::pair<std::string, std::string>>;

std::vector<std::string> split_flags(const std::string& csv) {
  std::vector<std::string> out;
  size_t start = 0;
  while (start < csv.size()) {
    size_t end = csv.find(',', start);
    if (end == std::string::npos) end = csv.size();
    if (end > start) out.push_back(csv.substr(start, end - start));
    start = end + 1;
  }
  return out;
}

std::string join_flags(const std::vector<std::string>& flags) {
  std::string out;
  for (const auto& f : flags) out += (out.empty() ? "" : ",") + f;
  return out;
}

QueueEntry decode_entry(const store::Row& r) {
  QueueEntry e;
  e.id = r.integer(0);
  e.session_id = r.integer(1);
  e.appointment_id = r.integer(2);
  e.patient_id = r.integer(3);
  e.ticket_no = static_cast<int>(r.integer(4));
  e.name = r.text(5);
  const std::string kind = r.text(6), state = r.text(7);
  e.kind = kind == "walk_in" ? EntryKind::walk_in
           : kind == "return_visit" ? EntryKind::return_visit
                                    : EntryKind::appointment;
  e.state = state == "called" ? EntryState::called
            : state == "in_room" ? EntryState::in_room
            : state == "done" ? EntryState::done
                              : EntryState::waiting;
  e.arrived_at_ms = r.integer(8);
  e.slot_starts_at_ms = r.integer(9);
  e.called_at_ms = r.opt_integer(10);
  e.seen_at_ms = r.opt_integer(11);
  e.done_at_ms = r.opt_integer(12);
  e.room_code = r.text(13);
  e.called_by = r.opt_integer(14);
  e.absences = static_cast<int>(r.integer(15));
  e.eligible_after_call = r.opt_integer(16);
  e.absent_at_ms = r.opt_integer(17);
  e.flags = split_flags(r.text(18));
  e.priority_rank = static_cast<int>(r.integer(19));
  if (auto level = r.opt_integer(20)) e.level = static_cast<int>(*level);
  e.clinic_code = r.text(21);
  e.department_code = r.text(22);
  return e;
}

Error conflict(std::string code, std::string message) { return Error::conflict(std::move(code), std::move(message)); }

Error invalid_state(const QueueEntry& e) {
  return conflict("invalid_state", "the patient is " + std::string(state_name(e.state)) + "; reload the queue")
      .with("state", std::string(state_name(e.state)));
}

Result<std::vector<FlagDefinition>> load_flags(store::Connection& c) {
  auto rows = c.query(sql::kListFlags);
  if (!rows) return fail(rows.error());
  std::vector<FlagDefinition> out;
  for (const auto& r : *rows) out.push_back({r.text(0), r.text(1), r.text(2), static_cast<int>(r.integer(3))});
  return out;
}

// An entry's effect on order: the highest rank among its flags, as the
// flags are configured now.
int rank_of(const std::vector<std::string>& flags, const std::vector<FlagDefinition>& known) {
  int rank = 0;
  for (const auto& f : flags)
    for (const auto& k : known)
      if (k.code == f) rank = std::max(rank, k.rank);
  return rank;
}

// How many places of a line a `queue.<id>` event lists (ids up to 12 digits
// fit well under PostgreSQL's NOTIFY limit).
constexpr size_t kAnnouncedPlaces = 500;

// The estimated wait: the patients ahead shared among the open rooms.
int estimate_minutes(int ahead, int open_rooms, const QueueRules& rules) {
  return ahead * rules.minutes_per_patient / std::max(1, open_rooms);
}

}  // namespace

// One change to queues inside one write transaction; events are published
// after it commits.
struct QueueService::Tx {
  QueueService& s;
  store::Connection& c;
  const auth::Principal* who;
  const auth::RequestContext& ctx;
  int64_t now;
  Events& events;

  std::string actor() const { return who ? who->audit_name() : "system"; }

  Status audit(const std::string& action, int64_t entry_id, const std::string& detail) {
    return s.audit_.append(c, {actor(), action, "queue_entry", std::to_string(entry_id), "success", detail}, ctx);
  }

  // Locks the session's line (see the header) and counts a change.
  struct Counters {
    int64_t calls_made = 0, version = 0;
  };
  Result<Counters> lock(int64_t session_id, bool is_call) {
    if (auto r = c.execute(sql::kEnsureQueueSession, {session_id}); !r) return fail(r.error());
    auto rows = c.query(sql::kBumpQueueVersion, {session_id, int64_t{is_call ? 1 : 0}});
    if (!rows) return fail(rows.error());
    return Counters{(*rows)[0].integer(0), (*rows)[0].integer(1)};
  }

  std::optional<std::vector<FlagDefinition>> known_flags;
  Result<QueueEntry> ranked(const store::Row& row) {
    if (!known_flags) {
      auto known = load_flags(c);
      if (!known) return fail(known.error());
      known_flags = std::move(*known);
    }
    QueueEntry e = decode_entry(row);
    e.priority_rank = rank_of(e.flags, *known_flags);
    return e;
  }

  Result<QueueEntry> entry(int64_t id) {
    auto rows = c.query(sql::kSelectEntry, {id});
    if (!rows) return fail(rows.error());
    if (rows->empty()) return fail(Error::not_found("queue entry " + std::to_string(id)));
    return ranked((*rows)[0]);
  }

  Result<std::vector<QueueEntry>> entries(int64_t session_id) {
    auto rows = c.query(sql::kEntriesOfSession, {session_id});
    if (!rows) return fail(rows.error());
    std::vector<QueueEntry> out;
    for (const auto& r : *rows) {
      auto e = ranked(r);
      if (!e) return fail(e.error());
      out.push_back(std::move(*e));
    }
    return out;
  }

  Result<QueueRules> rules(const std::string& clinic_code) {
    auto rows = c.query(sql::kRulesFor, {clinic_code});
    if (!rows) return fail(rows.error());
    QueueRules r;
    if (rows->empty()) return r;
    const auto& row = (*rows)[0];
    r.return_after = static_cast<int>(row.integer(1));
    r.absent_move_back = static_cast<int>(row.integer(2));
    r.late_grace_minutes = static_cast<int>(row.integer(3));
    r.minutes_per_patient = static_cast<int>(row.integer(4));
    return r;
  }

  Result<std::vector<RoomView>> rooms(int64_t session_id) {
    auto rows = c.query(sql::kRoomsOfSession, {session_id});
    if (!rows) return fail(rows.error());
    std::vector<RoomView> out;
    for (const auto& r : *rows) {
      RoomView v{r.text(0), r.text(0), r.opt_integer(1), r.text(2)};
      auto room = s.directory_.room(c, v.room_code);
      if (!room) return fail(room.error());
      if (*room) v.room_name = (*room)->name;
      out.push_back(std::move(v));
    }
    return out;
  }

  Result<std::optional<RoomView>> room(int64_t session_id, const std::string& code) {
    auto all = rooms(session_id);
    if (!all) return fail(all.error());
    for (auto& r : *all)
      if (r.room_code == code) return std::optional(std::move(r));
    return std::optional<RoomView>();
  }

  Result<scheduling::SessionView> session(int64_t id) { return s.booking_.session(c, id); }

  // The whole line as it now stands.
  Result<SessionQueue> snapshot(int64_t session_id) {
    SessionQueue q;
    auto session_view = session(session_id);
    if (!session_view) return fail(session_view.error());
    q.session = std::move(*session_view);
    auto r = rules(q.session.clinic_code);
    if (!r) return fail(r.error());
    q.rules = *r;
    auto rs = rooms(session_id);
    if (!rs) return fail(rs.error());
    q.rooms = std::move(*rs);
    auto counters = c.query(sql::kQueueCounters, {session_id});
    if (!counters) return fail(counters.error());
    if (!counters->empty()) {
      q.calls_made = (*counters)[0].integer(0);
      q.version = (*counters)[0].integer(1);
    }
    auto all = entries(session_id);
    if (!all) return fail(all.error());
    const int open = static_cast<int>(std::ranges::count_if(q.rooms, [](const RoomView& v) { return v.state == "open"; }));
    int position = 0;
    for (auto& e : order_queue(*all, q.rules, q.calls_made)) {
      ++position;
      q.waiting.push_back({std::move(e), position, estimate_minutes(position - 1, open, q.rules)});
    }
    for (auto& e : *all) {
      if (e.state == EntryState::called) q.called.push_back({e, 0, 0});
      if (e.state == EntryState::in_room) q.in_room.push_back({e, 0, 0});
    }
    auto done = c.query(sql::kDoneCount, {session_id});
    if (!done) return fail(done.error());
    q.done = static_cast<int>((*done)[0].integer(0));
    return q;
  }

  Result<Placed> placed(int64_t entry_id) {
    auto e = entry(entry_id);
    if (!e) return fail(e.error());
    if (e->state != EntryState::waiting) return Placed{*e, 0, 0};
    auto q = snapshot(e->session_id);
    if (!q) return fail(q.error());
    for (auto& p : q->waiting)
      if (p.entry.id == entry_id) return p;
    return Placed{*e, 0, 0};
  }

  // `queue.<id>`: the new order as entry ids, so a phone can follow its own
  // place without reading anyone's data.
  Status announce(int64_t session_id, const std::string& reason) {
    auto q = snapshot(session_id);
    if (!q) return fail(q.error());
    // A NOTIFY carries at most 8000 bytes: a longer line sends its head and
    // those further back re-read their place.
    json::array order;
    for (const auto& p : q->waiting) {
      if (order.size() == kAnnouncedPlaces) break;
      order.emplace_back(p.entry.id);
    }
    const int open = static_cast<int>(std::ranges::count_if(q->rooms, [](const RoomView& v) { return v.state == "open"; }));
    json::object data{{"session_id", session_id}, {"version", q->version}, {"reason", reason},
                      {"waiting", std::move(order)}, {"open_rooms", open},
                      {"minutes_per_patient", q->rules.minutes_per_patient},
                      {"truncated", q->waiting.size() > kAnnouncedPlaces}};
    events.emplace_back("queue." + std::to_string(session_id), json::serialize(data));
    return {};
  }

  // `display.<department>`: what the area screen shows and speaks.
  Status announce_call(const QueueEntry& e, const std::string& room_code, bool recall) {
    auto session_view = session(e.session_id);
    if (!session_view) return fail(session_view.error());
    auto room = s.directory_.room(c, room_code);
    if (!room) return fail(room.error());
    const std::string room_name = *room ? (*room)->name : room_code;
    auto id = c.query(sql::kInsertCall, {e.id, e.session_id, session_view->department_code, room_code,
                                         int64_t{e.ticket_no}, e.name, int64_t{recall}, now,
                                         store::nullable(e.called_by)});
    if (!id) return fail(id.error());
    json::object data{{"kind", "call"},
                      {"session_id", e.session_id},
                      {"ticket_no", e.ticket_no},
                      {"name", e.name},
                      {"room_code", room_code},
                      {"room_name", room_name},
                      {"clinic_name_zh", session_view->clinic_name_zh},
                      {"clinic_name_en", session_view->clinic_name_en},
                      {"recall", recall},
                      {"called_at", format_utc(now)}};
    events.emplace_back("display." + session_view->department_code, json::serialize(data));
    return {};
  }

  Status announce_rooms(int64_t session_id) {
    auto session_view = session(session_id);
    if (!session_view) return fail(session_view.error());
    events.emplace_back("display." + session_view->department_code,
                        json::serialize(json::object{{"kind", "changed"}, {"session_id", session_id}}));
    return {};
  }

  // The practitioner a doctor acts as: her own record when her account is
  // linked to one, else the session's doctor.
  Result<std::optional<int64_t>> practitioner(const scheduling::SessionView& session_view) {
    if (who && who->kind == auth::PrincipalKind::staff) {
      auto p = s.directory_.practitioner_of_user(c, who->id);
      if (!p) return fail(p.error());
      if (*p) return std::optional((*p)->id);
    }
    return session_view.practitioner_id;
  }
};

QueueService::QueueService(store::Database& db, const Clock& clock, const auth::AuditLog& audit,
                           patients::PatientService& patients, scheduling::BookingService& booking,
                           scheduling::DirectoryService& directory, QueueSettings settings)
    : db_(db), clock_(clock), audit_(audit), patients_(patients), booking_(booking), directory_(directory),
      settings_(settings) {}

void QueueService::set_publisher(EventPublisher publish) { publish_ = std::move(publish); }

void QueueService::publish(const Events& events) const {
  if (!publish_) return;
  for (const auto& [topic, data] : events) publish_(topic, data);
}

void QueueService::attach() {
  scheduling::BookingService::CheckInHooks hooks;
  hooks.in_transaction = [this](store::Connection& c, const scheduling::Appointment& a, int64_t now) -> Status {
    auto session_view = booking_.session(c, a.session_id);
    if (!session_view) return fail(session_view.error());
    auto person = patients_.basics(c, a.patient_id);
    if (!person) return fail(person.error());
    // Booked on the day at the window or a kiosk: a walk-in, placed by arrival.
    const bool same_day = local_date(a.created_at_ms, settings_.utc_offset_minutes) ==
                          local_date(a.starts_at_ms, settings_.utc_offset_minutes);
    const bool walk_in = same_day && (a.channel == scheduling::Channel::window || a.channel == scheduling::Channel::kiosk);
    Events ignored;
    const auth::RequestContext ctx{};
    Tx tx{*this, c, nullptr, ctx, now, ignored};
    if (auto lock = tx.lock(a.session_id, false); !lock) return fail(lock.error());
    auto inserted = c.execute(sql::kInsertEntry,
                              {a.session_id, a.id, a.patient_id, int64_t{a.ticket_no}, mask_name(person->name),
                               std::string(kind_name(walk_in ? EntryKind::walk_in : EntryKind::appointment)), now,
                               a.starts_at_ms, a.clinic_code, session_view->department_code,
                               store::nullable(a.practitioner_id)});
    return inserted ? Status{} : fail(inserted.error());
  };
  hooks.after_commit = [this](const scheduling::Appointment& a) { announce_after_commit(a.session_id, "checked_in"); };
  booking_.set_check_in_hooks(std::move(hooks));
}

void QueueService::announce_after_commit(int64_t session_id, const std::string& reason) {
  if (!publish_) return;
  Events events;
  const auth::RequestContext ctx{};
  auto s = db_.read([&](store::Connection& c) -> Status {
    Tx tx{*this, c, nullptr, ctx, clock_.now_ms(), events};
    return tx.announce(session_id, reason);
  });
  if (!s) {
    log::warn("queue announcement failed", {{"session_id", session_id}, {"error", s.error().message}});
    return;
  }
  publish(events);
}

// Runs one change of a line in a write transaction and publishes its events
// once it has committed.
template <class F>
auto QueueService::change(const auth::Principal& who, const auth::RequestContext& ctx, F&& fn)
    -> decltype(fn(std::declval<Tx&>())) {
  Events events;
  auto out = store::write_tx(db_, [&](store::Connection& c) {
    events.clear();  // a retried transaction starts over
    Tx tx{*this, c, &who, ctx, clock_.now_ms(), events};
    return fn(tx);
  });
  if (out) publish(events);
  return out;
}

Result<std::vector<SessionSummary>> QueueService::sessions(const std::string& day, const std::string& department) {
  auto views = booking_.sessions(day, day, department, "");
  if (!views) return fail(views.error());
  return store::read_tx(db_, [&](store::Connection& c) -> Result<std::vector<SessionSummary>> {
    Events none;
    const auth::RequestContext ctx{};
    Tx tx{*this, c, nullptr, ctx, clock_.now_ms(), none};
    std::vector<SessionSummary> out;
    for (auto& v : *views) {
      SessionSummary sum;
      auto q = tx.snapshot(v.id);
      if (!q) return fail(q.error());
      sum.session = std::move(v);
      sum.waiting = static_cast<int>(q->waiting.size());
      sum.called = static_cast<int>(q->called.size());
      sum.in_room = static_cast<int>(q->in_room.size());
      sum.done = q->done;
      sum.rooms = std::move(q->rooms);
      out.push_back(std::move(sum));
    }
    return out;
  });
}

Result<SessionQueue> QueueService::queue(const auth::Principal& who, int64_t session_id,
                                         const auth::RequestContext& ctx) {
  // Reading a line shows (masked) patients: audited like any patient read.
  return change(who, ctx, [&](Tx& tx) -> Result<SessionQueue> {
    auto q = tx.snapshot(session_id);
    if (!q) return fail(q.error());
    if (auto st = tx.s.audit_.append(tx.c, {tx.actor(), "queue.read", "clinic_session", std::to_string(session_id),
                                           "success", std::to_string(q->waiting.size()) + " waiting"},
                                     ctx);
        !st)
      return fail(st.error());
    return q;
  });
}

Result<RoomView> QueueService::open_room(const auth::Principal& who, int64_t session_id, const std::string& room_code,
                                         const auth::RequestContext& ctx) {
  if (room_code.empty() || room_code.size() > 40) return fail(Error::invalid("room_code", "is required"));
  return change(who, ctx, [&](Tx& tx) -> Result<RoomView> {
    auto session_view = tx.session(session_id);
    if (!session_view) return fail(session_view.error());
    if (session_view->status != scheduling::SessionStatus::open)
      return fail(conflict("session_stopped", "this clinic session was stopped"));
    auto room = tx.s.directory_.room(tx.c, room_code);
    if (!room) return fail(room.error());
    if (!*room) return fail(Error::invalid("room_code", "no such room"));
    auto practitioner = tx.practitioner(*session_view);
    if (!practitioner) return fail(practitioner.error());
    if (auto lock = tx.lock(session_id, false); !lock) return fail(lock.error());
    if (auto r = tx.c.execute(sql::kUpsertRoom, {session_id, room_code, store::nullable(*practitioner), tx.now}); !r)
      return fail(r.error());
    if (auto st = tx.s.audit_.append(tx.c, {tx.actor(), "queue.room_open", "clinic_session",
                                           std::to_string(session_id), "success", room_code},
                                     ctx);
        !st)
      return fail(st.error());
    if (auto st = tx.announce(session_id, "room_opened"); !st) return fail(st.error());
    if (auto st = tx.announce_rooms(session_id); !st) return fail(st.error());
    auto view = tx.room(session_id, room_code);
    if (!view) return fail(view.error());
    return **view;
  });
}

Result<RoomView> QueueService::set_room_state(const auth::Principal& who, int64_t session_id,
                                              const std::string& room_code, const std::string& state,
                                              const auth::RequestContext& ctx) {
  if (state != "open" && state != "paused" && state != "closed")
    return fail(Error::invalid("state", "must be open, paused or closed"));
  return change(who, ctx, [&](Tx& tx) -> Result<RoomView> {
    if (auto lock = tx.lock(session_id, false); !lock) return fail(lock.error());
    auto changed = tx.c.execute(sql::kSetRoomState, {session_id, room_code, state, tx.now});
    if (!changed) return fail(changed.error());
    if (*changed == 0) return fail(Error::not_found("room " + room_code + " in session " + std::to_string(session_id)));
    if (auto st = tx.s.audit_.append(tx.c, {tx.actor(), "queue.room_" + state, "clinic_session",
                                           std::to_string(session_id), "success", room_code},
                                     ctx);
        !st)
      return fail(st.error());
    if (auto st = tx.announce(session_id, "room_" + state); !st) return fail(st.error());
    if (auto st = tx.announce_rooms(session_id); !st) return fail(st.error());
    auto view = tx.room(session_id, room_code);
    if (!view) return fail(view.error());
    return **view;
  });
}

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

namespace {

// The entry's flags after adding and removing, with its highest rank.
Result<std::pair<std::vector<std::string>, int>> updated_flags(const std::vector<FlagDefinition>& known,
                                                               std::vector<std::string> flags,
                                                               const std::vector<std::string>& add,
                                                               const std::vector<std::string>& remove) {
  FieldErrors errors;
  auto is_known = [&](const std::string& code) {
    return std::ranges::any_of(known, [&](const FlagDefinition& f) { return f.code == code; });
  };
  for (size_t i = 0; i < add.size(); ++i)
    if (!is_known(add[i])) errors.add("add[" + std::to_string(i) + "]", "unknown flag '" + add[i] + "'");
  for (size_t i = 0; i < remove.size(); ++i)
    if (!is_known(remove[i])) errors.add("remove[" + std::to_string(i) + "]", "unknown flag '" + remove[i] + "'");
  if (auto s = errors.status(); !s) return fail(s.error());
  for (const auto& f : add)
    if (std::ranges::find(flags, f) == flags.end()) flags.push_back(f);
  std::erase_if(flags, [&](const std::string& f) { return std::ranges::find(remove, f) != remove.end(); });
  const int rank = rank_of(flags, known);
  return std::pair{flags, rank};
}
}  // namespace

Result<Placed> QueueService::set_flags(const auth::Principal& who, int64_t entry_id,
                                       const std::vector<std::string>& add, const std::vector<std::string>& remove,
                                       const auth::RequestContext& ctx) {
  return change(who, ctx, [&](Tx& tx) -> Result<Placed> {
    auto e = tx.entry(entry_id);
    if (!e) return fail(e.error());
    auto known = load_flags(tx.c);
    if (!known) return fail(known.error());
    auto next = updated_flags(*known, e->flags, add, remove);
    if (!next) return fail(next.error());
    if (auto lock = tx.lock(e->session_id, false); !lock) return fail(lock.error());
    if (auto r = tx.c.execute(sql::kSetFlags, {e->id, join_flags(next->first), int64_t{next->second}}); !r)
      return fail(r.error());
    if (auto st = tx.audit("queue.flags", e->id, join_flags(next->first)); !st) return fail(st.error());
    if (auto st = tx.announce(e->session_id, "flags"); !st) return fail(st.error());
    return tx.placed(e->id);
  });
}

Status QueueService::apply_assessment(store::Connection& c, int64_t appointment_id,
                                      const std::vector<std::string>& add_flags, int level, Events& events) {
  auto rows = c.query(sql::kEntryOfAppointment, {appointment_id});
  if (!rows) return fail(rows.error());
  if (rows->empty()) return {};  // not checked in yet: the assessment stands on its own
  const QueueEntry e = decode_entry((*rows)[0]);
  const auth::RequestContext ctx{};
  Tx tx{*this, c, nullptr, ctx, clock_.now_ms(), events};
  auto known = load_flags(c);
  if (!known) return fail(known.error());
  auto next = updated_flags(*known, e.flags, add_flags, {});
  if (!next) return fail(next.error());
  if (auto lock = tx.lock(e.session_id, false); !lock) return fail(lock.error());
  if (auto r = c.execute(sql::kSetFlags, {e.id, join_flags(next->first), int64_t{next->second}}); !r)
    return fail(r.error());
  if (auto r = c.execute(sql::kSetLevel, {e.id, int64_t{level}}); !r) return fail(r.error());
  return tx.announce(e.session_id, "assessed");
}

Result<FlagDefinition> QueueService::set_flag(const auth::Principal& who, const FlagDefinition& flag,
                                             const auth::RequestContext& ctx) {
  FieldErrors errors;
  const bool code_ok = !flag.code.empty() && flag.code.size() <= 40 &&
                       std::ranges::all_of(flag.code, [](char ch) { return (ch >= 'a' && ch <= 'z') || ch == '_'; });
  if (!code_ok) errors.add("code", "lower-case letters and underscores, at most 40");
  if (flag.name_zh.empty()) errors.add("name_zh", "is required");
  if (flag.name_en.empty()) errors.add("name_en", "is required");
  if (flag.rank < 0 || flag.rank > 9) errors.add("rank", "must be 0 (shown only) to 9");
  if (auto s = errors.status(); !s) return fail(s.error());
  return change(who, ctx, [&](Tx& tx) -> Result<FlagDefinition> {
    if (auto r = tx.c.execute(sql::kUpsertFlag, {flag.code, flag.name_zh, flag.name_en, int64_t{flag.rank}}); !r)
      return fail(r.error());
    if (auto st = tx.s.audit_.append(tx.c, {tx.actor(), "queue.flag_rule", "priority_flag", flag.code, "success",
                                           "rank " + std::to_string(flag.rank)},
                                     ctx);
        !st)
      return fail(st.error());
    return flag;
  });
}

Result<std::vector<FlagDefinition>> QueueService::flags() {
  return store::read_tx(db_, [](store::Connection& c) { return load_flags(c); });
}

Result<DisplayView> QueueService::display(const std::string& department) {
  if (department.empty() || department.size() > 40) return fail(Error::invalid("department", "is required"));
  auto today = sessions("", department);
  if (!today) return fail(today.error());
  return store::read_tx(db_, [&](store::Connection& c) -> Result<DisplayView> {
    DisplayView v{department, {}, std::move(*today)};
    const int64_t midnight =
        local_midnight_utc_ms(local_date(clock_.now_ms(), settings_.utc_offset_minutes), settings_.utc_offset_minutes);
    auto rows = c.query(sql::kRecentCalls, {department, midnight});
    if (!rows) return fail(rows.error());
    for (const auto& r : *rows) {
      CallView call;
      call.ticket_no = static_cast<int>(r.integer(0));
      call.name = r.text(1);
      call.room_code = r.text(2);
      call.recall = r.boolean(3);
      call.called_at_ms = r.integer(4);
      call.session_id = r.integer(5);
      auto room = directory_.room(c, call.room_code);
      if (!room) return fail(room.error());
      call.room_name = *room ? (*room)->name : call.room_code;
      for (const auto& s : v.sessions)
        if (s.session.id == call.session_id) {
          call.clinic_name_zh = s.session.clinic_name_zh;
          call.clinic_name_en = s.session.clinic_name_en;
        }
      v.calls.push_back(std::move(call));
    }
    return v;
  });
}

Result<std::vector<Placed>> QueueService::of_patient(const auth::Principal& who, int64_t patient_id,
                                                     const auth::RequestContext& ctx) {
  if (auto s = patients_.authorize(who, patient_id); !s) return fail(s.error());
  return change(who, ctx, [&](Tx& tx) -> Result<std::vector<Placed>> {
    const int64_t midnight =
        local_midnight_utc_ms(local_date(tx.now, settings_.utc_offset_minutes), settings_.utc_offset_minutes);
    auto rows = tx.c.query(sql::kEntriesOfPatientSince, {patient_id, midnight});
    if (!rows) return fail(rows.error());
    std::vector<Placed> out;
    for (const auto& r : *rows) {
      auto p = tx.placed(decode_entry(r).id);
      if (!p) return fail(p.error());
      out.push_back(std::move(*p));
    }
    if (auto st = tx.s.audit_.append(tx.c, {tx.actor(), "queue.position", "patient", std::to_string(patient_id),
                                           "success", std::to_string(out.size()) + " entries"},
                                     ctx);
        !st)
      return fail(st.error());
    return out;
  });
}

Result<WaitingStats> QueueService::stats(const std::string& from, const std::string& to, const std::string& clinic,
                                         int64_t practitioner_id) {
  const CivilDate today = local_date(clock_.now_ms(), settings_.utc_offset_minutes);
  const auto first = from.empty() ? std::optional(today) : parse_date(from);
  const auto last = to.empty() ? first : parse_date(to);
  FieldErrors errors;
  if (!first) errors.add("from", "must be a date as YYYY-MM-DD");
  if (!last) errors.add("to", "must be a date as YYYY-MM-DD");
  if (first && last && *last < *first) errors.add("to", "must not be before from");
  if (auto s = errors.status(); !s) return fail(s.error());
  const int64_t begin = local_midnight_utc_ms(*first, settings_.utc_offset_minutes);
  const int64_t end = local_midnight_utc_ms(*last, settings_.utc_offset_minutes) + 86'400'000;
  if (end - begin > int64_t{366} * 86'400'000) return fail(Error::invalid("to", "the range is at most 366 days"));
  auto samples = store::read_tx(db_, [&](store::Connection& c) -> Result<std::vector<WaitSample>> {
    auto rows = c.query(sql::kWaits, {begin, end, clinic, practitioner_id});
    if (!rows) return fail(rows.error());
    std::vector<WaitSample> out;
    for (const auto& r : *rows)
      out.push_back({r.text(0), r.opt_integer(1), r.integer(2), r.integer(3), r.opt_integer(4)});
    return out;
  });
  if (!samples) return fail(samples.error());
  return summarize(*samples, settings_.utc_offset_minutes);
}

patients::MergeStep QueueService::merge_step() {
  return [](store::Connection& c, int64_t from, int64_t to) -> Status {
    if (auto r = c.execute(sql::kMoveEntries, {from, to}); !r) return fail(r.error());
    if (auto r = c.execute(sql::kMoveAssessments, {from, to}); !r) return fail(r.error());
    return {};
  };
}

Result<QueueRules> QueueService::rules(const std::string& clinic_code) {
  return store::read_tx(db_, [&](store::Connection& c) -> Result<QueueRules> {
    Events none;
    const auth::RequestContext ctx{};
    Tx tx{*this, c, nullptr, ctx, clock_.now_ms(), none};
    return tx.rules(clinic_code);
  });
}

Result<QueueRules> QueueService::set_rules(const auth::Principal& who, const std::string& clinic_code,
                                           const QueueRules& r, const auth::RequestContext& ctx) {
  FieldErrors errors;
  if (clinic_code.empty() || clinic_code.size() > 40) errors.add("clinic_code", "is required");
  if (r.return_after < 0 || r.return_after > 100) errors.add("return_after", "must be 0 to 100");
  if (r.absent_move_back < 0 || r.absent_move_back > 100) errors.add("absent_move_back", "must be 0 to 100");
  if (r.late_grace_minutes < 0 || r.late_grace_minutes > 240) errors.add("late_grace_minutes", "must be 0 to 240");
  if (r.minutes_per_patient < 1 || r.minutes_per_patient > 240) errors.add("minutes_per_patient", "must be 1 to 240");
  if (auto s = errors.status(); !s) return fail(s.error());
  return change(who, ctx, [&](Tx& tx) -> Result<QueueRules> {
    if (auto q = tx.c.execute(sql::kUpsertRules, {clinic_code, int64_t{r.return_after}, int64_t{r.absent_move_back},
                                                  int64_t{r.late_grace_minutes}, int64_t{r.minutes_per_patient}});
        !q)
      return fail(q.error());
    if (auto st = tx.s.audit_.append(tx.c, {tx.actor(), "queue.rules", "clinic", clinic_code, "success", ""}, ctx);
        !st)
      return fail(st.error());
    return r;
  });
}

}  // namespace stork::triage
