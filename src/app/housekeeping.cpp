#include "app/housekeeping.hpp"

namespace stork::app {

void Housekeeping::start() {
  thread_ = std::jthread([this](std::stop_token stop) {
    std::unique_lock lock(mutex_);
    while (!stop.stop_requested()) {
      // Returns early, with stop requested, when stop() is called.
      if (wake_.wait_for(lock, stop, interval_, [] { return false; })) break;
      if (stop.stop_requested()) break;
      lock.unlock();
      work_();
      lock.lock();
    }
  });
}

void Housekeeping::stop() {
  if (!thread_.joinable()) return;
  thread_.request_stop();
  thread_.join();
}

}  // namespace stork::app
