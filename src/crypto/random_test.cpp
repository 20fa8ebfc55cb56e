#include "crypto/random.hpp"

#include <gtest/gtest.h>

#include <set>
#include <string>
#include <utility>
#include <vector>

namespace stork::crypto {
namespace {

constexpr std::string_view kBase64Url =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

// RFC 4648 section 10 test vectors.
const std::vector<std::pair<std::string, std::string>> kVectors = {
    {"", ""},         {"f", "Zg=="},         {"fo", "Zm8="},         {"foo", "Zm9v"},
    {"foob", "Zm9vYg=="}, {"fooba", "Zm9vYmE="}, {"foobar", "Zm9vYmFy"},
};

TEST(RandomToken, Is43Base64UrlCharacters) {
  for (int i = 0; i < 20; ++i) {
    const std::string token = random_token();
    EXPECT_EQ(token.size(), 43u) << token;
    EXPECT_EQ(token.find_first_not_of(kBase64Url), std::string::npos) << token;
  }
}

TEST(RandomToken, DiffersEveryTime) {
  std::set<std::string> seen;
  for (int i = 0; i < 100; ++i) seen.insert(random_token());
  EXPECT_EQ(seen.size(), 100u);
}

TEST(RandomBytes, GivesTheRequestedNumberOfBytes) {
  EXPECT_EQ(random_bytes(0).size(), 0u);
  EXPECT_EQ(random_bytes(1).size(), 1u);
  EXPECT_EQ(random_bytes(32).size(), 32u);
  EXPECT_NE(random_bytes(32), random_bytes(32));
}

TEST(RandomHex, GivesTwoLowercaseHexDigitsPerByte) {
  const std::string hex = random_hex(16);
  EXPECT_EQ(hex.size(), 32u);
  EXPECT_EQ(hex.find_first_not_of("0123456789abcdef"), std::string::npos) << hex;
}

TEST(ToHex, EncodesEveryByteAsTwoLowercaseDigits) {
  EXPECT_EQ(to_hex(""), "");
  EXPECT_EQ(to_hex(std::string("\x00\x01\x0f\x10\xab\xff", 6)), "00010f10abff");
  EXPECT_EQ(to_hex("Stork"), "53746f726b");
}

TEST(Base64, EncodesTheRfc4648Vectors) {
  for (const auto& [plain, encoded] : kVectors) EXPECT_EQ(base64(plain), encoded) << plain;
}

TEST(Base64, DecodesTheRfc4648VectorsDroppingPadding) {
  for (const auto& [plain, encoded] : kVectors) {
    std::string out = "stale";
    ASSERT_TRUE(from_base64(encoded, out)) << encoded;
    EXPECT_EQ(out, plain) << encoded;
  }
}

TEST(Base64, RoundTripsArbitraryBytesOfEveryPaddingLength) {
  for (size_t n = 0; n < 70; ++n) {
    const std::string bytes = random_bytes(n);
    std::string out;
    ASSERT_TRUE(from_base64(base64(bytes), out)) << n;
    EXPECT_EQ(out, bytes) << n;
  }
  std::string zeros;
  ASSERT_TRUE(from_base64(base64(std::string(5, '\0')), zeros));
  EXPECT_EQ(zeros, std::string(5, '\0'));
}

TEST(Base64, RejectsInputWhoseLengthIsNotAMultipleOfFour) {
  std::string out;
  EXPECT_FALSE(from_base64("Zg=", out));
  EXPECT_FALSE(from_base64("Zg", out));
  EXPECT_FALSE(from_base64("Zm9vY", out));
}

TEST(Base64, RejectsCharactersOutsideTheAlphabet) {
  std::string out;
  EXPECT_FALSE(from_base64("Zm9*", out));
  EXPECT_FALSE(from_base64("Zm9v!!!!", out));
  EXPECT_FALSE(from_base64("Zm\x80v", out));
}

// Regression: '=' decodes as a zero sextet inside EVP_DecodeBlock, so padding
// that is not at the end slipped through as data.
TEST(Base64, RejectsPaddingBeforeTheEnd) {
  std::string out;
  EXPECT_FALSE(from_base64("QQ=A", out)) << to_hex(out);
  EXPECT_FALSE(from_base64("Zg==Zm8=", out)) << to_hex(out);
  EXPECT_FALSE(from_base64("====", out)) << to_hex(out);
}

// Regression: EVP_DecodeBlock trims surrounding whitespace before decoding, so
// "Zg==    " passed the length check and came back as three bytes, not "f".
TEST(Base64, RejectsSurroundingWhitespace) {
  std::string out;
  EXPECT_FALSE(from_base64("Zg==    ", out)) << to_hex(out);
  EXPECT_FALSE(from_base64("    Zm9v", out)) << to_hex(out);
  EXPECT_FALSE(from_base64("Zm9v\n\n\n\n", out)) << to_hex(out);
}

TEST(Base64Url, UsesDashAndUnderscoreWithoutPadding) {
  EXPECT_EQ(base64url(std::string("\xfb\xff", 2)), "-_8");
  EXPECT_EQ(base64(std::string("\xfb\xff", 2)), "+/8=");
  EXPECT_EQ(base64url("f"), "Zg");
  EXPECT_EQ(base64url("foo"), "Zm9v");
  EXPECT_EQ(base64url(""), "");
}

}  // namespace
}  // namespace stork::crypto
