#include "crypto/pkcs11_token.hpp"

#include <gtest/gtest.h>
#include <openssl/evp.h>

#include <algorithm>
#include <chrono>
#include <thread>

#include "support/softhsm.hpp"

namespace stork::crypto {
namespace {

using namespace std::chrono_literals;

constexpr std::string_view kToken = "dr-li";
constexpr std::string_view kSoPin = "so-pin-1234";
constexpr std::string_view kPin = "246810";
constexpr auto kEcdsa = SignatureAlgorithm::ecdsa_p256_sha256;
constexpr std::string_view kDocument =
    R"({"kind":"outpatient_record","patient":"P0001","complaint":"fever"})";

// Each test gets its own SoftHSM2 directory with one initialised token.
class Pkcs11Token : public ::testing::Test {
 protected:
  void SetUp() override {
    auto loaded = Pkcs11Module::load(testing::SoftHsmDir::module_path());
    ASSERT_TRUE(loaded) << loaded.error().message;
    module_ = *loaded;
    auto init = module_->init_token(kToken, kSoPin, kPin);
    ASSERT_TRUE(init) << init.error().message;
  }

  TokenKey generate() {
    auto key = module_->generate_key(kToken, kPin, kEcdsa, "signing key");
    EXPECT_TRUE(key) << key.error().message;
    return *key;
  }

  X509Certificate issue_for(const VerifyingKey& key) {
    const TimePoint now = std::chrono::sys_days{std::chrono::year{2026} / 11 / 18};
    auto ca = CertificateAuthority::create(SigningKey::generate(kEcdsa), "Stork Test CA", now,
                                           now + 3650 * 24h);
    EXPECT_TRUE(ca);
    auto cert = ca->issue(key, {"Li Na", now, now + 365 * 24h});
    EXPECT_TRUE(cert);
    return *cert;
  }

  testing::SoftHsmDir hsm_;  // declared first: outlives the module
  std::shared_ptr<Pkcs11Module> module_;
};

TEST_F(Pkcs11Token, ListsTheInitialisedToken) {
  EXPECT_EQ(module_->token_labels(), std::vector<std::string>{std::string(kToken)});
}

TEST_F(Pkcs11Token, RefusesADuplicateLabelAndShortPins) {
  auto duplicate = module_->init_token(kToken, kSoPin, kPin);
  ASSERT_FALSE(duplicate);
  EXPECT_EQ(duplicate.error().code, "token_exists");

  auto bad = module_->init_token("", "short", "12345");
  ASSERT_FALSE(bad);
  EXPECT_EQ(bad.error().code, "validation_failed");
  ASSERT_EQ(bad.error().fields.size(), 3u);
  EXPECT_EQ(bad.error().fields[0].field, "token_label");
  EXPECT_EQ(bad.error().fields[1].field, "so_pin");
  EXPECT_EQ(bad.error().fields[2].field, "pin");
  EXPECT_EQ(module_->token_labels().size(), 1u);
}

TEST_F(Pkcs11Token, InitialisesASecondTokenBesideTheFirst) {
  ASSERT_TRUE(module_->init_token("dr-wang", kSoPin, "135790"));
  auto labels = module_->token_labels();
  std::sort(labels.begin(), labels.end());
  EXPECT_EQ(labels, (std::vector<std::string>{"dr-li", "dr-wang"}));
}

TEST_F(Pkcs11Token, SignatureByTheTokenVerifiesWithItsPublicKey) {
  const TokenKey key = generate();
  EXPECT_EQ(key.token_label, kToken);
  EXPECT_EQ(key.key_id_hex.size(), 32u);
  EXPECT_EQ(key.public_key.algorithm(), kEcdsa);

  auto sig = module_->sign(kToken, kPin, key.key_id_hex, kEcdsa, kDocument);
  ASSERT_TRUE(sig) << sig.error().message;
  EXPECT_TRUE(key.public_key.verify(kEcdsa, kDocument, *sig).has_value());
  auto changed = key.public_key.verify(kEcdsa, std::string(kDocument) + " ", *sig);
  ASSERT_FALSE(changed);
  EXPECT_EQ(changed.error(), SignatureFailure::mismatch);

  auto read_back = module_->public_key(kToken, key.key_id_hex);
  ASSERT_TRUE(read_back) << read_back.error().message;
  EXPECT_TRUE(*read_back == key.public_key);
}

TEST_F(Pkcs11Token, StoredCertificateRoundTripsAndVerifiesTheTokensSignature) {
  const TokenKey key = generate();
  const X509Certificate cert = issue_for(key.public_key);
  auto stored = module_->store_certificate(kToken, kPin, key.key_id_hex, cert);
  ASSERT_TRUE(stored) << stored.error().message;

  auto read = module_->certificate(kToken, key.key_id_hex);
  ASSERT_TRUE(read) << read.error().message;
  EXPECT_EQ(read->pem(), cert.pem());
  EXPECT_EQ(read->subject_cn(), "Li Na");

  auto sig = module_->sign(kToken, kPin, key.key_id_hex, kEcdsa, kDocument);
  ASSERT_TRUE(sig);
  EXPECT_TRUE(read->public_key().verify(kEcdsa, kDocument, *sig).has_value());
}

TEST_F(Pkcs11Token, RefusesACertificateForAnotherKey) {
  const TokenKey key = generate();
  const X509Certificate other = issue_for(SigningKey::generate(kEcdsa).public_key());
  auto stored = module_->store_certificate(kToken, kPin, key.key_id_hex, other);
  ASSERT_FALSE(stored);
  EXPECT_EQ(stored.error().code, "validation_failed");
  EXPECT_EQ(stored.error().fields.at(0).field, "certificate");
  EXPECT_EQ(module_->certificate(kToken, key.key_id_hex).error().code, "not_found");
}

TEST_F(Pkcs11Token, WrongPinIsRefusedAndTheRightPinStillSigns) {
  const TokenKey key = generate();
  ASSERT_TRUE(module_->sign(kToken, kPin, key.key_id_hex, kEcdsa, kDocument));
  // Refused right after a successful signature: nothing stays logged in.
  auto wrong = module_->sign(kToken, "999999", key.key_id_hex, kEcdsa, kDocument);
  ASSERT_FALSE(wrong);
  EXPECT_EQ(wrong.error().code, "wrong_pin");

  auto right = module_->sign(kToken, kPin, key.key_id_hex, kEcdsa, kDocument);
  ASSERT_TRUE(right) << right.error().message;
  EXPECT_TRUE(key.public_key.verify(kEcdsa, kDocument, *right).has_value());
}

// SoftHSM2 2.6 has no retry counter (it only flags CKF_USER_PIN_COUNT_LOW),
// so the application must count guesses itself; a locking UKEY would answer
// pin_locked instead.
TEST_F(Pkcs11Token, SoftHsmNeverLocksThePinSoGuessesMustBeCountedByUs) {
  const TokenKey key = generate();
  for (int i = 0; i < 12; ++i) {
    auto wrong = module_->sign(kToken, "000000", key.key_id_hex, kEcdsa, kDocument);
    ASSERT_FALSE(wrong);
    EXPECT_EQ(wrong.error().code, "wrong_pin") << "attempt " << i;
  }
  EXPECT_TRUE(module_->sign(kToken, kPin, key.key_id_hex, kEcdsa, kDocument));
}

TEST_F(Pkcs11Token, UnknownTokenOrKeyIsNotFound) {
  const TokenKey key = generate();
  EXPECT_EQ(module_->sign("dr-nobody", kPin, key.key_id_hex, kEcdsa, kDocument).error().code,
            "not_found");
  const std::string unknown_id = "00112233445566778899aabbccddeeff";
  EXPECT_EQ(module_->sign(kToken, kPin, unknown_id, kEcdsa, kDocument).error().code, "not_found");
  EXPECT_EQ(module_->public_key(kToken, unknown_id).error().code, "not_found");
  EXPECT_EQ(module_->public_key("dr-nobody", key.key_id_hex).error().code, "not_found");
  EXPECT_EQ(module_->generate_key("dr-nobody", kPin, kEcdsa, "k").error().code, "not_found");
  EXPECT_EQ(module_->sign(kToken, kPin, "not-hex", kEcdsa, kDocument).error().code,
            "validation_failed");
}

TEST_F(Pkcs11Token, PrivateKeyIsSensitiveAndNeverExtractable) {
  const TokenKey key = generate();
  auto protection = module_->protection(kToken, kPin, key.key_id_hex);
  ASSERT_TRUE(protection) << protection.error().message;
  EXPECT_TRUE(protection->sensitive);
  EXPECT_FALSE(protection->extractable);
  EXPECT_TRUE(protection->always_sensitive);
  EXPECT_TRUE(protection->never_extractable);
  EXPECT_EQ(module_->protection(kToken, "999999", key.key_id_hex).error().code, "wrong_pin");
}

TEST_F(Pkcs11Token, Sm2KeyGenerationIsRefusedWithoutAnSm2Mechanism) {
  auto key = module_->generate_key(kToken, kPin, SignatureAlgorithm::sm2_sm3, "sm2 key");
  ASSERT_FALSE(key);
  EXPECT_EQ(key.error().code, "unsupported_algorithm");
  EXPECT_NE(key.error().message.find("SM2"), std::string::npos);
  const TokenKey ecdsa = generate();
  EXPECT_EQ(module_->sign(kToken, kPin, ecdsa.key_id_hex, SignatureAlgorithm::sm2_sm3, kDocument)
                .error()
                .code,
            "unsupported_algorithm");
}

TEST_F(Pkcs11Token, LoadingTheSameModuleTwiceSharesItAndTokensSurviveAReload) {
  const TokenKey key = generate();
  auto again = Pkcs11Module::load(testing::SoftHsmDir::module_path());
  ASSERT_TRUE(again);
  EXPECT_EQ(again->get(), module_.get());

  again->reset();
  module_.reset();  // unloads the module; SoftHSM2 reads its token files afresh
  auto reloaded = Pkcs11Module::load(testing::SoftHsmDir::module_path());
  ASSERT_TRUE(reloaded) << reloaded.error().message;
  module_ = *reloaded;
  auto sig = module_->sign(kToken, kPin, key.key_id_hex, kEcdsa, kDocument);
  ASSERT_TRUE(sig) << sig.error().message;
  EXPECT_TRUE(key.public_key.verify(kEcdsa, kDocument, *sig).has_value());
}

TEST_F(Pkcs11Token, ConcurrentSignersOnOneTokenAllVerify) {
  const TokenKey key = generate();
  constexpr int kThreads = 4, kEach = 20;
  std::vector<std::vector<std::string>> signatures(kThreads);
  std::vector<std::string> errors(kThreads);
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t)
    threads.emplace_back([&, t] {
      for (int i = 0; i < kEach; ++i) {
        auto sig = module_->sign(kToken, kPin, key.key_id_hex, kEcdsa, kDocument);
        if (!sig) {
          errors[t] = sig.error().message;
          return;
        }
        signatures[t].push_back(*sig);
      }
    });
  for (auto& thread : threads) thread.join();
  for (int t = 0; t < kThreads; ++t) {
    EXPECT_EQ(errors[t], "") << "thread " << t;
    ASSERT_EQ(signatures[t].size(), static_cast<size_t>(kEach));
    for (const auto& sig : signatures[t])
      EXPECT_TRUE(key.public_key.verify(kEcdsa, kDocument, sig).has_value());
  }
}

// The digest a vendor's SM2 mechanism signs: a raw SM2 signature over it
// must verify as an SM2-SM3 signature of the message (Z_A with the GM/T
// 0009 ID), which is how the token path is checked without an SM2 token.
TEST(Sm2Digest, RawSignatureOverItVerifiesAsSm2Sm3OfTheMessage) {
  const SigningKey key = SigningKey::generate(SignatureAlgorithm::sm2_sm3);
  const std::string e = sm2_digest(key.public_key(), kDocument);
  ASSERT_EQ(e.size(), 32u);

  EVP_PKEY_CTX* ctx = EVP_PKEY_CTX_new(key.native(), nullptr);
  ASSERT_NE(ctx, nullptr);
  ASSERT_EQ(EVP_PKEY_sign_init(ctx), 1);
  size_t len = 0;
  const auto* digest = reinterpret_cast<const unsigned char*>(e.data());
  ASSERT_EQ(EVP_PKEY_sign(ctx, nullptr, &len, digest, e.size()), 1);
  std::string sig(len, '\0');
  ASSERT_EQ(
      EVP_PKEY_sign(ctx, reinterpret_cast<unsigned char*>(sig.data()), &len, digest, e.size()), 1);
  EVP_PKEY_CTX_free(ctx);
  sig.resize(len);

  EXPECT_TRUE(key.public_key().verify(SignatureAlgorithm::sm2_sm3, kDocument, sig).has_value());
  EXPECT_FALSE(key.public_key().verify(SignatureAlgorithm::sm2_sm3, "other", sig));
}

}  // namespace
}  // namespace stork::crypto
