#pragma once
// The simulator's notification deliveries: a queue ordered by due time and
// one delivery thread that POSTs each notification to the merchant's
// notify_url. Success is HTTP 200 or 204; anything else (a 500, a refused
// connection while the merchant is down) is retried after
// retry_interval × attempts, up to max_attempts, every attempt re-signed
// with a fresh timestamp and nonce. Verbatim entries (replays, forgeries)
// go out once, byte for byte.
//
// Waiting uses steady time on the delivery thread (condition variable), so
// tests with a manual business clock still see real retry timing.
//
// Thread safety: every public member is safe from any thread. Tasks given
// to at() run on the delivery thread with no lock of the outbox held.
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "core/clock.hpp"
#include "paysim/notice.hpp"

namespace stork::paysim {

struct DeliveryRecord {
  int64_t id = 0;
  std::string out_trade_no, out_refund_no, event_type;
  std::string kind;  // original | duplicate | replay | forged
  int attempts = 0;
  bool delivered = false;
  bool abandoned = false;
  int last_status = 0;              // 0: no HTTP answer
  std::string last_error;           // when there was no answer
  std::vector<std::string> nonces;  // one per attempt, in order
};

struct OutgoingNotice {
  std::string out_trade_no, out_refund_no, event_type, kind;
  std::string url;
  std::string body;
  std::optional<Envelope> verbatim;  // set: sent once exactly as is
  std::chrono::milliseconds delay{0};
  // Set: once delivered, re-send the delivered bytes and headers this much later.
  std::optional<std::chrono::milliseconds> replay_after;
};

class Outbox {
 public:
  struct Options {
    std::chrono::milliseconds retry_interval{15000};
    int max_attempts = 15;
    int timeout_ms = 5000;
  };

  // The clock stamps each attempt's signature; maker signs it.
  Outbox(const Clock& clock, const NoticeMaker& maker, Options options);
  ~Outbox();  // stop()
  Outbox(const Outbox&) = delete;
  Outbox& operator=(const Outbox&) = delete;

  void start();
  // Ends the delivery thread; queued deliveries and tasks are dropped. Idempotent.
  void stop();

  int64_t post(OutgoingNotice notice);
  void at(std::chrono::milliseconds delay, std::function<void()> task);

  // Notifications neither delivered nor abandoned.
  size_t pending() const;
  std::vector<DeliveryRecord> records() const;

 private:
  using SteadyTime = std::chrono::steady_clock::time_point;
  struct Job {
    int64_t delivery = 0;  // or 0 for a task
    std::function<void()> task;
  };
  struct Entry {
    DeliveryRecord record;
    OutgoingNotice notice;
  };

  void run();
  void schedule(SteadyTime due, Job job);  // REQUIRES: mutex_ held
  void deliver(int64_t id);

  const Clock& clock_;
  const NoticeMaker& maker_;
  const Options options_;

  mutable std::mutex mutex_;
  std::condition_variable wake_;
  std::multimap<SteadyTime, Job> queue_;  // GUARDED_BY(mutex_)
  std::map<int64_t, Entry> entries_;      // GUARDED_BY(mutex_)
  int64_t next_id_ = 1;                   // GUARDED_BY(mutex_)
  bool stopping_ = false;                 // GUARDED_BY(mutex_)
  std::thread thread_;
};

}  // namespace stork::paysim
