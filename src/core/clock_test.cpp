#include "core/clock.hpp"

#include <gtest/gtest.h>

#include <chrono>

namespace stork {
namespace {

TEST(FormatUtc, FormatsTheEpoch) { EXPECT_EQ(format_utc(0), "1970-01-01T00:00:00.000Z"); }

TEST(FormatUtc, FormatsA2026DateInUtc) {
  EXPECT_EQ(format_utc(1795766400000), "2026-11-27T08:00:00.000Z");
}

TEST(FormatUtc, KeepsMillisecondsWithLeadingZeros) {
  EXPECT_EQ(format_utc(1772409599123), "2026-03-01T23:59:59.123Z");
  EXPECT_EQ(format_utc(1795766400007), "2026-11-27T08:00:00.007Z");
  EXPECT_EQ(format_utc(1709210096789), "2024-02-29T12:34:56.789Z");
}

TEST(FormatUtc, FormatsTimesBefore1970WithFloorDivision) {
  EXPECT_EQ(format_utc(-1), "1969-12-31T23:59:59.999Z");
  EXPECT_EQ(format_utc(-1000), "1969-12-31T23:59:59.000Z");
  EXPECT_EQ(format_utc(-1500), "1969-12-31T23:59:58.500Z");
  EXPECT_EQ(format_utc(-14182940000), "1969-07-20T20:17:40.000Z");
  EXPECT_EQ(format_utc(-2208988800000), "1900-01-01T00:00:00.000Z");
}

TEST(ManualClock, StartsAtTheGivenTime) {
  ManualClock clock(1795766400000);
  EXPECT_EQ(clock.now_ms(), 1795766400000);
  EXPECT_EQ(to_ms(clock.now()), 1795766400000);
  EXPECT_EQ(format_utc(clock.now_ms()), "2026-11-27T08:00:00.000Z");
}

TEST(ManualClock, StandsStillUntilTold) {
  ManualClock clock(42);
  EXPECT_EQ(clock.now_ms(), 42);
  EXPECT_EQ(clock.now_ms(), 42);
}

TEST(ManualClock, MovesToASetTimeIncludingBackwards) {
  ManualClock clock(1000);
  clock.set_ms(5000);
  EXPECT_EQ(clock.now_ms(), 5000);
  clock.set_ms(-250);
  EXPECT_EQ(clock.now_ms(), -250);
}

TEST(ManualClock, AdvancesByDurations) {
  using namespace std::chrono_literals;
  ManualClock clock(1795766400000);
  clock.advance(1500ms);
  EXPECT_EQ(clock.now_ms(), 1795766401500);
  clock.advance(std::chrono::minutes(15));
  EXPECT_EQ(format_utc(clock.now_ms()), "2026-11-27T08:15:01.500Z");
}

TEST(ManualClock, IsUsableThroughTheClockInterface) {
  ManualClock manual(0);
  const Clock& clock = manual;
  manual.advance(std::chrono::seconds(3));
  EXPECT_EQ(clock.now_ms(), 3000);
}

TEST(SystemClock, ReadsTheRealTimeAfter2024) {
  SystemClock clock;
  EXPECT_GT(clock.now_ms(), 1704067200000);  // 2024-01-01T00:00:00Z
}

}  // namespace
}  // namespace stork
