#pragma once
// Inside QueueService (not for other modules): the helpers and the
// transaction object its .cpp files share. One change to queues runs in one
// write transaction (QueueService::change); its events are published after
// the commit.
#include <algorithm>
#include <boost/json.hpp>

#include "core/civil_date.hpp"
#include "triage/queue_repo.hpp"
#include "triage/queue_service.hpp"

namespace stork::triage {

namespace json = boost::json;
using Events = std::vector<std::pair<std::string, std::string>>;

inline std::vector<std::string> split_flags(const std::string& csv) {
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

inline std::string join_flags(const std::vector<std::string>& flags) {
  std::string out;
  for (const auto& f : flags) out += (out.empty() ? "" : ",") + f;
  return out;
}

inline QueueEntry decode_entry(const store::Row& r) {
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

inline Error conflict(std::string code, std::string message) { return Error::conflict(std::move(code), std::move(message)); }

inline Error invalid_state(const QueueEntry& e) {
  return conflict("invalid_state", "the patient is " + std::string(state_name(e.state)) + "; reload the queue")
      .with("state", std::string(state_name(e.state)));
}

inline Result<std::vector<FlagDefinition>> load_flags(store::Connection& c) {
  auto rows = c.query(sql::kListFlags);
  if (!rows) return fail(rows.error());
  std::vector<FlagDefinition> out;
  for (const auto& r : *rows) out.push_back({r.text(0), r.text(1), r.text(2), static_cast<int>(r.integer(3))});
  return out;
}

// An entry's effect on order: the highest rank among its flags, as the
// flags are configured now.
inline int rank_of(const std::vector<std::string>& flags, const std::vector<FlagDefinition>& known) {
  int rank = 0;
  for (const auto& f : flags)
    for (const auto& k : known)
      if (k.code == f) rank = std::max(rank, k.rank);
  return rank;
}

// How many places of a line a `queue.<id>` event lists (ids up to 12 digits
// fit well under PostgreSQL's NOTIFY limit).
inline constexpr size_t kAnnouncedPlaces = 500;

// The estimated wait: the patients ahead shared among the open rooms.
inline int estimate_minutes(int ahead, int open_rooms, const QueueRules& rules) {
  return ahead * rules.minutes_per_patient / std::max(1, open_rooms);
}

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

}  // namespace stork::triage
