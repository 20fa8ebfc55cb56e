#include "crypto/password.hpp"

#include <gtest/gtest.h>

#include <string>

namespace stork::crypto {
namespace {

TEST(Password, VerifiesTheHashedPassword) {
  const std::string hash = hash_password("correct horse battery staple", kTestArgon2);
  EXPECT_TRUE(verify_password("correct horse battery staple", hash));
}

TEST(Password, RefusesAWrongPassword) {
  const std::string hash = hash_password("s3cret-Passw0rd", kTestArgon2);
  EXPECT_FALSE(verify_password("s3cret-Passw0rd ", hash));
  EXPECT_FALSE(verify_password("S3cret-Passw0rd", hash));
  EXPECT_FALSE(verify_password("", hash));
}

TEST(Password, VerifiesChineseAndEmptyPasswords) {
  const std::string chinese = hash_password("密码安全第一", kTestArgon2);
  EXPECT_TRUE(verify_password("密码安全第一", chinese));
  EXPECT_FALSE(verify_password("密码安全第二", chinese));
  const std::string empty = hash_password("", kTestArgon2);
  EXPECT_TRUE(verify_password("", empty));
  EXPECT_FALSE(verify_password("x", empty));
}

TEST(Password, EncodesAsArgon2idPhcString) {
  const std::string hash = hash_password("pw", kTestArgon2);
  EXPECT_TRUE(hash.starts_with("$argon2id$")) << hash;
  EXPECT_NE(hash.find("m=1024,t=1,p=1"), std::string::npos) << hash;
  EXPECT_EQ(hash.find('\0'), std::string::npos);
}

TEST(Password, RecordsTheParametersUsedSoStrongerOnesStillVerify) {
  const Argon2Params stronger{2, 2048, 1};
  const std::string hash = hash_password("pw", stronger);
  EXPECT_NE(hash.find("m=2048,t=2,p=1"), std::string::npos) << hash;
  EXPECT_TRUE(verify_password("pw", hash));
}

TEST(Password, SaltsEveryHash) {
  const std::string first = hash_password("same password", kTestArgon2);
  const std::string second = hash_password("same password", kTestArgon2);
  EXPECT_NE(first, second);
  EXPECT_TRUE(verify_password("same password", first));
  EXPECT_TRUE(verify_password("same password", second));
}

TEST(Password, RefusesAMalformedOrTamperedHash) {
  EXPECT_FALSE(verify_password("pw", ""));
  EXPECT_FALSE(verify_password("pw", "not a hash"));
  EXPECT_FALSE(verify_password("pw", "$argon2id$v=19$m=1024,t=1,p=1$"));
  std::string hash = hash_password("pw", kTestArgon2);
  char& c = hash[hash.size() - 10];  // inside the digest, away from its padding bits
  c = c == 'A' ? 'B' : 'A';
  EXPECT_FALSE(verify_password("pw", hash));
}

}  // namespace
}  // namespace stork::crypto
