// stork-surge-client: the load client of bench/surge. Opens N keep-alive
// connections, then fires a fixed number of requests over them and reports
// throughput, latency percentiles, the statuses and problem codes seen, and
// (for bookings) every 201 it received, so the script can check each one
// against the database.
//
//   stork-surge-client --port 8080 --mode book --token T --slots FILE --patient-first 1
//                      --patient-count 100000 --requests 100000 --connections 1000
//                      --created created.txt
//   stork-surge-client --port 8080 --mode healthz --requests 100000 --connections 1000
//
// Why our own client and not wrk: wrk's Lua `response()` runs per thread and
// `done()` cannot see what it collected, so it cannot hand back the 201
// bodies; and the kill -9 mode needs a client that reconnects and resends
// the request that was in flight with the same Idempotency-Key, as a real
// app retrying after a dropped connection would.
//
// Attempts are dealt to connections in fixed shares; attempt g (0-based,
// global) books patient `patient_first + g % patient_count` on a slot drawn
// from the slots file by a hash of (seed, g), with Idempotency-Key
// "<key-prefix>-<g>". A resent attempt is byte-for-byte the same request.
//
// Closed loop by default (a connection sends its next request as soon as
// the previous answer arrives, like wrk). With --rate R it is open loop:
// attempt g is due at start + order(g) / R and its latency is measured
// from when it was due, not from when it was sent (no coordinated
// omission). epoll's millisecond timeout may send up to ~1 ms late; that
// delay counts in the latency.
//
// The clock starts once every connection is established. "Before the
// kill" means answered before this client sent SIGKILL (--kill-pid); the
// 201 that triggered it counts as before.
//
// Plain sockets and one epoll loop per thread; each thread owns its
// connections and statistics, merged after the threads end. HTTP/1.1
// responses must carry Content-Length (the server always sends it).
#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <signal.h>
#include <strings.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <barrier>
#include <cerrno>
#include <chrono>
#include <cinttypes>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <map>
#include <memory>
#include <queue>
#include <string>
#include <thread>
#include <vector>

namespace stork::bench {
namespace {

using SteadyClock = std::chrono::steady_clock;
using TimePoint = SteadyClock::time_point;

constexpr const char* kUsage =
    R"(Usage: stork-surge-client --port N --mode book|healthz --requests N [flags]

  --host IP               server address (default 127.0.0.1)
  --port N                server port
  --mode book|healthz     POST /api/v1/appointments, or GET /healthz
  --requests N            requests in all (default 100000)
  --connections N         keep-alive connections (default 1000)
  --threads N             client threads, each with its own epoll loop (default 2)
  --rate R                open loop at R requests/s in all; 0 = closed loop (default)
  --token T               book: a clerk's bearer token
  --slots FILE            book: slot ids, one per line
  --patient-first N       book: the first patient id (default 1)
  --patient-count N       book: patients to use, consecutive ids from --patient-first
  --key-prefix S          book: Idempotency-Key prefix, unique per run (default surge)
  --seed N                book: slot choice (default 20261128)
  --created FILE          book: write each 201 seen, one line each:
                            appointment_id slot_id ticket_no patient_id replayed before_kill attempt
  --kill-pid PID          send SIGKILL to PID once, when...
  --kill-after-created N  ...the N-th booking (201, not a replay) has been seen, or
  --kill-after-done N     ...N requests have been answered
  --reconnect-seconds S   give up when a connection cannot reconnect for S s (default 60)

Prints "key value" lines: seconds, rate, p50_ms..max_ms, status and problem
code counts, reconnects and resends.
)";

struct Options {
  std::string host = "127.0.0.1";
  int port = 0;
  std::string mode = "book";
  int64_t requests = 100'000;
  int connections = 1000;
  int threads = 2;
  double rate = 0;
  std::string token, slots_file, created_file, key_prefix = "surge";
  int64_t patient_first = 1, patient_count = 0;
  uint64_t seed = 20261128;
  pid_t kill_pid = 0;
  int64_t kill_after_created = 0, kill_after_done = 0;
  double reconnect_seconds = 60;
};

// A 201 as the client saw it.
struct Created {
  int64_t id = 0, slot_id = 0, ticket_no = 0, patient_id = 0;
  bool replayed = false, before_kill = true;
  int64_t attempt = 0;
};

// What one thread measured; merged at the end.
struct Stats {
  std::vector<uint32_t> latency_us;          // every answered request
  std::vector<int64_t> answered_at_us;       // when each was answered, since the start (same order)
  std::vector<uint32_t> created_latency_us;  // the 201s only
  std::map<int, int64_t> statuses;
  std::map<std::string, int64_t> codes;  // problem+json "code" of non-2xx answers
  std::vector<Created> created;
  int64_t mismatched = 0;  // a 201 for another patient or slot than asked
  int64_t reconnects = 0;  // connections re-established after a loss
  int64_t resent = 0;      // requests sent again after their connection broke
  int64_t connect_failures = 0;
  double last_created_s = 0;  // when the last new booking (not a replay) arrived
};

// State shared by the threads. Set before they start, except the atomics.
struct Shared {
  const Options& o;
  std::vector<int64_t> slots;
  sockaddr_in addr{};
  std::string host_header;
  TimePoint start;  // written by the barrier's completion, read after it
  std::atomic<int64_t> created{0}, done{0};
  std::atomic<bool> killed{false};
  std::atomic<int64_t> kill_at_us{-1};
  std::atomic<bool> failed{false};
  std::barrier<void (*)() noexcept>* ready = nullptr;
};
// The barrier's completion is a plain function, so it reaches the one
// Shared through this pointer (set in run() before any thread starts).
Shared* g_shared = nullptr;
void on_all_connected() noexcept { g_shared->start = SteadyClock::now(); }

uint64_t mix(uint64_t x) {  // splitmix64: a well spread slot choice per attempt
  x += 0x9e3779b97f4a7c15ULL;
  x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
  x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
  return x ^ (x >> 31);
}

int64_t elapsed_us(TimePoint from, TimePoint to) {
  return std::chrono::duration_cast<std::chrono::microseconds>(to - from).count();
}

// The integer after "key": in a flat JSON object; -1 when absent. Enough
// for the server's appointment JSON (no nested object carries these keys
// before the top-level ones, and no string value contains them).
int64_t json_int(std::string_view body, std::string_view key) {
  const std::string needle = "\"" + std::string(key) + "\":";
  const size_t at = body.find(needle);
  if (at == std::string_view::npos) return -1;
  size_t i = at + needle.size();
  int64_t v = 0;
  bool any = false;
  for (; i < body.size() && body[i] >= '0' && body[i] <= '9'; ++i, any = true)
    v = v * 10 + (body[i] - '0');
  return any ? v : -1;
}

std::string json_code(std::string_view body) {
  const std::string_view needle = "\"code\":\"";
  const size_t at = body.find(needle);
  if (at == std::string_view::npos) return "(none)";
  const size_t end = body.find('"', at + needle.size());
  return std::string(body.substr(at + needle.size(), end - at - needle.size()));
}

// One thread: its connections, an epoll loop, and timers for open-loop
// sends and reconnect back-off. Touches only its own connections and
// statistics, plus Shared's atomics.
class Worker {
 public:
  Worker(Shared& s, int first_conn, int conn_count) : s_(s), o_(s.o) {
    const int64_t base = o_.requests / o_.connections, extra = o_.requests % o_.connections;
    for (int c = first_conn; c < first_conn + conn_count; ++c) {
      Conn k;
      k.index = c;
      k.attempts = base + (c < extra ? 1 : 0);
      k.first_attempt = int64_t{c} * base + std::min<int64_t>(c, extra);
      conns_.push_back(std::move(k));
    }
  }

  void run() {
    epfd_ = epoll_create1(EPOLL_CLOEXEC);
    if (epfd_ < 0) die("epoll_create1");
    // Phase 1: every connection established before the clock starts (the
    // patients have the app open when the tickets are released).
    unconnected_ = static_cast<int64_t>(conns_.size());
    for (size_t i = 0; i < conns_.size(); ++i) start_connect(i);
    while (unconnected_ > 0 && !s_.failed) loop_once();
    s_.ready->arrive_and_wait();
    if (s_.failed) return;
    // Phase 2: the requests.
    started_ = true;
    active_ = static_cast<int64_t>(conns_.size());
    for (size_t i = 0; i < conns_.size(); ++i) {
      if (conns_[i].attempts == 0)
        finish(i);
      else
        schedule_next(i);
    }
    while (active_ > 0 && !s_.failed) loop_once();
    for (auto& k : conns_)
      if (k.fd >= 0) ::close(k.fd);
    ::close(epfd_);
  }

  Stats& stats() { return stats_; }

 private:
  enum class State { connecting, idle, waiting, sending, receiving, reconnect_wait, done };
  struct Conn {
    int fd = -1;
    uint32_t events = 0;  // the epoll interest registered for fd
    int index = 0;
    int64_t first_attempt = 0, attempts = 0, next = 0;  // next: attempts answered so far
    State state = State::connecting;
    bool in_flight = false;  // attempt `next` was sent (maybe partly) and not answered
    bool ever_connected = false;
    std::string out, in;
    size_t out_off = 0;
    TimePoint due;         // open loop: when `next` is due; reconnect_wait: when to retry
    TimePoint down_since;  // the first failed connect of the current outage
    bool down = false;
  };

  [[noreturn]] void die(const char* what) {
    std::fprintf(stderr, "stork-surge-client: %s: %s\n", what, std::strerror(errno));
    std::exit(1);
  }

  // Level-triggered; skips the system call when the interest is unchanged
  // (most requests: written whole, then read).
  void watch(size_t i, uint32_t events, bool add) {
    if (!add && conns_[i].events == events) return;
    conns_[i].events = events;
    epoll_event ev{};
    ev.events = events;
    ev.data.u64 = i;
    if (epoll_ctl(epfd_, add ? EPOLL_CTL_ADD : EPOLL_CTL_MOD, conns_[i].fd, &ev) < 0)
      die("epoll_ctl");
  }

  void start_connect(size_t i) {
    Conn& k = conns_[i];
    k.fd = ::socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (k.fd < 0) die("socket");
    const int one = 1;
    ::setsockopt(k.fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    k.state = State::connecting;
    k.in.clear();
    // Completed, refused or in progress: the outcome is read from SO_ERROR
    // when the socket turns writable.
    (void)::connect(k.fd, reinterpret_cast<const sockaddr*>(&s_.addr), sizeof s_.addr);
    watch(i, EPOLLOUT, true);
  }

  void close_fd(Conn& k) {
    ::close(k.fd);  // also leaves the epoll set
    k.fd = -1;
  }

  // The connection broke (reset, EOF) or could not be made. A broken one
  // is reconnected at once; a refused connect is retried every 20 ms until
  // --reconnect-seconds have passed (the server is down: kill -9).
  void lost(size_t i, bool connect_failed) {
    Conn& k = conns_[i];
    close_fd(k);
    if (!connect_failed) {
      start_connect(i);
      return;
    }
    ++stats_.connect_failures;
    const TimePoint now = SteadyClock::now();
    if (!k.down) {
      k.down = true;
      k.down_since = now;
    } else if (std::chrono::duration<double>(now - k.down_since).count() > o_.reconnect_seconds) {
      std::fprintf(stderr, "stork-surge-client: connection %d could not reconnect for %.0f s\n",
                   k.index, o_.reconnect_seconds);
      s_.failed = true;
      return;
    }
    k.state = State::reconnect_wait;
    k.due = now + std::chrono::milliseconds(20);
    timers_.push({k.due, i});
  }

  void connected(size_t i) {
    Conn& k = conns_[i];
    if (k.ever_connected)
      ++stats_.reconnects;
    else
      --unconnected_;
    k.ever_connected = true;
    k.down = false;
    k.state = State::idle;
    watch(i, EPOLLIN, false);
    if (!started_) return;  // phase 1: the others are still connecting
    if (k.in_flight) {
      ++stats_.resent;
      send(i);  // the same bytes, so the same Idempotency-Key
    } else {
      schedule_next(i);
    }
  }

  int64_t slot_of(int64_t g) const {
    return s_.slots[mix(o_.seed ^ static_cast<uint64_t>(g)) % s_.slots.size()];
  }
  int64_t patient_of(int64_t g) const { return o_.patient_first + g % o_.patient_count; }

  void build_request(size_t i) {
    Conn& k = conns_[i];
    const int64_t g = k.first_attempt + k.next;
    if (o_.mode == "healthz") {
      k.out = "GET /healthz HTTP/1.1\r\nHost: " + s_.host_header + "\r\n\r\n";
      return;
    }
    const std::string body = "{\"patient_id\":" + std::to_string(patient_of(g)) +
                             ",\"slot_id\":" + std::to_string(slot_of(g)) +
                             ",\"channel\":\"window\"}";
    k.out = "POST /api/v1/appointments HTTP/1.1\r\nHost: " + s_.host_header +
            "\r\nAuthorization: Bearer " + o_.token + "\r\nIdempotency-Key: " + o_.key_prefix +
            "-" + std::to_string(g) +
            "\r\nContent-Type: application/json\r\nContent-Length: " + std::to_string(body.size()) +
            "\r\n\r\n" + body;
  }

  // Attempt `next` of an idle connection: now (closed loop, or already
  // late), or at its due time (open loop).
  void schedule_next(size_t i) {
    Conn& k = conns_[i];
    const TimePoint now = SteadyClock::now();
    if (o_.rate > 0) {
      const double order = static_cast<double>(k.next * o_.connections + k.index);
      k.due = s_.start + std::chrono::microseconds(static_cast<int64_t>(order * 1e6 / o_.rate));
      if (k.due > now) {
        k.state = State::waiting;
        timers_.push({k.due, i});
        return;
      }
    } else {
      k.due = now;
    }
    issue(i);
  }

  void issue(size_t i) {
    build_request(i);
    conns_[i].in_flight = true;
    send(i);
  }

  void send(size_t i) {
    Conn& k = conns_[i];
    k.out_off = 0;
    k.in.clear();
    k.state = State::sending;
    write_more(i);
  }

  void write_more(size_t i) {
    Conn& k = conns_[i];
    while (k.out_off < k.out.size()) {
      const ssize_t n =
          ::send(k.fd, k.out.data() + k.out_off, k.out.size() - k.out_off, MSG_NOSIGNAL);
      if (n > 0) {
        k.out_off += static_cast<size_t>(n);
      } else if (n < 0 && errno == EINTR) {
        continue;
      } else if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
        watch(i, EPOLLIN | EPOLLOUT, false);
        return;
      } else {
        lost(i, false);
        return;
      }
    }
    k.state = State::receiving;
    watch(i, EPOLLIN, false);
  }

  void read_more(size_t i) {
    Conn& k = conns_[i];
    char buf[16384];
    for (;;) {
      const ssize_t n = ::recv(k.fd, buf, sizeof buf, 0);
      if (n > 0) {
        k.in.append(buf, static_cast<size_t>(n));
        if (static_cast<size_t>(n) < sizeof buf) break;
      } else if (n < 0 && errno == EINTR) {
        continue;
      } else if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
        break;
      } else {
        lost(i, false);  // EOF or reset: the server closed or went away
        return;
      }
    }
    if (k.state == State::sending || k.state == State::receiving) {
      parse(i);
    } else if (!k.in.empty()) {
      fail(i, "bytes arrived on an idle connection");
    }
  }

  // A whole response in `in` is answered; a partial one waits for more.
  void parse(size_t i) {
    Conn& k = conns_[i];
    const size_t head_end = k.in.find("\r\n\r\n");
    if (head_end == std::string::npos) {
      if (k.in.size() > 65536) fail(i, "response headers over 64 KiB");
      return;
    }
    if (k.in.compare(0, 9, "HTTP/1.1 ") != 0) return fail(i, "not an HTTP/1.1 response");
    const int status = std::atoi(k.in.c_str() + 9);
    int64_t length = -1;
    bool close_after = false, replayed = false;
    for (size_t line = k.in.find("\r\n") + 2; line < head_end;) {
      const size_t eol = k.in.find("\r\n", line);
      const std::string_view h(k.in.data() + line, eol - line);
      line = eol + 2;
      const size_t colon = h.find(':');
      if (colon == std::string_view::npos) continue;
      const std::string name(h.substr(0, colon));
      std::string_view value = h.substr(colon + 1);
      while (!value.empty() && value.front() == ' ') value.remove_prefix(1);
      if (strcasecmp(name.c_str(), "content-length") == 0)
        length = std::atoll(std::string(value).c_str());
      else if (strcasecmp(name.c_str(), "transfer-encoding") == 0)
        return fail(i, "chunked responses are not supported");
      else if (strcasecmp(name.c_str(), "connection") == 0)
        close_after = strncasecmp(value.data(), "close", 5) == 0;
      else if (strcasecmp(name.c_str(), "idempotent-replayed") == 0)
        replayed = true;
    }
    if (length < 0) return fail(i, "a response without Content-Length");
    const size_t total = head_end + 4 + static_cast<size_t>(length);
    if (k.in.size() < total) return;
    if (k.in.size() > total) return fail(i, "bytes after the response");
    answered(i, status, std::string_view(k.in).substr(head_end + 4, static_cast<size_t>(length)),
             replayed, close_after);
  }

  void fail(size_t i, const char* why) {
    std::fprintf(stderr, "stork-surge-client: connection %d: %s\n", conns_[i].index, why);
    s_.failed = true;
  }

  void answered(size_t i, int status, std::string_view body, bool replayed, bool close_after) {
    Conn& k = conns_[i];
    const TimePoint now = SteadyClock::now();
    const int64_t g = k.first_attempt + k.next;
    const auto us = static_cast<uint32_t>(std::min<int64_t>(elapsed_us(k.due, now), UINT32_MAX));
    stats_.latency_us.push_back(us);
    stats_.answered_at_us.push_back(elapsed_us(s_.start, now));
    ++stats_.statuses[status];
    if (status == 201 && o_.mode == "book") {
      stats_.created_latency_us.push_back(us);
      Created c{json_int(body, "id"),
                json_int(body, "slot_id"),
                json_int(body, "ticket_no"),
                json_int(body, "patient_id"),
                replayed,
                !s_.killed.load(),
                g};
      if (c.patient_id != patient_of(g) || c.slot_id != slot_of(g)) ++stats_.mismatched;
      stats_.created.push_back(c);
      if (!replayed) {
        stats_.last_created_s = std::chrono::duration<double>(now - s_.start).count();
        if (const int64_t n = ++s_.created; o_.kill_after_created > 0 && n == o_.kill_after_created)
          kill_server();
      }
    } else if (status >= 300) {
      ++stats_.codes[json_code(body)];
    }
    if (const int64_t d = ++s_.done; o_.kill_after_done > 0 && d == o_.kill_after_done)
      kill_server();
    k.in.clear();
    k.in_flight = false;
    k.state = State::idle;
    if (++k.next >= k.attempts) return finish(i);
    if (close_after) {
      close_fd(k);
      start_connect(i);  // counted as a reconnect; the next attempt follows it
      return;
    }
    schedule_next(i);
  }

  void kill_server() {
    if (o_.kill_pid <= 0 || s_.killed.exchange(true)) return;
    ::kill(o_.kill_pid, SIGKILL);
    s_.kill_at_us = elapsed_us(s_.start, SteadyClock::now());
  }

  void finish(size_t i) {
    Conn& k = conns_[i];
    if (k.fd >= 0) close_fd(k);
    k.state = State::done;
    --active_;
  }

  void on_event(size_t i, uint32_t events) {
    Conn& k = conns_[i];
    switch (k.state) {
      case State::connecting: {
        int err = 0;
        socklen_t len = sizeof err;
        ::getsockopt(k.fd, SOL_SOCKET, SO_ERROR, &err, &len);
        if (err != 0 || (events & (EPOLLERR | EPOLLHUP))) return lost(i, true);
        return connected(i);
      }
      case State::sending:
        if (events & (EPOLLIN | EPOLLERR | EPOLLHUP)) return read_more(i);  // an answer, or a close
        return write_more(i);
      case State::receiving:
      case State::idle:
      case State::waiting:
        return read_more(i);
      case State::reconnect_wait:
      case State::done:
        return;
    }
  }

  void loop_once() {
    int timeout_ms = 100;
    while (!timers_.empty()) {
      const auto [at, i] = timers_.top();
      Conn& k = conns_[i];
      if (!((k.state == State::waiting || k.state == State::reconnect_wait) && k.due == at)) {
        timers_.pop();  // stale: the connection moved on
        continue;
      }
      const TimePoint now = SteadyClock::now();
      if (at > now) {
        timeout_ms = static_cast<int>(std::min<int64_t>(100, elapsed_us(now, at) / 1000 + 1));
        break;
      }
      timers_.pop();
      if (k.state == State::reconnect_wait)
        start_connect(i);
      else
        issue(i);
    }
    epoll_event events[256];
    const int n = epoll_wait(epfd_, events, 256, timeout_ms);
    if (n < 0 && errno != EINTR) die("epoll_wait");
    for (int e = 0; e < n; ++e) {
      const size_t i = events[e].data.u64;
      if (conns_[i].fd >= 0) on_event(i, events[e].events);
    }
  }

  Shared& s_;
  const Options& o_;
  std::vector<Conn> conns_;
  Stats stats_;
  int epfd_ = -1;
  int64_t unconnected_ = 0;  // phase 1: connections not yet made once
  int64_t active_ = 0;       // phase 2: connections with attempts left
  bool started_ = false;
  std::priority_queue<std::pair<TimePoint, size_t>, std::vector<std::pair<TimePoint, size_t>>,
                      std::greater<>>
      timers_;
};

// By value: nth_element reorders, and the callers keep their order.
double percentile_ms(std::vector<uint32_t> v, double q) {
  if (v.empty()) return 0;
  const size_t k = std::min(v.size() - 1, static_cast<size_t>(q * static_cast<double>(v.size())));
  std::nth_element(v.begin(), v.begin() + static_cast<std::ptrdiff_t>(k), v.end());
  return v[k] / 1000.0;
}

bool parse_int(const std::string& text, int64_t& out) {
  char* end = nullptr;
  out = std::strtoll(text.c_str(), &end, 10);
  return !text.empty() && *end == '\0';
}

int usage(const std::string& why) {
  std::fprintf(stderr, "stork-surge-client: %s\n\n%s", why.c_str(), kUsage);
  return 2;
}

int run(int argc, char** argv) {
  Options o;
  for (int i = 1; i < argc; ++i) {
    const std::string flag = argv[i];
    if (flag == "--help" || flag == "-h") {
      std::fputs(kUsage, stdout);
      return 0;
    }
    if (i + 1 >= argc) return usage("missing value for " + flag);
    const std::string value = argv[++i];
    int64_t n = 0;
    const bool is_int = parse_int(value, n);
    if (flag == "--host")
      o.host = value;
    else if (flag == "--port" && is_int && n > 0 && n < 65536)
      o.port = static_cast<int>(n);
    else if (flag == "--mode" && (value == "book" || value == "healthz"))
      o.mode = value;
    else if (flag == "--requests" && is_int && n > 0)
      o.requests = n;
    else if (flag == "--connections" && is_int && n > 0)
      o.connections = static_cast<int>(n);
    else if (flag == "--threads" && is_int && n > 0)
      o.threads = static_cast<int>(n);
    else if (flag == "--rate")
      o.rate = std::atof(value.c_str());
    else if (flag == "--token")
      o.token = value;
    else if (flag == "--slots")
      o.slots_file = value;
    else if (flag == "--created")
      o.created_file = value;
    else if (flag == "--key-prefix")
      o.key_prefix = value;
    else if (flag == "--patient-first" && is_int && n > 0)
      o.patient_first = n;
    else if (flag == "--patient-count" && is_int && n > 0)
      o.patient_count = n;
    else if (flag == "--seed" && is_int)
      o.seed = static_cast<uint64_t>(n);
    else if (flag == "--kill-pid" && is_int && n > 0)
      o.kill_pid = static_cast<pid_t>(n);
    else if (flag == "--kill-after-created" && is_int && n > 0)
      o.kill_after_created = n;
    else if (flag == "--kill-after-done" && is_int && n > 0)
      o.kill_after_done = n;
    else if (flag == "--reconnect-seconds")
      o.reconnect_seconds = std::atof(value.c_str());
    else
      return usage("bad flag or value: " + flag + " " + value);
  }
  if (o.port == 0) return usage("--port is required");
  o.threads = std::min(o.threads, o.connections);

  Shared shared{o};
  g_shared = &shared;
  if (o.mode == "book") {
    if (o.token.empty() || o.slots_file.empty() || o.patient_count == 0)
      return usage("book needs --token, --slots and --patient-count");
    std::ifstream in(o.slots_file);
    for (int64_t id; in >> id;) shared.slots.push_back(id);
    if (shared.slots.empty()) return usage("no slot ids in " + o.slots_file);
  }
  shared.addr.sin_family = AF_INET;
  shared.addr.sin_port = htons(static_cast<uint16_t>(o.port));
  if (::inet_pton(AF_INET, o.host.c_str(), &shared.addr.sin_addr) != 1)
    return usage("--host must be an IPv4 address");
  shared.host_header = o.host + ":" + std::to_string(o.port);

  std::barrier<void (*)() noexcept> ready(o.threads, on_all_connected);
  shared.ready = &ready;
  std::vector<std::unique_ptr<Worker>> workers;
  for (int t = 0; t < o.threads; ++t) {
    const int first = o.connections * t / o.threads, last = o.connections * (t + 1) / o.threads;
    workers.push_back(std::make_unique<Worker>(shared, first, last - first));
  }
  const TimePoint connect_started = SteadyClock::now();
  std::vector<std::thread> threads;
  for (auto& w : workers) threads.emplace_back([&w] { w->run(); });
  for (auto& t : threads) t.join();
  const TimePoint ended = SteadyClock::now();
  if (shared.failed) return 1;

  Stats all;
  for (auto& w : workers) {
    Stats& s = w->stats();
    all.latency_us.insert(all.latency_us.end(), s.latency_us.begin(), s.latency_us.end());
    all.answered_at_us.insert(all.answered_at_us.end(), s.answered_at_us.begin(),
                              s.answered_at_us.end());
    all.created_latency_us.insert(all.created_latency_us.end(), s.created_latency_us.begin(),
                                  s.created_latency_us.end());
    for (auto& [k, v] : s.statuses) all.statuses[k] += v;
    for (auto& [k, v] : s.codes) all.codes[k] += v;
    all.created.insert(all.created.end(), s.created.begin(), s.created.end());
    all.mismatched += s.mismatched;
    all.reconnects += s.reconnects;
    all.resent += s.resent;
    all.connect_failures += s.connect_failures;
    all.last_created_s = std::max(all.last_created_s, s.last_created_s);
  }
  const double seconds = std::chrono::duration<double>(ended - shared.start).count();
  const auto answered = static_cast<int64_t>(all.latency_us.size());
  std::printf("mode %s\nconnections %d\nthreads %d\nloop %s\n", o.mode.c_str(), o.connections,
              o.threads, o.rate > 0 ? "open" : "closed");
  if (o.rate > 0) std::printf("target_rate %.0f\n", o.rate);
  std::printf("connect_seconds %.3f\n",
              std::chrono::duration<double>(shared.start - connect_started).count());
  std::printf("requests %" PRId64 "\nanswered %" PRId64 "\nseconds %.3f\nrate %.0f\n", o.requests,
              answered, seconds, static_cast<double>(answered) / seconds);
  std::printf("p50_ms %.2f\np90_ms %.2f\np99_ms %.2f\n", percentile_ms(all.latency_us, 0.50),
              percentile_ms(all.latency_us, 0.90), percentile_ms(all.latency_us, 0.99));
  std::printf("max_ms %.2f\n",
              all.latency_us.empty()
                  ? 0.0
                  : *std::max_element(all.latency_us.begin(), all.latency_us.end()) / 1000.0);
  if (o.mode == "book" && all.last_created_s > 0) {
    // The two phases of a surge: while tickets are left (every booking a
    // synced commit) and after the last one went (every attempt refused).
    const auto cut = static_cast<int64_t>(all.last_created_s * 1e6);
    std::vector<uint32_t> selling, sold_out;
    for (size_t k = 0; k < all.latency_us.size(); ++k)
      (all.answered_at_us[k] <= cut ? selling : sold_out).push_back(all.latency_us[k]);
    std::printf(
        "selling_answered %zu\nselling_rate %.0f\nselling_p50_ms %.2f\nselling_p99_ms %.2f\n",
        selling.size(), static_cast<double>(selling.size()) / all.last_created_s,
        percentile_ms(selling, 0.50), percentile_ms(selling, 0.99));
    const double rest = seconds - all.last_created_s;
    std::printf(
        "sold_out_answered %zu\nsold_out_rate %.0f\nsold_out_p50_ms %.2f\nsold_out_p99_ms %.2f\n",
        sold_out.size(), rest > 0 ? static_cast<double>(sold_out.size()) / rest : 0.0,
        percentile_ms(sold_out, 0.50), percentile_ms(sold_out, 0.99));
  }
  for (auto& [k, v] : all.statuses) std::printf("status %d %" PRId64 "\n", k, v);
  for (auto& [k, v] : all.codes) std::printf("code %s %" PRId64 "\n", k.c_str(), v);
  std::printf("reconnects %" PRId64 "\nresent %" PRId64 "\nconnect_failures %" PRId64 "\n",
              all.reconnects, all.resent, all.connect_failures);
  if (o.mode == "book") {
    int64_t replayed = 0, before_kill = 0;
    for (const auto& c : all.created) {
      replayed += c.replayed;
      before_kill += c.before_kill;
    }
    std::printf("created %zu\ncreated_replayed %" PRId64 "\nmismatched %" PRId64 "\n",
                all.created.size(), replayed, all.mismatched);
    std::printf("created_p50_ms %.2f\ncreated_p99_ms %.2f\nlast_created_s %.3f\n",
                percentile_ms(all.created_latency_us, 0.50),
                percentile_ms(all.created_latency_us, 0.99), all.last_created_s);
    if (o.kill_pid > 0) {
      std::printf("killed %s\n", shared.killed ? "yes" : "no");
      if (shared.killed)
        std::printf("killed_at_s %.3f\ncreated_before_kill %" PRId64 "\n",
                    static_cast<double>(shared.kill_at_us.load()) / 1e6, before_kill);
    }
    if (!o.created_file.empty()) {
      std::sort(all.created.begin(), all.created.end(),
                [](const Created& a, const Created& b) { return a.attempt < b.attempt; });
      FILE* f = std::fopen(o.created_file.c_str(), "w");
      if (!f) {
        std::fprintf(stderr, "stork-surge-client: cannot write %s\n", o.created_file.c_str());
        return 1;
      }
      for (const auto& c : all.created)
        std::fprintf(f, "%" PRId64 " %" PRId64 " %" PRId64 " %" PRId64 " %d %d %" PRId64 "\n", c.id,
                     c.slot_id, c.ticket_no, c.patient_id, c.replayed ? 1 : 0,
                     c.before_kill ? 1 : 0, c.attempt);
      if (std::fclose(f) != 0) {
        std::fprintf(stderr, "stork-surge-client: cannot write %s\n", o.created_file.c_str());
        return 1;
      }
    }
  }
  return 0;
}

}  // namespace
}  // namespace stork::bench

int main(int argc, char** argv) {
  // A write to a connection the server reset must not end the client.
  ::signal(SIGPIPE, SIG_IGN);
  return stork::bench::run(argc, argv);
}
