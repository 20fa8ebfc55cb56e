#include "clinical/bundle.hpp"

#include <gtest/gtest.h>

#include <boost/json.hpp>
#include <chrono>
#include <string>
#include <vector>

#include "clinical/signed_bytes.hpp"
#include "clinical/verification.hpp"
#include "crypto/hash.hpp"
#include "crypto/random.hpp"
#include "crypto/x509_ca.hpp"

namespace stork::clinical {
namespace {

namespace json = boost::json;
using crypto::CertificateAuthority;
using crypto::SignatureAlgorithm;
using crypto::SigningKey;
using std::chrono::days;
using std::chrono::hours;

const TimePoint kT0{std::chrono::seconds(1795000000)};  // 2026-11-18
const int64_t kSignedAt = to_ms(kT0 + hours(1));

// A lab report signed by Dr. Li under an SM2 hospital CA, as a bundle.
class BundleFile : public ::testing::Test {
 protected:
  BundleFile()
      : ca_(*CertificateAuthority::create(SigningKey::generate(SignatureAlgorithm::sm2_sm3),
                                          "Stork Hospital CA", kT0 - days(1), kT0 + days(3650))),
        key_(SigningKey::generate(SignatureAlgorithm::sm2_sm3)),
        certificate_(*ca_.issue(key_.public_key(), {"Dr. 李娜", kT0, kT0 + days(365)})) {
    Document& d = bundle_.document;
    d.id = 77;
    d.kind = DocumentKind::lab_report;
    d.patient_id = 5;
    d.version = 1;
    d.content = *normalize_content(
        DocumentKind::lab_report,
        R"({"service":{"code":"CBC","text":"Complete blood count"},)"
        R"("results":[{"code":"718-7","name":"Hemoglobin","value":"98","abnormal":true}]})");
    auto bytes = author_signed_bytes(d, {11, "Dr. 李娜", certificate_.serial_hex()}, kSignedAt);
    d.signed_ = true;
    d.signed_at_ms = kSignedAt;
    d.signer_name = "Dr. 李娜";
    d.content_hash = crypto::sha256_hex(*bytes);
    StoredSignature s;
    s.document_id = d.id;
    s.role = "author";
    s.user_id = 11;
    s.signer_name = "Dr. 李娜";
    s.algorithm = "SM2-SM3";
    s.signed_hash = d.content_hash;
    s.signature = crypto::base64(key_.sign(*bytes));
    s.certificate_pem = certificate_.pem();
    s.chain_pem = ca_.certificate().pem();
    s.signed_at_ms = kSignedAt;
    bundle_.signatures.push_back(s);
    bundle_.crl_pems.push_back(ca_.crl({}, kT0 + days(2), kT0 + days(9))->pem());
  }

  // The bundle's JSON with `edit` applied to it.
  template <class Edit>
  std::string edited(Edit edit) const {
    json::value v = json::parse(bundle_to_json(bundle_));
    edit(v.as_object());
    return json::serialize(v);
  }

  // The one field named by the refusal of `text`.
  static std::string refused_field(const std::string& text) {
    auto r = bundle_from_json(text);
    EXPECT_FALSE(r.has_value()) << text;
    if (r) return "(accepted)";
    EXPECT_EQ(r.error().code, "validation_failed");
    return r.error().fields.empty() ? "(none)" : r.error().fields[0].field;
  }

  CertificateAuthority ca_;
  SigningKey key_;
  crypto::X509Certificate certificate_;
  Bundle bundle_;
};

TEST_F(BundleFile, RoundTripsTheDocumentFields) {
  bundle_.document.version = 2;
  bundle_.document.replaces = 70;
  auto parsed = bundle_from_json(bundle_to_json(bundle_));
  ASSERT_TRUE(parsed.has_value()) << parsed.error().message;
  const Document& a = bundle_.document;
  const Document& b = parsed->document;
  EXPECT_EQ(b.id, a.id);
  EXPECT_EQ(b.kind, a.kind);
  EXPECT_EQ(b.version, 2);
  EXPECT_EQ(b.replaces, 70);
  EXPECT_EQ(b.patient_id, a.patient_id);
  EXPECT_EQ(b.content, a.content);
  EXPECT_EQ(b.content_hash, a.content_hash);
  EXPECT_EQ(b.signed_at_ms, a.signed_at_ms);
  EXPECT_TRUE(b.signed_);
}

TEST_F(BundleFile, RoundTripsTheSignaturesAndCrls) {
  bundle_.signatures[0].timestamp_token = crypto::base64("token");
  bundle_.signatures.push_back(bundle_.signatures[0]);
  bundle_.signatures[1].role = "reviewer";
  bundle_.signatures[1].decision = "approve";
  auto parsed = bundle_from_json(bundle_to_json(bundle_));
  ASSERT_TRUE(parsed.has_value()) << parsed.error().message;
  ASSERT_EQ(parsed->signatures.size(), 2u);
  for (size_t i = 0; i < 2; ++i) {
    const StoredSignature& a = bundle_.signatures[i];
    const StoredSignature& b = parsed->signatures[i];
    EXPECT_EQ(b.document_id, a.document_id);
    EXPECT_EQ(b.role, a.role);
    EXPECT_EQ(b.user_id, a.user_id);
    EXPECT_EQ(b.signer_name, a.signer_name);
    EXPECT_EQ(b.algorithm, a.algorithm);
    EXPECT_EQ(b.signed_hash, a.signed_hash);
    EXPECT_EQ(b.signature, a.signature);
    EXPECT_EQ(b.certificate_pem, a.certificate_pem);
    EXPECT_EQ(b.chain_pem, a.chain_pem);
    EXPECT_EQ(b.signed_at_ms, a.signed_at_ms);
    EXPECT_EQ(b.decision, a.decision);
    EXPECT_EQ(b.timestamp_token, a.timestamp_token);
  }
  EXPECT_EQ(parsed->crl_pems, bundle_.crl_pems);
}

TEST_F(BundleFile, VerifiesAfterTheRoundTripWithTheCaGivenSeparately) {
  auto parsed = bundle_from_json(bundle_to_json(bundle_));
  ASSERT_TRUE(parsed.has_value());
  TrustMaterial trust{{ca_.certificate()}, {}};
  for (const auto& pem : parsed->crl_pems) trust.crls.push_back(*crypto::Crl::from_pem(pem));
  auto r = verify_document(parsed->document, parsed->signatures, trust);
  EXPECT_TRUE(r.valid) << r.reason;
}

TEST_F(BundleFile, FailsVerificationWhenTheFilesContentWasEdited) {
  auto text = edited([](json::object& o) {
    auto& d = o["document"].as_object();
    std::string content(d["content"].as_string());
    content.replace(content.find("98"), 2, "128");
    d["content"] = content;
  });
  auto parsed = bundle_from_json(text);
  ASSERT_TRUE(parsed.has_value());
  TrustMaterial trust{{ca_.certificate()}, {*crypto::Crl::from_pem(parsed->crl_pems.at(0))}};
  EXPECT_EQ(verify_document(parsed->document, parsed->signatures, trust).reason, "hash_mismatch");
}

TEST_F(BundleFile, ReadsAnUnsignedDocumentAsNotSigned) {
  bundle_.document.signed_at_ms.reset();
  bundle_.document.replaces.reset();
  auto parsed = bundle_from_json(bundle_to_json(bundle_));
  ASSERT_TRUE(parsed.has_value());
  EXPECT_FALSE(parsed->document.signed_);
  EXPECT_FALSE(parsed->document.replaces.has_value());
}

TEST_F(BundleFile, NamesTheFormatWhenItIsMissingOrOther) {
  EXPECT_EQ(refused_field(edited([](json::object& o) { o.erase("format"); })), "format");
  EXPECT_EQ(refused_field(edited([](json::object& o) { o["format"] = "stork-signed-document/2"; })),
            "format");
}

TEST_F(BundleFile, NamesTheFileWhenItIsNotAJsonObject) {
  EXPECT_EQ(refused_field("not json"), "file");
  EXPECT_EQ(refused_field("[]"), "file");
}

TEST_F(BundleFile, NamesAMissingDocument) {
  EXPECT_EQ(refused_field(edited([](json::object& o) { o.erase("document"); })), "document");
}

TEST_F(BundleFile, NamesAMissingDocumentId) {
  EXPECT_EQ(refused_field(edited([](json::object& o) { o["document"].as_object().erase("id"); })),
            "document.id");
}

TEST_F(BundleFile, NamesADocumentIdOfTheWrongType) {
  EXPECT_EQ(refused_field(edited([](json::object& o) { o["document"].as_object()["id"] = "77"; })),
            "document.id");
}

TEST_F(BundleFile, NamesAReplacesOfTheWrongType) {
  EXPECT_EQ(
      refused_field(edited([](json::object& o) { o["document"].as_object()["replaces"] = "70"; })),
      "document.replaces");
}

TEST_F(BundleFile, NamesAnUnknownKind) {
  EXPECT_EQ(
      refused_field(edited([](json::object& o) { o["document"].as_object()["kind"] = "letter"; })),
      "document.kind");
}

TEST_F(BundleFile, NamesMissingSignatures) {
  EXPECT_EQ(refused_field(edited([](json::object& o) { o["signatures"] = "none"; })), "signatures");
}

TEST_F(BundleFile, NamesASignatureOfTheWrongType) {
  EXPECT_EQ(refused_field(edited([](json::object& o) {
              o["signatures"].as_array()[0].as_object()["signature"] = 12345;
            })),
            "signatures[0].signature");
}

TEST_F(BundleFile, NamesASignatureThatIsNotAnObject) {
  EXPECT_EQ(
      refused_field(edited([](json::object& o) { o["signatures"].as_array().push_back("sig"); })),
      "signatures[1]");
}

TEST_F(BundleFile, NamesAMissingSigningTimeOfASignature) {
  EXPECT_EQ(refused_field(edited([](json::object& o) {
              o["signatures"].as_array()[0].as_object().erase("signed_at");
            })),
            "signatures[0].signed_at");
}

}  // namespace
}  // namespace stork::clinical
