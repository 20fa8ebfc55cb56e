#pragma once
// Injectable time. Everything that reads the time takes a Clock& so tests
// can set it. Times are UTC; display conversion happens at the edges.
#include <atomic>
#include <chrono>
#include <cstdint>
#include <string>

namespace stork {

using TimePoint = std::chrono::system_clock::time_point;

// Thread-safe; implementations must be callable from any thread.
class Clock {
 public:
  virtual ~Clock() = default;
  virtual TimePoint now() const = 0;
  int64_t now_ms() const;
};

class SystemClock final : public Clock {
 public:
  TimePoint now() const override { return std::chrono::system_clock::now(); }
};

// A clock that only moves when told to; for tests.
class ManualClock final : public Clock {
 public:
  explicit ManualClock(int64_t start_ms) : ms_(start_ms) {}
  TimePoint now() const override;
  void set_ms(int64_t ms) { ms_ = ms; }
  void advance(std::chrono::milliseconds d) { ms_ += d.count(); }

 private:
  std::atomic<int64_t> ms_;
};

int64_t to_ms(TimePoint t);
// RFC 3339 in UTC with milliseconds, e.g. 2026-11-27T08:00:00.000Z.
std::string format_utc(int64_t ms);

}  // namespace stork
