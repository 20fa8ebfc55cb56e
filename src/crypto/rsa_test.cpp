#include "crypto/rsa.hpp"

#include <gtest/gtest.h>

#include <string>

#include "crypto/random.hpp"

namespace stork::crypto {
namespace {

// A throwaway key made for this test with Python's `cryptography`, and the
// signature that library computed over kMessage: PKCS#1 v1.5 signatures are
// deterministic, so ours must match byte for byte.
constexpr const char* kTestKeyPem = R"(-----BEGIN PRIVATE KEY-----
MIIEvQIBADANBgkqhkiG9w0BAQEFAASCBKcwggSjAgEAAoIBAQClxsgEbZbGtln6
eID4jhpK5SzQlZzmdZvAuv0bDqMe8uDe9ArvXcsdfh7XkYHuCMzUYK7GZaxPBnFi
KC23xEi/Wk0G/5fa4lVZjnYlzAm5193QplL6N8kzJKAkBwwA5csDLHOMnKi+bO7k
6oFLneMhnUI3cBMDRFEUC56xT3iOLVuH6HCtUqblhNtj3Xn15BNcQFWZ6NC4wvx+
OoVnAaD0VKimfyp+lgfwpGp5Yzo59O4u4J3o6gzJclNTQIU+3p32OPsnu6v2HA64
uNkqx4M3W6z6G8RVw8ROQMPR+JMRppoQ6Q14WSo01dQ+MlTyjCCdFbue4QupdUGr
dygCQwQ3AgMBAAECggEABb6YqcaeZe5luc85MOPDt3qvjd7RXA8RQaF5Kdnc/zKN
ZkxwoJDQfAolyXSKWxRE/MsI42kcinR/s1YPF4IevzrC1o4+1d/n8z2DjJXAdIct
cZCB6ZfLShFn1zfDS7iqy0ZcDrBTDJ47vQT/S/6Bo2WOqNsiXYedg6NPcXd+hvav
DtlRDhscb5qdMPkLvGeQlecm4NAZItP+adJDWNvynzbi2ihAqNMcwiOY3razRcOS
1fbbfxBtvp7mPK7hB7drEE1wqoDGt4pQfoxvMVMg5A8KdafIuQc082ikbt9jAE7x
SBP/zCvdkrol8xWJGIGyjl6RhT+/lps4uHjf1ogmYQKBgQDjw1wEp4Ef1uhmG3aL
k3i0993qgOHEmF9TMadQsMp9bAYNlYpqsnO94pHITtKQmSgk2Wa/OTWeGXj+tWUr
c+KDlHaCTZ1dGrlhq1cEFE7yqPxWN2sU3D0HTpC6b2YzZOmFV7Cxs2wCxqYD7M43
I6WnruhjtqRnhPzQ7zOLtaaH8QKBgQC6VB5pm5y1+6ro/GXzEXLPSl/Zr4Ta36uN
luXQmPx3m4afdShJFqvckev3sKT0bPanHgyzEgKSpC2J3sYT8tbQzbGt88UeAtX9
jcjkjvBBSfSkWZo13WjBcDvVlf63opmBgF/wb2fUDzDAgpj26cCW6GoAkLtAHWPj
L72oUKu2pwKBgQDAF57/CercWJtuqpDjjQAL2NUgF4zSCxSyjLkpU8Gj4DyGrm2s
KU92gaUkRF5Qt+tkkLqYYn63FZK3d3OZH0aWZNtCcIVc5dId7q0X8qzW+fDAIkM8
t7b896UWqCeRBvXwkRGj/cgF21ZfDxSo6nanItw6ZOrpp/61lFhr50tJcQKBgFFY
0D5DFdPNn/w/1TKdd4ZQbjBXlKUJ6ZfTPVoosHB3kfqj54ahQz705hQpJpsfxz+G
uvyi7EShMNB0Vf33kxlt9BiByJklm88qy34deX7HjusBw3WoyEdLfJPu/Fmnv2Tu
avRJbwcB6sLhQW7q9o3rwfulNFr1edqByUdmkNEZAoGAfhxKfsuP/0Qz9Zm6Ac8A
ZRaPZkUog022Ng2GSGl06Yg2F2lA24ZS7UObysbnUs6JVH+AHCjQwAJ5W37X3aZQ
yFT2HFBYLSSRK85WD5JBuli2lSXF+X4Ag68bapxENhUfg/rYLhebtpqvVHyB6aSf
oapBQagpqOxARMknRaf6S8o=
-----END PRIVATE KEY-----
)";
constexpr const char* kMessage =
    "1554208460\n593BEC0C930BF1AFEB40B4A08C8FB242\n{\"id\":\"EV-2018022511223320873\"}\n";
constexpr const char* kExpectedSignature =
    "nqgSOHeflTdyS98KyFwKgK0WRGUt7XOvAj/"
    "L77rqx5dPNbQABmUokx4fmmUh9L8TOeAvJ7pTndasLCpN6fJ+lH4ragipB161Nnr9"
    "1TJIq9O/AiHweriAq4JTD+E1imSPJy6JmuKB1N6BE25PzJJU6/"
    "I3+eaqiAadEW6x3BU2Zto3OzKGuFavfdb1kvfuEhy56vngZuAj"
    "ByMLHn7HJtKrO6BKhgaJptfIZZ+IY8+9rnH2vERPGwm3OPJb/"
    "okrTQTaXDtdI37tidOPEMzeruVajf3RsQGo3hvS9V1wVW1Umgw8"
    "tuxaq5dr8a6e2ngKy+KqyROTsQ0y5u4Vf6lUHbyGvQ==";

// Key generation costs tens of milliseconds: one key for the whole suite.
const RsaPrivateKey& shared_key() {
  static const RsaPrivateKey key = RsaPrivateKey::generate();
  return key;
}

TEST(Rsa, SignatureMatchesAnIndependentImplementation) {
  auto key = RsaPrivateKey::from_pem(kTestKeyPem);
  ASSERT_TRUE(key.has_value()) << key.error().message;
  EXPECT_EQ(key->sign(kMessage), kExpectedSignature);
}

TEST(Rsa, CertificateVerifiesItsKeysSignature) {
  const auto cert = Certificate::self_signed(shared_key(), "Stork test platform");
  EXPECT_TRUE(cert.verify("hello\n", shared_key().sign("hello\n")));
}

TEST(Rsa, VerifyRefusesAOneByteChangeInTheMessage) {
  const auto cert = Certificate::self_signed(shared_key(), "Stork test platform");
  const std::string message = "1700000000\nnonce\n{\"amount\":{\"total\":1250}}\n";
  const std::string sig = shared_key().sign(message);
  std::string tampered = message;
  tampered[tampered.find("1250")] = '9';
  EXPECT_TRUE(cert.verify(message, sig));
  EXPECT_FALSE(cert.verify(tampered, sig));
}

TEST(Rsa, VerifyRefusesAOneByteChangeInTheSignature) {
  const auto cert = Certificate::self_signed(shared_key(), "Stork test platform");
  std::string raw;
  ASSERT_TRUE(from_base64(shared_key().sign("m"), raw));
  raw[raw.size() / 2] = static_cast<char>(raw[raw.size() / 2] ^ 0x01);
  EXPECT_FALSE(cert.verify("m", base64(raw)));
}

TEST(Rsa, VerifyRefusesAnotherKeysSignature) {
  const auto cert = Certificate::self_signed(shared_key(), "Stork test platform");
  auto other = RsaPrivateKey::from_pem(kTestKeyPem);
  ASSERT_TRUE(other.has_value());
  EXPECT_FALSE(cert.verify(kMessage, other->sign(kMessage)));
}

TEST(Rsa, VerifyIsFalseForGarbageSignatures) {
  const auto cert = Certificate::self_signed(shared_key(), "Stork test platform");
  for (const char* sig : {"", "not base64!", "AAAA", "====", "QUJD\n"})
    EXPECT_FALSE(cert.verify("m", sig)) << sig;
}

TEST(Rsa, PemRoundTripsKeysAndCertificates) {
  const auto cert = Certificate::self_signed(shared_key(), "Stork test platform");
  auto key_again = RsaPrivateKey::from_pem(shared_key().pem());
  ASSERT_TRUE(key_again.has_value()) << key_again.error().message;
  auto cert_again = Certificate::from_pem(cert.pem());
  ASSERT_TRUE(cert_again.has_value()) << cert_again.error().message;
  EXPECT_EQ(cert_again->serial_hex(), cert.serial_hex());
  EXPECT_TRUE(cert_again->verify("x", key_again->sign("x")));
}

TEST(Rsa, SerialIsUpperCaseHexAndDiffersPerCertificate) {
  const auto a = Certificate::self_signed(shared_key(), "a");
  const auto b = Certificate::self_signed(shared_key(), "b");
  EXPECT_EQ(a.serial_hex().size(), 32u) << a.serial_hex();
  EXPECT_EQ(a.serial_hex().find_first_not_of("0123456789ABCDEF"), std::string::npos)
      << a.serial_hex();
  EXPECT_NE(a.serial_hex(), b.serial_hex());
}

TEST(Rsa, FromPemRefusesWhatIsNotAKeyOrCertificate) {
  EXPECT_FALSE(RsaPrivateKey::from_pem("").has_value());
  EXPECT_FALSE(
      RsaPrivateKey::from_pem("-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n"));
  const auto cert = Certificate::self_signed(shared_key(), "c");
  EXPECT_FALSE(RsaPrivateKey::from_pem(cert.pem()).has_value());
  auto bad = Certificate::from_pem(shared_key().pem());
  ASSERT_FALSE(bad.has_value());
  EXPECT_EQ(bad.error().code, "validation_failed");
  EXPECT_FALSE(Certificate::from_pem("garbage").has_value());
}

}  // namespace
}  // namespace stork::crypto
