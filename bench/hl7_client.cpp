// stork-hl7-client: the load client of bench/hl7-intake. Opens C MLLP
// connections and sends M ORU^R01 messages on each, one at a time as HL7
// original mode asks (the next message goes once the ACK to the previous one
// is in), then prints throughput, ACK latency percentiles and the ACK codes.
//
//   stork-hl7-client --port 2575 --card 900000000421 --connections 4 --messages 2500
//   stork-hl7-client --in-process --connections 4 --messages 2500
//
// Each message is a complete blood count (three OBX) for the patient with
// card --card, with the control id "<prefix>-<connection>-<n>" (prefix: the
// process id and start time unless --prefix), so every message is new to the
// server and none is a duplicate.
//
// --in-process measures the listener alone: it starts an MllpListener on a
// free port with Hl7Endpoint in front of a sink that accepts every report
// and stores nothing (parse, ORU mapping, ACK building, framing, TCP), and
// drives it over loopback like a remote server.
//
// Output: "key value" lines (messages_per_second, p50_ms, p99_ms, aa, ae,
// ar, failed, ...). The clock starts once every connection is open.
#include <arpa/inet.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <barrier>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "interop/hl7_endpoint.hpp"
#include "interop/hl7_message.hpp"
#include "interop/mllp.hpp"
#include "interop/net/mllp_listener.hpp"

namespace {

using namespace stork::interop;
using Clock = std::chrono::steady_clock;

struct Options {
  std::string host = "127.0.0.1";
  int port = 2575;
  int connections = 4;
  int messages = 1000;  // per connection
  std::string card = "900000000421";
  std::string prefix;
  bool in_process = false;
  int io_threads = 1;
  int worker_threads = 2;
  int timeout_s = 30;  // per ACK
};

[[noreturn]] void usage(const char* why) {
  std::fprintf(stderr,
               "stork-hl7-client: %s\n"
               "usage: stork-hl7-client [--host H] [--port P] [--connections C] [--messages M]\n"
               "                        [--card CARD] [--prefix ID] [--timeout-s S]\n"
               "                        [--in-process [--io-threads N] [--worker-threads N]]\n",
               why);
  std::exit(2);
}

Options parse_args(int argc, char** argv) {
  Options o;
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    const auto value = [&]() -> std::string {
      if (i + 1 >= argc) usage(("missing value for " + a).c_str());
      return argv[++i];
    };
    if (a == "--host") o.host = value();
    else if (a == "--port") o.port = std::atoi(value().c_str());
    else if (a == "--connections") o.connections = std::atoi(value().c_str());
    else if (a == "--messages") o.messages = std::atoi(value().c_str());
    else if (a == "--card") o.card = value();
    else if (a == "--prefix") o.prefix = value();
    else if (a == "--timeout-s") o.timeout_s = std::atoi(value().c_str());
    else if (a == "--in-process") o.in_process = true;
    else if (a == "--io-threads") o.io_threads = std::atoi(value().c_str());
    else if (a == "--worker-threads") o.worker_threads = std::atoi(value().c_str());
    else usage(("unknown option " + a).c_str());
  }
  if (o.connections < 1 || o.messages < 1) usage("--connections and --messages must be positive");
  if (o.prefix.empty())
    o.prefix = "B" + std::to_string(getpid()) + "T" +
               std::to_string(std::chrono::system_clock::now().time_since_epoch() /
                              std::chrono::seconds(1) % 100000);
  return o;
}

std::string oru(const std::string& control_id, const std::string& card) {
  return "MSH|^~\\&|BENCH_LIS|MCH^Lab|STORK|MCH|20261127083000+0800||ORU^R01^ORU_R01|" + control_id +
         "|P|2.5.1\r"
         "PID|1||" + card + "^^^MCH^CARD||Wang^Fang||19900307|F\r"
         "OBR|1|ORD-" + control_id + "^HIS|" + control_id +
         "^LIS|CBC^Complete blood count^LN|||20261127071500|||||||||D0117^Zhao^Min||||||"
         "20261127082900|||F\r"
         "OBX|1|NM|718-7^Hemoglobin^LN||98|g/L|110-150|L|||F|||20261127080000\r"
         "OBX|2|NM|6690-2^Leukocytes^LN||12.6|10*9/L|4.0-10.0|H|||F|||20261127080000\r"
         "OBX|3|NM|777-3^Platelets^LN||210|10*9/L|100-300|N|||F|||20261127080000\r";
}

int connect_to(const Options& o) {
  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  addrinfo* found = nullptr;
  if (getaddrinfo(o.host.c_str(), std::to_string(o.port).c_str(), &hints, &found) != 0) return -1;
  int fd = -1;
  for (addrinfo* a = found; a != nullptr && fd < 0; a = a->ai_next) {
    fd = socket(a->ai_family, a->ai_socktype, a->ai_protocol);
    if (fd >= 0 && connect(fd, a->ai_addr, a->ai_addrlen) != 0) {
      close(fd);
      fd = -1;
    }
  }
  freeaddrinfo(found);
  if (fd < 0) return -1;
  const int one = 1;
  setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
  timeval tv{o.timeout_s, 0};
  setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  return fd;
}

struct Tally {
  uint64_t aa = 0, ae = 0, ar = 0, failed = 0;
  std::vector<uint32_t> latency_us;
};

// One connection's messages, in order; stops at the first connection fault.
void run_connection(const Options& o, int fd, int index, Tally& t) {
  MllpDecoder decoder;
  std::vector<std::string> acks;
  char buf[8192];
  for (int n = 0; n < o.messages; ++n) {
    const std::string frame =
        mllp_frame(oru(o.prefix + "-" + std::to_string(index) + "-" + std::to_string(n), o.card));
    const auto sent_at = Clock::now();
    bool ok = send(fd, frame.data(), frame.size(), MSG_NOSIGNAL) == static_cast<ssize_t>(frame.size());
    acks.clear();
    while (ok && acks.empty()) {
      const ssize_t got = recv(fd, buf, sizeof buf, 0);
      ok = got > 0 && decoder.feed(std::string_view(buf, static_cast<size_t>(got)), acks).has_value();
    }
    if (!ok) {
      t.failed += static_cast<uint64_t>(o.messages - n);
      return;
    }
    t.latency_us.push_back(static_cast<uint32_t>(
        std::chrono::duration_cast<std::chrono::microseconds>(Clock::now() - sent_at).count()));
    const auto ack = Hl7Message::parse(acks.front());
    const std::string code = ack ? ack->field("MSA", 1) : "";
    if (code == "AA") ++t.aa;
    else if (code == "AE") ++t.ae;
    else if (code == "AR") ++t.ar;
    else ++t.failed;
  }
}

double percentile_ms(const std::vector<uint32_t>& sorted, double q) {
  if (sorted.empty()) return 0;
  const size_t i = std::min(sorted.size() - 1, static_cast<size_t>(q * static_cast<double>(sorted.size())));
  return sorted[i] / 1000.0;
}

// Accepts every report, stores nothing: what is left is the listener's cost.
class AcceptAllSink : public OruSink {
 public:
  Hl7Result<IntakeOutcome> accept(const OruReport&, std::string_view) override {
    return IntakeOutcome::accepted;
  }
};

}  // namespace

int main(int argc, char** argv) {
  Options o = parse_args(argc, argv);

  AcceptAllSink sink;
  std::unique_ptr<Hl7Endpoint> endpoint;
  std::unique_ptr<MllpListener> listener;
  if (o.in_process) {
    endpoint = std::make_unique<Hl7Endpoint>(sink, [] {
      return static_cast<int64_t>(std::chrono::duration_cast<std::chrono::milliseconds>(
                                      std::chrono::system_clock::now().time_since_epoch())
                                      .count());
    });
    MllpListenerOptions lo;
    lo.address = "127.0.0.1";
    lo.port = 0;
    lo.io_threads = o.io_threads;
    lo.worker_threads = o.worker_threads;
    lo.max_connections = o.connections + 10;
    listener = std::make_unique<MllpListener>(lo, [&](std::string_view m) { return endpoint->answer(m); });
    if (auto started = listener->start(); !started) {
      std::fprintf(stderr, "stork-hl7-client: %s\n", started.error().message.c_str());
      return 1;
    }
    o.host = "127.0.0.1";
    o.port = listener->port();
  }

  std::vector<int> fds;
  for (int c = 0; c < o.connections; ++c) {
    const int fd = connect_to(o);
    if (fd < 0) {
      std::fprintf(stderr, "stork-hl7-client: cannot connect to %s:%d\n", o.host.c_str(), o.port);
      return 1;
    }
    fds.push_back(fd);
  }

  std::vector<Tally> tallies(static_cast<size_t>(o.connections));
  std::barrier ready(o.connections + 1);
  std::vector<std::thread> threads;
  for (int c = 0; c < o.connections; ++c)
    threads.emplace_back([&, c] {
      ready.arrive_and_wait();
      run_connection(o, fds[static_cast<size_t>(c)], c, tallies[static_cast<size_t>(c)]);
    });
  const auto start = Clock::now();
  ready.arrive_and_wait();
  for (auto& t : threads) t.join();
  const double seconds = std::chrono::duration<double>(Clock::now() - start).count();
  for (int fd : fds) close(fd);
  if (listener) listener->stop();

  Tally all;
  for (const Tally& t : tallies) {
    all.aa += t.aa;
    all.ae += t.ae;
    all.ar += t.ar;
    all.failed += t.failed;
    all.latency_us.insert(all.latency_us.end(), t.latency_us.begin(), t.latency_us.end());
  }
  std::sort(all.latency_us.begin(), all.latency_us.end());
  const uint64_t answered = all.aa + all.ae + all.ar;
  std::printf("mode %s\nconnections %d\nmessages_per_connection %d\nanswered %llu\n",
              o.in_process ? "in_process" : "remote", o.connections, o.messages,
              static_cast<unsigned long long>(answered));
  std::printf("aa %llu\nae %llu\nar %llu\nfailed %llu\n", static_cast<unsigned long long>(all.aa),
              static_cast<unsigned long long>(all.ae), static_cast<unsigned long long>(all.ar),
              static_cast<unsigned long long>(all.failed));
  std::printf("seconds %.3f\nmessages_per_second %.0f\n", seconds,
              seconds > 0 ? static_cast<double>(answered) / seconds : 0.0);
  std::printf("p50_ms %.3f\np99_ms %.3f\nmax_ms %.3f\n", percentile_ms(all.latency_us, 0.50),
              percentile_ms(all.latency_us, 0.99), percentile_ms(all.latency_us, 1.0));
  return all.failed == 0 ? 0 : 1;
}
