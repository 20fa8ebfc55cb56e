#pragma once
// A blocking WebSocket client for tests of the live event stream. Beast
// stays in ws_client.cpp. Not thread-safe; one per thread.
#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>

namespace stork::testing {

class WsClient {
 public:
  // Connects to 127.0.0.1:port and upgrades /api/v1/ws?access_token=…&topics=…
  // (topics comma-separated). Check ok() / status() for the outcome.
  WsClient(uint16_t port, const std::string& token, const std::string& topics);
  ~WsClient();
  WsClient(const WsClient&) = delete;
  WsClient& operator=(const WsClient&) = delete;

  bool ok() const;
  // The HTTP status of the upgrade answer (101 when it succeeded).
  int status() const;
  // The body of a refused upgrade (problem+json).
  const std::string& refusal_body() const;

  // The next text message, or nothing when none comes within timeout or
  // the connection is closed.
  std::optional<std::string> next_message(std::chrono::milliseconds timeout);

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace stork::testing
