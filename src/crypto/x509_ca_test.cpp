#include "crypto/x509_ca.hpp"

#include <gtest/gtest.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include <chrono>
#include <set>
#include <string>
#include <vector>

namespace stork::crypto {
namespace {

using std::chrono::days;
using std::chrono::hours;
using std::chrono::seconds;

const TimePoint kT0{seconds(1795000000)};  // 2026-11-18

class HospitalCa : public ::testing::TestWithParam<SignatureAlgorithm> {
 protected:
  HospitalCa()
      : ca_(*CertificateAuthority::create(SigningKey::generate(GetParam()), "Stork Hospital CA",
                                          kT0 - days(1), kT0 + days(3650))),
        doctor_key_(SigningKey::generate(GetParam())),
        doctor_(*ca_.issue(doctor_key_.public_key(), {"Dr. 李娜", kT0, kT0 + days(365)})) {}

  std::expected<void, CertificateProblem> check(const X509Certificate& cert, TimePoint at,
                                                std::vector<Crl> crls) {
    const std::vector<X509Certificate> anchors{ca_.certificate()};
    return verify_certificate(cert, {}, anchors, crls, at);
  }
  Crl empty_crl() { return *ca_.crl({}, kT0, kT0 + days(7)); }

  CertificateAuthority ca_;
  SigningKey doctor_key_;
  X509Certificate doctor_;
};

INSTANTIATE_TEST_SUITE_P(Algorithms, HospitalCa,
                         ::testing::Values(SignatureAlgorithm::sm2_sm3,
                                           SignatureAlgorithm::ecdsa_p256_sha256),
                         [](const auto& info) {
                           return info.param == SignatureAlgorithm::sm2_sm3 ? "SM2" : "ECDSA";
                         });

TEST_P(HospitalCa, IssuesADoctorCertificateThatVerifiesWhileValid) {
  EXPECT_EQ(doctor_.subject_cn(), "Dr. 李娜");
  EXPECT_EQ(doctor_.issuer_cn(), "Stork Hospital CA");
  EXPECT_EQ(doctor_.not_before(), kT0);
  EXPECT_EQ(doctor_.not_after(), kT0 + days(365));
  EXPECT_TRUE(doctor_.public_key() == doctor_key_.public_key());
  EXPECT_EQ(X509_get_key_usage(doctor_.native()),
            static_cast<uint32_t>(KU_DIGITAL_SIGNATURE | KU_NON_REPUDIATION));
  EXPECT_EQ(X509_check_ca(doctor_.native()), 0);
  EXPECT_NE(X509_check_ca(ca_.certificate().native()), 0);
  const int expected_nid =
      GetParam() == SignatureAlgorithm::sm2_sm3 ? NID_SM2_with_SM3 : NID_ecdsa_with_SHA256;
  EXPECT_EQ(X509_get_signature_nid(doctor_.native()), expected_nid);
  EXPECT_EQ(X509_get_signature_nid(ca_.certificate().native()), expected_nid);
  auto ok = check(doctor_, kT0 + hours(1), {empty_crl()});
  EXPECT_TRUE(ok.has_value()) << ok.error().message;
}

TEST_P(HospitalCa, IssuesATsaCertificateWithCriticalTimeStampingUsageOnly) {
  auto tsa = ca_.issue_tsa(doctor_key_.public_key(), {"Stork TSA", kT0, kT0 + days(365)});
  ASSERT_TRUE(tsa.has_value()) << tsa.error().message;
  EXPECT_EQ(X509_get_extended_key_usage(tsa->native()), static_cast<uint32_t>(XKU_TIMESTAMP));
  const int eku = X509_get_ext_by_NID(tsa->native(), NID_ext_key_usage, -1);
  ASSERT_GE(eku, 0);
  EXPECT_EQ(X509_EXTENSION_get_critical(X509_get_ext(tsa->native(), eku)), 1);
  EXPECT_EQ(X509_get_key_usage(tsa->native()),
            static_cast<uint32_t>(KU_DIGITAL_SIGNATURE | KU_NON_REPUDIATION));
  // OpenSSL's own test for a TSA signer (RFC 3161 §2.3); doctors fail it.
  EXPECT_EQ(X509_check_purpose(tsa->native(), X509_PURPOSE_TIMESTAMP_SIGN, 0), 1);
  EXPECT_NE(X509_check_purpose(doctor_.native(), X509_PURPOSE_TIMESTAMP_SIGN, 0), 1);
  EXPECT_EQ(X509_get_extension_flags(doctor_.native()) & EXFLAG_XKUSAGE, 0u);
  auto ok = check(*tsa, kT0 + days(1), {empty_crl()});
  EXPECT_TRUE(ok.has_value()) << ok.error().message;
}

TEST_P(HospitalCa, GivesEachCertificateItsOwnSerial) {
  std::set<std::string> serials{doctor_.serial_hex(), ca_.certificate().serial_hex()};
  for (int i = 0; i < 5; ++i)
    serials.insert(
        ca_.issue(doctor_key_.public_key(), {"Dr. Wang", kT0, kT0 + days(1)})->serial_hex());
  EXPECT_EQ(serials.size(), 7u);
  for (const auto& s : serials) EXPECT_LE(s.size(), 40u);
}

TEST_P(HospitalCa, RefusesACertificateOutsideItsValidity) {
  auto expired = check(doctor_, kT0 + days(366), {empty_crl()});
  ASSERT_FALSE(expired.has_value());
  EXPECT_EQ(expired.error().failure, CertificateFailure::expired);
  EXPECT_EQ(expired.error().code(), "certificate_expired");
  EXPECT_NE(expired.error().message.find("Dr. 李娜"), std::string::npos) << expired.error().message;
  auto early = check(doctor_, kT0 - hours(1), {empty_crl()});
  ASSERT_FALSE(early.has_value());
  EXPECT_EQ(early.error().failure, CertificateFailure::not_yet_valid);
}

TEST_P(HospitalCa, HonoursSignaturesMadeBeforeARevocationOnly) {
  const TimePoint revoked_at = kT0 + days(30);
  const std::vector<Revocation> revoked{{doctor_.serial_hex(), revoked_at}};
  auto crl = ca_.crl(revoked, revoked_at + hours(1), revoked_at + days(7));
  ASSERT_TRUE(crl.has_value()) << crl.error().message;
  EXPECT_EQ(crl->revoked_at(doctor_.serial_hex()), revoked_at);
  EXPECT_EQ(crl->this_update(), revoked_at + hours(1));

  auto before = check(doctor_, revoked_at - seconds(1), {*crl});
  EXPECT_TRUE(before.has_value()) << before.error().message;
  for (const TimePoint at : {revoked_at, revoked_at + seconds(1), revoked_at + days(2)}) {
    auto after = check(doctor_, at, {*crl});
    ASSERT_FALSE(after.has_value());
    EXPECT_EQ(after.error().failure, CertificateFailure::revoked);
    EXPECT_EQ(after.error().code(), "certificate_revoked");
  }
  // Another doctor's certificate is untouched by that CRL.
  auto colleague =
      ca_.issue(SigningKey::generate(GetParam()).public_key(), {"Dr. Chen", kT0, kT0 + days(365)});
  EXPECT_TRUE(check(*colleague, revoked_at + days(2), {*crl}).has_value());
}

TEST_P(HospitalCa, SurvivesPemRoundTrips) {
  auto cert = X509Certificate::from_pem(doctor_.pem());
  auto anchor = X509Certificate::from_pem(ca_.certificate().pem());
  auto crl = Crl::from_pem(ca_.crl(std::vector<Revocation>{{doctor_.serial_hex(), kT0 + days(9)}},
                                   kT0 + days(10), kT0 + days(17))
                               ->pem());
  ASSERT_TRUE(cert.has_value() && anchor.has_value() && crl.has_value());
  EXPECT_EQ(cert->serial_hex(), doctor_.serial_hex());
  const std::vector<X509Certificate> anchors{*anchor};
  const std::vector<Crl> crls{*crl};
  EXPECT_TRUE(verify_certificate(*cert, {}, anchors, crls, kT0 + days(1)).has_value());
  EXPECT_EQ(verify_certificate(*cert, {}, anchors, crls, kT0 + days(9)).error().failure,
            CertificateFailure::revoked);
}

TEST_P(HospitalCa, RefusesACertificateFromAnotherCa) {
  auto other = CertificateAuthority::create(SigningKey::generate(GetParam()), "Stork Hospital CA",
                                            kT0 - days(1), kT0 + days(3650));
  const std::vector<X509Certificate> anchors{other->certificate()};
  const std::vector<Crl> crls{empty_crl()};
  auto r = verify_certificate(doctor_, {}, anchors, crls, kT0 + hours(1));
  ASSERT_FALSE(r.has_value());
  // Same name, different key: the chain's signature check catches it.
  EXPECT_TRUE(r.error().failure == CertificateFailure::bad_signature ||
              r.error().failure == CertificateFailure::untrusted)
      << r.error().code() << ": " << r.error().message;
  auto none = verify_certificate(doctor_, {}, {}, crls, kT0 + hours(1));
  ASSERT_FALSE(none.has_value());
  EXPECT_EQ(none.error().failure, CertificateFailure::untrusted);
}

TEST_P(HospitalCa, RequiresACrlSignedByTheIssuer) {
  auto missing = check(doctor_, kT0 + hours(1), {});
  ASSERT_FALSE(missing.has_value());
  EXPECT_EQ(missing.error().failure, CertificateFailure::crl_missing);
  // An impostor CA under the same name publishes a CRL that lists nothing.
  auto impostor = CertificateAuthority::create(
      SigningKey::generate(GetParam()), "Stork Hospital CA", kT0 - days(1), kT0 + days(3650));
  auto forged = check(doctor_, kT0 + hours(1), {*impostor->crl({}, kT0, kT0 + days(7))});
  ASSERT_FALSE(forged.has_value());
  EXPECT_EQ(forged.error().failure, CertificateFailure::crl_invalid);
  // A CRL of an unrelated CA is no CRL at all for this certificate.
  auto unrelated = CertificateAuthority::create(SigningKey::generate(GetParam()), "Elsewhere CA",
                                                kT0 - days(1), kT0 + days(3650));
  auto r = check(doctor_, kT0 + hours(1), {*unrelated->crl({}, kT0, kT0 + days(7))});
  ASSERT_FALSE(r.has_value());
  EXPECT_EQ(r.error().failure, CertificateFailure::crl_missing);
}

TEST_P(HospitalCa, RefusesBadRequests) {
  auto r = ca_.issue(doctor_key_.public_key(), {"", kT0, kT0 - days(1)});
  ASSERT_FALSE(r.has_value());
  ASSERT_EQ(r.error().fields.size(), 2u);
  EXPECT_EQ(r.error().fields[0].field, "common_name");
  EXPECT_EQ(r.error().fields[1].field, "not_after");
  const std::vector<Revocation> bad{{"not-hex", kT0}};
  auto crl = ca_.crl(bad, kT0, kT0 + days(1));
  ASSERT_FALSE(crl.has_value());
  EXPECT_EQ(crl.error().fields.at(0).field, "serial");
  auto wrong_key = CertificateAuthority::load(ca_.certificate(), doctor_key_);
  ASSERT_FALSE(wrong_key.has_value());
  EXPECT_EQ(wrong_key.error().fields.at(0).field, "private_key");
  EXPECT_FALSE(X509Certificate::from_pem("junk").has_value());
  EXPECT_FALSE(Crl::from_pem("junk").has_value());
}

TEST(HospitalCaKeys, LoadsAnExistingCaWithItsKey) {
  const SigningKey key = SigningKey::generate(SignatureAlgorithm::sm2_sm3);
  auto ca = CertificateAuthority::create(key, "Stork Hospital CA", kT0, kT0 + days(10));
  ASSERT_TRUE(ca.has_value());
  auto cert = X509Certificate::from_pem(ca->certificate().pem());
  auto loaded = CertificateAuthority::load(*cert, *SigningKey::from_pem(key.pem()));
  ASSERT_TRUE(loaded.has_value()) << loaded.error().message;
  const SigningKey doctor = SigningKey::generate(SignatureAlgorithm::sm2_sm3);
  auto issued = loaded->issue(doctor.public_key(), {"Dr. Zhou", kT0, kT0 + days(5)});
  const std::vector<X509Certificate> anchors{ca->certificate()};
  const std::vector<Crl> crls{*loaded->crl({}, kT0, kT0 + days(1))};
  EXPECT_TRUE(verify_certificate(*issued, {}, anchors, crls, kT0 + days(1)).has_value());
  auto leaf_as_ca = CertificateAuthority::load(*issued, doctor);
  ASSERT_FALSE(leaf_as_ca.has_value());
  EXPECT_EQ(leaf_as_ca.error().fields.at(0).field, "certificate");
}

}  // namespace
}  // namespace stork::crypto
