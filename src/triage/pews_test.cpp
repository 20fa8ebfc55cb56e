#include <gtest/gtest.h>

#include "triage/scales.hpp"

namespace stork::triage {
namespace {

// The score of the one parameter set in v, for a child of `age_months`.
int item(int age_months, Vitals v) {
  v.age_months = age_months;
  auto r = evaluate(pews(), v);
  EXPECT_TRUE(r.has_value());
  if (!r) return -1;
  for (const auto& s : r->scores)
    if (s.param != Param::oxygen_therapy) return s.score;  // room air is implied
  return r->total;
}

// One age group's "≥ hi or ≤ lo" thresholds for 1, 2 and 4 points, as printed
// in Parshuram 2009, Table 1; strict bounds already turned into whole numbers.
struct Cuts {
  int hi1, lo1, hi2, lo2, hi4, lo4;
};

// Checks every edge: each threshold scores, the value one step inside does not.
void expect_cuts(int age, Cuts c, std::optional<int> Vitals::*field, const char* what) {
  SCOPED_TRACE(std::string(what) + " at " + std::to_string(age) + " months");
  auto at = [&](int x) {
    Vitals v;
    v.*field = x;
    return item(age, v);
  };
  EXPECT_EQ(at(c.hi1 - 1), 0);
  EXPECT_EQ(at(c.lo1 + 1), 0);
  EXPECT_EQ(at(c.hi1), 1);
  EXPECT_EQ(at(c.lo1), 1);
  EXPECT_EQ(at(c.hi2 - 1), 1);
  EXPECT_EQ(at(c.lo2 + 1), 1);
  EXPECT_EQ(at(c.hi2), 2);
  EXPECT_EQ(at(c.lo2), 2);
  EXPECT_EQ(at(c.hi4 - 1), 2);
  EXPECT_EQ(at(c.lo4 + 1), 2);
  EXPECT_EQ(at(c.hi4), 4);
  EXPECT_EQ(at(c.lo4), 4);
}

TEST(Pews, HeartRateBandsForEveryAgeGroup) {
  expect_cuts(0, {150, 110, 180, 90, 190, 80}, &Vitals::heart_rate, "heart rate");
  expect_cuts(3, {150, 100, 170, 80, 180, 70}, &Vitals::heart_rate, "heart rate");
  expect_cuts(12, {120, 90, 150, 70, 170, 60}, &Vitals::heart_rate, "heart rate");
  expect_cuts(48, {110, 70, 130, 60, 151, 50}, &Vitals::heart_rate, "heart rate");
  expect_cuts(144, {100, 60, 120, 49, 140, 40}, &Vitals::heart_rate, "heart rate");
}

TEST(Pews, SystolicBandsForEveryAgeGroup) {
  expect_cuts(2, {80, 60, 100, 50, 130, 45}, &Vitals::systolic_bp, "systolic");
  expect_cuts(11, {100, 80, 120, 70, 150, 60}, &Vitals::systolic_bp, "systolic");
  expect_cuts(47, {110, 90, 125, 75, 160, 65}, &Vitals::systolic_bp, "systolic");
  expect_cuts(143, {120, 90, 140, 80, 170, 70}, &Vitals::systolic_bp, "systolic");
  expect_cuts(215, {130, 100, 150, 85, 190, 75}, &Vitals::systolic_bp, "systolic");
}

TEST(Pews, RespiratoryRateBandsForEveryAgeGroup) {
  expect_cuts(1, {61, 29, 81, 19, 91, 15}, &Vitals::respiratory_rate, "respiratory rate");
  expect_cuts(6, {51, 24, 71, 19, 81, 15}, &Vitals::respiratory_rate, "respiratory rate");
  expect_cuts(30, {41, 19, 61, 15, 71, 12}, &Vitals::respiratory_rate, "respiratory rate");
  expect_cuts(100, {31, 19, 41, 14, 51, 10}, &Vitals::respiratory_rate, "respiratory rate");
  expect_cuts(180, {17, 11, 23, 10, 30, 9}, &Vitals::respiratory_rate, "respiratory rate");
}

TEST(Pews, PicksTheAgeGroupAtEachBoundary) {
  // A heart rate of 150 scores 1 up to 11 months, 2 from 12 to 47 months.
  EXPECT_EQ(item(2, {.heart_rate = 100}), 1);   // 0-3 months: ≤ 110
  EXPECT_EQ(item(3, {.heart_rate = 100}), 1);   // 3-12 months: ≤ 100
  EXPECT_EQ(item(3, {.heart_rate = 101}), 0);
  EXPECT_EQ(item(11, {.heart_rate = 150}), 1);
  EXPECT_EQ(item(12, {.heart_rate = 150}), 2);
  EXPECT_EQ(item(47, {.heart_rate = 120}), 1);
  EXPECT_EQ(item(48, {.heart_rate = 120}), 1);
  EXPECT_EQ(item(48, {.heart_rate = 109}), 0);
  EXPECT_EQ(item(47, {.heart_rate = 109}), 0);
  EXPECT_EQ(item(143, {.heart_rate = 105}), 0);
  EXPECT_EQ(item(144, {.heart_rate = 105}), 1);
}

TEST(Pews, RefusesAnAgeTheScaleDoesNotCover) {
  auto r = evaluate(pews(), {.heart_rate = 80, .age_months = 216});
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().fields.at(0).field, "age_months");
}

TEST(Pews, WithoutAnAgeScoresNothingAndSaysSo) {
  auto r = evaluate(pews(), {.heart_rate = 250});
  ASSERT_TRUE(r);
  EXPECT_EQ(r->missing.front(), "age_months");
  EXPECT_TRUE(r->scores.empty());
  EXPECT_EQ(r->total, 0);
}

TEST(Pews, AgeIndependentItems) {
  EXPECT_EQ(item(60, {.capillary_refill_seconds = 2.9}), 0);
  EXPECT_EQ(item(60, {.capillary_refill_seconds = 3.0}), 4);
  EXPECT_EQ(item(60, {.respiratory_effort = Effort::normal}), 0);
  EXPECT_EQ(item(60, {.respiratory_effort = Effort::mild}), 1);
  EXPECT_EQ(item(60, {.respiratory_effort = Effort::moderate}), 2);
  EXPECT_EQ(item(60, {.respiratory_effort = Effort::severe}), 4);
  EXPECT_EQ(item(60, {.spo2 = 95}), 0);
  EXPECT_EQ(item(60, {.spo2 = 94}), 1);
  EXPECT_EQ(item(60, {.spo2 = 91}), 1);
  EXPECT_EQ(item(60, {.spo2 = 90}), 2);
}

int oxygen_score(Vitals v) {
  v.age_months = 60;
  auto r = *evaluate(pews(), v);
  for (const auto& s : r.scores)
    if (s.param == Param::oxygen_therapy) return s.score;
  return -1;
}

TEST(Pews, OxygenTherapyItem) {
  EXPECT_EQ(oxygen_score({}), 0);  // room air needs no flow recorded
  EXPECT_EQ(oxygen_score({.oxygen_therapy = OxygenTherapy::room_air}), 0);
  EXPECT_EQ(oxygen_score({.supplemental_oxygen = true, .oxygen_therapy = OxygenTherapy::low}), 2);
  EXPECT_EQ(oxygen_score({.supplemental_oxygen = true, .oxygen_therapy = OxygenTherapy::high}), 4);
  EXPECT_EQ(oxygen_score({.supplemental_oxygen = true}), -1);  // on oxygen, flow unknown: missing
  auto r = *evaluate(pews(), {.supplemental_oxygen = true, .age_months = 60});
  EXPECT_NE(std::ranges::find(r.missing, "oxygen_therapy"), r.missing.end());
}

const Vitals kWellFiveYearOld{.heart_rate = 90, .respiratory_rate = 22, .systolic_bp = 100, .spo2 = 98,
                              .age_months = 60, .capillary_refill_seconds = 2.0,
                              .respiratory_effort = Effort::normal};

TEST(Pews, AWellChildScoresZeroWithNothingMissing) {
  auto r = *evaluate(pews(), kWellFiveYearOld);
  EXPECT_EQ(r.total, 0);
  EXPECT_TRUE(r.missing.empty());
  EXPECT_EQ(r.scores.size(), 7u);
  EXPECT_FALSE(r.triggered);
  EXPECT_EQ(r.level, 2);
}

TEST(Pews, TriggersAtEightNotSeven) {
  Vitals v = kWellFiveYearOld;
  v.capillary_refill_seconds = 3.0;          // 4
  v.respiratory_effort = Effort::moderate;   // 2
  v.heart_rate = 130;                        // 2
  auto eight = *evaluate(pews(), v);
  EXPECT_EQ(eight.total, 8);
  EXPECT_TRUE(eight.triggered);
  EXPECT_EQ(eight.level, 1);
  v.heart_rate = 129;                        // 1
  auto seven = *evaluate(pews(), v);
  EXPECT_EQ(seven.total, 7);
  EXPECT_FALSE(seven.triggered);
  EXPECT_EQ(seven.level, 2);
}

TEST(Pews, MaximumScoreIsTwentySix) {
  Vitals v{.heart_rate = 250, .respiratory_rate = 100, .systolic_bp = 250, .spo2 = 80,
           .supplemental_oxygen = true, .oxygen_therapy = OxygenTherapy::high, .age_months = 60,
           .capillary_refill_seconds = 6.0, .respiratory_effort = Effort::severe};
  EXPECT_EQ(evaluate(pews(), v)->total, 26);
}

}  // namespace
}  // namespace stork::triage
