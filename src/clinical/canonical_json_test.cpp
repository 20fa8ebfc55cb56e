#include "clinical/canonical_json.hpp"

#include <gtest/gtest.h>

#include <bit>
#include <cstdint>
#include <string>

namespace stork::clinical {
namespace {

std::string canon(std::string_view json) {
  auto r = canonical_json(json);
  EXPECT_TRUE(r.has_value()) << json << " -> " << (r ? "" : r.error().message);
  return r ? *r : std::string();
}

std::string number_from_bits(uint64_t bits) {
  auto r = canonical_number(std::bit_cast<double>(bits));
  return r ? *r : "refused";
}

// RFC 8785 Appendix B: IEEE-754 bit patterns and the text JCS gives them.
TEST(CanonicalJson, WritesTheNumbersOfRfc8785AppendixB) {
  const struct {
    uint64_t bits;
    const char* text;
  } cases[] = {
      {0x0000000000000000, "0"},
      {0x8000000000000000, "0"},
      {0x0000000000000001, "5e-324"},
      {0x8000000000000001, "-5e-324"},
      {0x7fefffffffffffff, "1.7976931348623157e+308"},
      {0xffefffffffffffff, "-1.7976931348623157e+308"},
      {0x4340000000000000, "9007199254740992"},
      {0xc340000000000000, "-9007199254740992"},
      {0x4430000000000000, "295147905179352830000"},
      {0x44b52d02c7e14af5, "9.999999999999997e+22"},
      {0x44b52d02c7e14af6, "1e+23"},
      {0x44b52d02c7e14af7, "1.0000000000000001e+23"},
      {0x444b1ae4d6e2ef4e, "999999999999999700000"},
      {0x444b1ae4d6e2ef4f, "999999999999999900000"},
      {0x444b1ae4d6e2ef50, "1e+21"},
      {0x3eb0c6f7a0b5ed8c, "9.999999999999997e-7"},
      {0x3eb0c6f7a0b5ed8d, "0.000001"},
      {0x41b3de4355555553, "333333333.3333332"},
      {0x41b3de4355555554, "333333333.33333325"},
      {0x41b3de4355555555, "333333333.3333333"},
      {0x41b3de4355555556, "333333333.3333334"},
      {0x41b3de4355555557, "333333333.33333343"},
      {0xbecbf647612f3696, "-0.0000033333333333333333"},
      {0x43143ff3c1cb0959, "1424953923781206.2"},
      // From the test vectors published with the RFC (es6testfile).
      {0x4340000000000001, "9007199254740994"},
      {0x4340000000000002, "9007199254740996"},
  };
  for (const auto& c : cases) EXPECT_EQ(number_from_bits(c.bits), c.text) << std::hex << c.bits;
}

TEST(CanonicalJson, RefusesNumbersThatAreNotFinite) {
  EXPECT_EQ(number_from_bits(0x7fffffffffffffff), "refused");  // NaN
  EXPECT_EQ(number_from_bits(0x7ff0000000000000), "refused");  // +Infinity
  EXPECT_EQ(number_from_bits(0xfff0000000000000), "refused");  // -Infinity
  auto r = canonical_json(R"({"dose":1e400})", "record");
  ASSERT_FALSE(r.has_value());
  EXPECT_EQ(r.error().code, "validation_failed");
  ASSERT_EQ(r.error().fields.size(), 1u);
  EXPECT_EQ(r.error().fields[0].field, "record");
  EXPECT_NE(r.error().message.find("1e400"), std::string::npos) << r.error().message;
}

TEST(CanonicalJson, ReadsEveryNumberAsADouble) {
  EXPECT_EQ(canon("[1E30, 4.50, 333333333.33333329, 2e-3, 0.000000000000000000000000001]"),
            "[1e+30,4.5,333333333.3333333,0.002,1e-27]");
  // Integers too: 2^53 + 1 is not a double and rounds to 2^53, as in ECMAScript.
  EXPECT_EQ(canon("[9007199254740993, -0, -0.0, 1e21, 1e-7, 1e-6, 100, 0.1, 123e-20]"),
            "[9007199254740992,0,0,1e+21,1e-7,0.000001,100,0.1,1.23e-18]");
  // Underflow rounds to zero, as JSON.parse does.
  EXPECT_EQ(canon("[1e-400, -1e-400]"), "[0,0]");
}

// The test vectors of the RFC's authors (cyberphone/json-canonicalization,
// testdata/input and testdata/output).
TEST(CanonicalJson, MatchesThePublishedVectorsForArrays) {
  EXPECT_EQ(canon("[\n  56,\n  {\n    \"d\": true,\n    \"10\": null,\n    \"1\": [ ]\n  }\n]"),
            R"([56,{"1":[],"10":null,"d":true}])");
}

TEST(CanonicalJson, MatchesThePublishedVectorsForStructures) {
  EXPECT_EQ(canon(R"({
  "1": {"f": {"f": "hi","F": 5} ,"\n": 56.0},
  "10": { },
  "": "empty",
  "a": { },
  "111": [ { } ],
  "A": { }
})"),
            R"({"":"empty","1":{"\n":56,"f":{"F":5,"f":"hi"}},"10":{},"111":[{}],"A":{},"a":{}})");
}

TEST(CanonicalJson, MatchesThePublishedVectorsForValues) {
  EXPECT_EQ(canon(R"({
  "numbers": [1E30, 4.50, 333333333.33333329, 2e-3, 0.000000000000000000000000001],
  "string": "\u20ac$\u000F\u000aA'\u0042\u0022\u005c\\\"\/",
  "literals": [null, true, false]
})"),
            "{\"literals\":[null,true,false],\"numbers\":[1e+30,4.5,333333333.3333333,0.002,1e-27],"
            "\"string\":\"\xE2\x82\xAC$\\u000f\\nA'B\\\"\\\\\\\\\\\"/\"}");
}

TEST(CanonicalJson, SortsNamesByUtf16CodeUnitsIgnoringLocale) {
  // "weird": BMP characters above U+E000 sort after the surrogate pair of
  // an emoji in UTF-16, the opposite of UTF-8 byte order.
  EXPECT_EQ(
      canon(R"({
  "\u20ac": "Euro Sign",
  "1": "One",
  "\u0080": "Control\u007f",
  "\ud83d\ude02": "Smiley",
  "\u00f6": "Latin Small Letter O With Diaeresis",
  "\ufb33": "Hebrew Letter Dalet With Dagesh",
  "</script>": "Browser Challenge"
})"),
      "{\"1\":\"One\",\"</script>\":\"Browser Challenge\",\"\xC2\x80\":\"Control\x7F\","
      "\"\xC3\xB6\":\"Latin Small Letter O With Diaeresis\",\"\xE2\x82\xAC\":\"Euro Sign\","
      "\"\xF0\x9F\x98\x82\":\"Smiley\",\"\xEF\xAC\xB3\":\"Hebrew Letter Dalet With Dagesh\"}");
  // "french": code units, not collation.
  EXPECT_EQ(canon("{\"peach\":1,\"p\xC3\xA9"
                  "ch\xC3\xA9\":2,\"p\xC3\xAA"
                  "che\":3,\"sin\":4}"),
            "{\"peach\":1,\"p\xC3\xA9"
            "ch\xC3\xA9\":2,\"p\xC3\xAA"
            "che\":3,\"sin\":4}");
}

TEST(CanonicalJson, LeavesUnicodeUnnormalized) {
  EXPECT_EQ(canon(R"({"Unnormalized Unicode":"\u1e0d\u0307"})"),
            "{\"Unnormalized Unicode\":\"\xE1\xB8\x8D\xCC\x87\"}");
}

TEST(CanonicalJson, EscapesOnlyWhatJsonStringifyEscapes) {
  EXPECT_EQ(canon(R"(["\u0000\u0001\b\t\n\u000b\f\r\u001f \u007f\/<>&'\u2028"])"),
            "[\"\\u0000\\u0001\\b\\t\\n\\u000b\\f\\r\\u001f \x7F/<>&'\xE2\x80\xA8\"]");
}

TEST(CanonicalJson, GivesTheSameBytesForTheSameDocumentWrittenDifferently) {
  const std::string a = canon(R"({"b":[1,2.0,{"y":null,"x":"é"}],"a":true})");
  const std::string b =
      canon("{ \"a\" : true ,\n\t\"b\" : [ 1.0, 20e-1, { \"x\" : \"\\u00e9\", \"y\" : null } ] }");
  EXPECT_EQ(a, b);
  EXPECT_EQ(a, "{\"a\":true,\"b\":[1,2,{\"x\":\"\xC3\xA9\",\"y\":null}]}");
  EXPECT_EQ(canon(" \"plain\" "), "\"plain\"");
  EXPECT_EQ(canon("{}"), "{}");
}

TEST(CanonicalJson, RefusesDuplicateMemberNames) {
  auto r = canonical_json(R"({"a":1,"b":{"x":1,"\u0078":2}})");
  ASSERT_FALSE(r.has_value());
  EXPECT_EQ(r.error().code, "validation_failed");
  EXPECT_NE(r.error().message.find("\"x\" twice"), std::string::npos) << r.error().message;
}

TEST(CanonicalJson, RefusesWhatIsNotIJson) {
  for (const char* bad : {
           "",                      // empty
           "{",                     // truncated
           "{\"a\":1,}",            // trailing comma
           "[1] [2]",               // two values
           "{} x",                  // trailing text
           "// c\n{}",              // comment
           "[NaN]", "[Infinity]",   // not JSON numbers
           "[01]", "[.5]", "[+1]",  // not JSON numbers either
           "[\"\\ud800\"]",         // lone leading surrogate
           "[\"\\udc00x\"]",        // lone trailing surrogate
           "[\"\xC3\"]",            // truncated UTF-8
           "[\"\xED\xA0\x80\"]",    // surrogate encoded in UTF-8
           "[\"a\x01\"]",           // raw control character
       }) {
    auto r = canonical_json(bad);
    EXPECT_FALSE(r.has_value()) << "accepted: " << bad << " as " << (r ? *r : "");
    if (!r) {
      EXPECT_EQ(r.error().code, "validation_failed");
    }
  }
  std::string deep(65, '[');
  deep += std::string(65, ']');
  auto r = canonical_json(deep);
  ASSERT_FALSE(r.has_value());
  EXPECT_NE(r.error().message.find("deeper than 64"), std::string::npos) << r.error().message;
  std::string ok(64, '[');
  ok += std::string(64, ']');
  EXPECT_EQ(canon(ok), ok);
}

}  // namespace
}  // namespace stork::clinical
