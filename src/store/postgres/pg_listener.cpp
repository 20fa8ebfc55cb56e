#include "store/postgres/pg_listener.hpp"

#include <fcntl.h>
#include <libpq-fe.h>
#include <poll.h>
#include <unistd.h>

#include <memory>
#include <stdexcept>

#include "core/log.hpp"

namespace stork::store {
namespace {

using Clock = std::chrono::steady_clock;
using std::chrono::milliseconds;

// With no traffic for this long the listener asks the server a trivial
// question; a connection that cannot answer by the next interval is dead
// (TCP alone notices a vanished peer only after hours).
constexpr milliseconds kHeartbeat{30'000};

struct ConnDeleter {
  void operator()(PGconn* c) const { PQfinish(c); }
};
using Conn = std::unique_ptr<PGconn, ConnDeleter>;

struct ResultDeleter {
  void operator()(PGresult* r) const { PQclear(r); }
};
using PgResult = std::unique_ptr<PGresult, ResultDeleter>;

std::string one_line(const char* s) {
  std::string out;
  for (const char* p = s ? s : ""; *p; ++p) out += (*p == '\n' || *p == '\t') ? ' ' : *p;
  while (!out.empty() && out.back() == ' ') out.pop_back();
  return out;
}

void ignore_notice(void*, const char*) {}

long long ms(milliseconds d) { return static_cast<long long>(d.count()); }

}  // namespace

PgListener::PgListener(std::string conninfo, std::string channel, PayloadHandler on_payload,
                       ListeningHandler on_listening, ListenerOptions options)
    : conninfo_(std::move(conninfo)),
      channel_(std::move(channel)),
      on_payload_(std::move(on_payload)),
      on_listening_(std::move(on_listening)),
      options_(options) {
  int fds[2];
  if (::pipe2(fds, O_CLOEXEC | O_NONBLOCK) != 0) throw std::runtime_error("pipe2 failed for the event listener");
  wake_read_ = fds[0];
  wake_write_ = fds[1];
}

PgListener::~PgListener() {
  stop();
  ::close(wake_read_);
  ::close(wake_write_);
}

void PgListener::start() {
  if (thread_.joinable() || stopping_) return;
  thread_ = std::thread([this] { run(); });
}

void PgListener::stop() {
  stopping_ = true;
  const char byte = 'x';
  [[maybe_unused]] auto n = ::write(wake_write_, &byte, 1);  // a full pipe is already a wake-up
  if (thread_.joinable()) thread_.join();
}

PgListener::Wait PgListener::wait_for(int fd, short events, milliseconds timeout) const {
  pollfd fds[2] = {{wake_read_, POLLIN, 0}, {fd, events, 0}};
  const nfds_t count = fd >= 0 ? 2 : 1;
  const auto until = Clock::now() + timeout;
  for (;;) {
    if (stopping_) return Wait::woken;
    int left = -1;
    if (timeout.count() >= 0) {
      const auto remaining = std::chrono::duration_cast<milliseconds>(until - Clock::now());
      left = static_cast<int>(std::max<int64_t>(0, remaining.count()));
    }
    const int n = ::poll(fds, count, left);
    if (n < 0 && errno == EINTR) continue;
    if (fds[0].revents) return Wait::woken;
    if (n == 0) return Wait::timeout;
    return Wait::ready;  // readiness or an error condition: libpq tells which
  }
}

void PgListener::run() {
  // Connects without blocking (so stop() is heard) and issues LISTEN.
  // Returns null with `why` set on failure; null with `why` empty when woken.
  auto connect = [this](std::string& why) -> Conn {
    // application_name lets operators (and tests) find this session.
    const char* keys[] = {"dbname", "application_name", nullptr};
    const char* values[] = {conninfo_.c_str(), options_.application_name.c_str(), nullptr};
    Conn c(PQconnectStartParams(keys, values, /*expand_dbname=*/1));
    if (!c || PQstatus(c.get()) == CONNECTION_BAD) {
      why = c ? one_line(PQerrorMessage(c.get())) : "out of memory";
      return nullptr;
    }
    const auto deadline = Clock::now() + options_.connect_timeout;
    auto left = [&] { return std::chrono::duration_cast<milliseconds>(deadline - Clock::now()); };
    // libpq's documented loop: start as if asked to write.
    for (auto st = PGRES_POLLING_WRITING; st != PGRES_POLLING_OK; st = PQconnectPoll(c.get())) {
      if (st == PGRES_POLLING_FAILED) {
        why = one_line(PQerrorMessage(c.get()));
        return nullptr;
      }
      const auto w = wait_for(PQsocket(c.get()), st == PGRES_POLLING_READING ? POLLIN : POLLOUT,
                              std::max(milliseconds(0), left()));
      if (w == Wait::woken) return nullptr;
      if (w == Wait::timeout) {
        why = "connecting timed out";
        return nullptr;
      }
    }
    PQsetNoticeProcessor(c.get(), ignore_notice, nullptr);
    if (!PQsendQuery(c.get(), ("LISTEN " + channel_).c_str())) {
      why = one_line(PQerrorMessage(c.get()));
      return nullptr;
    }
    for (;;) {
      while (PQisBusy(c.get())) {
        const auto w = wait_for(PQsocket(c.get()), POLLIN, std::max(milliseconds(0), left()));
        if (w == Wait::woken) return nullptr;
        if (w == Wait::timeout || !PQconsumeInput(c.get())) {
          why = w == Wait::timeout ? "LISTEN timed out" : one_line(PQerrorMessage(c.get()));
          return nullptr;
        }
      }
      PgResult r(PQgetResult(c.get()));
      if (!r) break;
      if (PQresultStatus(r.get()) != PGRES_COMMAND_OK) {
        why = one_line(PQresultErrorMessage(r.get()));
        return nullptr;
      }
    }
    return c;
  };

  auto backoff = options_.first_backoff;
  bool listened_before = false;
  while (!stopping_) {
    std::string why;
    Conn conn = connect(why);
    if (!conn) {
      if (why.empty()) break;  // woken by stop()
      log::warn("event listener cannot connect; retrying",
                {{"channel", channel_}, {"error", why}, {"retry_ms", ms(backoff)}});
      if (wait_for(-1, 0, backoff) == Wait::woken) break;
      backoff = std::min(backoff * 2, options_.max_backoff);
      continue;
    }
    listening_ = true;
    ++sessions_;
    if (listened_before) log::info("event listener reconnected", {{"channel", channel_}});
    if (on_listening_) on_listening_(listened_before);
    listened_before = true;
    backoff = options_.first_backoff;

    bool ping_outstanding = false;
    for (;;) {
      const auto w = wait_for(PQsocket(conn.get()), POLLIN, kHeartbeat);
      if (w == Wait::woken) break;
      if (w == Wait::timeout) {
        if (ping_outstanding) {
          why = "no answer to a heartbeat";
          break;
        }
        if (!PQsendQuery(conn.get(), "SELECT 1")) {
          why = one_line(PQerrorMessage(conn.get()));
          break;
        }
        ping_outstanding = true;
        continue;
      }
      if (!PQconsumeInput(conn.get())) {
        why = one_line(PQerrorMessage(conn.get()));
        break;
      }
      while (PGnotify* n = PQnotifies(conn.get())) {
        std::unique_ptr<PGnotify, decltype(&PQfreemem)> owned(n, &PQfreemem);
        on_payload_(std::string_view(n->extra ? n->extra : ""));
      }
      // Heartbeat answers: take them once complete.
      while (ping_outstanding && !PQisBusy(conn.get())) {
        PgResult r(PQgetResult(conn.get()));
        if (!r) ping_outstanding = false;
      }
      if (PQstatus(conn.get()) == CONNECTION_BAD) {
        why = one_line(PQerrorMessage(conn.get()));
        break;
      }
    }
    listening_ = false;
    if (stopping_) break;
    log::warn("event listener lost its connection; events from other nodes are missed until it is back",
              {{"channel", channel_}, {"error", why}, {"retry_ms", ms(backoff)}});
    conn.reset();
    if (wait_for(-1, 0, backoff) == Wait::woken) break;
    backoff = std::min(backoff * 2, options_.max_backoff);
  }
  listening_ = false;
}

}  // namespace stork::store
