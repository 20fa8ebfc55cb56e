#include "http/metrics.hpp"

#include <gtest/gtest.h>

#include <map>
#include <sstream>
#include <string>
#include <vector>

namespace stork::http {
namespace {

// Sample lines of the exposition format: "name{labels} value" -> value.
std::map<std::string, std::string> samples(const std::string& text) {
  std::map<std::string, std::string> out;
  std::istringstream in(text);
  std::string line;
  while (std::getline(in, line)) {
    if (line.empty() || line[0] == '#') continue;
    const auto space = line.rfind(' ');
    out[line.substr(0, space)] = line.substr(space + 1);
  }
  return out;
}

const std::string kUsers = R"(method="GET",route="/api/v1/users",status="200")";

std::string bucket(const std::string& labels, const std::string& le) {
  return "stork_http_request_duration_seconds_bucket{" + labels + ",le=\"" + le + "\"}";
}

TEST(Metrics, CountsRequestsPerMethodRouteAndStatus) {
  Metrics m;
  m.record("GET", "/api/v1/users", 200, 1);
  m.record("GET", "/api/v1/users", 200, 2);
  m.record("GET", "/api/v1/users", 404, 1);
  m.record("POST", "/api/v1/auth/login", 401, 80);
  const auto s = samples(m.render({}));
  EXPECT_EQ(s.at("stork_http_requests_total{" + kUsers + "}"), "2");
  EXPECT_EQ(s.at(R"(stork_http_requests_total{method="GET",route="/api/v1/users",status="404"})"), "1");
  EXPECT_EQ(
      s.at(R"(stork_http_requests_total{method="POST",route="/api/v1/auth/login",status="401"})"),
      "1");
}

TEST(Metrics, FillsHistogramBucketsCumulatively) {
  Metrics m;
  for (double ms : {0.3, 1.0, 3.0, 30.0, 700.0, 9000.0}) m.record("GET", "/api/v1/users", 200, ms);
  const auto s = samples(m.render({}));
  const std::vector<std::pair<std::string, std::string>> expected = {
      {"0.0005", "1"}, {"0.001", "2"}, {"0.0025", "2"}, {"0.005", "3"}, {"0.01", "3"},
      {"0.025", "3"},  {"0.05", "4"},  {"0.1", "4"},    {"0.25", "4"},  {"0.5", "4"},
      {"1", "5"},      {"5", "5"},     {"+Inf", "6"},
  };
  for (const auto& [le, count] : expected) {
    ASSERT_TRUE(s.contains(bucket(kUsers, le))) << le;
    EXPECT_EQ(s.at(bucket(kUsers, le)), count) << "le=" << le;
  }
  EXPECT_EQ(s.at("stork_http_request_duration_seconds_count{" + kUsers + "}"), "6");
  EXPECT_EQ(s.at("stork_http_request_duration_seconds_sum{" + kUsers + "}"), "9.7343");
}

TEST(Metrics, CountsALatencyOnABoundaryInThatBucket) {
  Metrics m;
  m.record("GET", "/api/v1/users", 200, 0.5);
  m.record("GET", "/api/v1/users", 200, 5000);
  const auto s = samples(m.render({}));
  EXPECT_EQ(s.at(bucket(kUsers, "0.0005")), "1");
  EXPECT_EQ(s.at(bucket(kUsers, "1")), "1");
  EXPECT_EQ(s.at(bucket(kUsers, "5")), "2");
}

TEST(Metrics, MakesInfinityBucketEqualTheCountEvenBeyondTheLastBound) {
  Metrics m;
  for (int i = 0; i < 7; ++i) m.record("GET", "/api/v1/users", 200, 60000);
  const auto s = samples(m.render({}));
  EXPECT_EQ(s.at(bucket(kUsers, "5")), "0");
  EXPECT_EQ(s.at(bucket(kUsers, "+Inf")), "7");
  EXPECT_EQ(s.at("stork_http_request_duration_seconds_count{" + kUsers + "}"), "7");
  EXPECT_EQ(s.at("stork_http_requests_total{" + kUsers + "}"), "7");
}

TEST(Metrics, RendersNoSeriesBeforeAnyRequest) {
  Metrics m;
  const std::string text = m.render({});
  EXPECT_EQ(text.find("stork_http_requests_total{"), std::string::npos);
  EXPECT_EQ(text.find("stork_http_request_duration_seconds_bucket{"), std::string::npos);
  EXPECT_NE(text.find("# TYPE stork_http_requests_total counter\n"), std::string::npos);
  EXPECT_NE(text.find("# TYPE stork_http_request_duration_seconds histogram\n"), std::string::npos);
}

TEST(Metrics, TracksOpenAndRejectedConnections) {
  Metrics m;
  m.connection_opened();
  m.connection_opened();
  m.connection_opened();
  m.connection_closed();
  m.connection_rejected();
  EXPECT_EQ(m.open_connections(), 2);
  const auto s = samples(m.render({}));
  EXPECT_EQ(s.at("stork_http_open_connections"), "2");
  EXPECT_EQ(s.at("stork_http_rejected_connections_total"), "1");
  EXPECT_NE(m.render({}).find("# TYPE stork_http_open_connections gauge\n"), std::string::npos);
}

TEST(Metrics, ReportsDatabasePoolStats) {
  Metrics m;
  store::PoolStats pool;
  pool.connections = 4;
  pool.in_use = 1;
  pool.waits = 17;
  const std::string text = m.render(pool);
  const auto s = samples(text);
  EXPECT_EQ(s.at("stork_db_pool_connections"), "4");
  EXPECT_EQ(s.at("stork_db_pool_in_use"), "1");
  EXPECT_EQ(s.at("stork_db_pool_waits_total"), "17");
  EXPECT_NE(text.find("# TYPE stork_db_pool_in_use gauge\n"), std::string::npos);
  EXPECT_NE(text.find("# TYPE stork_db_pool_waits_total counter\n"), std::string::npos);
}

TEST(Metrics, EndsEveryLineWithANewline) {
  Metrics m;
  m.record("GET", "/", 200, 1);
  const std::string text = m.render({});
  ASSERT_FALSE(text.empty());
  EXPECT_EQ(text.back(), '\n');
  EXPECT_EQ(text.find("\n\n"), std::string::npos);
}

}  // namespace
}  // namespace stork::http
