#include <algorithm>
#include <tuple>

#include "triage/queue_model.hpp"

namespace stork::triage {

std::string_view kind_name(EntryKind k) {
  switch (k) {
    case EntryKind::appointment: return "appointment";
    case EntryKind::walk_in: return "walk_in";
    case EntryKind::return_visit: return "return_visit";
  }
  return "appointment";
}

std::string_view state_name(EntryState s) {
  switch (s) {
    case EntryState::waiting: return "waiting";
    case EntryState::called: return "called";
    case EntryState::in_room: return "in_room";
    case EntryState::done: return "done";
  }
  return "waiting";
}

bool is_late(const QueueEntry& e, const QueueRules& rules) {
  return e.kind == EntryKind::appointment &&
         e.arrived_at_ms > e.slot_starts_at_ms + int64_t{rules.late_grace_minutes} * 60'000;
}

namespace {

// The place of an entry in the main line (rule 2).
auto line_key(const QueueEntry& e, const QueueRules& rules) {
  const bool walk_in = e.kind == EntryKind::walk_in;
  const int64_t time = walk_in ? e.arrived_at_ms : e.slot_starts_at_ms;
  return std::tuple(time, walk_in, is_late(e, rules), walk_in ? 0 : e.ticket_no, e.arrived_at_ms, e.id);
}

// Inserts `e` at `index`, or at the end when the line is shorter.
void insert_at(std::vector<QueueEntry>& line, size_t index, QueueEntry e) {
  line.insert(line.begin() + static_cast<std::ptrdiff_t>(std::min(index, line.size())), std::move(e));
}

}  // namespace

std::vector<QueueEntry> order_queue(std::vector<QueueEntry> entries, const QueueRules& rules, int64_t calls_made) {
  std::vector<QueueEntry> priority, line, returns, deferred, last;
  for (auto& e : entries) {
    if (e.state != EntryState::waiting) continue;
    if (e.absences >= 2) last.push_back(std::move(e));
    else if (e.eligible_after_call && *e.eligible_after_call > calls_made) deferred.push_back(std::move(e));
    else if (e.priority_rank > 0) priority.push_back(std::move(e));
    else if (e.kind == EntryKind::return_visit) returns.push_back(std::move(e));
    else line.push_back(std::move(e));
  }
  auto by_line = [&](const QueueEntry& a, const QueueEntry& b) { return line_key(a, rules) < line_key(b, rules); };
  std::ranges::sort(line, by_line);
  std::ranges::stable_sort(priority, [&](const QueueEntry& a, const QueueEntry& b) {
    if (a.priority_rank != b.priority_rank) return a.priority_rank > b.priority_rank;
    return by_line(a, b);
  });

  // Rule 3: each return visit behind at most `return_after` patients after the previous one.
  std::ranges::sort(returns, [](const QueueEntry& a, const QueueEntry& b) {
    return std::tie(a.arrived_at_ms, a.id) < std::tie(b.arrived_at_ms, b.id);
  });
  const size_t gap = static_cast<size_t>(std::max(0, rules.return_after));
  size_t next = gap;
  for (auto& r : returns) {
    const size_t at = std::min(next, line.size());
    insert_at(line, at, std::move(r));
    next = at + 1 + gap;
  }

  // Rule 4: behind as many patients as calls remain before she may be
  // called, counting the priority patients who stand ahead of the line.
  std::ranges::sort(deferred, [](const QueueEntry& a, const QueueEntry& b) {
    return std::tie(*a.eligible_after_call, a.id) < std::tie(*b.eligible_after_call, b.id);
  });
  for (auto& d : deferred) {
    const auto wait = static_cast<size_t>(*d.eligible_after_call - calls_made);
    insert_at(line, wait - std::min(wait, priority.size()), std::move(d));
  }
  std::vector<QueueEntry> out = std::move(priority);
  out.insert(out.end(), std::make_move_iterator(line.begin()), std::make_move_iterator(line.end()));

  std::ranges::sort(last, [](const QueueEntry& a, const QueueEntry& b) {
    return std::tie(a.absent_at_ms, a.id) < std::tie(b.absent_at_ms, b.id);
  });
  out.insert(out.end(), std::make_move_iterator(last.begin()), std::make_move_iterator(last.end()));
  return out;
}

}  // namespace stork::triage
