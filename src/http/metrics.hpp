#pragma once
// Prometheus metrics: requests and latency histograms by route and status,
// open connections, and the database pool.
//
// Thread-safe: counters per (method, route, status) live under one mutex;
// the connection gauge is atomic.
#include <array>
#include <atomic>
#include <cstdint>
#include <map>
#include <mutex>
#include <string>
#include <tuple>

#include "store/database.hpp"

namespace stork::http {

class Metrics {
 public:
  static constexpr std::array<double, 12> kBucketsMs = {0.5, 1,   2.5, 5,    10,   25,
                                                        50,  100, 250, 500, 1000, 5000};

  void record(const std::string& method, const std::string& route, int status, double millis);
  void connection_opened() { ++open_connections_; }
  void connection_closed() { --open_connections_; }
  void connection_rejected() { ++rejected_connections_; }
  int64_t open_connections() const { return open_connections_; }

  // Text exposition format 0.0.4.
  std::string render(const store::PoolStats& pool) const;

 private:
  struct Series {
    int64_t count = 0;
    double sum_ms = 0;
    std::array<int64_t, kBucketsMs.size()> buckets{};
  };
  using Key = std::tuple<std::string, std::string, int>;  // method, route, status

  mutable std::mutex mutex_;
  std::map<Key, Series> series_;  // GUARDED_BY(mutex_)
  std::atomic<int64_t> open_connections_{0};
  std::atomic<int64_t> rejected_connections_{0};
};

}  // namespace stork::http
