#include "interop/hl7_endpoint.hpp"

#include <gtest/gtest.h>

#include <mutex>
#include <set>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "interop/hl7_samples.hpp"

namespace stork::interop {
namespace {

constexpr int64_t kNowMs = 1795739405000;  // 2026-11-27 08:30:05 +08:00

// Knows one card; a control id it has seen is a duplicate.
class FakeSink : public OruSink {
 public:
  Hl7Result<IntakeOutcome> accept(const OruReport& report, std::string_view raw) override {
    std::lock_guard lock(mutex_);
    if (throw_next_) throw std::runtime_error("database gone");
    const PatientIdentifier* card = report.patient.first(IdentifierKind::card);
    if (card == nullptr || card->id != known_card_)
      return hl7_fail(Hl7Error{"hl7_unknown_patient", Hl7Condition::table_value_not_found, false,
                               Hl7Location{"PID", 1, false, 3, 0, 0}, "no patient with this card"});
    raw_.emplace_back(raw);
    if (!seen_.insert(report.sending_application + "|" + report.control_id).second)
      return IntakeOutcome::duplicate;
    reports_.push_back(report);
    return IntakeOutcome::accepted;
  }
  std::vector<OruReport> reports() const {
    std::lock_guard lock(mutex_);
    return reports_;
  }
  size_t calls() const {
    std::lock_guard lock(mutex_);
    return raw_.size();
  }
  void throw_next() { throw_next_ = true; }

 private:
  mutable std::mutex mutex_;
  std::string known_card_ = "900000000421";
  std::set<std::string> seen_;
  std::vector<OruReport> reports_;
  std::vector<std::string> raw_;
  bool throw_next_ = false;
};

Hl7Message parse_ack(const std::string& ack) {
  auto msg = Hl7Message::parse(ack);
  EXPECT_TRUE(msg.has_value()) << ack;
  return msg ? *msg : Hl7Message();
}

class Hl7EndpointTest : public ::testing::Test {
 protected:
  FakeSink sink;
  Hl7Endpoint endpoint{sink, [] { return kNowMs; }};
};

TEST_F(Hl7EndpointTest, AcceptsAValidOruAndEchoesItsControlId) {
  const Hl7Message ack = parse_ack(endpoint.answer(samples::cbc()));
  EXPECT_EQ(ack.message_type(), "ACK");
  EXPECT_EQ(ack.field("MSA", 1), "AA");
  EXPECT_EQ(ack.field("MSA", 2), "LAB20261127000123");
  EXPECT_EQ(ack.field("MSH", 7), "20261127083005+0800");
  EXPECT_EQ(ack.count("ERR"), 0);
  const auto reports = sink.reports();
  ASSERT_EQ(reports.size(), 1u);
  EXPECT_EQ(reports[0].orders.at(0).observations.size(), 3u);
  EXPECT_EQ(endpoint.counters().accepted, 1u);
}

TEST_F(Hl7EndpointTest, AcksADuplicateAgainButStoresItOnce) {
  const std::string first = endpoint.answer(samples::cbc());
  const std::string again = endpoint.answer(samples::cbc());
  EXPECT_EQ(parse_ack(again).field("MSA", 1), "AA");
  EXPECT_EQ(parse_ack(again).field("MSA", 2), "LAB20261127000123");
  EXPECT_NE(parse_ack(first).control_id(), parse_ack(again).control_id());
  EXPECT_EQ(sink.reports().size(), 1u);
  EXPECT_EQ(endpoint.counters().accepted, 1u);
  EXPECT_EQ(endpoint.counters().duplicates, 1u);
}

TEST_F(Hl7EndpointTest, NamesPid3WhenTheSinkDoesNotKnowThePatient) {
  std::string text = samples::cbc();
  text.replace(text.find("900000000421"), 12, "900000000999");
  const Hl7Message ack = parse_ack(endpoint.answer(text));
  EXPECT_EQ(ack.field("MSA", 1), "AE");
  EXPECT_EQ(ack.field("MSA", 2), "LAB20261127000123");
  EXPECT_EQ(ack.field("ERR", 2, 1), "PID");
  EXPECT_EQ(ack.field("ERR", 2, 3), "3");
  EXPECT_EQ(ack.field("ERR", 5), "hl7_unknown_patient");
  EXPECT_EQ(endpoint.counters().errors, 1u);
}

TEST_F(Hl7EndpointTest, AnswersAContentErrorWithAeWithoutCallingTheSink) {
  std::string text = samples::cbc();
  text.replace(text.find("||12.6|"), 7, "|||");
  const Hl7Message ack = parse_ack(endpoint.answer(text));
  EXPECT_EQ(ack.field("MSA", 1), "AE");
  EXPECT_EQ(ack.field("ERR", 2, 1), "OBX");
  EXPECT_EQ(ack.field("ERR", 2, 2), "2");
  EXPECT_EQ(ack.field("ERR", 2, 3), "5");
  EXPECT_EQ(sink.calls(), 0u);
}

TEST_F(Hl7EndpointTest, RejectsAMessageWithoutMsh) {
  const Hl7Message ack = parse_ack(endpoint.answer(samples::join({samples::kPid, samples::kObr})));
  EXPECT_EQ(ack.field("MSA", 1), "AR");
  EXPECT_EQ(ack.field("ERR", 5), "hl7_no_msh");
  EXPECT_EQ(ack.field("MSH", 3), "STORK");
}

TEST_F(Hl7EndpointTest, RejectsWrongSeparatorsAndStillEchoesTheControlId) {
  std::string text = samples::cbc();
  text.replace(0, 8, "MSH|^~\\|");  // MSH-2 repeats the field separator
  const Hl7Message ack = parse_ack(endpoint.answer(text));
  EXPECT_EQ(ack.field("MSA", 1), "AR");
  EXPECT_EQ(ack.field("ERR", 5), "hl7_bad_encoding_characters");
  EXPECT_EQ(endpoint.counters().rejects, 1u);
}

TEST_F(Hl7EndpointTest, RejectsATruncatedHeader) {
  const Hl7Message ack = parse_ack(endpoint.answer("MSH|^~\\&|LIS|MCH^Lab|STORK|MCH|2026"));
  EXPECT_EQ(ack.field("MSA", 1), "AR");
  EXPECT_EQ(ack.field("ERR", 5), "hl7_truncated");
  // The cut header is not read for the parties: we sign as ourselves.
  EXPECT_EQ(ack.field("MSH", 3), "STORK");
}

TEST_F(Hl7EndpointTest, RejectsBinaryGarbage) {
  std::string garbage;
  for (int i = 0; i < 512; ++i) garbage.push_back(static_cast<char>((i * 37 + 11) % 256));
  const Hl7Message ack = parse_ack(endpoint.answer(garbage));
  EXPECT_EQ(ack.field("MSA", 1), "AR");
  EXPECT_EQ(ack.field("MSA", 2), "");
  EXPECT_EQ(ack.field("MSH", 3), "STORK");  // nobody addressed: we sign as ourselves
}

TEST(Hl7Endpoint, RejectsAMessageOverTheSizeLimit) {
  FakeSink sink;
  Hl7Endpoint endpoint(sink, [] { return kNowMs; }, EndpointOptions{480, "STORK", "", 1024});
  std::string text = samples::cbc();
  while (text.size() <= 1024) text += "NTE|1|L|" + std::string(100, 'x') + "\r";
  const Hl7Message ack = parse_ack(endpoint.answer(text));
  EXPECT_EQ(ack.field("MSA", 1), "AR");
  EXPECT_EQ(ack.field("ERR", 5), "hl7_too_large");
  EXPECT_EQ(ack.field("MSA", 2), "LAB20261127000123");
}

TEST_F(Hl7EndpointTest, TurnsAThrowingSinkIntoAe) {
  sink.throw_next();
  const Hl7Message ack = parse_ack(endpoint.answer(samples::cbc()));
  EXPECT_EQ(ack.field("MSA", 1), "AE");
  EXPECT_EQ(ack.field("MSA", 2), "LAB20261127000123");
  EXPECT_EQ(ack.field("ERR", 5), "hl7_internal");
}

TEST_F(Hl7EndpointTest, GivesEveryAckItsOwnControlIdAcrossThreads) {
  constexpr int kThreads = 4;
  constexpr int kEach = 200;
  std::vector<std::vector<std::string>> ids(kThreads);
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t)
    threads.emplace_back([&, t] {
      for (int i = 0; i < kEach; ++i) {
        auto ack = Hl7Message::parse(endpoint.answer(samples::cbc()));
        ids[t].push_back(ack ? ack->control_id() : "");
      }
    });
  for (auto& th : threads) th.join();
  std::set<std::string> unique;
  for (const auto& v : ids) unique.insert(v.begin(), v.end());
  EXPECT_EQ(unique.size(), size_t{kThreads * kEach});
  EXPECT_FALSE(unique.contains(""));
  EXPECT_LE(unique.begin()->size(), 20u);
  EXPECT_EQ(endpoint.counters().accepted + endpoint.counters().duplicates,
            uint64_t{kThreads * kEach});
}

}  // namespace
}  // namespace stork::interop
