#include "triage/vitals.hpp"

#include <gtest/gtest.h>

#include <limits>

namespace stork::triage {
namespace {

bool refuses(const Vitals& v, std::string_view field) {
  auto s = check_vitals(v);
  if (s) return false;
  EXPECT_EQ(s.error().code, Error::invalid("x", "y").code);
  for (const auto& f : s.error().fields)
    if (f.field == field) return true;
  return false;
}

TEST(Vitals, AcceptsAnEmptyRecordAndOrdinaryValues) {
  EXPECT_TRUE(check_vitals(Vitals{}));
  Vitals v{.temperature_c = 36.8, .heart_rate = 80, .respiratory_rate = 16, .systolic_bp = 120, .diastolic_bp = 80,
           .spo2 = 98, .consciousness = Avpu::alert, .gestational_week = 32, .fetal_heart_rate = 140};
  EXPECT_TRUE(check_vitals(v));
  EXPECT_TRUE(implausible(v).empty());
}

TEST(Vitals, RefusesValuesOutsidePhysicalRangeNamingTheField) {
  EXPECT_TRUE(refuses({.temperature_c = 60.0}, "temperature_c"));
  EXPECT_TRUE(refuses({.temperature_c = 45.1}, "temperature_c"));
  EXPECT_TRUE(refuses({.temperature_c = 19.9}, "temperature_c"));
  EXPECT_TRUE(refuses({.temperature_c = -1.0}, "temperature_c"));
  EXPECT_TRUE(refuses({.spo2 = 130}, "spo2"));
  EXPECT_TRUE(refuses({.spo2 = 101}, "spo2"));
  EXPECT_TRUE(refuses({.spo2 = -5}, "spo2"));
  EXPECT_TRUE(refuses({.heart_rate = 0}, "heart_rate"));
  EXPECT_TRUE(refuses({.heart_rate = 400}, "heart_rate"));
  EXPECT_TRUE(refuses({.heart_rate = 301}, "heart_rate"));
  EXPECT_TRUE(refuses({.respiratory_rate = 0}, "respiratory_rate"));
  EXPECT_TRUE(refuses({.respiratory_rate = 121}, "respiratory_rate"));
  EXPECT_TRUE(refuses({.systolic_bp = 29}, "systolic_bp"));
  EXPECT_TRUE(refuses({.systolic_bp = 301}, "systolic_bp"));
  EXPECT_TRUE(refuses({.diastolic_bp = 9}, "diastolic_bp"));
  EXPECT_TRUE(refuses({.diastolic_bp = 201}, "diastolic_bp"));
  EXPECT_TRUE(refuses({.gestational_week = 46}, "gestational_week"));
  EXPECT_TRUE(refuses({.fetal_heart_rate = 261}, "fetal_heart_rate"));
  EXPECT_TRUE(refuses({.age_months = -1}, "age_months"));
  EXPECT_TRUE(refuses({.capillary_refill_seconds = -0.5}, "capillary_refill_seconds"));
  EXPECT_TRUE(refuses({.capillary_refill_seconds = 31.0}, "capillary_refill_seconds"));
}

TEST(Vitals, AcceptsTheEdgesOfThePhysicalRange) {
  EXPECT_TRUE(check_vitals({.temperature_c = 20.0}));
  EXPECT_TRUE(check_vitals({.temperature_c = 45.0}));
  EXPECT_TRUE(check_vitals({.heart_rate = 1}));
  EXPECT_TRUE(check_vitals({.heart_rate = 300}));
  EXPECT_TRUE(check_vitals({.spo2 = 30}));
  EXPECT_TRUE(check_vitals({.spo2 = 100}));
  EXPECT_TRUE(check_vitals({.age_months = 0}));
}

// Each physical limit: the limit itself is accepted, one step past it refused.
TEST(Vitals, EveryPhysicalLimitIsInclusive) {
  struct Edge {
    const char* field;
    Vitals at_min, below_min, at_max, above_max;
  };
  const Edge edges[] = {
      {"temperature_c", {.temperature_c = 20.0}, {.temperature_c = 19.9}, {.temperature_c = 45.0},
       {.temperature_c = 45.1}},
      {"heart_rate", {.heart_rate = 1}, {.heart_rate = 0}, {.heart_rate = 300}, {.heart_rate = 301}},
      {"respiratory_rate", {.respiratory_rate = 1}, {.respiratory_rate = 0}, {.respiratory_rate = 120},
       {.respiratory_rate = 121}},
      {"systolic_bp", {.systolic_bp = 30}, {.systolic_bp = 29}, {.systolic_bp = 300}, {.systolic_bp = 301}},
      {"diastolic_bp", {.diastolic_bp = 10}, {.diastolic_bp = 9}, {.diastolic_bp = 200}, {.diastolic_bp = 201}},
      {"spo2", {.spo2 = 30}, {.spo2 = 29}, {.spo2 = 100}, {.spo2 = 101}},
      {"gestational_week", {.gestational_week = 4}, {.gestational_week = 3}, {.gestational_week = 45},
       {.gestational_week = 46}},
      {"fetal_heart_rate", {.fetal_heart_rate = 30}, {.fetal_heart_rate = 29}, {.fetal_heart_rate = 260},
       {.fetal_heart_rate = 261}},
      {"age_months", {.age_months = 0}, {.age_months = -1}, {.age_months = 1500}, {.age_months = 1501}},
      {"capillary_refill_seconds", {.capillary_refill_seconds = 0.0}, {.capillary_refill_seconds = -0.1},
       {.capillary_refill_seconds = 30.0}, {.capillary_refill_seconds = 30.1}},
  };
  for (const Edge& e : edges) {
    SCOPED_TRACE(e.field);
    EXPECT_TRUE(check_vitals(e.at_min));
    EXPECT_TRUE(check_vitals(e.at_max));
    EXPECT_TRUE(refuses(e.below_min, e.field));
    EXPECT_TRUE(refuses(e.above_max, e.field));
  }
}

TEST(Vitals, RefusesANotANumberTemperature) {
  EXPECT_TRUE(refuses({.temperature_c = std::numeric_limits<double>::quiet_NaN()}, "temperature_c"));
  EXPECT_TRUE(refuses({.capillary_refill_seconds = std::numeric_limits<double>::infinity()},
                      "capillary_refill_seconds"));
}

TEST(Vitals, ReportsEveryBadFieldAtOnce) {
  auto fields = vitals_errors({.temperature_c = 60.0, .heart_rate = 400, .spo2 = 130});
  ASSERT_EQ(fields.size(), 3u);
  EXPECT_EQ(fields[0].field, "temperature_c");
  EXPECT_EQ(fields[0].message, "must be between 20 and 45 °C");
  EXPECT_EQ(fields[1].field, "heart_rate");
  EXPECT_EQ(fields[2].field, "spo2");
}

TEST(Vitals, RefusesADiastolicPressureNotBelowTheSystolic) {
  EXPECT_TRUE(refuses({.systolic_bp = 80, .diastolic_bp = 120}, "diastolic_bp"));
  EXPECT_TRUE(refuses({.systolic_bp = 90, .diastolic_bp = 90}, "diastolic_bp"));
  EXPECT_TRUE(check_vitals({.systolic_bp = 90, .diastolic_bp = 89}));
}

TEST(Vitals, RefusesAnOxygenFlowWithoutSupplementalOxygen) {
  EXPECT_TRUE(refuses({.oxygen_therapy = OxygenTherapy::high}, "oxygen_therapy"));
  EXPECT_TRUE(check_vitals({.supplemental_oxygen = true, .oxygen_therapy = OxygenTherapy::high}));
  EXPECT_TRUE(check_vitals({.oxygen_therapy = OxygenTherapy::room_air}));
}

TEST(Vitals, FlagsImplausibleButPossibleValues) {
  Vitals v{.temperature_c = 41.0, .heart_rate = 220};
  ASSERT_TRUE(check_vitals(v));
  auto flags = implausible(v);
  ASSERT_EQ(flags.size(), 2u);
  EXPECT_EQ(flags[0].field, "temperature_c");
  EXPECT_EQ(flags[0].message, "above 40.5 °C, check again");
  EXPECT_EQ(flags[1].field, "heart_rate");
  EXPECT_EQ(flags[1].message, "above 200 beats/min, check again");
}

// Each implausibility threshold: the threshold is quiet, one step past it flags.
// (spo2 above 100, gestational_week below 4 and capillary refill below 0 are
// refused outright, so those sides have no flag edge.)
TEST(Vitals, EveryImplausibilityThresholdIsInclusive) {
  struct Edge {
    const char* field;
    Vitals quiet, flagged;
  };
  const Edge edges[] = {
      {"temperature_c", {.temperature_c = 34.0}, {.temperature_c = 33.9}},
      {"temperature_c", {.temperature_c = 40.5}, {.temperature_c = 40.6}},
      {"heart_rate", {.heart_rate = 30}, {.heart_rate = 29}},
      {"heart_rate", {.heart_rate = 200}, {.heart_rate = 201}},
      {"respiratory_rate", {.respiratory_rate = 6}, {.respiratory_rate = 5}},
      {"respiratory_rate", {.respiratory_rate = 70}, {.respiratory_rate = 71}},
      {"systolic_bp", {.systolic_bp = 60}, {.systolic_bp = 59}},
      {"systolic_bp", {.systolic_bp = 250}, {.systolic_bp = 251}},
      {"diastolic_bp", {.diastolic_bp = 20}, {.diastolic_bp = 19}},
      {"diastolic_bp", {.diastolic_bp = 150}, {.diastolic_bp = 151}},
      {"spo2", {.spo2 = 70}, {.spo2 = 69}},
      {"gestational_week", {.gestational_week = 43}, {.gestational_week = 44}},
      {"fetal_heart_rate", {.fetal_heart_rate = 100}, {.fetal_heart_rate = 99}},
      {"fetal_heart_rate", {.fetal_heart_rate = 200}, {.fetal_heart_rate = 201}},
      {"capillary_refill_seconds", {.capillary_refill_seconds = 10.0}, {.capillary_refill_seconds = 10.1}},
  };
  for (const Edge& e : edges) {
    SCOPED_TRACE(e.field);
    ASSERT_TRUE(check_vitals(e.quiet));
    ASSERT_TRUE(check_vitals(e.flagged));
    EXPECT_TRUE(implausible(e.quiet).empty());
    auto flags = implausible(e.flagged);
    ASSERT_EQ(flags.size(), 1u);
    EXPECT_EQ(flags[0].field, e.field);
  }
}

TEST(Vitals, FlagsStartJustPastTheirThresholds) {
  EXPECT_TRUE(implausible({.temperature_c = 40.5}).empty());
  EXPECT_EQ(implausible({.temperature_c = 40.6}).size(), 1u);
  EXPECT_TRUE(implausible({.temperature_c = 34.0}).empty());
  EXPECT_EQ(implausible({.temperature_c = 33.9})[0].message, "below 34 °C, check again");
  EXPECT_TRUE(implausible({.heart_rate = 200}).empty());
  EXPECT_EQ(implausible({.heart_rate = 201}).size(), 1u);
  EXPECT_EQ(implausible({.heart_rate = 29}).size(), 1u);
  EXPECT_EQ(implausible({.spo2 = 69})[0].field, "spo2");
  EXPECT_EQ(implausible({.respiratory_rate = 71})[0].field, "respiratory_rate");
  EXPECT_EQ(implausible({.systolic_bp = 251})[0].field, "systolic_bp");
  EXPECT_EQ(implausible({.diastolic_bp = 151})[0].field, "diastolic_bp");
  EXPECT_EQ(implausible({.fetal_heart_rate = 90})[0].field, "fetal_heart_rate");
  EXPECT_EQ(implausible({.gestational_week = 44})[0].field, "gestational_week");
  EXPECT_EQ(implausible({.capillary_refill_seconds = 12.0})[0].field, "capillary_refill_seconds");
}

}  // namespace
}  // namespace stork::triage
