#pragma once
// The MLLP listener: a TCP server that reads HL7 v2 messages framed
// <VT> message <FS><CR> and answers each one, framed the same way.
//
// HL7 original mode: one message at a time per connection. The next
// message is not read before the answer to the previous one is written,
// so answers on a connection come in the order of the messages; messages
// a sender pipelines are answered in order too.
//
// Threads: `io_threads` run one io_context (each connection on its own
// strand); the handler runs on `worker_threads` because it may block on the
// database, never on an I/O thread.
//
// Limits (a LIS is trusted to speak HL7, not to be well-behaved):
//   - a frame over max_frame_bytes drops the connection once the limit is
//     read: memory per connection stays bounded;
//   - bytes outside any frame (garbage, a stream without VT) are thrown away;
//     past max_discarded_bytes since the last message, or at the first FS not
//     followed by CR, the connection is dropped;
//   - idle_timeout closes a connection with no message started; a message,
//     once started, must arrive whole within frame_timeout (a sender that
//     trickles a byte now and then does not hold a connection forever);
//     an answer must be written within write_timeout;
//   - beyond max_connections new connections are closed at once.
//
// This header keeps Asio out of its includers.
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>

#include "core/error.hpp"

namespace stork::interop {

// The answer to one message (unframed), e.g. Hl7Endpoint::answer. Called on
// worker threads, several at once; must not throw (if it does, the
// connection is dropped).
using MllpHandler = std::function<std::string(std::string_view message)>;

struct MllpListenerOptions {
  std::string address = "127.0.0.1";
  uint16_t port = 2575;  // 0: any free port (see port())
  int io_threads = 1;
  int worker_threads = 2;
  size_t max_frame_bytes = (size_t{1} << 20) + 4096;
  uint64_t max_discarded_bytes = 4096;
  int max_connections = 100;
  // A LIS keeps its connection across quiet hours; this only reclaims
  // connections a sender forgot (it reconnects when it has a message).
  std::chrono::milliseconds idle_timeout{std::chrono::hours(1)};
  std::chrono::milliseconds frame_timeout{std::chrono::seconds(30)};
  std::chrono::milliseconds write_timeout{std::chrono::seconds(30)};
};

// Counters since start(), for logs and metrics.
struct MllpListenerStats {
  uint64_t connections_accepted = 0;
  uint64_t connections_refused = 0;  // over max_connections
  uint64_t connections_open = 0;
  uint64_t messages = 0;              // answered
  uint64_t dropped_too_large = 0;     // frame over max_frame_bytes
  uint64_t dropped_bad_stream = 0;    // garbage past the limit, bad trailer
  uint64_t dropped_timeout = 0;       // idle, frame or write timeout
};

class MllpListener {
 public:
  // The handler must stay callable until stop() returns.
  MllpListener(MllpListenerOptions options, MllpHandler handler);
  ~MllpListener();  // stop()
  MllpListener(const MllpListener&) = delete;
  MllpListener& operator=(const MllpListener&) = delete;

  // Binds, listens and starts the threads. Error: mllp_bind_failed. Call once.
  Status start();
  // The bound port (after start()).
  uint16_t port() const;
  // Closes the listening socket and every connection, waits for handlers
  // already running, joins the threads. Answers not yet written are lost
  // (the sender resends: it never got the ACK). Idempotent.
  void stop();

  MllpListenerStats stats() const;

  struct Impl;  // defined in mllp_listener.cpp with the Asio types

 private:
  std::unique_ptr<Impl> impl_;
};

}  // namespace stork::interop
