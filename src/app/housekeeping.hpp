#pragma once
// Periodic work of a running server: marking no-shows once their session
// has ended, sending appointment reminders. Each node may run it; both are
// idempotent.
#include <chrono>
#include <condition_variable>
#include <functional>
#include <mutex>
#include <stop_token>
#include <thread>

namespace stork::app {

class Housekeeping {
 public:
  // Runs `work` every `interval` on its own thread from start() until stop().
  Housekeeping(std::chrono::milliseconds interval, std::function<void()> work)
      : interval_(interval), work_(std::move(work)) {}
  ~Housekeeping() { stop(); }

  void start();
  void stop();

 private:
  std::chrono::milliseconds interval_;
  std::function<void()> work_;
  std::mutex mutex_;
  std::condition_variable_any wake_;
  std::jthread thread_;
};

}  // namespace stork::app
