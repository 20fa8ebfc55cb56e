#include "http/metrics.hpp"

#include <cstdio>

namespace stork::http {
namespace {

std::string labels(const std::tuple<std::string, std::string, int>& k) {
  // Route patterns and methods come from our own router: no escaping needed
  // beyond quotes, which they never contain.
  return "method=\"" + std::get<0>(k) + "\",route=\"" + std::get<1>(k) + "\",status=\"" +
         std::to_string(std::get<2>(k)) + "\"";
}

std::string number(double v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.6g", v);
  return buf;
}

}  // namespace

void Metrics::record(const std::string& method, const std::string& route, int status,
                     double millis) {
  std::lock_guard lock(mutex_);
  Series& s = series_[Key{method, route, status}];
  ++s.count;
  s.sum_ms += millis;
  for (size_t i = 0; i < kBucketsMs.size(); ++i)
    if (millis <= kBucketsMs[i]) ++s.buckets[i];
}

std::string Metrics::render(const store::PoolStats& pool) const {
  std::string out;
  out += "# HELP stork_http_requests_total HTTP requests by method, route and status.\n";
  out += "# TYPE stork_http_requests_total counter\n";
  std::lock_guard lock(mutex_);
  for (const auto& [k, s] : series_)
    out += "stork_http_requests_total{" + labels(k) + "} " + std::to_string(s.count) + "\n";
  out += "# HELP stork_http_request_duration_seconds Time from request read to response ready.\n";
  out += "# TYPE stork_http_request_duration_seconds histogram\n";
  for (const auto& [k, s] : series_) {
    const std::string l = labels(k);
    for (size_t i = 0; i < kBucketsMs.size(); ++i)
      out += "stork_http_request_duration_seconds_bucket{" + l + ",le=\"" +
             number(kBucketsMs[i] / 1000.0) + "\"} " + std::to_string(s.buckets[i]) + "\n";
    out += "stork_http_request_duration_seconds_bucket{" + l + ",le=\"+Inf\"} " +
           std::to_string(s.count) + "\n";
    out += "stork_http_request_duration_seconds_sum{" + l + "} " + number(s.sum_ms / 1000.0) + "\n";
    out += "stork_http_request_duration_seconds_count{" + l + "} " + std::to_string(s.count) + "\n";
  }
  out += "# HELP stork_http_open_connections Client connections open now.\n";
  out += "# TYPE stork_http_open_connections gauge\n";
  out += "stork_http_open_connections " + std::to_string(open_connections_.load()) + "\n";
  out += "# HELP stork_http_rejected_connections_total Connections refused at the limit.\n";
  out += "# TYPE stork_http_rejected_connections_total counter\n";
  out += "stork_http_rejected_connections_total " + std::to_string(rejected_connections_.load()) + "\n";
  out += "# HELP stork_db_pool_connections Database connections open.\n";
  out += "# TYPE stork_db_pool_connections gauge\n";
  out += "stork_db_pool_connections " + std::to_string(pool.connections) + "\n";
  out += "# HELP stork_db_pool_in_use Database connections lent out now.\n";
  out += "# TYPE stork_db_pool_in_use gauge\n";
  out += "stork_db_pool_in_use " + std::to_string(pool.in_use) + "\n";
  out += "# HELP stork_db_pool_waits_total Times a caller waited for a database connection.\n";
  out += "# TYPE stork_db_pool_waits_total counter\n";
  out += "stork_db_pool_waits_total " + std::to_string(pool.waits) + "\n";
  if (pool.write_commits > 0) {
    // Group commit: writes per commit is their ratio.
    out += "# HELP stork_db_write_commits_total Write transactions committed (SQLite groups several writes).\n";
    out += "# TYPE stork_db_write_commits_total counter\n";
    out += "stork_db_write_commits_total " + std::to_string(pool.write_commits) + "\n";
    out += "# HELP stork_db_writes_total Writes carried by those commits.\n";
    out += "# TYPE stork_db_writes_total counter\n";
    out += "stork_db_writes_total " + std::to_string(pool.writes) + "\n";
  }
  return out;
}

}  // namespace stork::http
