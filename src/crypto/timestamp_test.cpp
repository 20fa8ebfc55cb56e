#include "crypto/timestamp.hpp"

#include <gtest/gtest.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "support/process.hpp"

namespace stork::crypto {
namespace {

using std::chrono::days;
using std::chrono::milliseconds;
using std::chrono::seconds;

const TimePoint kT0{seconds(1795000000)};  // 2026-11-18T11:06:40Z
const std::string kDocument = R"({"kind":"outpatient_record","signature":"MEUCIQ..."})";

// A hospital root CA and a TSA whose certificate it issued.
struct Pki {
  Pki(SignatureAlgorithm root_algorithm, TimePoint not_before, TimePoint not_after)
      : root(*CertificateAuthority::create(SigningKey::generate(root_algorithm), "Stork Root CA",
                                           not_before, not_after)),
        tsa_key(SigningKey::generate(SignatureAlgorithm::ecdsa_p256_sha256)),
        tsa_cert(*root.issue_tsa(tsa_key.public_key(), {"Stork TSA", not_before, not_after})) {}

  TimestampAuthority authority() const {
    auto tsa = TimestampAuthority::create(tsa_key, tsa_cert, {root.certificate()},
                                          std::string(kPlaceholderTsaPolicy));
    if (!tsa) throw std::runtime_error(tsa.error().message);
    return *tsa;
  }
  std::vector<X509Certificate> anchors() const { return {root.certificate()}; }

  CertificateAuthority root;
  SigningKey tsa_key;
  X509Certificate tsa_cert;
};

class Timestamp : public ::testing::Test {
 protected:
  Pki pki_{SignatureAlgorithm::ecdsa_p256_sha256, kT0 - days(1), kT0 + days(365)};
  TimestampAuthority tsa_ = pki_.authority();
  std::string token_ = *tsa_.stamp(kDocument, kT0 + milliseconds(123));
};

std::string field_of(const Error& e) { return e.fields.empty() ? "" : e.fields[0].field; }

TEST_F(Timestamp, StampsWithTheInjectedTimeAndVerifies) {
  auto info = verify_timestamp(token_, kDocument, pki_.anchors());
  ASSERT_TRUE(info.has_value()) << info.error().message;
  EXPECT_EQ(info->gen_time, kT0 + milliseconds(123));
  EXPECT_EQ(info->tsa_subject_cn, "Stork TSA");
  EXPECT_EQ(info->policy_oid, "1.3.6.1.4.1.99999.1.1");
  EXPECT_FALSE(info->serial_hex.empty());
  EXPECT_LE(info->serial_hex.size(), 16u);
}

TEST_F(Timestamp, GivesEachTokenItsOwnSerial) {
  const auto first = verify_timestamp(token_, kDocument, pki_.anchors());
  const auto second = verify_timestamp(*tsa_.stamp(kDocument, kT0), kDocument, pki_.anchors());
  ASSERT_TRUE(first && second);
  EXPECT_NE(first->serial_hex, second->serial_hex);
}

TEST_F(Timestamp, StampsFromSeveralThreadsAtOnce) {
  std::vector<std::string> tokens(8);
  std::vector<std::thread> threads;
  for (size_t i = 0; i < tokens.size(); ++i)
    threads.emplace_back([&, i] { tokens[i] = *tsa_.stamp(kDocument, kT0 + seconds(i)); });
  for (auto& t : threads) t.join();
  std::set<std::string> serials;
  for (size_t i = 0; i < tokens.size(); ++i) {
    auto info = verify_timestamp(tokens[i], kDocument, pki_.anchors());
    ASSERT_TRUE(info.has_value()) << info.error().message;
    EXPECT_EQ(info->gen_time, kT0 + seconds(i));
    serials.insert(info->serial_hex);
  }
  EXPECT_EQ(serials.size(), tokens.size());
}

TEST_F(Timestamp, RefusesDataChangedByOneByte) {
  std::string changed = kDocument;
  changed[10] ^= 0x01;
  auto info = verify_timestamp(token_, changed, pki_.anchors());
  ASSERT_FALSE(info.has_value());
  EXPECT_EQ(info.error().failure, TimestampFailure::imprint_mismatch);
  EXPECT_EQ(info.error().code(), "timestamp_imprint_mismatch");
}

TEST_F(Timestamp, RefusesATokenWhoseTimeWasMovedAfterSigning) {
  // Backdating by one day: "20261118..." becomes "20261117..." in genTime.
  std::string forged = token_;
  const auto at = forged.find("20261118");
  ASSERT_NE(at, std::string::npos);
  forged[at + 7] = '7';
  auto info = verify_timestamp(forged, kDocument, pki_.anchors());
  ASSERT_FALSE(info.has_value());
  EXPECT_EQ(info.error().code(), "timestamp_signature_invalid") << info.error().message;
}

TEST_F(Timestamp, RefusesATokenWithAChangedSignature) {
  std::string forged = token_;
  forged.back() ^= 0x01;  // the ECDSA signature ends the token
  auto info = verify_timestamp(forged, kDocument, pki_.anchors());
  ASSERT_FALSE(info.has_value());
  EXPECT_EQ(info.error().failure, TimestampFailure::signature_invalid) << info.error().message;
}

TEST_F(Timestamp, CallsTruncatedOrForeignBytesMalformed) {
  for (const std::string& bad : {token_.substr(0, token_.size() - 1), token_ + '\0', std::string(),
                                 std::string("not a token")}) {
    auto info = verify_timestamp(bad, kDocument, pki_.anchors());
    ASSERT_FALSE(info.has_value());
    EXPECT_EQ(info.error().code(), "timestamp_malformed");
  }
}

TEST_F(Timestamp, NeverAcceptsAnyChangedByteAsAnotherTime) {
  // A flipped byte may land in the embedded copy of the root, which the
  // verifier does not use; anywhere else it must be refused. Every fifth
  // byte keeps the test quick and still hits every structure of the token.
  for (size_t i = 0; i < token_.size(); i += 5) {
    std::string changed = token_;
    changed[i] ^= 0x20;
    auto info = verify_timestamp(changed, kDocument, pki_.anchors());
    EXPECT_TRUE(!info || info->gen_time == kT0 + milliseconds(123)) << "byte " << i;
  }
}

TEST_F(Timestamp, RefusesATsaThatChainsToAnotherRoot) {
  const Pki stranger{SignatureAlgorithm::ecdsa_p256_sha256, kT0 - days(1), kT0 + days(365)};
  const std::string token = *stranger.authority().stamp(kDocument, kT0);
  auto info = verify_timestamp(token, kDocument, pki_.anchors());
  ASSERT_FALSE(info.has_value());
  EXPECT_EQ(info.error().failure, TimestampFailure::untrusted);
  EXPECT_EQ(info.error().code(), "timestamp_untrusted");
}

TEST(TimestampValidity, ChecksTheChainAtGenTimeNotNow) {
  // Certificates that expired long ago: the token stays good years later.
  const TimePoint t2010{seconds(1262304000)};
  const Pki old{SignatureAlgorithm::ecdsa_p256_sha256, t2010, t2010 + days(365)};
  const auto tsa = old.authority();
  auto info = verify_timestamp(*tsa.stamp(kDocument, t2010 + days(30)), kDocument, old.anchors());
  EXPECT_TRUE(info.has_value()) << info.error().message;
  // Stamped after the TSA certificate expired: refused.
  auto late = verify_timestamp(*tsa.stamp(kDocument, t2010 + days(400)), kDocument, old.anchors());
  ASSERT_FALSE(late.has_value());
  EXPECT_EQ(late.error().failure, TimestampFailure::untrusted);
  EXPECT_NE(late.error().message.find("expired"), std::string::npos) << late.error().message;
}

TEST(TimestampValidity, VerifiesATsaCertifiedByAnSm2HospitalCa) {
  const Pki sm2{SignatureAlgorithm::sm2_sm3, kT0 - days(1), kT0 + days(365)};
  const std::string token = *sm2.authority().stamp(kDocument, kT0);
  auto info = verify_timestamp(token, kDocument, sm2.anchors());
  EXPECT_TRUE(info.has_value()) << info.error().message;
}

TEST(TimestampAuthorityCreate, RefusesACertificateWithoutTimeStampingUsage) {
  const Pki pki{SignatureAlgorithm::ecdsa_p256_sha256, kT0, kT0 + days(365)};
  const auto plain = *pki.root.issue(pki.tsa_key.public_key(), {"Dr. Wang", kT0, kT0 + days(1)});
  auto tsa = TimestampAuthority::create(pki.tsa_key, plain, {pki.root.certificate()},
                                        std::string(kPlaceholderTsaPolicy));
  ASSERT_FALSE(tsa.has_value());
  EXPECT_EQ(tsa.error().code, "validation_failed");
  EXPECT_EQ(field_of(tsa.error()), "certificate");
}

TEST(TimestampAuthorityCreate, RefusesAnSm2KeyAndSomeoneElsesKey) {
  const Pki pki{SignatureAlgorithm::ecdsa_p256_sha256, kT0, kT0 + days(365)};
  for (const auto& key : {SigningKey::generate(SignatureAlgorithm::sm2_sm3),
                          SigningKey::generate(SignatureAlgorithm::ecdsa_p256_sha256)}) {
    auto tsa = TimestampAuthority::create(key, pki.tsa_cert, {pki.root.certificate()},
                                          std::string(kPlaceholderTsaPolicy));
    ASSERT_FALSE(tsa.has_value());
    EXPECT_EQ(field_of(tsa.error()), "private_key");
  }
}

TEST(TimestampAuthorityCreate, RefusesAWrongChainAndABadPolicy) {
  const Pki pki{SignatureAlgorithm::ecdsa_p256_sha256, kT0, kT0 + days(365)};
  const Pki other{SignatureAlgorithm::ecdsa_p256_sha256, kT0, kT0 + days(365)};
  auto wrong_root =
      TimestampAuthority::create(pki.tsa_key, pki.tsa_cert, {other.root.certificate()}, "1.2.3.4");
  ASSERT_FALSE(wrong_root.has_value());
  EXPECT_EQ(field_of(wrong_root.error()), "chain");
  auto no_chain = TimestampAuthority::create(pki.tsa_key, pki.tsa_cert, {}, "1.2.3.4");
  ASSERT_FALSE(no_chain.has_value());
  EXPECT_EQ(field_of(no_chain.error()), "chain");
  auto bad_policy =
      TimestampAuthority::create(pki.tsa_key, pki.tsa_cert, {pki.root.certificate()}, "not an oid");
  ASSERT_FALSE(bad_policy.has_value());
  EXPECT_EQ(field_of(bad_policy.error()), "policy_oid");
}

// Files for the openssl command line in a private directory, removed after.
class ScratchDir {
 public:
  ScratchDir()
      : dir_(std::filesystem::temp_directory_path() /
             ("stork_timestamp_test_" + std::to_string(::getpid()))) {
    std::filesystem::create_directories(dir_);
  }
  ~ScratchDir() {
    std::error_code ec;
    std::filesystem::remove_all(dir_, ec);
  }
  std::string write(const std::string& name, const std::string& bytes) const {
    const auto path = (dir_ / name).string();
    std::ofstream(path, std::ios::binary) << bytes;
    return path;
  }

 private:
  std::filesystem::path dir_;
};

TEST(TimestampInterop, OpensslTsVerifiesOurToken) {
  // `openssl ts -verify` checks the chain at the current time, so these
  // certificates cover both now and kT0.
  const TimePoint now = std::chrono::system_clock::now();
  const Pki pki{SignatureAlgorithm::ecdsa_p256_sha256, std::min(now, kT0) - days(1),
                std::max(now, kT0) + days(1)};
  const std::string token = *pki.authority().stamp(kDocument, kT0 + milliseconds(123));
  const ScratchDir dir;
  const auto token_path = dir.write("token.der", token);
  const auto data_path = dir.write("data.bin", kDocument);
  const auto root_path = dir.write("root.pem", pki.root.certificate().pem());
  const auto tsa_path = dir.write("tsa.pem", pki.tsa_cert.pem());

  const auto verified = stork::testing::run_command(
      {"/usr/bin/openssl", "ts", "-verify", "-token_in", "-in", token_path, "-data", data_path,
       "-CAfile", root_path, "-untrusted", tsa_path});
  EXPECT_EQ(verified.exit_code, 0) << verified.output;
  EXPECT_NE(verified.output.find("Verification: OK"), std::string::npos) << verified.output;

  const auto other_path = dir.write("other.bin", kDocument + " ");
  const auto refused =
      stork::testing::run_command({"/usr/bin/openssl", "ts", "-verify", "-token_in", "-in",
                                   token_path, "-data", other_path, "-CAfile", root_path});
  EXPECT_NE(refused.exit_code, 0) << refused.output;

  const auto text = stork::testing::run_command(
      {"/usr/bin/openssl", "ts", "-reply", "-token_in", "-in", token_path, "-text"});
  EXPECT_EQ(text.exit_code, 0) << text.output;
  EXPECT_NE(text.output.find("Time stamp: Nov 18 11:06:40.123 2026 GMT"), std::string::npos)
      << text.output;
  EXPECT_NE(text.output.find("Policy OID: 1.3.6.1.4.1.99999.1.1"), std::string::npos)
      << text.output;
}

}  // namespace
}  // namespace stork::crypto
