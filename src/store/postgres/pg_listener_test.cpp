#include "store/postgres/pg_listener.hpp"

#include <gtest/gtest.h>

#include "core/log.hpp"

namespace stork::store {
namespace {

// Port 1 on the loopback refuses at once: the listener keeps retrying with
// back-off, and stop() must still return promptly rather than hang.
TEST(PgListener, StopsPromptlyWhileItCannotReachTheDatabase) {
  log::set_enabled(false);
  bool called = false;
  PgListener listener("postgresql://stork@127.0.0.1:1/none?connect_timeout=30", "stork_events",
                      [&](std::string_view) { called = true; }, [&](bool) { called = true; },
                      {.first_backoff = std::chrono::milliseconds(50), .max_backoff = std::chrono::minutes(10)});
  listener.start();
  EXPECT_FALSE(listener.listening());
  const auto before = std::chrono::steady_clock::now();
  listener.stop();
  EXPECT_LT(std::chrono::steady_clock::now() - before, std::chrono::seconds(5));
  EXPECT_FALSE(called);
  EXPECT_EQ(listener.sessions(), 0u);
}

TEST(PgListener, StopWithoutStartAndTwiceIsHarmless) {
  PgListener listener("postgresql://127.0.0.1:1/none", "stork_events", [](std::string_view) {});
  listener.stop();
  listener.stop();
  EXPECT_FALSE(listener.listening());
}

}  // namespace
}  // namespace stork::store
