#include "clinical/verification.hpp"

#include <gtest/gtest.h>

#include <chrono>
#include <string>
#include <vector>

#include "clinical/signed_bytes.hpp"
#include "crypto/hash.hpp"
#include "crypto/random.hpp"
#include "crypto/timestamp.hpp"

namespace stork::clinical {
namespace {

using crypto::CertificateAuthority;
using crypto::SignatureAlgorithm;
using crypto::SigningKey;
using crypto::X509Certificate;
using std::chrono::days;
using std::chrono::hours;
using std::chrono::milliseconds;
using std::chrono::minutes;

const TimePoint kT0{std::chrono::seconds(1795000000)};  // 2026-11-18
int64_t ms(TimePoint t) { return to_ms(t); }
const int64_t kSignedAt = ms(kT0 + hours(1));

// A doctor's key and the certificate the hospital CA issued for it.
struct Signer {
  int64_t user_id;
  std::string name;
  SigningKey key;
  X509Certificate certificate;
};

// A prescription by Dr. Li, signed under a hospital CA of the test's
// algorithm, and the trust material that verifies it.
class Verification : public ::testing::TestWithParam<SignatureAlgorithm> {
 protected:
  Verification()
      : ca_(*CertificateAuthority::create(SigningKey::generate(GetParam()), "Stork Hospital CA",
                                          kT0 - days(1), kT0 + days(3650))),
        doctor_(make_signer(ca_, 11, "Dr. 李娜", kT0, kT0 + days(365))),
        pharmacist_(make_signer(ca_, 12, "Pharmacist Zhou", kT0, kT0 + days(365))) {
    document_.id = 41;
    document_.kind = DocumentKind::prescription;
    document_.patient_id = 7;
    document_.version = 2;
    document_.replaces = 40;
    document_.content = *normalize_content(
        DocumentKind::prescription,
        R"({"items":[{"drug":"Folic acid","strength":"0.4 mg","dose":1,"dose_unit":"tablet","route":"oral",)"
        R"("frequency":"qd","days":30,"quantity":30,"unit":"tablet"}]})");
    signatures_.push_back(sign_as_author(document_, doctor_, kSignedAt));
  }

  Signer make_signer(const CertificateAuthority& ca, int64_t user_id, std::string name,
                     TimePoint not_before, TimePoint not_after) {
    SigningKey key = SigningKey::generate(GetParam());
    auto cert = ca.issue(key.public_key(), {name, not_before, not_after});
    if (!cert) throw std::runtime_error(cert.error().message);
    return Signer{user_id, std::move(name), std::move(key), *cert};
  }

  // Signs `d` as the service does and marks it signed.
  StoredSignature sign_as_author(Document& d, const Signer& s, int64_t at) const {
    auto bytes = author_signed_bytes(d, {s.user_id, s.name, s.certificate.serial_hex()}, at);
    if (!bytes) throw std::runtime_error(bytes.error().message);
    d.signed_ = true;
    d.signed_at_ms = at;
    d.signer_user_id = s.user_id;
    d.signer_name = s.name;
    d.content_hash = crypto::sha256_hex(*bytes);
    return stored("author", s, *bytes, at, "");
  }

  StoredSignature sign_as_reviewer(const Document& d, const Signer& s, std::string decision,
                                   int64_t at) const {
    auto bytes = reviewer_signed_bytes(d.id, d.content_hash, decision,
                                       {s.user_id, s.name, s.certificate.serial_hex()}, at);
    if (!bytes) throw std::runtime_error(bytes.error().message);
    return stored("reviewer", s, *bytes, at, std::move(decision));
  }

  StoredSignature stored(std::string role, const Signer& s, const std::string& bytes, int64_t at,
                         std::string decision) const {
    StoredSignature sig;
    sig.document_id = document_.id;
    sig.role = std::move(role);
    sig.user_id = s.user_id;
    sig.signer_name = s.name;
    sig.algorithm = std::string(crypto::algorithm_name(s.key.algorithm()));
    sig.signed_hash = crypto::sha256_hex(bytes);
    sig.signature = crypto::base64(s.key.sign(bytes));
    sig.certificate_pem = s.certificate.pem();
    sig.chain_pem = ca_.certificate().pem();
    sig.signed_at_ms = at;
    sig.decision = std::move(decision);
    return sig;
  }

  TrustMaterial trust(std::vector<crypto::Revocation> revoked = {}) const {
    return {{ca_.certificate()}, {*ca_.crl(revoked, kT0 + days(2), kT0 + days(9))}};
  }

  VerificationReport verify(const TimestampChecker& timestamps = {}) const {
    return verify_document(document_, signatures_, trust(), timestamps);
  }

  CertificateAuthority ca_;
  Signer doctor_;
  Signer pharmacist_;
  Document document_;
  std::vector<StoredSignature> signatures_;
};

INSTANTIATE_TEST_SUITE_P(VerificationAlgorithms, Verification,
                         ::testing::Values(SignatureAlgorithm::sm2_sm3,
                                           SignatureAlgorithm::ecdsa_p256_sha256),
                         [](const auto& info) {
                           return info.param == SignatureAlgorithm::sm2_sm3 ? "SM2" : "ECDSA";
                         });

// The check called `name`, or a failed placeholder when absent.
Check check_named(const VerificationReport& r, std::string_view name) {
  for (const auto& c : r.checks)
    if (c.name == name) return c;
  return Check{std::string(name), false, "(absent)", ""};
}

std::string describe(const VerificationReport& r) {
  std::string out = "valid=" + std::to_string(r.valid) + " reason=" + r.reason;
  for (const auto& c : r.checks)
    out += "\n  " + c.name + (c.ok ? " ok " : " FAIL " + c.code + " ") + c.message;
  return out;
}

// ---- valid documents -------------------------------------------------------------

TEST_P(Verification, AcceptsAnUntouchedSignedDocument) {
  auto r = verify();
  EXPECT_TRUE(r.valid) << describe(r);
  EXPECT_EQ(r.reason, "");
  for (auto name : {"hash", "signature", "certificate_chain", "revocation", "timestamp"})
    EXPECT_TRUE(check_named(r, name).ok) << name << "\n" << describe(r);
}

TEST_P(Verification, SummarisesTheAuthorSignature) {
  auto r = verify();
  ASSERT_EQ(r.signatures.size(), 1u);
  const auto& s = r.signatures[0];
  EXPECT_EQ(s.role, "author");
  EXPECT_EQ(s.user_id, 11);
  EXPECT_EQ(s.signer, "Dr. 李娜");
  EXPECT_EQ(s.algorithm, crypto::algorithm_name(GetParam()));
  EXPECT_EQ(s.certificate_serial, doctor_.certificate.serial_hex());
  EXPECT_EQ(s.signed_at_ms, kSignedAt);
  EXPECT_FALSE(s.timestamp_at_ms.has_value());
}

// ---- changed fields ----------------------------------------------------------------

TEST_P(Verification, FailsWithHashMismatchWhenTheContentChanged) {
  document_.content =
      R"({"items":[{"days":30,"dose":2,"dose_unit":"tablet","drug":"Folic acid",)"
      R"("frequency":"qd","quantity":60,"route":"oral","strength":"0.4 mg","unit":"tablet"}]})";
  auto r = verify();
  EXPECT_FALSE(r.valid);
  EXPECT_EQ(r.reason, "hash_mismatch") << describe(r);
  EXPECT_EQ(check_named(r, "hash").code, "hash_mismatch");
}

TEST_P(Verification, FailsWithHashMismatchWhenTheVersionChanged) {
  document_.version = 3;
  EXPECT_EQ(verify().reason, "hash_mismatch");
}

TEST_P(Verification, FailsWithHashMismatchWhenThePatientChanged) {
  document_.patient_id = 8;
  EXPECT_EQ(verify().reason, "hash_mismatch");
}

TEST_P(Verification, FailsWithHashMismatchWhenReplacesChanged) {
  document_.replaces = 39;
  EXPECT_EQ(verify().reason, "hash_mismatch");
  document_.replaces.reset();
  EXPECT_EQ(verify().reason, "hash_mismatch");
}

TEST_P(Verification, FailsWithHashMismatchWhenTheKindChanged) {
  document_.kind = DocumentKind::record;
  EXPECT_EQ(verify().reason, "hash_mismatch");
}

TEST_P(Verification, FailsWithHashMismatchWhenTheSignatureTimeChanged) {
  signatures_[0].signed_at_ms += 60'000;
  EXPECT_EQ(verify().reason, "hash_mismatch");
}

TEST_P(Verification, FailsWithHashMismatchWhenTheSignerNameChanged) {
  signatures_[0].signer_name = "Dr. Wang";
  EXPECT_EQ(verify().reason, "hash_mismatch");
}

TEST_P(Verification, FailsWithHashMismatchWhenTheStoredDocumentHashChanged) {
  document_.content_hash = std::string(64, '0');
  EXPECT_EQ(verify().reason, "hash_mismatch");
}

TEST_P(Verification, FailsWhenTheDocumentsSigningTimeDisagreesWithItsSignature) {
  // The row's signing time is printed and listed: it must be the signature's.
  document_.signed_at_ms = kSignedAt - 86'400'000;  // a day earlier than signed
  auto r = verify();
  EXPECT_FALSE(r.valid) << describe(r);
  EXPECT_EQ(r.reason, "hash_mismatch");
}

// ---- the signature -----------------------------------------------------------------

TEST_P(Verification, FailsWhenOneByteOfTheSignatureChanged) {
  std::string der;
  ASSERT_TRUE(crypto::from_base64(signatures_[0].signature, der));
  der[der.size() - 3] ^= 0x01;
  signatures_[0].signature = crypto::base64(der);
  auto r = verify();
  EXPECT_FALSE(r.valid);
  EXPECT_TRUE(r.reason == "signature_mismatch" || r.reason == "signature_malformed") << describe(r);
  EXPECT_TRUE(check_named(r, "hash").ok);
}

TEST_P(Verification, FailsWithSignatureMalformedWhenTheSignatureIsNotBase64) {
  signatures_[0].signature = "not base64 !";
  EXPECT_EQ(verify().reason, "signature_malformed");
}

TEST_P(Verification, FailsWithSignatureMismatchWhenAnotherKeySignedUnderTheDoctorsCertificate) {
  // A colleague with her own certificate from the same CA signs the exact
  // bytes, and the row keeps Dr. Li's certificate.
  auto bytes =
      author_signed_bytes(document_, {11, "Dr. 李娜", doctor_.certificate.serial_hex()}, kSignedAt);
  ASSERT_TRUE(bytes.has_value());
  signatures_[0].signature = crypto::base64(pharmacist_.key.sign(*bytes));
  auto r = verify();
  EXPECT_EQ(r.reason, "signature_mismatch") << describe(r);
  EXPECT_TRUE(check_named(r, "hash").ok);
  EXPECT_TRUE(check_named(r, "certificate_chain").ok);
}

TEST_P(Verification, FailsWhenTheCertificateIsSwappedForAColleagues) {
  signatures_[0].certificate_pem = pharmacist_.certificate.pem();
  auto r = verify();
  EXPECT_FALSE(r.valid);
  // The serial is part of the signed bytes, so the hash catches it first.
  EXPECT_EQ(r.reason, "hash_mismatch") << describe(r);
  EXPECT_EQ(check_named(r, "signature").code, "signature_mismatch");
}

TEST_P(Verification, FailsWithUnknownAlgorithm) {
  signatures_[0].algorithm = "RSA-PSS";
  EXPECT_EQ(verify().reason, "signature_algorithm_unknown");
}

TEST_P(Verification, FailsWithCertificateMalformedForAnUnreadableCertificate) {
  signatures_[0].certificate_pem = "-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n";
  EXPECT_EQ(verify().reason, "certificate_malformed");
}

// ---- the certificate ---------------------------------------------------------------

TEST_P(Verification, FailsWithCertificateUntrustedForACertificateFromAnotherCa) {
  auto rogue = *CertificateAuthority::create(SigningKey::generate(GetParam()), "Rogue CA",
                                             kT0 - days(1), kT0 + days(3650));
  Signer impostor = make_signer(rogue, 11, "Dr. 李娜", kT0, kT0 + days(365));
  signatures_ = {sign_as_author(document_, impostor, kSignedAt)};
  signatures_[0].chain_pem = rogue.certificate().pem();
  auto r = verify();
  EXPECT_FALSE(r.valid);
  EXPECT_EQ(r.reason, "certificate_untrusted") << describe(r);
  EXPECT_TRUE(check_named(r, "hash").ok);
  EXPECT_TRUE(check_named(r, "signature").ok);
}

TEST_P(Verification, FailsWithCertificateExpiredWhenSignedAfterTheCertificateEnded) {
  Signer lapsed = make_signer(ca_, 11, "Dr. 李娜", kT0 - days(30), kT0 - days(1));
  signatures_ = {sign_as_author(document_, lapsed, kSignedAt)};
  auto r = verify();
  EXPECT_EQ(r.reason, "certificate_expired") << describe(r);
  EXPECT_EQ(check_named(r, "certificate_chain").code, "certificate_expired");
}

TEST_P(Verification, FailsWithCertificateRevokedWhenRevokedBeforeTheSigningTime) {
  auto r = verify_document(document_, signatures_,
                           trust({{doctor_.certificate.serial_hex(), kT0 + minutes(30)}}));
  EXPECT_FALSE(r.valid);
  EXPECT_EQ(r.reason, "certificate_revoked") << describe(r);
  EXPECT_TRUE(check_named(r, "certificate_chain").ok);
  EXPECT_EQ(check_named(r, "revocation").code, "certificate_revoked");
}

TEST_P(Verification, StillAcceptsASignatureMadeBeforeTheRevocation) {
  auto r = verify_document(document_, signatures_,
                           trust({{doctor_.certificate.serial_hex(), kT0 + hours(2)}}));
  EXPECT_TRUE(r.valid) << describe(r);
}

TEST_P(Verification, FailsWithCrlMissingWithoutTheIssuersCrl) {
  TrustMaterial no_crl{{ca_.certificate()}, {}};
  auto r = verify_document(document_, signatures_, no_crl);
  EXPECT_EQ(r.reason, "crl_missing") << describe(r);
  EXPECT_EQ(check_named(r, "revocation").code, "crl_missing");
}

// ---- unsigned ----------------------------------------------------------------------

TEST_P(Verification, FailsWithNotSignedForADraft) {
  Document draft = document_;
  draft.signed_ = false;
  draft.signed_at_ms.reset();
  draft.content_hash.clear();
  auto r = verify_document(draft, {}, trust());
  EXPECT_FALSE(r.valid);
  EXPECT_EQ(r.reason, "not_signed");
  ASSERT_FALSE(r.checks.empty());
  EXPECT_EQ(r.checks[0].name, "signed");
}

TEST_P(Verification, FailsWithNotSignedWhenMarkedSignedButNoAuthorSignatureIsStored) {
  EXPECT_EQ(verify_document(document_, {}, trust()).reason, "not_signed");
  auto review_only = sign_as_reviewer(document_, pharmacist_, "approve", kSignedAt + 1000);
  EXPECT_EQ(verify_document(document_, {review_only}, trust()).reason, "not_signed");
}

// ---- the reviewer's co-signature ---------------------------------------------------

TEST_P(Verification, AcceptsAReviewersCoSignature) {
  signatures_.push_back(sign_as_reviewer(document_, pharmacist_, "approve", kSignedAt + 60'000));
  auto r = verify();
  EXPECT_TRUE(r.valid) << describe(r);
  for (auto name :
       {"review_hash", "review_signature", "review_certificate_chain", "review_revocation"})
    EXPECT_TRUE(check_named(r, name).ok) << name;
  ASSERT_EQ(r.signatures.size(), 2u);
  EXPECT_EQ(r.signatures[1].role, "reviewer");
  EXPECT_EQ(r.signatures[1].signer, "Pharmacist Zhou");
}

TEST_P(Verification, FailsWhenTheReviewDecisionChanged) {
  signatures_.push_back(sign_as_reviewer(document_, pharmacist_, "approve", kSignedAt + 60'000));
  signatures_[1].decision = "reject";
  auto r = verify();
  EXPECT_FALSE(r.valid);
  EXPECT_EQ(r.reason, "hash_mismatch") << describe(r);
  EXPECT_TRUE(check_named(r, "hash").ok);
  EXPECT_EQ(check_named(r, "review_hash").code, "hash_mismatch");
}

TEST_P(Verification, FailsTheReviewWhenItsCertificateWasRevokedBeforeTheReview) {
  signatures_.push_back(sign_as_reviewer(document_, pharmacist_, "approve", kSignedAt + 60'000));
  auto r = verify_document(document_, signatures_,
                           trust({{pharmacist_.certificate.serial_hex(), kT0 + minutes(30)}}));
  EXPECT_EQ(r.reason, "certificate_revoked");
  EXPECT_TRUE(check_named(r, "revocation").ok);
  EXPECT_EQ(check_named(r, "review_revocation").code, "certificate_revoked");
}

// ---- timestamps --------------------------------------------------------------------

TEST_P(Verification, PassesTheTimestampCheckWithoutAToken) {
  bool called = false;
  auto r =
      verify([&](std::string_view,
                 std::string_view) -> std::expected<int64_t, std::pair<std::string, std::string>> {
        called = true;
        return 0;
      });
  EXPECT_TRUE(r.valid);
  EXPECT_TRUE(check_named(r, "timestamp").ok);
  EXPECT_FALSE(called);
}

TEST_P(Verification, FailsWithTheCodeOfAFailingTimestampChecker) {
  signatures_[0].timestamp_token = crypto::base64("token bytes");
  std::string seen_token, seen_signature;
  auto r = verify([&](std::string_view token, std::string_view signature)
                      -> std::expected<int64_t, std::pair<std::string, std::string>> {
    seen_token = token;
    seen_signature = signature;
    return std::unexpected(
        std::pair<std::string, std::string>{"timestamp_untrusted", "unknown TSA"});
  });
  EXPECT_FALSE(r.valid);
  EXPECT_EQ(r.reason, "timestamp_untrusted");
  EXPECT_EQ(check_named(r, "timestamp").message, "unknown TSA");
  EXPECT_EQ(seen_token, "token bytes");
  std::string der;
  ASSERT_TRUE(crypto::from_base64(signatures_[0].signature, der));
  EXPECT_EQ(seen_signature, der);
}

TEST_P(Verification, RecordsTheTimeOfAPassingTimestamp) {
  signatures_[0].timestamp_token = crypto::base64("token bytes");
  auto r =
      verify([](std::string_view,
                std::string_view) -> std::expected<int64_t, std::pair<std::string, std::string>> {
        return kSignedAt + 5;
      });
  EXPECT_TRUE(r.valid) << describe(r);
  ASSERT_EQ(r.signatures.size(), 1u);
  EXPECT_EQ(r.signatures[0].timestamp_at_ms, kSignedAt + 5);
}

TEST_P(Verification, FailsWithTimestampUncheckedWhenATokenCannotBeChecked) {
  signatures_[0].timestamp_token = crypto::base64("token bytes");
  EXPECT_EQ(verify().reason, "timestamp_unchecked");
}

TEST_P(Verification, FailsWithTimestampMalformedWhenTheTokenIsNotBase64) {
  signatures_[0].timestamp_token = "%%%";
  auto r = verify([](std::string_view, std::string_view)
                      -> std::expected<int64_t, std::pair<std::string, std::string>> { return 0; });
  EXPECT_EQ(r.reason, "timestamp_malformed");
}

// With a real TSA, checked as DocumentService does (crypto::verify_timestamp).
TEST_P(Verification, ChecksARealTimestampTokenOverTheSignature) {
  SigningKey tsa_key = SigningKey::generate(SignatureAlgorithm::ecdsa_p256_sha256);
  auto tsa_cert = ca_.issue_tsa(tsa_key.public_key(), {"Stork TSA", kT0, kT0 + days(365)});
  ASSERT_TRUE(tsa_cert.has_value());
  auto tsa = crypto::TimestampAuthority::create(tsa_key, *tsa_cert, {ca_.certificate()});
  ASSERT_TRUE(tsa.has_value()) << tsa.error().message;
  const TrustMaterial material = trust();
  TimestampChecker checker = [anchors = material.anchors](std::string_view token,
                                                          std::string_view signature)
      -> std::expected<int64_t, std::pair<std::string, std::string>> {
    auto info = crypto::verify_timestamp(token, signature, anchors);
    if (!info)
      return std::unexpected(std::pair{std::string(info.error().code()), info.error().message});
    return to_ms(info->gen_time);
  };
  std::string der;
  ASSERT_TRUE(crypto::from_base64(signatures_[0].signature, der));
  signatures_[0].timestamp_token =
      crypto::base64(*tsa->stamp(der, TimePoint(milliseconds(kSignedAt))));
  auto good = verify_document(document_, signatures_, material, checker);
  EXPECT_TRUE(good.valid) << describe(good);
  EXPECT_EQ(good.signatures.at(0).timestamp_at_ms, kSignedAt);

  // A token over some other signature does not cover this one.
  signatures_[0].timestamp_token =
      crypto::base64(*tsa->stamp("another signature", TimePoint(milliseconds(kSignedAt))));
  auto moved = verify_document(document_, signatures_, material, checker);
  EXPECT_EQ(moved.reason, "timestamp_imprint_mismatch") << describe(moved);
}

}  // namespace
}  // namespace stork::clinical
