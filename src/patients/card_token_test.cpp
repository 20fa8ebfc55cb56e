// E-card QR tokens: signed, expiring, naming the patient by id only.
#include "patients/card_token.hpp"

#include <gtest/gtest.h>

#include "patients/qr_image.hpp"

namespace stork::patients {
namespace {

const std::string kKey = derive_card_key(std::string(32, 'k'));
constexpr int64_t kNow = 1'795'000'000'000;

TEST(CardToken, RoundTripsItsClaims) {
  CardTokenSigner signer(kKey);
  const std::string token = signer.sign({42, 3, kNow + 60'000});
  auto claims = signer.verify(token, kNow);
  ASSERT_TRUE(claims) << claims.error().message;
  EXPECT_EQ(claims->patient_id, 42);
  EXPECT_EQ(claims->version, 3);
  EXPECT_EQ(claims->expires_ms, kNow + 60'000);
  EXPECT_LT(token.size(), 64u);  // a small QR symbol
}

TEST(CardToken, RefusesEveryOneCharacterChange) {
  CardTokenSigner signer(kKey);
  const std::string token = signer.sign({42, 3, kNow + 60'000});
  for (size_t i = 0; i < token.size(); ++i) {
    std::string changed = token;
    changed[i] = changed[i] == 'A' ? 'B' : 'A';
    auto r = signer.verify(changed, kNow);
    ASSERT_FALSE(r) << "accepted " << changed;
    EXPECT_EQ(r.error().code, "card_forged") << changed;
    EXPECT_EQ(r.error().fields.at(0).field, "qr");
  }
}

TEST(CardToken, RefusesATokenSignedWithAnotherKey) {
  CardTokenSigner ours(kKey);
  CardTokenSigner theirs(derive_card_key(std::string(32, 'x')));
  auto r = ours.verify(theirs.sign({42, 1, kNow + 60'000}), kNow);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, "card_forged");
}

TEST(CardToken, ExpiresAtItsExpiryAndNotBefore) {
  CardTokenSigner signer(kKey);
  const std::string token = signer.sign({42, 1, kNow + 60'000});
  EXPECT_TRUE(signer.verify(token, kNow + 59'999));
  auto r = signer.verify(token, kNow + 60'000);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, "card_expired");
}

TEST(CardToken, RefusesGarbage) {
  CardTokenSigner signer(kKey);
  for (const char* t : {"", "SC1", "SC1....", "SC1.1.1.1.", "SC2.1.1.1.x", "510104199001011234"}) {
    auto r = signer.verify(t, kNow);
    ASSERT_FALSE(r) << t;
    EXPECT_EQ(r.error().code, "card_forged") << t;
  }
  EXPECT_FALSE(signer.verify(std::string(500, 'A'), kNow));
}

TEST(QrImage, EncodesAScalableSvgAndAPng) {
  auto qr = encode_qr("SC1.42.3.1795000060.abcdefghijklmnopqrstuv");
  ASSERT_TRUE(qr);
  EXPECT_GE(qr->width, 21);
  const std::string svg = qr_svg(*qr);
  EXPECT_TRUE(svg.starts_with("<svg xmlns=\"http://www.w3.org/2000/svg\""));
  const std::string size = std::to_string(qr->width + 8);
  EXPECT_NE(svg.find("viewBox=\"0 0 " + size + " " + size + "\""), std::string::npos);
  auto png = qr_png(*qr, 4);
  ASSERT_TRUE(png);
  EXPECT_EQ(png->substr(0, 8), std::string("\x89PNG\r\n\x1a\n", 8));
}

}  // namespace
}  // namespace stork::patients
