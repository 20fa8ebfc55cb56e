#include "interop/hl7_message.hpp"

#include <gtest/gtest.h>

#include <string>

#include "interop/hl7_samples.hpp"

namespace stork::interop {
namespace {

Hl7Message parsed(const std::string& text) {
  auto msg = Hl7Message::parse(text);
  EXPECT_TRUE(msg.has_value()) << (msg ? "" : msg.error().text());
  return msg ? *msg : Hl7Message();
}

Hl7Error refused(const std::string& text, const Hl7Limits& limits = {}) {
  auto msg = Hl7Message::parse(text, limits);
  EXPECT_FALSE(msg.has_value());
  return msg ? Hl7Error{} : msg.error();
}

std::string replace_all(std::string s, const std::string& from, const std::string& to) {
  for (size_t at = s.find(from); at != std::string::npos; at = s.find(from, at + to.size()))
    s.replace(at, from.size(), to);
  return s;
}

TEST(Hl7Message, ParsesTheSegmentsOfALabReport) {
  const Hl7Message msg = parsed(samples::cbc());
  ASSERT_EQ(msg.segments().size(), 9u);
  EXPECT_EQ(msg.msh().name(), "MSH");
  EXPECT_EQ(msg.count("OBX"), 3);
  EXPECT_EQ(msg.find("OBX", 2)->get(3, 2), "Leukocytes");
  EXPECT_EQ(msg.find("OBX", 2)->sequence(), 7);
  EXPECT_EQ(msg.find("OBX", 4), nullptr);
  EXPECT_EQ(msg.all("OBX").size(), 3u);
  EXPECT_EQ(msg.message_type(), "ORU");
  EXPECT_EQ(msg.trigger_event(), "R01");
  EXPECT_EQ(msg.control_id(), "LAB20261127000123");
  EXPECT_EQ(msg.version(), "2.5.1");
  EXPECT_EQ(msg.charset(), "UNICODE UTF-8");
}

TEST(Hl7Message, AcceptsLfAndCrLfAsSegmentEndsAndSkipsBlankLines) {
  const std::string cr = samples::cbc();
  for (const std::string& text : {replace_all(cr, "\r", "\n"), replace_all(cr, "\r", "\r\n"),
                                  "\r\n" + replace_all(cr, "\r", "\n\n")}) {
    const Hl7Message msg = parsed(text);
    EXPECT_EQ(msg.segments().size(), 9u);
    EXPECT_EQ(msg.field("OBX", 5), "98");
  }
}

TEST(Hl7Message, CountsMsh1AndMsh2AsFields) {
  const Hl7Message msg = parsed(samples::cbc());
  EXPECT_EQ(msg.field("MSH", 1), "|");
  EXPECT_EQ(msg.field("MSH", 2), "^~\\&");
  EXPECT_EQ(msg.field("MSH", 3), "LIS");
  EXPECT_EQ(msg.field("MSH", 4, 2), "Lab");
  EXPECT_EQ(msg.field("MSH", 9, 3), "ORU_R01");
  EXPECT_EQ(msg.msh().field_count(), 18);
}

TEST(Hl7Message, ReadsComponentsRepetitionsAndSubcomponents) {
  const Hl7Message msg = parsed(samples::cbc());
  const Hl7Segment& pid = *msg.find("PID");
  EXPECT_EQ(pid.repetitions(3), 2);
  EXPECT_EQ(pid.get(3, 1, 1, 2), "110101199003078515");
  EXPECT_EQ(pid.get(3, 5, 1, 2), "NNCHN");
  EXPECT_EQ(pid.get(3, 5, 1, 3), "");
  EXPECT_EQ(pid.get_all(3, 5), (std::vector<std::string>{"CARD", "NNCHN"}));
  const Hl7Segment& obr = *msg.find("OBR");
  EXPECT_EQ(obr.get(32, 1, 1), "D0042");
  EXPECT_EQ(obr.get(32, 1, 3), "Na");
  EXPECT_EQ(obr.raw(32), "D0042&Li&Na");
  EXPECT_EQ(obr.get(99), "");
  EXPECT_EQ(pid.repetitions(2), 0);
}

TEST(Hl7Message, UsesTheDelimitersTheMessageDeclares) {
  const Hl7Message msg = parsed(
      "MSH!@*/%!LIS!MCH!STORK!MCH!20261127083000!!ORU@R01!C1!P!2.5\r"
      "OBX!1!ST!X@Comment!!a/F/b/S/c/T/d/R/e/E/f@second*rep2\r");
  EXPECT_EQ(msg.delimiters().field, '!');
  EXPECT_EQ(msg.delimiters().escape, '/');
  EXPECT_EQ(msg.field("MSH", 2), "@*/%");
  EXPECT_EQ(msg.field("OBX", 5, 1), "a!b@c%d*e/f");
  EXPECT_EQ(msg.field("OBX", 5, 2), "second");
  EXPECT_EQ(msg.find("OBX")->get(5, 1, 1, 2), "rep2");
}

TEST(Hl7Message, DecodesEscapeSequences) {
  const Hl7Delimiters d;
  EXPECT_EQ(hl7_unescape("5\\S\\3\\F\\x\\T\\y\\R\\z\\E\\", d), "5^3|x&y~z\\");
  EXPECT_EQ(hl7_unescape("\\X41\\\\X4243\\", d), "ABC");
  EXPECT_EQ(hl7_unescape("line1\\.br\\line2", d), "line1\nline2");
  EXPECT_EQ(hl7_unescape("\\H\\bold\\N\\", d), "bold");
  // Unknown, malformed, control-byte and unterminated sequences stay literal.
  EXPECT_EQ(hl7_unescape("\\Q\\", d), "\\Q\\");
  EXPECT_EQ(hl7_unescape("\\X4\\", d), "\\X4\\");
  EXPECT_EQ(hl7_unescape("\\X00\\", d), "\\X00\\");
  EXPECT_EQ(hl7_unescape("a\\F", d), "a\\F");
}

TEST(Hl7Message, EscapingRoundTrips) {
  const Hl7Delimiters d;
  const std::string text = "a|b^c&d~e\\f\r\ng";
  const std::string escaped = hl7_escape(text, d);
  EXPECT_EQ(escaped.find_first_of("|^&~\r\n"), std::string::npos) << escaped;
  EXPECT_EQ(hl7_unescape(escaped, d), text);
}

TEST(Hl7Message, ReadsTheHl7NullAsEmpty) {
  const Hl7Message msg = parsed(samples::join({samples::kMsh, "PID|1||\"\"|"}));
  EXPECT_EQ(msg.field("PID", 3), "");
  EXPECT_EQ(msg.find("PID")->raw(3), "\"\"");
}

TEST(Hl7Message, NamesRepeatedSegmentsByOccurrence) {
  const Hl7Message msg = parsed(samples::cbc());
  EXPECT_EQ(msg.location(*msg.find("OBX", 2), 5).text(), "OBX[2]-5");
  EXPECT_EQ(msg.location(*msg.find("PID"), 3).text(), "PID-3");
  EXPECT_EQ(msg.location(msg.msh(), 9, 1).text(), "MSH-9.1");
  EXPECT_EQ(msg.location(*msg.find("OBR")).text(), "OBR");
}

TEST(Hl7MessageRefuses, AMessageThatDoesNotStartWithMsh) {
  const Hl7Error e = refused(samples::join({samples::kPid, samples::kMsh}));
  EXPECT_EQ(e.code, "hl7_no_msh");
  EXPECT_TRUE(e.reject);
  EXPECT_EQ(e.where.text(), "MSH");
  EXPECT_EQ(refused(samples::join({samples::kMsh, samples::kMsh})).code, "hl7_no_msh");
  EXPECT_EQ(refused("").code, "hl7_empty");
  EXPECT_EQ(refused("\r\n\r").code, "hl7_empty");
}

TEST(Hl7MessageRefuses, WrongSeparators) {
  // A field separator that is a letter.
  Hl7Error e = refused("MSHA^~\\&ALISAMCH");
  EXPECT_EQ(e.code, "hl7_bad_encoding_characters");
  EXPECT_EQ(e.where.text(), "MSH-1");
  // Fields separated by ';' while MSH-2 runs on with '|'.
  e = refused(replace_all(samples::cbc(), "MSH|", "MSH;"));
  EXPECT_EQ(e.code, "hl7_bad_encoding_characters");
  EXPECT_EQ(e.where.text(), "MSH-2");
  // Repeated, missing, or alphanumeric encoding characters.
  for (const std::string enc : {"^^\\&", "^~\\", "^~a&", "^~\\&^"})
    EXPECT_EQ(refused(replace_all(samples::cbc(), "^~\\&", enc)).where.text(), "MSH-2") << enc;
}

TEST(Hl7MessageRefuses, ATruncatedMessage) {
  const std::string cbc = samples::cbc();
  for (size_t cut : {3u, 6u, 8u, 30u, 70u}) {
    const Hl7Error e = refused(cbc.substr(0, cut));
    EXPECT_EQ(e.code, "hl7_truncated") << cut;
    EXPECT_EQ(e.where.segment, "MSH") << cut;
  }
  const Hl7Error e = refused(samples::join({samples::kMsh, samples::kPid}) + "OB");
  EXPECT_EQ(e.code, "hl7_truncated");
  EXPECT_EQ(e.message, "the message ends inside the name of segment 3");
}

TEST(Hl7MessageRefuses, AFiveMegabyteMessage) {
  std::string big = samples::cbc();
  while (big.size() < 5u << 20) big += samples::kPlt + "\r";
  const Hl7Error e = refused(big);
  EXPECT_EQ(e.code, "hl7_too_large");
  EXPECT_TRUE(e.reject);
  EXPECT_EQ(e.where.text(), "message");
  // The limit is the caller's to choose.
  EXPECT_TRUE(Hl7Message::parse(big, Hl7Limits{6u << 20}).has_value());
  EXPECT_EQ(refused(samples::cbc(), Hl7Limits{100}).code, "hl7_too_large");
}

TEST(Hl7MessageRefuses, BinaryGarbage) {
  std::string garbage;
  for (int i = 0; i < 512; ++i) garbage.push_back(static_cast<char>((i * 131 + 7) % 256));
  Hl7Error e = refused(garbage);
  EXPECT_EQ(e.code, "hl7_binary");
  EXPECT_EQ(e.where.text(), "message");
  // Inside a real message the fault is named.
  std::string cbc = samples::cbc();
  cbc.replace(cbc.find("12.6"), 4, std::string("1\0\x01\x02", 4));
  e = refused(cbc);
  EXPECT_EQ(e.code, "hl7_binary");
  EXPECT_EQ(e.where.text(), "OBX[2]-5");
}

TEST(Hl7Message, AcceptsBytesThatAreNotUtf8) {
  // GB 18030 text ("王芳") parses; the character set is the mapper's concern.
  const Hl7Message msg =
      parsed(samples::join({samples::kMsh, "PID|1||900000000421^^^MCH^CARD||\xCD\xF5^\xB7\xBC"}));
  EXPECT_EQ(msg.field("PID", 5, 1), "\xCD\xF5");
}

TEST(Hl7MessageRefuses, MissingHeaderFieldsAndOtherVersions) {
  Hl7Error e = refused(replace_all(samples::cbc(), "LAB20261127000123", ""));
  EXPECT_EQ(e.code, "hl7_field_missing");
  EXPECT_EQ(e.where.text(), "MSH-10");
  e = refused(replace_all(samples::cbc(), "ORU^R01^ORU_R01", ""));
  EXPECT_EQ(e.where.text(), "MSH-9.1");
  e = refused(replace_all(samples::cbc(), "|2.5.1|", "|3.0|"));
  EXPECT_EQ(e.code, "hl7_unsupported_version");
  EXPECT_EQ(e.condition, Hl7Condition::unsupported_version);
  e = refused(samples::join({samples::kMsh, "ob1|x"}));
  EXPECT_EQ(e.code, "hl7_bad_segment_name");
}

}  // namespace
}  // namespace stork::interop
