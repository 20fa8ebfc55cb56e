#include <gtest/gtest.h>

#include "triage/scales.hpp"

namespace stork::triage {
namespace {

TEST(Scales, FindsEachScaleByItsId) {
  EXPECT_EQ(find_scale("meows"), &meows());
  EXPECT_EQ(find_scale("pews"), &pews());
  EXPECT_EQ(find_scale("emergency_triage"), &emergency_triage());
}

TEST(Scales, ReturnsNullForAnUnknownId) {
  EXPECT_EQ(find_scale(""), nullptr);
  EXPECT_EQ(find_scale("auto"), nullptr);
  EXPECT_EQ(find_scale("MEOWS"), nullptr);  // ids are exact
  EXPECT_EQ(find_scale("bedside_pews"), nullptr);
}

TEST(Scales, ReportTheirOwnIdInResults) {
  EXPECT_EQ(evaluate(meows(), {})->scale, "meows");
  EXPECT_EQ(evaluate(pews(), {.age_months = 24})->scale, "pews");
  EXPECT_EQ(emergency_level({}, 0).scale, "emergency_triage");
}

TEST(Scales, EveryScaleEndsWithALevelThatAlwaysMatches) {
  for (const Scale* s : {&meows(), &pews(), &emergency_triage()}) {
    SCOPED_TRACE(std::string(s->id));
    ASSERT_FALSE(s->levels.empty());
    EXPECT_FALSE(s->levels.back().when_triggered);
    EXPECT_EQ(s->levels.back().min_total, 0);
  }
}

}  // namespace
}  // namespace stork::triage
