#include "crypto/signature.hpp"

#include <gtest/gtest.h>

#include <string>

#include "crypto/random.hpp"

namespace stork::crypto {
namespace {

constexpr SignatureAlgorithm kBoth[] = {SignatureAlgorithm::sm2_sm3,
                                        SignatureAlgorithm::ecdsa_p256_sha256};

std::string unbase64(std::string_view text) {
  std::string out;
  EXPECT_TRUE(from_base64(text, out));
  return out;
}

class Signature : public ::testing::TestWithParam<SignatureAlgorithm> {};

INSTANTIATE_TEST_SUITE_P(Algorithms, Signature, ::testing::ValuesIn(kBoth), [](const auto& info) {
  return info.param == SignatureAlgorithm::sm2_sm3 ? "SM2" : "ECDSA";
});

TEST_P(Signature, VerifiesWhatItSigned) {
  const SigningKey key = SigningKey::generate(GetParam());
  EXPECT_EQ(key.algorithm(), GetParam());
  const std::string message = R"({"complaint":"cough for 3 days","patient_id":42})";
  const std::string sig = key.sign(message);
  EXPECT_TRUE(key.public_key().verify(GetParam(), message, sig).has_value());
  // Randomized signatures: a second one differs and verifies too.
  const std::string again = key.sign(message);
  EXPECT_NE(sig, again);
  EXPECT_TRUE(key.public_key().verify(GetParam(), message, again).has_value());
  EXPECT_TRUE(key.public_key().verify(GetParam(), "", key.sign("")).has_value());
}

TEST_P(Signature, FailsWhenOneByteOfTheMessageChanges) {
  const SigningKey key = SigningKey::generate(GetParam());
  const std::string message = R"({"dose_mg":250,"drug":"amoxicillin"})";
  const std::string sig = key.sign(message);
  for (size_t i = 0; i < message.size(); i += 7) {
    std::string tampered = message;
    tampered[i] ^= 0x01;
    auto r = key.public_key().verify(GetParam(), tampered, sig);
    ASSERT_FALSE(r.has_value()) << "byte " << i;
    EXPECT_EQ(r.error(), SignatureFailure::mismatch);
    EXPECT_EQ(failure_code(r.error()), "signature_mismatch");
  }
}

TEST_P(Signature, FailsWhenOneByteOfTheSignatureChanges) {
  const SigningKey key = SigningKey::generate(GetParam());
  const std::string sig = key.sign("report 7");
  // The last byte is inside s: still well-formed DER, no longer valid.
  std::string tampered = sig;
  tampered.back() ^= 0x01;
  auto r = key.public_key().verify(GetParam(), "report 7", tampered);
  ASSERT_FALSE(r.has_value());
  EXPECT_EQ(r.error(), SignatureFailure::mismatch);
  // The first byte is the SEQUENCE tag: no longer a signature at all.
  tampered = sig;
  tampered[0] ^= 0x01;
  r = key.public_key().verify(GetParam(), "report 7", tampered);
  ASSERT_FALSE(r.has_value());
  EXPECT_EQ(r.error(), SignatureFailure::malformed);
  EXPECT_EQ(failure_code(r.error()), "signature_malformed");
  for (const std::string& junk : {std::string(), std::string("not a signature"), sig + '\0'}) {
    r = key.public_key().verify(GetParam(), "report 7", junk);
    ASSERT_FALSE(r.has_value());
    EXPECT_EQ(r.error(), SignatureFailure::malformed);
  }
}

TEST_P(Signature, FailsWithAnotherKey) {
  const SigningKey key = SigningKey::generate(GetParam());
  const SigningKey other = SigningKey::generate(GetParam());
  auto r = other.public_key().verify(GetParam(), "prescription", key.sign("prescription"));
  ASSERT_FALSE(r.has_value());
  EXPECT_EQ(r.error(), SignatureFailure::mismatch);
  EXPECT_FALSE(other.public_key() == key.public_key());
  EXPECT_TRUE(key.public_key() == key.public_key());
}

TEST_P(Signature, KeysSurvivePem) {
  const SigningKey key = SigningKey::generate(GetParam());
  auto private_again = SigningKey::from_pem(key.pem());
  ASSERT_TRUE(private_again.has_value()) << private_again.error().message;
  EXPECT_EQ(private_again->algorithm(), GetParam());
  auto public_again = VerifyingKey::from_pem(key.public_key().pem());
  ASSERT_TRUE(public_again.has_value()) << public_again.error().message;
  EXPECT_EQ(public_again->algorithm(), GetParam());
  EXPECT_TRUE(*public_again == key.public_key());
  EXPECT_TRUE(public_again->verify(GetParam(), "m", private_again->sign("m")).has_value());
  EXPECT_EQ(key.public_key().pem().find("PRIVATE"), std::string::npos);
}

TEST(Signature, RefusesAKeyOfAnotherAlgorithmThanTheSignatureNames) {
  const SigningKey sm2 = SigningKey::generate(SignatureAlgorithm::sm2_sm3);
  auto r = sm2.public_key().verify(SignatureAlgorithm::ecdsa_p256_sha256, "m", sm2.sign("m"));
  ASSERT_FALSE(r.has_value());
  EXPECT_EQ(r.error(), SignatureFailure::algorithm_mismatch);
}

TEST(Signature, NamesAlgorithmsStably) {
  for (const auto a : kBoth) EXPECT_EQ(parse_algorithm(algorithm_name(a)), a);
  EXPECT_EQ(algorithm_name(SignatureAlgorithm::sm2_sm3), "SM2-SM3");
  EXPECT_EQ(algorithm_name(SignatureAlgorithm::ecdsa_p256_sha256), "ECDSA-P256-SHA256");
  EXPECT_FALSE(parse_algorithm("RSA").has_value());
}

TEST(Signature, RefusesKeysThatAreNeitherSm2NorP256) {
  // A P-384 key, made with `openssl ecparam -name secp384r1 -genkey`.
  constexpr const char* kP384 = R"(-----BEGIN PUBLIC KEY-----
MHYwEAYHKoZIzj0CAQYFK4EEACIDYgAE/jv2beiiGvxmWlnB9cIfk1Zu7h3vQQdJ
RH33MUPll7+xV9iJetEp7yFIASf+zltgs3ZAgJuiKtqCBS20MtiIPO1J2XoNmD4k
GAswyTRnm92KICF3ylgr6v/dDWyWZ4Ts
-----END PUBLIC KEY-----
)";
  auto r = VerifyingKey::from_pem(kP384);
  ASSERT_FALSE(r.has_value());
  EXPECT_EQ(r.error().fields.at(0).field, "public_key");
  EXPECT_FALSE(VerifyingKey::from_pem("garbage").has_value());
  auto p = SigningKey::from_pem("-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n");
  ASSERT_FALSE(p.has_value());
  EXPECT_EQ(p.error().fields.at(0).field, "private_key");
}

// Signatures made by the `openssl pkeyutl` command line, not by this code:
// SM2 with the GM/T 0009 default ID (-pkeyopt distid:1234567812345678) and
// ECDSA P-256. Ours must accept them, or our SM2 would not interoperate.
TEST(Signature, VerifiesSignaturesMadeByTheOpensslCommandLine) {
  auto sm2 = VerifyingKey::from_pem(R"(-----BEGIN PUBLIC KEY-----
MFkwEwYHKoZIzj0CAQYIKoEcz1UBgi0DQgAE0yn68Ag5qq87NYT9yKyJp9qw6iqL
0N6rnKX6xtHZU5WdUNGbb+27TO+Z84nTeWsFYilQ2/BRh1NrjB01kkhmNw==
-----END PUBLIC KEY-----
)");
  ASSERT_TRUE(sm2.has_value());
  EXPECT_EQ(sm2->algorithm(), SignatureAlgorithm::sm2_sm3);
  const std::string sm2_sig = unbase64(
      "MEQCIEKv66hBs1oLUzskFQzmV0CQiYF1UWR9CFOYrbwmsVyvAiBylNRyqSPgq/57u+CXGfzTT/"
      "L7HyqU8OOTJr1K5o2lMA==");
  EXPECT_TRUE(sm2->verify(SignatureAlgorithm::sm2_sm3, "stork sm2 interop", sm2_sig).has_value());
  EXPECT_FALSE(sm2->verify(SignatureAlgorithm::sm2_sm3, "stork sm2 interoq", sm2_sig).has_value());

  auto p256 = VerifyingKey::from_pem(R"(-----BEGIN PUBLIC KEY-----
MFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAEdX40/ohAc3ChS7yt4OJHRRrA17S8
C8+kj1XgAJLDLA5rr5lCi2BjSj6zU+rr80fjQ+kYyGlYOs4ZBaIUvdRyKA==
-----END PUBLIC KEY-----
)");
  ASSERT_TRUE(p256.has_value());
  EXPECT_EQ(p256->algorithm(), SignatureAlgorithm::ecdsa_p256_sha256);
  const std::string p256_sig = unbase64(
      "MEQCIEvvG79IkcsQtuFfZyKohg2xwQj/"
      "M3SsQA7LHJUxNK7NAiBVsUDkh1ZSm3ovA3oUA68uR71eKvd2X00MPgfSJTHVBw==");
  EXPECT_TRUE(p256->verify(SignatureAlgorithm::ecdsa_p256_sha256, "stork p256 interop", p256_sig)
                  .has_value());
}

}  // namespace
}  // namespace stork::crypto
