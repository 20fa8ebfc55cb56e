// stork-queue-fanout — the load client of bench/queue-fanout. Opens
// --clients WebSocket subscribers (a mix of display.<DEPT> and
// queue.<SESSION> topics) on one io_context, then triggers --calls calls one
// after another and, per call, measures the time from the trigger to the
// moment the LAST subscriber has a message. Prints `key value` lines.
//
// Triggers:
//   --trigger notify --pg URL   a NOTIFY on stork_events as another node would
//                               send it (both topics in one transaction): the
//                               cross-node path, LISTEN -> hub -> sockets
//   --trigger http --call-path P --call-body JSON --call-token T
//                               POST P (e.g. /api/v1/triage/sessions/3/call-next)
//                               as a doctor: the whole path of a real call
#include <libpq-fe.h>

#include <algorithm>
#include <atomic>
#include <boost/asio.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/websocket.hpp>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <iostream>
#include <map>
#include <memory>
#include <string>
#include <thread>
#include <vector>

namespace beast = boost::beast;
namespace bhttp = boost::beast::http;
namespace websocket = boost::beast::websocket;
namespace net = boost::asio;
using tcp = net::ip::tcp;
using Clock = std::chrono::steady_clock;

namespace {

struct Options {
  std::string host = "127.0.0.1";
  uint16_t port = 0;
  int clients = 2000;
  double display_share = 0.25;  // the rest follow the queue (phones)
  std::string department = "OB";
  int64_t session = 1;
  std::string token;  // for the subscribers
  int calls = 50;
  int settle_ms = 200;  // quiet time between calls, so late copies are not counted twice
  int timeout_ms = 10'000;
  int connect_parallel = 100;
  std::string trigger = "notify";
  std::string pg;
  std::string call_path, call_body, call_token;
};

void usage() {
  std::cerr << "usage: stork-queue-fanout --port N --token T [--host H] [--clients 2000] [--display-share 0.25]\n"
               "  [--department OB] [--session 1] [--calls 50] [--settle-ms 200] [--timeout-ms 10000]\n"
               "  [--connect-parallel 100] --trigger notify --pg URL\n"
               "  | --trigger http --call-path P --call-body JSON --call-token T\n";
}

bool parse(int argc, char** argv, Options& o) {
  std::map<std::string, std::string> a;
  for (int i = 1; i < argc; ++i) {
    std::string k = argv[i];
    if (k == "--help" || k == "-h" || !k.starts_with("--") || i + 1 >= argc) return false;
    a[k.substr(2)] = argv[++i];
  }
  try {
    for (auto& [k, v] : a) {
      if (k == "host") o.host = v;
      else if (k == "port") o.port = static_cast<uint16_t>(std::stoi(v));
      else if (k == "clients") o.clients = std::stoi(v);
      else if (k == "display-share") o.display_share = std::stod(v);
      else if (k == "department") o.department = v;
      else if (k == "session") o.session = std::stoll(v);
      else if (k == "token") o.token = v;
      else if (k == "calls") o.calls = std::stoi(v);
      else if (k == "settle-ms") o.settle_ms = std::stoi(v);
      else if (k == "timeout-ms") o.timeout_ms = std::stoi(v);
      else if (k == "connect-parallel") o.connect_parallel = std::stoi(v);
      else if (k == "trigger") o.trigger = v;
      else if (k == "pg") o.pg = v;
      else if (k == "call-path") o.call_path = v;
      else if (k == "call-body") o.call_body = v;
      else if (k == "call-token") o.call_token = v;
      else {
        std::cerr << "unknown flag --" << k << "\n";
        return false;
      }
    }
  } catch (const std::exception&) {
    return false;
  }
  if (o.port == 0 || o.token.empty() || o.clients < 1 || o.calls < 1) return false;
  if (o.trigger == "notify") return !o.pg.empty();
  if (o.trigger == "http") return !o.call_path.empty() && !o.call_token.empty();
  return false;
}

// What every subscriber reports to the controller. `epoch` is the call in
// progress; a subscriber's first message in an epoch counts once.
struct Shared {
  std::atomic<int> epoch{0};
  std::atomic<int> reached{0};          // subscribers with a message in this epoch
  std::atomic<int64_t> last_ns{0};      // the latest such first message (steady clock)
  std::atomic<int> open{0};             // upgraded and reading
  std::atomic<int> failed{0};           // could not connect or upgrade
  std::atomic<int> closed{0};           // lost after the upgrade
  std::atomic<int64_t> messages{0};
};

int64_t now_ns() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(Clock::now().time_since_epoch()).count();
}

class Subscriber : public std::enable_shared_from_this<Subscriber> {
 public:
  Subscriber(net::io_context& ioc, Shared& shared, std::string target)
      : ws_(net::make_strand(ioc)), shared_(shared), target_(std::move(target)) {}

  void start(tcp::endpoint ep, std::function<void()> upgraded) {
    upgraded_ = std::move(upgraded);
    beast::get_lowest_layer(ws_).expires_after(std::chrono::seconds(60));
    beast::get_lowest_layer(ws_).async_connect(ep, [self = shared_from_this()](beast::error_code ec) {
      if (ec) return self->fail();
      beast::get_lowest_layer(self->ws_).expires_never();
      self->ws_.set_option(websocket::stream_base::timeout::suggested(beast::role_type::client));
      self->ws_.async_handshake(self->res_, "127.0.0.1", self->target_, [self](beast::error_code ec2) {
        if (ec2) {
          std::cerr << "upgrade refused: " << self->res_.result_int() << " " << self->res_.body() << "\n";
          return self->fail();
        }
        ++self->shared_.open;
        self->upgraded_();
        self->read();
      });
    });
  }

 private:
  void fail() {
    ++shared_.failed;
    upgraded_();
  }
  void read() {
    ws_.async_read(buffer_, [self = shared_from_this()](beast::error_code ec, size_t) {
      if (ec) {
        ++self->shared_.closed;
        --self->shared_.open;
        return;
      }
      const int64_t t = now_ns();
      ++self->shared_.messages;
      const int epoch = self->shared_.epoch.load();
      if (epoch != self->seen_epoch_) {
        self->seen_epoch_ = epoch;
        int64_t prev = self->shared_.last_ns.load();
        while (prev < t && !self->shared_.last_ns.compare_exchange_weak(prev, t)) {
        }
        ++self->shared_.reached;
      }
      self->buffer_.consume(self->buffer_.size());
      self->read();
    });
  }

  websocket::stream<beast::tcp_stream> ws_;
  Shared& shared_;
  std::string target_;
  websocket::response_type res_;
  beast::flat_buffer buffer_;
  std::function<void()> upgraded_;
  int seen_epoch_ = 0;
};

// One keep-alive HTTP/1.1 connection for the http trigger.
class Caller {
 public:
  Caller(const Options& o) : o_(o), stream_(ioc_) {
    stream_.connect(tcp::endpoint(net::ip::make_address(o.host), o.port));
  }
  int call() {
    bhttp::request<bhttp::string_body> req{bhttp::verb::post, o_.call_path, 11};
    req.set(bhttp::field::host, o_.host);
    req.set(bhttp::field::authorization, "Bearer " + o_.call_token);
    req.set(bhttp::field::content_type, "application/json");
    req.body() = o_.call_body;
    req.prepare_payload();
    bhttp::write(stream_, req);
    bhttp::response<bhttp::string_body> res;
    bhttp::read(stream_, buffer_, res);
    last_body_ = res.body();
    return res.result_int();
  }
  const std::string& last_body() const { return last_body_; }

 private:
  const Options& o_;
  net::io_context ioc_;
  beast::tcp_stream stream_;
  beast::flat_buffer buffer_;
  std::string last_body_;
};

// A NOTIFY as another `stork serve` node sends it (app/event_bridge.hpp).
class Notifier {
 public:
  explicit Notifier(const std::string& url) : conn_(PQconnectdb(url.c_str())) {
    if (PQstatus(conn_) != CONNECTION_OK) throw std::runtime_error(PQerrorMessage(conn_));
  }
  ~Notifier() { PQfinish(conn_); }
  void call(const Options& o, int n) {
    const std::string display = "bench\ndisplay." + o.department +
                                "\n{\"kind\":\"call\",\"ticket_no\":" + std::to_string(n) +
                                ",\"name\":\"张*丽\",\"room_code\":\"OB-R1\",\"recall\":false}";
    const std::string queue = "bench\nqueue." + std::to_string(o.session) + "\n{\"session_id\":" +
                              std::to_string(o.session) + ",\"version\":" + std::to_string(n) +
                              ",\"reason\":\"called\"}";
    const char* params[] = {display.c_str(), queue.c_str()};
    PGresult* r = PQexecParams(conn_, "SELECT pg_notify('stork_events', $1), pg_notify('stork_events', $2)", 2,
                               nullptr, params, nullptr, nullptr, 0);
    const bool ok = PQresultStatus(r) == PGRES_TUPLES_OK;
    PQclear(r);
    if (!ok) throw std::runtime_error(PQerrorMessage(conn_));
  }

 private:
  PGconn* conn_;
};

double percentile(std::vector<double> v, double p) {
  std::sort(v.begin(), v.end());
  const size_t i = std::min(v.size() - 1, static_cast<size_t>(p * static_cast<double>(v.size() - 1) + 0.5));
  return v[i];
}

}  // namespace

int main(int argc, char** argv) {
  Options o;
  if (!parse(argc, argv, o)) {
    usage();
    return 2;
  }
  net::io_context ioc(1);
  Shared shared;
  const tcp::endpoint ep(net::ip::make_address(o.host), o.port);
  const int displays = static_cast<int>(o.clients * o.display_share + 0.5);

  // Connect with bounded parallelism: a burst of thousands of SYNs overflows
  // the server's accept backlog and measures retransmits, not the server.
  std::vector<std::shared_ptr<Subscriber>> subs;
  subs.reserve(static_cast<size_t>(o.clients));
  for (int i = 0; i < o.clients; ++i) {
    const std::string topic =
        i < displays ? "display." + o.department : "queue." + std::to_string(o.session);
    subs.push_back(std::make_shared<Subscriber>(ioc, shared, "/api/v1/ws?access_token=" + o.token + "&topics=" + topic));
  }
  auto next = std::make_shared<size_t>(0);
  std::function<void()> launch = [&, next] {
    if (*next >= subs.size()) return;
    subs[(*next)++]->start(ep, [&] { net::post(ioc, launch); });
  };
  const auto connect_start = Clock::now();
  for (int i = 0; i < o.connect_parallel; ++i) net::post(ioc, launch);
  auto guard = net::make_work_guard(ioc);
  std::thread io([&] { ioc.run(); });

  while (shared.open.load() + shared.failed.load() < o.clients) std::this_thread::sleep_for(std::chrono::milliseconds(5));
  const double connect_s = std::chrono::duration<double>(Clock::now() - connect_start).count();
  std::cout << "clients " << o.clients << "\nclients_display " << displays << "\nclients_queue " << o.clients - displays
            << "\nconnected " << shared.open.load() << "\nconnect_failed " << shared.failed.load()
            << "\nconnect_seconds " << connect_s << std::endl;
  const int subscribed = shared.open.load();
  if (subscribed == 0) {
    guard.reset();
    ioc.stop();
    io.join();
    return 1;
  }
  // The server subscribes each session just after its handshake completes;
  // one settle period lets the last ones land before the first call.
  std::this_thread::sleep_for(std::chrono::milliseconds(std::max(o.settle_ms, 500)));

  std::unique_ptr<Notifier> notifier;
  std::unique_ptr<Caller> caller;
  if (o.trigger == "notify") notifier = std::make_unique<Notifier>(o.pg);
  else caller = std::make_unique<Caller>(o);

  std::vector<double> latencies_ms, trigger_ms;
  int timeouts = 0, call_errors = 0, short_of = 0;
  for (int n = 1; n <= o.calls; ++n) {
    shared.reached = 0;
    shared.last_ns = 0;
    shared.epoch = n;
    const int64_t t0 = now_ns();
    if (notifier) {
      notifier->call(o, n);
    } else {
      const int status = caller->call();
      if (status != 200 && status != 201) {
        ++call_errors;
        std::cerr << "call " << n << ": " << status << " " << caller->last_body() << "\n";
        continue;
      }
    }
    trigger_ms.push_back(static_cast<double>(now_ns() - t0) / 1e6);
    const int want = shared.open.load();
    const auto deadline = Clock::now() + std::chrono::milliseconds(o.timeout_ms);
    while (shared.reached.load() < want && Clock::now() < deadline)
      std::this_thread::sleep_for(std::chrono::microseconds(200));
    if (shared.reached.load() < want) {
      ++timeouts;
      short_of += want - shared.reached.load();
    } else {
      latencies_ms.push_back(static_cast<double>(shared.last_ns.load() - t0) / 1e6);
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(o.settle_ms));
  }

  std::cout << "trigger " << o.trigger << "\ncalls " << o.calls << "\ncalls_measured " << latencies_ms.size()
            << "\ncall_errors " << call_errors << "\ntimeouts " << timeouts << "\nclients_short " << short_of
            << "\nmessages " << shared.messages.load() << "\nclosed_during_run " << shared.closed.load() << "\n";
  if (!latencies_ms.empty()) {
    std::printf("last_client_p50_ms %.2f\nlast_client_p99_ms %.2f\nlast_client_max_ms %.2f\n",
                percentile(latencies_ms, 0.50), percentile(latencies_ms, 0.99),
                *std::max_element(latencies_ms.begin(), latencies_ms.end()));
    std::printf("trigger_p50_ms %.2f\n", percentile(trigger_ms, 0.50));
  }
  std::cout.flush();
  guard.reset();
  ioc.stop();
  io.join();
  return timeouts == 0 && call_errors == 0 ? 0 : 1;
}
