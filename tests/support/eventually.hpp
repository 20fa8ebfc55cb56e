#pragma once
// Waiting for something another thread or process does (a gateway
// notification arriving): polls the condition until it holds or the
// deadline passes. The caller asserts the result, so a slow machine waits
// longer and a broken one fails; nothing relies on a guessed delay.
#include <chrono>
#include <functional>
#include <thread>

namespace stork::testing {

inline bool eventually(const std::function<bool()>& condition,
                       std::chrono::milliseconds deadline = std::chrono::seconds(20)) {
  const auto until = std::chrono::steady_clock::now() + deadline;
  while (!condition()) {
    if (std::chrono::steady_clock::now() > until) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(10));  // poll interval, not a guess at timing
  }
  return true;
}

}  // namespace stork::testing
