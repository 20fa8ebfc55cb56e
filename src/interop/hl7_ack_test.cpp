#include "interop/hl7_ack.hpp"

#include <gtest/gtest.h>

#include <string>

#include "interop/hl7_samples.hpp"
#include "interop/oru.hpp"

namespace stork::interop {
namespace {

// 2026-11-27 08:30:05 +08:00.
constexpr int64_t kNowMs = 1795739405000;

AckParams params() { return AckParams{"ACK-0001", kNowMs, 480}; }

Hl7Message parse_ok(const std::string& text) {
  auto msg = Hl7Message::parse(text);
  EXPECT_TRUE(msg.has_value()) << (msg ? "" : msg.error().text()) << "\n" << text;
  return msg ? *msg : Hl7Message();
}

TEST(Hl7Ack, AcceptsWithSwappedPartiesAndANewControlId) {
  const Hl7Message msg = parse_ok(samples::cbc());
  const std::string ack = build_ack(ack_header(msg), AckCode::accept, nullptr, params());
  EXPECT_EQ(ack,
            "MSH|^~\\&|STORK|MCH|LIS|MCH^Lab|20261127083005+0800||ACK^R01^ACK|ACK-0001|P|2.5.1\r"
            "MSA|AA|LAB20261127000123\r");
  const Hl7Message back = parse_ok(ack);
  EXPECT_EQ(back.field("MSA", 2), "LAB20261127000123");
  EXPECT_EQ(back.control_id(), "ACK-0001");
}

TEST(Hl7Ack, NamesTheFaultyFieldInErr) {
  std::string text = samples::cbc();
  text.replace(text.find("||12.6|"), 7, "|||");
  const Hl7Message msg = parse_ok(text);
  const auto report = map_oru(msg);
  ASSERT_FALSE(report.has_value());
  const Hl7Error& e = report.error();
  EXPECT_EQ(ack_code_for(e), AckCode::error);
  const Hl7Message ack = parse_ok(build_ack(ack_header(msg), ack_code_for(e), &e, params()));
  EXPECT_EQ(ack.field("MSA", 1), "AE");
  EXPECT_EQ(ack.field("MSA", 2), "LAB20261127000123");
  EXPECT_EQ(ack.field("MSA", 3), "OBX[2]-5: value missing with result status F");
  const Hl7Segment& err = *ack.find("ERR");
  EXPECT_EQ(err.raw(2), "OBX^2^5^1");  // ERR-2: segment, sequence, field, repetition
  EXPECT_EQ(err.get(3, 1), "101");
  EXPECT_EQ(err.get(3, 2), "Required field missing");
  EXPECT_EQ(err.get(3, 3), "HL70357");
  EXPECT_EQ(err.get(4), "E");
  EXPECT_EQ(err.get(5), "hl7_value_missing");
  EXPECT_EQ(err.get(8), "OBX[2]-5: value missing with result status F");
}

TEST(Hl7Ack, RejectsAMessageThatDidNotParseAndStillEchoesItsControlId) {
  std::string text = samples::cbc();
  text.replace(text.find("12.6"), 4, std::string("\0\0\0\0", 4));
  const auto msg = Hl7Message::parse(text);
  ASSERT_FALSE(msg.has_value());
  const Hl7Error& e = msg.error();
  EXPECT_EQ(ack_code_for(e), AckCode::reject);
  const Hl7Message ack = parse_ok(build_ack(ack_header(text), ack_code_for(e), &e, params()));
  EXPECT_EQ(ack.field("MSA", 1), "AR");
  EXPECT_EQ(ack.field("MSA", 2), "LAB20261127000123");
  EXPECT_EQ(ack.field("MSH", 5), "LIS");
  EXPECT_EQ(ack.find("ERR")->raw(2), "OBX^2^5^1");
  EXPECT_EQ(ack.find("ERR")->get(3, 1), "102");
}

TEST(Hl7Ack, FallsBackToDefaultsForAHeaderItCannotRead) {
  const Hl7Error e = Hl7Message::parse("not hl7 at all").error();
  const Hl7Message ack =
      parse_ok(build_ack(ack_header("not hl7 at all"), AckCode::reject, &e, params()));
  EXPECT_EQ(ack.field("MSA", 2), "");
  EXPECT_EQ(ack.version(), "2.5");
  EXPECT_EQ(ack.field("MSH", 9), "ACK");
  EXPECT_EQ(ack.find("ERR")->raw(2), "MSH^1");
  // MSH-12 missing: the control id is still found by position.
  const std::string no_version = "MSH|^~\\&|LIS|MCH|STORK|MCH|20261127||ORU^R01|C-77|P|\rPID|1";
  const AckHeader h = ack_header(no_version);
  EXPECT_EQ(h.control_id, "C-77");
  EXPECT_EQ(h.version, "2.5");
}

TEST(Hl7Ack, EscapesTextAndKeepsTheSendersDelimiters) {
  const Hl7Message msg =
      parse_ok("MSH!@*/%!LIS!MCH!STORK!MCH!20261127083000!!ORU@R01!C/F/1!P!2.4\r");
  EXPECT_EQ(msg.control_id(), "C!1");
  const Hl7Error e{"hl7_test", Hl7Condition::data_type, false, Hl7Location{"OBX", 3, true, 5, 0, 2},
                   "a|b^c!d@e"};
  const std::string text = build_ack(ack_header(msg), AckCode::error, &e, params());
  EXPECT_TRUE(text.starts_with("MSH!@*/%!STORK!MCH!LIS!MCH!")) << text;
  const Hl7Message ack = parse_ok(text);
  EXPECT_EQ(ack.field("MSA", 2), "C!1");
  EXPECT_EQ(ack.find("ERR")->get(8), "OBX[3]-5.2: a|b^c!d@e");
  EXPECT_EQ(ack.find("ERR")->raw(2), "OBX@3@5@1@2");
  EXPECT_EQ(ack.version(), "2.4");
}

TEST(Hl7Ack, FormatsTimesInTheHospitalsZone) {
  EXPECT_EQ(format_hl7_time(kNowMs, 480), "20261127083005+0800");
  EXPECT_EQ(format_hl7_time(kNowMs, 0), "20261127003005+0000");
  EXPECT_EQ(format_hl7_time(kNowMs, -300), "20261126193005-0500");
  EXPECT_EQ(format_hl7_time(-1000, 0), "19691231235959+0000");
}

}  // namespace
}  // namespace stork::interop
