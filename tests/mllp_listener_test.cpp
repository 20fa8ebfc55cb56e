// The MLLP listener over real TCP, answering through Hl7Endpoint with an
// in-memory sink; and the interop test with Debian's mllp_send
// (python3-hl7), a client nobody here wrote.
#include "interop/net/mllp_listener.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstdlib>
#include <deque>
#include <filesystem>
#include <fstream>
#include <future>
#include <optional>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include <gtest/gtest.h>

#include "core/log.hpp"
#include "interop/hl7_endpoint.hpp"
#include "interop/hl7_samples.hpp"
#include "interop/mllp.hpp"
#include "support/eventually.hpp"
#include "support/process.hpp"
#include "support/recording_oru_sink.hpp"

namespace stork::interop {
namespace {

using namespace std::chrono_literals;
using testing::RecordingOruSink;

constexpr int64_t kNowMs = 1795739405000;  // 2026-11-27 08:30:05 +08:00
constexpr const char* kCard = "900000000421";
constexpr const char* kMllpSend = "/usr/bin/mllp_send";

// A blocking MLLP client with a receive deadline, so a broken listener
// fails the test instead of hanging it.
class MllpTestClient {
 public:
  explicit MllpTestClient(uint16_t port, std::chrono::seconds deadline = 10s) {
    fd_ = ::socket(AF_INET, SOCK_STREAM, 0);
    timeval tv{static_cast<time_t>(deadline.count()), 0};
    ::setsockopt(fd_, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    ::setsockopt(fd_, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_port = htons(port);
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    connected_ = ::connect(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0;
  }
  ~MllpTestClient() { ::close(fd_); }
  MllpTestClient(const MllpTestClient&) = delete;
  MllpTestClient& operator=(const MllpTestClient&) = delete;

  bool connected() const { return connected_; }

  bool send_raw(std::string_view bytes) {
    while (!bytes.empty()) {
      const ssize_t n = ::send(fd_, bytes.data(), bytes.size(), MSG_NOSIGNAL);
      if (n <= 0) return false;
      bytes.remove_prefix(static_cast<size_t>(n));
    }
    return true;
  }
  bool send(std::string_view message) { return send_raw(mllp_frame(message)); }

  // The next framed answer; nullopt when the connection ends or the deadline passes first.
  std::optional<std::string> receive() {
    while (ready_.empty()) {
      if (!read_some()) return std::nullopt;
    }
    std::string m = std::move(ready_.front());
    ready_.pop_front();
    return m;
  }

  // True when the server closes the connection (EOF or reset) before the
  // deadline, with no answer on the way.
  bool closed_by_server() {
    while (true) {
      char buf[4096];
      const ssize_t n = ::recv(fd_, buf, sizeof buf, 0);
      if (n == 0) return true;
      if (n < 0) return errno == ECONNRESET || errno == EPIPE;
      std::vector<std::string> out;
      (void)decoder_.feed(std::string_view(buf, static_cast<size_t>(n)), out);
      if (!out.empty()) return false;  // an answer, not a close
    }
  }

 private:
  bool read_some() {
    char buf[4096];
    const ssize_t n = ::recv(fd_, buf, sizeof buf, 0);
    if (n <= 0) return false;
    std::vector<std::string> out;
    if (!decoder_.feed(std::string_view(buf, static_cast<size_t>(n)), out)) return false;
    for (auto& m : out) ready_.push_back(std::move(m));
    return true;
  }

  int fd_ = -1;
  bool connected_ = false;
  MllpDecoder decoder_;
  std::deque<std::string> ready_;
};

Hl7Message parse_ack(const std::optional<std::string>& ack) {
  EXPECT_TRUE(ack.has_value()) << "no answer";
  if (!ack) return Hl7Message();
  auto msg = Hl7Message::parse(*ack);
  EXPECT_TRUE(msg.has_value()) << *ack;
  return msg ? *msg : Hl7Message();
}

// The sample CBC with another control id.
std::string cbc_with_id(const std::string& control_id) {
  std::string text = samples::cbc();
  text.replace(text.find("LAB20261127000123"), 17, control_id);
  return text;
}

class MllpListenerTest : public ::testing::Test {
 protected:
  void SetUp() override { log::set_enabled(false); }
  void TearDown() override {
    if (listener) listener->stop();
    log::set_enabled(true);
  }

  void start(MllpListenerOptions options = {}) {
    options.address = "127.0.0.1";
    options.port = 0;
    listener = std::make_unique<MllpListener>(
        options, [this](std::string_view m) { return endpoint.answer(m); });
    auto started = listener->start();
    ASSERT_TRUE(started.has_value()) << started.error().message;
    ASSERT_NE(listener->port(), 0);
  }

  // One message on a fresh connection answered AA: the listener still serves.
  void expect_still_serving(const std::string& control_id) {
    MllpTestClient client(listener->port());
    ASSERT_TRUE(client.connected());
    ASSERT_TRUE(client.send(cbc_with_id(control_id)));
    const Hl7Message ack = parse_ack(client.receive());
    EXPECT_EQ(ack.field("MSA", 1), "AA");
    EXPECT_EQ(ack.field("MSA", 2), control_id);
  }

  RecordingOruSink sink{{kCard}};
  Hl7Endpoint endpoint{sink, [] { return kNowMs; }};
  std::unique_ptr<MllpListener> listener;
};

TEST_F(MllpListenerTest, AnswersAValidOruWithAaEchoingItsControlId) {
  start();
  MllpTestClient client(listener->port());
  ASSERT_TRUE(client.send(samples::cbc()));
  const Hl7Message ack = parse_ack(client.receive());
  EXPECT_EQ(ack.message_type(), "ACK");
  EXPECT_EQ(ack.field("MSA", 1), "AA");
  EXPECT_EQ(ack.field("MSA", 2), "LAB20261127000123");
  const auto reports = sink.reports();
  ASSERT_EQ(reports.size(), 1u);
  EXPECT_EQ(reports[0].orders.at(0).filler_number, "LAB-778812");
  EXPECT_EQ(listener->stats().messages, 1u);
}

TEST_F(MllpListenerTest, RejectsAMessageWithoutMshAndKeepsTheConnection) {
  start();
  MllpTestClient client(listener->port());
  ASSERT_TRUE(client.send(samples::join({samples::kPid, samples::kObr, samples::kHgb})));
  const Hl7Message nak = parse_ack(client.receive());
  EXPECT_EQ(nak.field("MSA", 1), "AR");
  EXPECT_EQ(nak.field("ERR", 5), "hl7_no_msh");
  // Same connection, next message.
  ASSERT_TRUE(client.send(cbc_with_id("AFTER-NAK-1")));
  EXPECT_EQ(parse_ack(client.receive()).field("MSA", 2), "AFTER-NAK-1");
}

TEST_F(MllpListenerTest, RejectsWrongSeparators) {
  start();
  MllpTestClient client(listener->port());
  std::string text = cbc_with_id("SEP-1");
  text.replace(0, 8, "MSH|^~\\|");
  ASSERT_TRUE(client.send(text));
  const Hl7Message nak = parse_ack(client.receive());
  EXPECT_EQ(nak.field("MSA", 1), "AR");
  EXPECT_EQ(nak.field("ERR", 5), "hl7_bad_encoding_characters");
  EXPECT_TRUE(sink.reports().empty());
}

TEST_F(MllpListenerTest, RejectsATruncatedMessageAndSurvivesACutFrame) {
  start();
  {
    MllpTestClient client(listener->port());
    ASSERT_TRUE(client.send("MSH|^~\\&|LIS|MCH|STORK|MCH|20261127"));
    const Hl7Message nak = parse_ack(client.receive());
    EXPECT_EQ(nak.field("MSA", 1), "AR");
    EXPECT_EQ(nak.field("ERR", 5), "hl7_truncated");
  }
  {
    // The sender goes away in the middle of a frame: no answer, no harm.
    MllpTestClient client(listener->port());
    const std::string framed = mllp_frame(samples::cbc());
    ASSERT_TRUE(client.send_raw(framed.substr(0, framed.size() / 2)));
  }
  expect_still_serving("AFTER-CUT-1");
  EXPECT_EQ(sink.reports().size(), 1u);
}

TEST_F(MllpListenerTest, RejectsBinaryGarbageInsideAFrame) {
  start();
  MllpTestClient client(listener->port());
  // A valid header, then a segment of binary bytes (no framing bytes, no
  // line ends, so it stays one segment).
  std::string garbage = "MSH|^~\\&|LIS|MCH|STORK|MCH|20261127||ORU^R01|BIN-1|P|2.5\rNTE|1|L|";
  for (int i = 0; i < 2000; ++i) {
    const char c = static_cast<char>((i * 131 + 7) % 256);
    if (c != kMllpStart && c != kMllpEnd && c != '\r' && c != '\n') garbage.push_back(c);
  }
  ASSERT_TRUE(client.send(garbage));
  const Hl7Message nak = parse_ack(client.receive());
  EXPECT_EQ(nak.field("MSA", 1), "AR");
  EXPECT_EQ(nak.field("MSA", 2), "BIN-1");
  EXPECT_EQ(nak.field("ERR", 5), "hl7_binary");
}

TEST_F(MllpListenerTest, DropsAStreamWithoutFramesAfterTheDiscardLimit) {
  MllpListenerOptions options;
  options.max_discarded_bytes = 4096;
  start(options);
  MllpTestClient client(listener->port());
  std::string garbage;
  for (int i = 0; i < 20000; ++i) {
    const char c = static_cast<char>((i * 7 + 3) % 256);
    garbage.push_back(c == kMllpStart ? 'x' : c);
  }
  (void)client.send_raw(garbage);  // may fail half-way: the listener hangs up
  EXPECT_TRUE(client.closed_by_server());
  EXPECT_EQ(listener->stats().dropped_bad_stream, 1u);
  expect_still_serving("AFTER-GARBAGE-1");
}

TEST_F(MllpListenerTest, DropsAConnectionWhoseFrameEndsWithoutCr) {
  start();
  MllpTestClient client(listener->port());
  ASSERT_TRUE(client.send_raw(std::string("\x0BMSH|^~\\&|X\x1CZ", 13)));
  EXPECT_TRUE(client.closed_by_server());
  EXPECT_EQ(listener->stats().dropped_bad_stream, 1u);
  expect_still_serving("AFTER-TRAILER-1");
}

TEST_F(MllpListenerTest, DropsAFiveMegabyteFrameAtTheLimitAndKeepsServing) {
  start();
  MllpTestClient client(listener->port());
  const std::string chunk(64 * 1024, 'A');
  ASSERT_TRUE(client.send_raw(std::string(1, kMllpStart) + "MSH|^~\\&|LIS|MCH|STORK|MCH|20261127||"
                                                             "ORU^R01|BIG-1|P|2.5\rNTE|1|L|"));
  // Five megabytes that never end; the listener hangs up once past its
  // 1 MiB + 4 KiB limit, so sending usually fails part-way.
  size_t sent = 0;
  while (sent < 5 * 1024 * 1024 && client.send_raw(chunk)) sent += chunk.size();
  EXPECT_TRUE(client.closed_by_server());
  EXPECT_EQ(listener->stats().dropped_too_large, 1u);
  EXPECT_TRUE(sink.reports().empty());
  expect_still_serving("AFTER-BIG-1");
}

TEST_F(MllpListenerTest, AnswersPipelinedMessagesInOrder) {
  start();
  MllpTestClient client(listener->port());
  std::string burst;
  for (int i = 1; i <= 6; ++i) burst += mllp_frame(cbc_with_id("PIPE-" + std::to_string(i)));
  burst += mllp_frame("not hl7 at all");  // a NAK in the middle of the line keeps its place
  burst += mllp_frame(cbc_with_id("PIPE-7"));
  ASSERT_TRUE(client.send_raw(burst));
  for (int i = 1; i <= 8; ++i) {
    const Hl7Message ack = parse_ack(client.receive());
    if (i == 7) {
      EXPECT_EQ(ack.field("MSA", 1), "AR");
    } else {
      EXPECT_EQ(ack.field("MSA", 1), "AA");
      EXPECT_EQ(ack.field("MSA", 2), "PIPE-" + std::to_string(i == 8 ? 7 : i));
    }
  }
  EXPECT_EQ(sink.reports().size(), 7u);
}

TEST_F(MllpListenerTest, Serves50ConcurrentConnections) {
  MllpListenerOptions options;
  options.io_threads = 2;
  options.worker_threads = 2;
  start(options);
  constexpr int kClients = 50;
  constexpr int kEach = 4;
  // Every client connects first, then all send: 50 connections open at once.
  std::vector<std::unique_ptr<MllpTestClient>> clients;
  for (int c = 0; c < kClients; ++c) {
    clients.push_back(std::make_unique<MllpTestClient>(listener->port()));
    ASSERT_TRUE(clients.back()->connected());
  }
  std::vector<std::future<int>> results;
  for (int c = 0; c < kClients; ++c)
    results.push_back(std::async(std::launch::async, [&, c] {
      int matched = 0;
      for (int i = 0; i < kEach; ++i) {
        const std::string id = "C" + std::to_string(c) + "-" + std::to_string(i);
        if (!clients[c]->send(cbc_with_id(id))) break;
        const auto ack = clients[c]->receive();
        if (!ack) break;
        const auto msg = Hl7Message::parse(*ack);
        if (msg && msg->field("MSA", 1) == "AA" && msg->field("MSA", 2) == id) ++matched;
      }
      return matched;
    }));
  int matched = 0;
  for (auto& r : results) matched += r.get();
  EXPECT_EQ(matched, kClients * kEach);
  EXPECT_EQ(sink.reports().size(), size_t{kClients * kEach});
  EXPECT_EQ(listener->stats().connections_open, uint64_t{kClients});
  EXPECT_EQ(listener->stats().connections_refused, 0u);
}

TEST_F(MllpListenerTest, RefusesConnectionsBeyondTheLimit) {
  MllpListenerOptions options;
  options.max_connections = 2;
  start(options);
  MllpTestClient first(listener->port());
  MllpTestClient second(listener->port());
  // Both served, so both are counted open before the third arrives.
  ASSERT_TRUE(first.send(cbc_with_id("LIMIT-1")));
  ASSERT_TRUE(second.send(cbc_with_id("LIMIT-2")));
  EXPECT_EQ(parse_ack(first.receive()).field("MSA", 1), "AA");
  EXPECT_EQ(parse_ack(second.receive()).field("MSA", 1), "AA");
  MllpTestClient third(listener->port());
  EXPECT_TRUE(third.closed_by_server());
  EXPECT_EQ(listener->stats().connections_refused, 1u);
}

TEST_F(MllpListenerTest, ClosesAnIdleConnection) {
  MllpListenerOptions options;
  options.idle_timeout = 200ms;
  start(options);
  MllpTestClient client(listener->port());
  ASSERT_TRUE(client.send(cbc_with_id("IDLE-1")));
  EXPECT_EQ(parse_ack(client.receive()).field("MSA", 1), "AA");
  const auto before = std::chrono::steady_clock::now();
  EXPECT_TRUE(client.closed_by_server());
  EXPECT_GE(std::chrono::steady_clock::now() - before, 150ms);
  EXPECT_EQ(listener->stats().dropped_timeout, 1u);
}

TEST_F(MllpListenerTest, ClosesAConnectionWhoseMessageDoesNotArriveInTime) {
  MllpListenerOptions options;
  options.frame_timeout = 200ms;  // idle stays at an hour
  start(options);
  MllpTestClient client(listener->port());
  const std::string framed = mllp_frame(samples::cbc());
  ASSERT_TRUE(client.send_raw(framed.substr(0, 100)));
  EXPECT_TRUE(client.closed_by_server());
  EXPECT_EQ(listener->stats().dropped_timeout, 1u);
}

TEST_F(MllpListenerTest, DropsTheConnectionWhenTheHandlerThrows) {
  listener = std::make_unique<MllpListener>(MllpListenerOptions{"127.0.0.1", 0},
                                            [](std::string_view m) -> std::string {
                                              if (m.find("BOOM") != std::string_view::npos)
                                                throw std::runtime_error("bug");
                                              return "MSA|AA|ok\r";
                                            });
  ASSERT_TRUE(listener->start().has_value());
  MllpTestClient client(listener->port());
  ASSERT_TRUE(client.send("BOOM"));
  EXPECT_TRUE(client.closed_by_server());
  MllpTestClient next(listener->port());
  ASSERT_TRUE(next.send("fine"));
  EXPECT_EQ(next.receive(), std::optional<std::string>("MSA|AA|ok\r"));
}

TEST_F(MllpListenerTest, StopReturnsWhileClientsAreConnected) {
  start();
  MllpTestClient idle(listener->port());
  MllpTestClient mid_frame(listener->port());
  MllpTestClient served(listener->port());
  ASSERT_TRUE(served.send(cbc_with_id("STOP-1")));
  EXPECT_EQ(parse_ack(served.receive()).field("MSA", 1), "AA");
  ASSERT_TRUE(mid_frame.send_raw(mllp_frame(samples::cbc()).substr(0, 200)));
  ASSERT_TRUE(testing::eventually([&] { return listener->stats().connections_open == 3; }));

  auto stopped = std::async(std::launch::async, [&] { listener->stop(); });
  ASSERT_EQ(stopped.wait_for(10s), std::future_status::ready);
  EXPECT_TRUE(idle.closed_by_server());
  EXPECT_TRUE(mid_frame.closed_by_server());
  EXPECT_TRUE(served.closed_by_server());
  EXPECT_EQ(listener->stats().connections_open, 0u);
  MllpTestClient late(listener->port());
  EXPECT_FALSE(late.connected());
}

TEST_F(MllpListenerTest, StopWaitsForAHandlerAlreadyRunning) {
  std::promise<void> entered;
  std::promise<void> release;
  auto released = release.get_future().share();
  listener = std::make_unique<MllpListener>(MllpListenerOptions{"127.0.0.1", 0},
                                            [&, released](std::string_view) -> std::string {
                                              entered.set_value();
                                              released.wait();  // the database, slow
                                              return "MSA|AA|late\r";
                                            });
  ASSERT_TRUE(listener->start().has_value());
  MllpTestClient client(listener->port());
  ASSERT_TRUE(client.send("x"));
  entered.get_future().wait();
  auto stopped = std::async(std::launch::async, [&] { listener->stop(); });
  EXPECT_EQ(stopped.wait_for(50ms), std::future_status::timeout);
  release.set_value();
  ASSERT_EQ(stopped.wait_for(10s), std::future_status::ready);
  EXPECT_TRUE(client.closed_by_server());  // the answer is dropped: the sender resends
}

TEST_F(MllpListenerTest, ReportsABindFailure) {
  start();
  MllpListener second(MllpListenerOptions{"127.0.0.1", listener->port()},
                      [](std::string_view) { return std::string(); });
  auto started = second.start();
  ASSERT_FALSE(started.has_value());
  EXPECT_EQ(started.error().code, "mllp_bind_failed");
}

// --- interop with python3-hl7's mllp_send ---------------------------------

// Files as a LIS exports them: one segment a line (mllp_send --loose turns
// the newlines into \r), two messages in one file.
const std::string kCbcFile =
    "MSH|^~\\&|MINDRAY_LIS|MCH^Lab|STORK|MCH|20261127083000+0800||ORU^R01^ORU_R01|CBC-0001|P|2.5.1\n"
    "PID|1||900000000421^^^MCH^CARD~110101199003078515^^^CHN^NNCHN||Wang^Fang||19900307|F\n"
    "OBR|1|ORD-5521^HIS|LAB-900001^LIS|CBC^Complete blood count^LN|||20261127071500|||||||||"
    "D0117^Zhao^Min||||||20261127082900|||F\n"
    "OBX|1|NM|718-7^Hemoglobin^LN||98|g/L^grams per litre^UCUM|110-150|L|||F|||20261127080000\n"
    "OBX|2|NM|6690-2^Leukocytes^LN||12.6|10*9/L|4.0-10.0|H|||F|||20261127080000\n"
    "OBX|3|NM|777-3^Platelets^LN||210|10*9/L|100-300|N|||F|||20261127080000\n"
    "OBX|4|NM|789-8^Erythrocytes^LN||3.21|10*12/L|3.80-5.10|L|||F|||20261127080000\n"
    "NTE|1|L|Specimen slightly haemolysed\n";
const std::string kUrineFile =
    "MSH|^~\\&|MINDRAY_LIS|MCH^Lab|STORK|MCH|20261127091000+0800||ORU^R01^ORU_R01|URI-0001|P|2.5.1\n"
    "PID|1||900000000421^^^MCH^CARD||Wang^Fang||19900307|F\n"
    "OBR|1|ORD-5530^HIS|LAB-900002^LIS|24356-8^Urinalysis complete^LN|||20261127084000|||||||||"
    "D0117^Zhao^Min||||||20261127090500|||F\n"
    "OBX|1|ST|5778-6^Color of Urine^LN||Yellow||||||F\n"
    "OBX|2|NM|2756-5^pH of Urine^LN||6.5||5.0-8.0|N|||F\n"
    "OBX|3|NM|2965-2^Specific gravity of Urine^LN||1.032||1.003-1.030|H|||F\n"
    "OBX|4|ST|2888-6^Protein [Mass/volume] in Urine^LN||1+|g/L|NEG|A|||F\n"
    "OBX|5|ST|5802-4^Nitrite [Presence] in Urine^LN||POS||NEG|POS|||F\n"
    "OBX|6|NM|5821-4^Leukocytes [#/area] in Urine sediment^LN||25|/HPF|0-5|H|||F\n";
const std::string kUnknownPatientFile =
    "MSH|^~\\&|MINDRAY_LIS|MCH^Lab|STORK|MCH|20261127091500+0800||ORU^R01^ORU_R01|URI-0002|P|2.5.1\n"
    "PID|1||900000009999^^^MCH^CARD||Li^Na||19920101|F\n"
    "OBR|1|ORD-5531^HIS|LAB-900003^LIS|24356-8^Urinalysis complete^LN|||20261127084000||||||||"
    "|||||||20261127090500|||F\n"
    "OBX|1|NM|2756-5^pH of Urine^LN||6.0||5.0-8.0|N|||F\n";

class MllpSendInterop : public MllpListenerTest {
 protected:
  void SetUp() override {
    MllpListenerTest::SetUp();
    ASSERT_TRUE(std::filesystem::exists(kMllpSend))
        << kMllpSend << " is missing: apt-get install python3-hl7";
    char dir_template[] = "/tmp/stork-mllp-send.XXXXXX";
    ASSERT_NE(::mkdtemp(dir_template), nullptr);
    dir = dir_template;
    start();
  }
  void TearDown() override {
    std::filesystem::remove_all(dir);
    MllpListenerTest::TearDown();
  }

  testing::CommandResult mllp_send(const std::string& name, const std::string& content) {
    const std::filesystem::path file = dir / name;
    std::ofstream(file, std::ios::binary) << content;
    // timeout(1): mllp_send waits for each ACK without a deadline of its own.
    return testing::run_command({"/usr/bin/timeout", "30", kMllpSend, "--loose", "--port",
                                 std::to_string(listener->port()), "--file", file.string(),
                                 "127.0.0.1"});
  }

  std::filesystem::path dir;
};

TEST_F(MllpSendInterop, DeliversACbcAndAUrinalysisAndPrintsTheirAcks) {
  const auto sent = mllp_send("reports.hl7", kCbcFile + kUrineFile);
  ASSERT_EQ(sent.exit_code, 0) << sent.output;
  EXPECT_NE(sent.output.find("MSA|AA|CBC-0001"), std::string::npos) << sent.output;
  EXPECT_NE(sent.output.find("MSA|AA|URI-0001"), std::string::npos) << sent.output;
  EXPECT_EQ(sent.output.find("MSA|AE"), std::string::npos) << sent.output;
  EXPECT_NE(sent.output.find("|ACK^R01^ACK|"), std::string::npos) << sent.output;

  const auto reports = sink.reports();
  ASSERT_EQ(reports.size(), 2u);
  const OruReport& cbc = reports[0];
  EXPECT_EQ(cbc.control_id, "CBC-0001");
  EXPECT_EQ(cbc.sending_application, "MINDRAY_LIS");
  ASSERT_EQ(cbc.patient.identifiers.size(), 2u);
  EXPECT_EQ(cbc.patient.identifiers[0].id, "900000000421");
  EXPECT_EQ(cbc.patient.identifiers[0].kind, IdentifierKind::card);
  EXPECT_EQ(cbc.patient.identifiers[1].id, "110101199003078515");
  EXPECT_EQ(cbc.patient.identifiers[1].kind, IdentifierKind::resident_id);
  EXPECT_EQ(cbc.patient.family_name, "Wang");
  EXPECT_EQ(cbc.patient.sex, "F");
  ASSERT_EQ(cbc.orders.size(), 1u);
  EXPECT_EQ(cbc.orders[0].filler_number, "LAB-900001");
  const auto& obx = cbc.orders[0].observations;
  ASSERT_EQ(obx.size(), 4u);
  EXPECT_EQ(obx[0].observation.code, "718-7");
  EXPECT_EQ(obx[0].numeric, std::optional<double>(98));
  EXPECT_EQ(obx[0].units, "g/L");
  EXPECT_EQ(obx[0].reference_range, "110-150");
  EXPECT_EQ(obx[0].abnormal_flags, std::vector<std::string>{"L"});
  EXPECT_TRUE(obx[0].abnormal);
  EXPECT_EQ(obx[1].numeric, std::optional<double>(12.6));
  EXPECT_EQ(obx[1].units, "10*9/L");
  EXPECT_EQ(obx[1].abnormal_flags, std::vector<std::string>{"H"});
  EXPECT_FALSE(obx[2].abnormal);  // N
  EXPECT_EQ(obx[3].value, "3.21");
  EXPECT_TRUE(cbc.orders[0].notes.empty());
  EXPECT_EQ(obx[3].notes, std::vector<std::string>{"Specimen slightly haemolysed"});

  const OruReport& urine = reports[1];
  EXPECT_EQ(urine.control_id, "URI-0001");
  ASSERT_EQ(urine.orders.size(), 1u);
  const auto& u = urine.orders[0].observations;
  ASSERT_EQ(u.size(), 6u);
  EXPECT_EQ(u[0].value_type, "ST");
  EXPECT_EQ(u[0].value, "Yellow");
  EXPECT_FALSE(u[0].abnormal);
  EXPECT_EQ(u[1].numeric, std::optional<double>(6.5));
  EXPECT_FALSE(u[1].abnormal);
  EXPECT_EQ(u[2].value, "1.032");
  EXPECT_EQ(u[2].reference_range, "1.003-1.030");
  EXPECT_TRUE(u[2].abnormal);
  EXPECT_EQ(u[3].value, "1+");
  EXPECT_EQ(u[3].units, "g/L");
  EXPECT_EQ(u[3].abnormal_flags, std::vector<std::string>{"A"});
  EXPECT_EQ(u[4].value, "POS");
  EXPECT_TRUE(u[4].abnormal);
  EXPECT_EQ(u[5].units, "/HPF");
  EXPECT_EQ(u[5].reference_range, "0-5");
  EXPECT_EQ(listener->stats().messages, 2u);
}

TEST_F(MllpSendInterop, AcksAResentReportAgainAndStoresItOnce) {
  ASSERT_EQ(mllp_send("first.hl7", kUrineFile).exit_code, 0);
  const auto again = mllp_send("again.hl7", kUrineFile);
  ASSERT_EQ(again.exit_code, 0) << again.output;
  EXPECT_NE(again.output.find("MSA|AA|URI-0001"), std::string::npos) << again.output;
  EXPECT_EQ(sink.reports().size(), 1u);
  EXPECT_EQ(sink.duplicates(), 1u);
  EXPECT_EQ(endpoint.counters().duplicates, 1u);
}

TEST_F(MllpSendInterop, PrintsANakNamingPid3ForAnUnknownPatient) {
  const auto sent = mllp_send("unknown.hl7", kUnknownPatientFile);
  ASSERT_EQ(sent.exit_code, 0) << sent.output;
  EXPECT_NE(sent.output.find("MSA|AE|URI-0002"), std::string::npos) << sent.output;
  EXPECT_NE(sent.output.find("ERR||PID^1^3^1|103^Table value not found^HL70357|E|hl7_unknown_patient"),
            std::string::npos)
      << sent.output;
  EXPECT_TRUE(sink.reports().empty());
}

}  // namespace
}  // namespace stork::interop
