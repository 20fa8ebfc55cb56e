#pragma once
// The HTTP/1.1 + WebSocket server (Boost.Beast; this header keeps Beast out
// of every other translation unit).
//
// Threads: `io_threads` run the sockets; handlers that may block (database,
// argon2) run on `worker_threads` and hand their response back to the
// connection's strand. Limits: header and body size, a deadline for each
// request to arrive whole (slow clients are dropped), an idle deadline for
// keep-alive, and a cap on open connections.
#include <chrono>
#include <cstdint>
#include <memory>
#include <string>

#include "core/error.hpp"
#include "http/dispatcher.hpp"
#include "http/event_hub.hpp"
#include "http/metrics.hpp"

namespace stork::http {

// How I/O threads share sockets: one io_context run by every thread, or one
// io_context per thread with connections dealt round-robin.
enum class IoModel { shared, per_core };

struct ServerOptions {
  std::string address = "127.0.0.1";
  uint16_t port = 8080;  // 0: pick a free port
  int io_threads = 1;
  IoModel io_model = IoModel::per_core;
  int worker_threads = 4;
  int max_connections = 10000;
  uint64_t max_body_bytes = 1 << 20;
  uint32_t max_header_bytes = 8 << 10;
  std::chrono::milliseconds read_timeout{10000};
  std::chrono::milliseconds idle_timeout{60000};
  std::string tls_cert;  // PEM paths; both set: HTTPS only
  std::string tls_key;
  bool access_log = true;
  std::string websocket_path = "/api/v1/ws";
};

class Server {
 public:
  Server(ServerOptions options, const Dispatcher& dispatcher, Authenticator& auth, Metrics& metrics,
         EventHub& hub);
  ~Server();
  Server(const Server&) = delete;
  Server& operator=(const Server&) = delete;

  // Binds, listens and starts the threads. Errors: bind_failed, tls_config.
  Status start();
  uint16_t port() const;

  // Graceful stop: no new connections, idle ones are closed, requests in
  // flight finish (up to `drain`), then the threads end. Idempotent.
  void stop(std::chrono::milliseconds drain = std::chrono::seconds(30));
  // Blocks until stop() has finished.
  void wait();

  struct Impl;  // opaque: defined in server.cpp with the Beast types

 private:
  std::unique_ptr<Impl> impl_;
};

}  // namespace stork::http
