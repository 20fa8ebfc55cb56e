#include <gtest/gtest.h>

#include "triage/scales.hpp"

namespace stork::triage {
namespace {

// Level from vitals alone, for a patient needing one resource (so no rule → IV).
int level(const Vitals& v) { return emergency_level(v, 1).level; }

TEST(EmergencyTriage, HeartRateRules) {
  EXPECT_EQ(level({.heart_rate = 181}), 1);
  EXPECT_EQ(level({.heart_rate = 180}), 2);
  EXPECT_EQ(level({.heart_rate = 150}), 2);
  EXPECT_EQ(level({.heart_rate = 149}), 4);
  EXPECT_EQ(level({.heart_rate = 51}), 4);
  EXPECT_EQ(level({.heart_rate = 50}), 2);
  EXPECT_EQ(level({.heart_rate = 40}), 2);
  EXPECT_EQ(level({.heart_rate = 39}), 1);
}

TEST(EmergencyTriage, SystolicRules) {
  EXPECT_EQ(level({.systolic_bp = 69}), 1);
  EXPECT_EQ(level({.systolic_bp = 70}), 2);
  EXPECT_EQ(level({.systolic_bp = 80}), 2);
  EXPECT_EQ(level({.systolic_bp = 81}), 4);
  EXPECT_EQ(level({.systolic_bp = 200}), 4);
  EXPECT_EQ(level({.systolic_bp = 201}), 2);
}

TEST(EmergencyTriage, SaturationRules) {
  EXPECT_EQ(level({.spo2 = 79}), 1);
  EXPECT_EQ(level({.spo2 = 80}), 2);
  EXPECT_EQ(level({.spo2 = 90}), 2);
  EXPECT_EQ(level({.spo2 = 91}), 4);
}

TEST(EmergencyTriage, TemperatureAndConsciousnessRules) {
  EXPECT_EQ(level({.temperature_c = 41.0}), 4);
  EXPECT_EQ(level({.temperature_c = 41.1}), 1);
  EXPECT_EQ(level({.consciousness = Avpu::unresponsive}), 1);
  EXPECT_EQ(level({.consciousness = Avpu::pain}), 2);
  EXPECT_EQ(level({.consciousness = Avpu::voice}), 4);
}

TEST(EmergencyTriage, TheWorstRuleDecides) {
  auto r = emergency_level({.heart_rate = 160, .spo2 = 75}, 3);
  EXPECT_EQ(r.level, 1);
  EXPECT_EQ(r.level_name, "I 濒危: immediately");
  EXPECT_EQ(emergency_level({.heart_rate = 160, .spo2 = 97}, 3).level_name, "II 危重: within 10 min");
}

TEST(EmergencyTriage, StableVitalsSplitThreeFromFourByResources) {
  const Vitals stable{.temperature_c = 37.0, .heart_rate = 80, .respiratory_rate = 16, .systolic_bp = 120,
                      .spo2 = 98, .consciousness = Avpu::alert};
  EXPECT_EQ(emergency_level(stable, 2).level, 3);
  EXPECT_EQ(emergency_level(stable, 2).level_name, "III 急症: within 30 min");
  EXPECT_EQ(emergency_level(stable, 1).level, 4);
  EXPECT_EQ(emergency_level(stable, 0).level_name, "IV 非急症: within 240 min");
  EXPECT_TRUE(emergency_level(stable, 0).missing.empty());
  // Resources never lower a level the vitals set.
  EXPECT_EQ(emergency_level({.spo2 = 85}, 0).level, 2);
}

TEST(EmergencyTriage, ReportsMissingVitals) {
  auto r = emergency_level({.heart_rate = 80}, 0);
  EXPECT_EQ(r.missing, (std::vector<std::string>{"systolic_bp", "spo2", "temperature_c", "consciousness"}));
}

}  // namespace
}  // namespace stork::triage
