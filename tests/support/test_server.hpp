#pragma once
// An in-process Stork server on an ephemeral port over a fresh database of
// the chosen backend, seeded with the demo hospital (cheap password hashes),
// plus a small blocking HTTP client for API tests.
#include <boost/json.hpp>
#include <map>
#include <memory>
#include <string>

#include "app/app.hpp"
#include "core/config.hpp"

namespace stork::testing {

struct HttpResult {
  int status = 0;
  std::map<std::string, std::string> headers;  // names lower-cased
  std::string body;
  boost::json::value json() const;  // parses body; null when not JSON
  std::string header(const std::string& lower_name) const;
};

// One keep-alive connection to 127.0.0.1:port. Not thread-safe.
class HttpClient {
 public:
  explicit HttpClient(uint16_t port);
  ~HttpClient();
  HttpResult request(const std::string& method, const std::string& target,
                     const std::string& body = "", const std::map<std::string, std::string>& headers = {});
  HttpResult get(const std::string& target, const std::string& token = "");
  HttpResult post_json(const std::string& target, const boost::json::value& body,
                       const std::string& token = "");
  HttpResult patch_json(const std::string& target, const boost::json::value& body,
                        const std::string& token = "");

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

// Signs in as a demo staff account on a server at `port`; the token, or ""
// with a test failure.
std::string staff_token(uint16_t port, const std::string& username);

class TestServer {
 public:
  // config overrides apply on top of test defaults (port 0, no access log).
  explicit TestServer(store::Backend backend, ConfigLayer overrides = {});
  ~TestServer();

  uint16_t port() const { return app_->port(); }
  app::App& app() { return *app_; }
  HttpClient client() const { return HttpClient(app_->port()); }
  // Signs in as a demo account (username = role name) and returns the token.
  std::string login(const std::string& username, const std::string& password = "demo1234!");

  ManualClock& clock() { return clock_; }
  // The server's own files (key file, the gateway simulator's keys).
  const std::string& dir() const { return dir_; }

 private:
  ManualClock clock_;  // before app_: the app keeps a reference to it
  std::string dir_;
  std::unique_ptr<app::App> app_;
};

}  // namespace stork::testing
