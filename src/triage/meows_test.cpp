#include <gtest/gtest.h>

#include "triage/scales.hpp"

namespace stork::triage {
namespace {

ScaleResult score(const Vitals& v) { return *evaluate(meows(), v); }

Colour colour_of(const Vitals& v) {
  auto r = score(v);
  EXPECT_EQ(r.scores.size(), 1u);
  return r.scores.empty() ? Colour::none : r.scores[0].colour;
}

constexpr Colour W = Colour::none, Y = Colour::yellow, R = Colour::red;

// Each published band edge, just inside and just outside (Singh 2012, Table 1).
TEST(Meows, TemperatureBands) {
  EXPECT_EQ(colour_of({.temperature_c = 34.9}), R);
  EXPECT_EQ(colour_of({.temperature_c = 35.0}), Y);
  EXPECT_EQ(colour_of({.temperature_c = 36.0}), Y);
  EXPECT_EQ(colour_of({.temperature_c = 36.1}), W);
  EXPECT_EQ(colour_of({.temperature_c = 38.0}), W);
  EXPECT_EQ(colour_of({.temperature_c = 38.1}), R);
  EXPECT_EQ(colour_of({.temperature_c = 38.04}), W);  // recorded to 0.1 °C
}

TEST(Meows, SystolicBands) {
  EXPECT_EQ(colour_of({.systolic_bp = 89}), R);
  EXPECT_EQ(colour_of({.systolic_bp = 90}), Y);
  EXPECT_EQ(colour_of({.systolic_bp = 100}), Y);
  EXPECT_EQ(colour_of({.systolic_bp = 101}), W);
  EXPECT_EQ(colour_of({.systolic_bp = 149}), W);
  EXPECT_EQ(colour_of({.systolic_bp = 150}), Y);
  EXPECT_EQ(colour_of({.systolic_bp = 160}), Y);
  EXPECT_EQ(colour_of({.systolic_bp = 161}), R);
}

TEST(Meows, DiastolicBands) {
  EXPECT_EQ(colour_of({.diastolic_bp = 89}), W);
  EXPECT_EQ(colour_of({.diastolic_bp = 90}), Y);
  EXPECT_EQ(colour_of({.diastolic_bp = 100}), Y);
  EXPECT_EQ(colour_of({.diastolic_bp = 101}), R);
}

TEST(Meows, HeartRateBands) {
  EXPECT_EQ(colour_of({.heart_rate = 39}), R);
  EXPECT_EQ(colour_of({.heart_rate = 40}), Y);
  EXPECT_EQ(colour_of({.heart_rate = 50}), Y);
  EXPECT_EQ(colour_of({.heart_rate = 51}), W);
  EXPECT_EQ(colour_of({.heart_rate = 99}), W);
  EXPECT_EQ(colour_of({.heart_rate = 100}), Y);
  EXPECT_EQ(colour_of({.heart_rate = 120}), Y);
  EXPECT_EQ(colour_of({.heart_rate = 121}), R);
}

TEST(Meows, RespiratoryRateBands) {
  EXPECT_EQ(colour_of({.respiratory_rate = 9}), R);
  EXPECT_EQ(colour_of({.respiratory_rate = 10}), W);
  EXPECT_EQ(colour_of({.respiratory_rate = 20}), W);
  EXPECT_EQ(colour_of({.respiratory_rate = 21}), Y);
  EXPECT_EQ(colour_of({.respiratory_rate = 30}), Y);
  EXPECT_EQ(colour_of({.respiratory_rate = 31}), R);
}

TEST(Meows, SaturationAndConsciousnessBands) {
  EXPECT_EQ(colour_of({.spo2 = 94}), R);
  EXPECT_EQ(colour_of({.spo2 = 95}), W);
  EXPECT_EQ(colour_of({.consciousness = Avpu::alert}), W);
  EXPECT_EQ(colour_of({.consciousness = Avpu::voice}), Y);
  EXPECT_EQ(colour_of({.consciousness = Avpu::pain}), R);
  EXPECT_EQ(colour_of({.consciousness = Avpu::unresponsive}), R);
}

const Vitals kNormal{.temperature_c = 36.8, .heart_rate = 80, .respiratory_rate = 16, .systolic_bp = 115,
                     .diastolic_bp = 75, .spo2 = 98, .consciousness = Avpu::alert};

TEST(Meows, NormalVitalsDoNotTrigger) {
  auto r = score(kNormal);
  EXPECT_FALSE(r.triggered);
  EXPECT_EQ(r.total, 0);
  EXPECT_EQ(r.level, 2);
  EXPECT_TRUE(r.missing.empty());
  EXPECT_EQ(r.scores.size(), 7u);
}

TEST(Meows, OneYellowDoesNotTrigger) {
  Vitals v = kNormal;
  v.heart_rate = 110;
  auto r = score(v);
  EXPECT_EQ(r.yellows, 1);
  EXPECT_FALSE(r.triggered);
}

TEST(Meows, TwoYellowsTrigger) {
  Vitals v = kNormal;
  v.heart_rate = 110;
  v.diastolic_bp = 95;
  auto r = score(v);
  EXPECT_EQ(r.yellows, 2);
  EXPECT_EQ(r.reds, 0);
  EXPECT_TRUE(r.triggered);
  EXPECT_EQ(r.level, 1);
  EXPECT_EQ(r.total, 2);
}

TEST(Meows, OneRedTriggers) {
  Vitals v = kNormal;
  v.spo2 = 93;
  auto r = score(v);
  EXPECT_EQ(r.reds, 1);
  EXPECT_TRUE(r.triggered);
  EXPECT_EQ(r.level, 1);
}

TEST(Meows, ReportsMissingParametersAndStillScoresTheRest) {
  auto r = score({.heart_rate = 130, .spo2 = 97});
  EXPECT_EQ(r.missing, (std::vector<std::string>{"temperature_c", "systolic_bp", "diastolic_bp",
                                                 "respiratory_rate", "consciousness"}));
  EXPECT_TRUE(r.triggered);
  ASSERT_EQ(r.scores.size(), 2u);
  EXPECT_EQ(r.scores[0].param, Param::heart_rate);
}

TEST(Meows, DoesNotNeedAnAge) {
  EXPECT_TRUE(evaluate(meows(), kNormal).has_value());
}

}  // namespace
}  // namespace stork::triage
