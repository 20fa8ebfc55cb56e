#include "crypto/aead.hpp"

#include <gtest/gtest.h>

#include <string>

#include "crypto/random.hpp"

namespace stork::crypto {
namespace {

std::string unhex(std::string_view hex) {
  std::string out;
  for (size_t i = 0; i + 1 < hex.size(); i += 2)
    out += static_cast<char>(std::stoi(std::string(hex.substr(i, 2)), nullptr, 16));
  return out;
}

const std::string kKey = "0123456789abcdefghijklmnopqrstuv";  // 32 ASCII bytes, like an APIv3 key
const std::string kNonce = "fdasflkja484";                    // 12 ASCII bytes, like WeChat's

// The GCM specification's test case 16 (256-bit key, 96-bit IV, with AAD).
TEST(Aead, MatchesTheGcmSpecificationTestVector) {
  const std::string key = unhex("feffe9928665731c6d6a8f9467308308feffe9928665731c6d6a8f9467308308");
  const std::string iv = unhex("cafebabefacedbaddecaf888");
  const std::string aad = unhex("feedfacedeadbeeffeedfacedeadbeefabaddad2");
  const std::string plain = unhex(
      "d9313225f88406e5a55909c5aff5269a86a7a9531534f7da2e4c303d8a318a721c3c0c95956809532fcf0e2449a6"
      "b525b16aedf5aa0de6"
      "57ba637b39");
  auto sealed = aead_encrypt(key, iv, aad, plain);
  ASSERT_TRUE(sealed.has_value()) << sealed.error().message;
  std::string raw;
  ASSERT_TRUE(from_base64(*sealed, raw));
  EXPECT_EQ(to_hex(raw),
            "522dc1f099567d07f47f37a32a84427d643a8cdcbfe5c0c97598a2bd2555d1aa"
            "8cb08e48590dbb3da7b08b1056828838c5f61e6393ba7a0abcc9f662"  // ciphertext
            "76fc6ece0f4e1768cddf8853bb2d551b");                        // tag
  auto opened = aead_decrypt(key, iv, aad, *sealed);
  ASSERT_TRUE(opened.has_value()) << opened.error().message;
  EXPECT_EQ(*opened, plain);
}

// Produced by Python's cryptography AESGCM with the same key, nonce and AAD.
TEST(Aead, DecryptsAWechatShapedResource) {
  auto opened = aead_decrypt(
      kKey, kNonce, "transaction",
      "kdUw5hwyZ7EmqIvJoZVgiwftZn84EGM+dIgKjZu2QD9ynHFiOdvTTO/xp9fKQ9+poy9tmrFP6p2F0HRWNA/k");
  ASSERT_TRUE(opened.has_value()) << opened.error().message;
  EXPECT_EQ(*opened, R"({"out_trade_no":"1217752501201407033233368018"})");
}

TEST(Aead, RoundTripsEmptyAndLongPlaintexts) {
  for (const std::string& plain :
       {std::string(), std::string(5000, 'x'), std::string("支付成功")}) {
    auto sealed = aead_encrypt(kKey, kNonce, "refund", plain);
    ASSERT_TRUE(sealed.has_value());
    auto opened = aead_decrypt(kKey, kNonce, "refund", *sealed);
    ASSERT_TRUE(opened.has_value());
    EXPECT_EQ(*opened, plain);
  }
}

TEST(Aead, RefusesEveryOneByteChangeOfCiphertextOrTag) {
  auto sealed = aead_encrypt(kKey, kNonce, "transaction", R"({"amount":{"total":1250}})");
  ASSERT_TRUE(sealed.has_value());
  std::string raw;
  ASSERT_TRUE(from_base64(*sealed, raw));
  for (size_t i = 0; i < raw.size(); ++i) {
    std::string bad = raw;
    bad[i] = static_cast<char>(bad[i] ^ 0x01);
    auto opened = aead_decrypt(kKey, kNonce, "transaction", base64(bad));
    ASSERT_FALSE(opened.has_value()) << "byte " << i;
    EXPECT_EQ(opened.error().code, "decrypt_failed");
  }
}

TEST(Aead, RefusesWrongAssociatedDataNonceOrKey) {
  auto sealed = aead_encrypt(kKey, kNonce, "transaction", "secret");
  ASSERT_TRUE(sealed.has_value());
  EXPECT_FALSE(aead_decrypt(kKey, kNonce, "refund", *sealed).has_value());
  EXPECT_FALSE(aead_decrypt(kKey, kNonce, "", *sealed).has_value());
  EXPECT_FALSE(aead_decrypt(kKey, "fdasflkja485", "transaction", *sealed).has_value());
  EXPECT_FALSE(aead_decrypt(std::string(32, 'k'), kNonce, "transaction", *sealed).has_value());
}

TEST(Aead, RefusesWrongSizesAndGarbage) {
  EXPECT_EQ(aead_encrypt("short", kNonce, "", "x").error().code, "validation_failed");
  EXPECT_EQ(aead_encrypt(kKey, "short", "", "x").error().code, "validation_failed");
  EXPECT_EQ(aead_decrypt(kKey, "", "", "AAAA").error().code, "validation_failed");
  for (const char* garbage : {"", "AAAA", "not base64", "A==="})
    EXPECT_EQ(aead_decrypt(kKey, kNonce, "", garbage).error().code, "decrypt_failed") << garbage;
}

}  // namespace
}  // namespace stork::crypto
