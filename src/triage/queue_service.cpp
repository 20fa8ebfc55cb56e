#include "triage/queue_service.hpp"

#include "core/log.hpp"
#include "triage/name_mask.hpp"
#include "triage/queue_tx.hpp"

namespace stork::triage {

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
