#include "triage/waiting_stats.hpp"

#include <gtest/gtest.h>

namespace stork::triage {
namespace {

constexpr int64_t kMin = 60'000;
// 2026-11-18 00:00 UTC = 08:00 in Shanghai.
constexpr int64_t kDay = 1'794'960'000'000;

WaitSample visit(std::string clinic, int64_t doctor, int64_t arrived_min, int wait, std::optional<int> seen) {
  WaitSample s{std::move(clinic), doctor, kDay + arrived_min * kMin, kDay + (arrived_min + wait) * kMin, {}};
  if (seen) s.seen_at_ms = s.called_at_ms + *seen * kMin;
  return s;
}

TEST(WaitingStats, AveragesAndNearestRankPercentiles) {
  std::vector<WaitSample> v;
  for (int i = 1; i <= 10; ++i) v.push_back(visit("OB-GEN", 1, 0, i * 10, 2));
  auto s = summarize(v, 480);
  EXPECT_EQ(s.overall.patients, 10);
  EXPECT_DOUBLE_EQ(s.overall.wait_to_call.avg_minutes, 55);
  EXPECT_DOUBLE_EQ(s.overall.wait_to_call.p50_minutes, 50);
  EXPECT_DOUBLE_EQ(s.overall.wait_to_call.p90_minutes, 90);
  EXPECT_DOUBLE_EQ(s.overall.call_to_seen.avg_minutes, 2);
}

TEST(WaitingStats, GroupsByClinicDoctorLocalHourAndDay) {
  auto s = summarize({visit("OB-GEN", 1, 0, 10, 1), visit("OB-GEN", 2, 90, 30, std::nullopt),
                      visit("PED-GEN", 2, 16 * 60 + 30, 20, 3)},
                     480);
  ASSERT_EQ(s.by_clinic.size(), 2u);
  EXPECT_EQ(s.by_clinic[0].first, "OB-GEN");
  EXPECT_EQ(s.by_clinic[0].second.patients, 2);
  EXPECT_DOUBLE_EQ(s.by_clinic[0].second.wait_to_call.avg_minutes, 20);
  // Not yet seen: counted for the wait to be called only.
  EXPECT_EQ(s.by_clinic[0].second.call_to_seen.count, 1);
  ASSERT_EQ(s.by_doctor.size(), 2u);
  EXPECT_EQ(s.by_doctor[1].first, 2);
  EXPECT_EQ(s.by_doctor[1].second.patients, 2);
  // Local hours: 08:00, 09:30 and 00:30 the next day.
  ASSERT_EQ(s.by_hour.size(), 3u);
  EXPECT_EQ(s.by_hour[0].first, 0);
  EXPECT_EQ(s.by_hour[1].first, 8);
  EXPECT_EQ(s.by_hour[2].first, 9);
  ASSERT_EQ(s.by_day.size(), 2u);
  EXPECT_EQ(s.by_day[0].first, "2026-11-18");
  EXPECT_EQ(s.by_day[1].first, "2026-11-19");
}

TEST(WaitingStats, NothingMeasuredIsZero) {
  auto s = summarize({}, 480);
  EXPECT_EQ(s.overall.patients, 0);
  EXPECT_EQ(s.overall.wait_to_call.count, 0);
  EXPECT_TRUE(s.by_clinic.empty());
}

}  // namespace
}  // namespace stork::triage
