#pragma once
// LISTEN on one PostgreSQL channel over a connection of its own, on a thread
// of its own, handing every notification's payload to a callback. Used by
// the app's event bridge to hear the other `stork serve` nodes.
//
// The connection is re-made after a loss, with doubling back-off (logged);
// notifications sent while it was down are lost, which the on_listening
// callback (called after every successful LISTEN) lets the owner know about.
// The thread waits in poll() on the socket and a wake-up pipe, so stop()
// returns promptly even while connecting or backing off.
//
// Thread safety: start() and stop() from one owner thread; callbacks run on
// the listener thread and must not call stop(). listening() from any thread.
#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <thread>

namespace stork::store {

struct ListenerOptions {
  std::chrono::milliseconds first_backoff{200};
  std::chrono::milliseconds max_backoff{10'000};
  std::chrono::milliseconds connect_timeout{5'000};
  std::string application_name = "stork-listener";  // shown in pg_stat_activity
};

class PgListener {
 public:
  using PayloadHandler = std::function<void(std::string_view payload)>;
  // reconnected: false on the first LISTEN, true after a loss.
  using ListeningHandler = std::function<void(bool reconnected)>;

  // conninfo: a postgresql:// URL or a libpq key=value string. channel: a
  // plain identifier ([a-z_][a-z0-9_]*), quoted nowhere.
  PgListener(std::string conninfo, std::string channel, PayloadHandler on_payload,
             ListeningHandler on_listening = nullptr, ListenerOptions options = {});
  ~PgListener();  // stop()
  PgListener(const PgListener&) = delete;
  PgListener& operator=(const PgListener&) = delete;

  // Starts the thread; it connects in the background.
  void start();
  // Wakes the thread, waits for it, closes the connection. Idempotent.
  void stop();
  // True while LISTEN is in effect on a live connection.
  bool listening() const { return listening_.load(); }
  // How many times LISTEN has taken effect (1 + reconnections).
  uint64_t sessions() const { return sessions_.load(); }

 private:
  void run();
  // Waits until fd is ready for `events` (POLLIN/POLLOUT), the wake-up pipe
  // is written, or timeout (negative: none). Returns false when woken.
  enum class Wait { ready, timeout, woken };
  Wait wait_for(int fd, short events, std::chrono::milliseconds timeout) const;

  const std::string conninfo_;
  const std::string channel_;
  const PayloadHandler on_payload_;
  const ListeningHandler on_listening_;
  const ListenerOptions options_;
  int wake_read_ = -1;
  int wake_write_ = -1;
  std::atomic<bool> stopping_{false};
  std::atomic<bool> listening_{false};
  std::atomic<uint64_t> sessions_{0};
  std::thread thread_;
};

}  // namespace stork::store
