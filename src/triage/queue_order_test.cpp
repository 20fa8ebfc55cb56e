#include <gtest/gtest.h>

#include "triage/queue_model.hpp"

namespace stork::triage {
namespace {

constexpr int64_t kMin = 60'000;
constexpr int64_t k0800 = 1'000'000 * kMin;  // any fixed instant: the first slot's start

// An on-time appointment of the slot starting `slot` minutes after 08:00.
QueueEntry booked(int64_t id, int ticket, int slot, int arrived = -10) {
  QueueEntry e;
  e.id = id;
  e.ticket_no = ticket;
  e.slot_starts_at_ms = k0800 + slot * kMin;
  e.arrived_at_ms = k0800 + (slot + arrived) * kMin;
  return e;
}

QueueEntry walk_in(int64_t id, int arrived) {
  QueueEntry e = booked(id, 90 + static_cast<int>(id), 0);
  e.kind = EntryKind::walk_in;
  e.arrived_at_ms = k0800 + arrived * kMin;
  return e;
}

std::vector<int64_t> ids(const std::vector<QueueEntry>& q) {
  std::vector<int64_t> out;
  for (const auto& e : q) out.push_back(e.id);
  return out;
}

std::vector<int64_t> order(std::vector<QueueEntry> q, QueueRules rules = {}, int64_t calls = 0) {
  return ids(order_queue(std::move(q), rules, calls));
}

using Ids = std::vector<int64_t>;

TEST(QueueOrder, OnTimePatientsGoByAppointmentTimeThenTicket) {
  // Arrival order does not matter for those on time.
  EXPECT_EQ(order({booked(1, 5, 30), booked(2, 2, 0, -5), booked(3, 1, 0, -40)}), (Ids{3, 2, 1}));
}

TEST(QueueOrder, LateArrivalsGoBehindTheOnTimeOnesOfTheirSlotOnly) {
  auto late = booked(1, 1, 0, +12);  // ticket 1, came 12 minutes after 08:00
  // Behind ticket 2 of her own slot, still ahead of the 08:30 slot.
  EXPECT_EQ(order({late, booked(2, 2, 0), booked(3, 3, 30)}), (Ids{2, 1, 3}));
  // Within the grace period she is on time.
  EXPECT_EQ(order({late, booked(2, 2, 0), booked(3, 3, 30)}, {.late_grace_minutes = 15}), (Ids{1, 2, 3}));
  EXPECT_TRUE(is_late(late, {}));
  EXPECT_FALSE(is_late(late, {.late_grace_minutes = 12}));
}

TEST(QueueOrder, WalkInsTakeTheirArrivalTimeAsTheirPlace) {
  // A walk-in at 08:10 goes behind the 08:00 slot and ahead of the 08:30 one.
  EXPECT_EQ(order({booked(1, 1, 0), booked(2, 3, 30), walk_in(7, 10), walk_in(6, 40)}), (Ids{1, 7, 2, 6}));
  // Two walk-ins: by arrival.
  EXPECT_EQ(order({walk_in(9, 5), walk_in(8, 20)}), (Ids{9, 8}));
  // A tie with a slot start: the appointment first.
  EXPECT_EQ(order({walk_in(5, 30), booked(2, 3, 30, -1)}), (Ids{2, 5}));
}

TEST(QueueOrder, AReturnVisitWaitsBehindAtMostNPatients) {
  std::vector<QueueEntry> q;
  for (int i = 1; i <= 6; ++i) q.push_back(booked(i, i, 0));
  auto back = booked(20, 40, -60, 0);
  back.kind = EntryKind::return_visit;
  back.arrived_at_ms = k0800 + 50 * kMin;
  q.push_back(back);
  EXPECT_EQ(order(q, {.return_after = 3}), (Ids{1, 2, 3, 20, 4, 5, 6}));
  EXPECT_EQ(order(q, {.return_after = 0}), (Ids{20, 1, 2, 3, 4, 5, 6}));
  // With a shorter line she is simply last.
  EXPECT_EQ(order({booked(1, 1, 0), back}, {.return_after = 3}), (Ids{1, 20}));
}

TEST(QueueOrder, SeveralReturnVisitsAreSpacedByN) {
  std::vector<QueueEntry> q;
  for (int i = 1; i <= 6; ++i) q.push_back(booked(i, i, 0));
  for (int64_t id : {21, 22}) {
    auto r = booked(id, 0, 0);
    r.kind = EntryKind::return_visit;
    r.arrived_at_ms = k0800 + (id == 21 ? 40 : 45) * kMin;
    q.push_back(r);
  }
  EXPECT_EQ(order(q, {.return_after = 2}), (Ids{1, 2, 21, 3, 4, 22, 5, 6}));
}

TEST(QueueOrder, RankedFlagsGoFirstHighestRankFirst) {
  auto elderly = booked(5, 9, 60);
  elderly.flags = {"elderly"};
  elderly.priority_rank = 1;
  auto critical = booked(6, 12, 90);
  critical.flags = {"critical"};
  critical.priority_rank = 3;
  auto shown_only = booked(7, 10, 60);
  shown_only.flags = {"note"};  // rank 0: shown to staff, no effect on order
  EXPECT_EQ(order({booked(1, 1, 0), elderly, shown_only, critical}), (Ids{6, 5, 1, 7}));
}

TEST(QueueOrder, AFirstAbsenceMovesThePatientBackNPlacesCountedInCalls) {
  std::vector<QueueEntry> q;
  for (int i = 1; i <= 5; ++i) q.push_back(booked(i, i + 1, 0));
  auto absent = booked(9, 1, 0);  // ticket 1, would be first
  absent.absences = 1;
  absent.eligible_after_call = 10 + 3;  // absent at call 10, moved back 3
  q.push_back(absent);
  EXPECT_EQ(order(q, {}, 10), (Ids{1, 2, 3, 9, 4, 5}));
  // Two calls later she is one place from the head.
  EXPECT_EQ(order(q, {}, 12), (Ids{1, 9, 2, 3, 4, 5}));
  // Once the calls have been made she is back in her own place.
  EXPECT_EQ(order(q, {}, 13), (Ids{9, 1, 2, 3, 4, 5}));
}

TEST(QueueOrder, APriorityPatientAheadCountsTowardsTheMoveBack) {
  auto critical = booked(4, 30, 60);
  critical.priority_rank = 3;
  auto absent = booked(9, 1, 0);
  absent.absences = 1;
  absent.eligible_after_call = 2;
  EXPECT_EQ(order({booked(1, 2, 0), booked(2, 3, 0), critical, absent}, {}, 0), (Ids{4, 1, 9, 2}));
}

TEST(QueueOrder, ASecondAbsenceGoesToTheEndInOrderOfAbsence) {
  auto a = booked(8, 1, 0);
  a.absences = 2;
  a.absent_at_ms = k0800 + 20 * kMin;
  auto b = booked(9, 2, 0);
  b.absences = 2;
  b.absent_at_ms = k0800 + 10 * kMin;
  b.priority_rank = 1;  // even a flag does not lift a second absence
  EXPECT_EQ(order({a, b, booked(1, 3, 30), walk_in(2, 50)}), (Ids{1, 2, 9, 8}));
}

TEST(QueueOrder, OnlyWaitingEntriesAreOrdered) {
  auto called = booked(2, 2, 0);
  called.state = EntryState::called;
  auto seen = booked(3, 3, 0);
  seen.state = EntryState::in_room;
  auto done = booked(4, 4, 0);
  done.state = EntryState::done;
  EXPECT_EQ(order({booked(1, 1, 0), called, seen, done}), (Ids{1}));
  EXPECT_TRUE(order({}).empty());
}

}  // namespace
}  // namespace stork::triage
