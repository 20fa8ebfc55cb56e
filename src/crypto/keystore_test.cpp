#include "crypto/keystore.hpp"

#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdio>
#include <string>

#include "crypto/random.hpp"

namespace stork::crypto {
namespace {

class Keystore : public ::testing::TestWithParam<SignatureAlgorithm> {};

INSTANTIATE_TEST_SUITE_P(Algorithms, Keystore,
                         ::testing::Values(SignatureAlgorithm::sm2_sm3,
                                           SignatureAlgorithm::ecdsa_p256_sha256),
                         [](const auto& info) {
                           return info.param == SignatureAlgorithm::sm2_sm3 ? "SM2" : "ECDSA";
                         });

TEST_P(Keystore, OpensWithTheRightPinAndSignsAsTheSameKey) {
  const SigningKey key = SigningKey::generate(GetParam());
  auto sealed = seal_private_key(key, "246810");
  ASSERT_TRUE(sealed.has_value()) << sealed.error().message;
  EXPECT_NE(sealed->find("BEGIN ENCRYPTED PRIVATE KEY"), std::string::npos);
  // The key material is not in the clear.
  EXPECT_EQ(sealed->find(key.pem().substr(40, 40)), std::string::npos);
  auto opened = open_private_key(*sealed, "246810");
  ASSERT_TRUE(opened.has_value()) << opened.error().message;
  EXPECT_EQ(opened->algorithm(), GetParam());
  EXPECT_TRUE(opened->public_key() == key.public_key());
  EXPECT_TRUE(key.public_key().verify(GetParam(), "record", opened->sign("record")).has_value());
}

TEST_P(Keystore, RefusesAWrongPinWithATypedError) {
  const SigningKey key = SigningKey::generate(GetParam());
  auto sealed = seal_private_key(key, "246810");
  ASSERT_TRUE(sealed.has_value());
  for (const char* pin : {"246811", "", "2468100", "24681"}) {
    auto opened = open_private_key(*sealed, pin);
    ASSERT_FALSE(opened.has_value()) << pin;
    EXPECT_EQ(opened.error().code, "wrong_pin") << pin;
  }
}

TEST(Keystore, SealsWithAFreshSaltEachTime) {
  const SigningKey key = SigningKey::generate(SignatureAlgorithm::sm2_sm3);
  EXPECT_NE(*seal_private_key(key, "135790"), *seal_private_key(key, "135790"));
}

TEST(Keystore, RefusesAShortPin) {
  const SigningKey key = SigningKey::generate(SignatureAlgorithm::sm2_sm3);
  auto sealed = seal_private_key(key, "12345");
  ASSERT_FALSE(sealed.has_value());
  EXPECT_EQ(sealed.error().code, "validation_failed");
  EXPECT_EQ(sealed.error().fields.at(0).field, "pin");
}

TEST(Keystore, RefusesWhatIsNotAnEncryptedKey) {
  const SigningKey key = SigningKey::generate(SignatureAlgorithm::ecdsa_p256_sha256);
  for (const std::string& text : {std::string(), std::string("garbage"), key.pem()}) {
    auto opened = open_private_key(text, "246810");
    ASSERT_FALSE(opened.has_value());
    EXPECT_EQ(opened.error().code, "validation_failed");
    EXPECT_EQ(opened.error().fields.at(0).field, "keystore");
  }
  // A damaged body (one base64 character changed) never crashes.
  std::string sealed = *seal_private_key(key, "246810");
  sealed[sealed.size() / 2] = sealed[sealed.size() / 2] == 'A' ? 'B' : 'A';
  EXPECT_FALSE(open_private_key(sealed, "246810").has_value());
}

TEST(Keystore, KeepsTheFileReadableByItsOwnerOnly) {
  const std::string path = ::testing::TempDir() + "stork-keystore-" + random_hex(8) + ".pem";
  const SigningKey key = SigningKey::generate(SignatureAlgorithm::sm2_sm3);
  ASSERT_TRUE(write_keystore_file(path, key, "975310").has_value());
  struct stat st {};
  ASSERT_EQ(::stat(path.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);
  auto opened = read_keystore_file(path, "975310");
  ASSERT_TRUE(opened.has_value()) << opened.error().message;
  EXPECT_TRUE(opened->public_key() == key.public_key());
  EXPECT_EQ(read_keystore_file(path, "975311").error().code, "wrong_pin");
  std::remove(path.c_str());
  EXPECT_EQ(read_keystore_file(path, "975310").error().code, "unavailable");
}

}  // namespace
}  // namespace stork::crypto
