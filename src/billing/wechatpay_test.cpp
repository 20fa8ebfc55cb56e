// open_notification against notifications built here from WeChat Pay's
// published format (not by the simulator), plus the adapter's option checks.
#include "billing/wechatpay.hpp"

#include <gtest/gtest.h>

#include <boost/json.hpp>
#include <random>
#include <set>

#include "crypto/aead.hpp"
#include "crypto/random.hpp"
#include "crypto/rsa.hpp"

namespace stork::billing {
namespace {

namespace json = boost::json;

constexpr int64_t kNowMs = 1'893'456'000'000;  // 2030-01-01T00:00:00Z
const std::string kApiV3Key = "0123456789abcdefghijklmnopqrstuv";
const std::string kMchId = "1900000001";

const crypto::RsaPrivateKey& platform_key() {
  static const crypto::RsaPrivateKey key = crypto::RsaPrivateKey::generate();
  return key;
}
const crypto::Certificate& platform_cert() {
  static const crypto::Certificate cert =
      crypto::Certificate::self_signed(platform_key(), "test platform");
  return cert;
}

struct Wire {
  std::map<std::string, std::string> headers;
  std::string body;
};

std::string encrypt(const std::string& plain, const std::string& nonce, const std::string& ad,
                    const std::string& key = kApiV3Key) {
  return crypto::aead_encrypt(key, nonce, ad, plain).value();
}

std::string envelope(const std::string& event_type, const std::string& ad,
                     const std::string& ciphertext,
                     const std::string& resource_nonce = "fdasflkja484") {
  return json::serialize(json::object{
      {"id", "EV-2018022511223320873"},
      {"create_time", "2030-01-01T08:00:00+08:00"},
      {"resource_type", "encrypt-resource"},
      {"event_type", event_type},
      {"summary", "支付成功"},
      {"resource",
       {{"original_type", ad},
        {"algorithm", "AEAD_AES_256_GCM"},
        {"ciphertext", ciphertext},
        {"associated_data", ad},
        {"nonce", resource_nonce}}},
  });
}

// Signs body the way the platform does: "timestamp\nnonce\nbody\n".
Wire signed_wire(std::string body, int64_t timestamp_s = kNowMs / 1000,
                 const std::string& nonce = "593BEC0C930BF1AFEB40B4A08C8FB242",
                 const crypto::RsaPrivateKey& key = platform_key()) {
  const std::string ts = std::to_string(timestamp_s);
  Wire w;
  w.headers = {{"wechatpay-timestamp", ts},
               {"wechatpay-nonce", nonce},
               {"wechatpay-signature", key.sign(ts + "\n" + nonce + "\n" + body + "\n")},
               {"wechatpay-serial", platform_cert().serial_hex()},
               {"wechatpay-signature-type", "WECHATPAY2-SHA256-RSA2048"}};
  w.body = std::move(body);
  return w;
}

const std::string kTransaction =
    R"({"mchid":"1900000001","appid":"wxd678efh567hg6787","out_trade_no":"ORDER20300101000001",)"
    R"("transaction_id":"4200000000203001010000000001","trade_type":"MWEB","trade_state":"SUCCESS",)"
    R"("trade_state_desc":"支付成功","bank_type":"OTHERS","success_time":"2030-01-01T08:00:05+08:00",)"
    R"("payer":{"openid":"o1"},"amount":{"total":1250,"payer_total":1250,"currency":"CNY","payer_currency":"CNY"}})";

Wire transaction_notice(int64_t timestamp_s = kNowMs / 1000) {
  return signed_wire(envelope("TRANSACTION.SUCCESS", "transaction",
                              encrypt(kTransaction, "fdasflkja484", "transaction")),
                     timestamp_s);
}

class WechatPayNotification : public ::testing::Test {
 protected:
  void SetUp() override {
    auto g = WechatPayGateway::create({.base_url = "http://127.0.0.1:1",
                                       .mchid = kMchId,
                                       .apiv3_key = kApiV3Key,
                                       .platform_cert_pem = platform_cert().pem()});
    ASSERT_TRUE(g.has_value()) << g.error().message;
    gateway_ = std::move(*g);
  }
  Result<Notice> open(const Wire& w, int64_t now_ms = kNowMs) const {
    return gateway_->open_notification(w.headers, w.body, now_ms);
  }
  std::unique_ptr<WechatPayGateway> gateway_;
};

TEST_F(WechatPayNotification, OpensATransactionSuccess) {
  auto n = open(transaction_notice());
  ASSERT_TRUE(n.has_value()) << n.error().message;
  EXPECT_EQ(n->id, "EV-2018022511223320873");
  EXPECT_EQ(n->event_type, "TRANSACTION.SUCCESS");
  EXPECT_EQ(n->nonce, "593BEC0C930BF1AFEB40B4A08C8FB242");
  EXPECT_EQ(n->timestamp_s, kNowMs / 1000);
  ASSERT_TRUE(n->transaction.has_value());
  EXPECT_EQ(n->transaction->out_trade_no, "ORDER20300101000001");
  EXPECT_EQ(n->transaction->transaction_id, "4200000000203001010000000001");
  EXPECT_EQ(n->transaction->trade_state, "SUCCESS");
  EXPECT_EQ(n->transaction->amount_fen, 1250);
  EXPECT_EQ(n->transaction->success_time_ms, kNowMs + 5000);
  EXPECT_FALSE(n->refund.has_value());
}

TEST_F(WechatPayNotification, OpensARefundSuccess) {
  const std::string refund =
      R"({"mchid":"1900000001","out_trade_no":"ORDER20300101000001",)"
      R"("transaction_id":"4200000000203001010000000001","out_refund_no":"R20300101000001",)"
      R"("refund_id":"50000000382019052709732678859","refund_status":"SUCCESS",)"
      R"("success_time":"2030-01-01T08:10:00+08:00","user_received_account":"支付用户零钱",)"
      R"("amount":{"total":1250,"refund":500,"payer_total":1250,"payer_refund":500}})";
  auto n = open(
      signed_wire(envelope("REFUND.SUCCESS", "refund", encrypt(refund, "fdasflkja484", "refund"))));
  ASSERT_TRUE(n.has_value()) << n.error().message;
  ASSERT_TRUE(n->refund.has_value());
  EXPECT_EQ(n->refund->out_refund_no, "R20300101000001");
  EXPECT_EQ(n->refund->refund_id, "50000000382019052709732678859");
  EXPECT_EQ(n->refund->status, "SUCCESS");
  EXPECT_EQ(n->refund->refund_fen, 500);
  EXPECT_EQ(n->refund->success_time_ms, kNowMs + 600000);
  EXPECT_EQ(n->refund_of_trade, "ORDER20300101000001");
}

TEST_F(WechatPayNotification, RefusesEveryOneByteChangeOfTheBody) {
  const Wire genuine = transaction_notice();
  ASSERT_TRUE(open(genuine).has_value());
  for (size_t i = 0; i < genuine.body.size(); ++i) {
    Wire w = genuine;
    w.body[i] = static_cast<char>(w.body[i] ^ 0x01);
    auto n = open(w);
    ASSERT_FALSE(n.has_value()) << "byte " << i;
    EXPECT_EQ(n.error().code, "bad_signature") << "byte " << i;
  }
}

TEST_F(WechatPayNotification, RefusesChangedTimestampOrNonceHeaders) {
  Wire w = transaction_notice();
  w.headers["wechatpay-timestamp"] = std::to_string(kNowMs / 1000 + 1);
  EXPECT_EQ(open(w).error().code, "bad_signature");
  w = transaction_notice();
  w.headers["wechatpay-nonce"] = "593BEC0C930BF1AFEB40B4A08C8FB243";
  EXPECT_EQ(open(w).error().code, "bad_signature");
}

TEST_F(WechatPayNotification, RefusesAnotherKeysSignature) {
  static const crypto::RsaPrivateKey other = crypto::RsaPrivateKey::generate();
  const Wire genuine = transaction_notice();
  Wire w = signed_wire(genuine.body, kNowMs / 1000, "N1", other);
  EXPECT_EQ(open(w).error().code, "bad_signature");
}

TEST_F(WechatPayNotification, RefusesAnUnknownCertificateSerial) {
  Wire w = transaction_notice();
  w.headers["wechatpay-serial"] = "0123456789ABCDEF";
  EXPECT_EQ(open(w).error().code, "bad_signature");
}

TEST_F(WechatPayNotification, RefusesMissingHeaders) {
  for (const char* name :
       {"wechatpay-timestamp", "wechatpay-nonce", "wechatpay-signature", "wechatpay-serial"}) {
    Wire w = transaction_notice();
    w.headers.erase(name);
    auto n = open(w);
    ASSERT_FALSE(n.has_value()) << name;
    EXPECT_EQ(n.error().code, "bad_signature") << name;
  }
}

TEST_F(WechatPayNotification, RefusesTimestampsMoreThanFiveMinutesAway) {
  EXPECT_TRUE(open(transaction_notice(kNowMs / 1000 - 299)).has_value());
  EXPECT_TRUE(open(transaction_notice(kNowMs / 1000 + 299)).has_value());
  EXPECT_EQ(open(transaction_notice(kNowMs / 1000 - 301)).error().code, "stale_notification");
  EXPECT_EQ(open(transaction_notice(kNowMs / 1000 + 301)).error().code, "stale_notification");
  EXPECT_EQ(open(transaction_notice(), kNowMs + 6 * 60 * 1000).error().code, "stale_notification");
}

TEST_F(WechatPayNotification, ResourceUnderAnotherKeyIsBadSignature) {
  const std::string other_key(32, 'k');
  auto n =
      open(signed_wire(envelope("TRANSACTION.SUCCESS", "transaction",
                                encrypt(kTransaction, "fdasflkja484", "transaction", other_key))));
  ASSERT_FALSE(n.has_value());
  EXPECT_EQ(n.error().code, "bad_signature");
}

TEST_F(WechatPayNotification, SignedButMalformedBodiesAreValidationFailed) {
  const std::string ct = encrypt(kTransaction, "fdasflkja484", "transaction");
  const std::vector<std::pair<std::string, std::string>> cases = {
      {"not json", "body"},
      {"[1,2]", "body"},
      {"{}", "id"},
      {R"({"id":"EV-1"})", "event_type"},
      {R"({"id":"EV-1","event_type":"TRANSACTION.SUCCESS","resource_type":"plain"})",
       "resource_type"},
      {R"({"id":"EV-1","event_type":"TRANSACTION.SUCCESS","resource_type":"encrypt-resource"})",
       "resource"},
      {R"({"id":"EV-1","event_type":"TRANSACTION.SUCCESS","resource_type":"encrypt-resource","resource":{"algorithm":"AES_128_CBC"}})",
       "resource.algorithm"},
      {R"({"id":"EV-1","event_type":"TRANSACTION.SUCCESS","resource_type":"encrypt-resource","resource":{"algorithm":"AEAD_AES_256_GCM","nonce":"fdasflkja484"}})",
       "resource.ciphertext"},
      {R"({"id":"EV-1","event_type":"TRANSACTION.SUCCESS","resource_type":"encrypt-resource","resource":{"algorithm":"AEAD_AES_256_GCM","nonce":"short","ciphertext":")" +
           ct + R"("}})",
       "resource.nonce"},
      {envelope("TRANSACTION.SUCCESS", "transaction",
                encrypt("not json", "fdasflkja484", "transaction")),
       "resource.ciphertext"},
      {envelope(
           "TRANSACTION.SUCCESS", "transaction",
           encrypt(
               R"({"out_trade_no":"X1234567","trade_state":"SUCCESS","transaction_id":"42","success_time":"2030-01-01T08:00:00+08:00"})",
               "fdasflkja484", "transaction")),
       "resource.amount.total"},
      {envelope(
           "TRANSACTION.SUCCESS", "transaction",
           encrypt(
               R"({"out_trade_no":"X1234567","trade_state":"SUCCESS","transaction_id":"42","amount":{"total":5},"success_time":"yesterday"})",
               "fdasflkja484", "transaction")),
       "resource.success_time"},
      {envelope("TRANSACTION.SUCCESS", "transaction",
                encrypt(R"({"mchid":"1234","out_trade_no":"X1234567","trade_state":"NOTPAY"})",
                        "fdasflkja484", "transaction")),
       "resource.mchid"},
      {envelope(
           "REFUND.SUCCESS", "refund",
           encrypt(
               R"({"out_trade_no":"X1234567","out_refund_no":"R1234567","refund_id":"50","refund_status":"SUCCESS","amount":{"refund":0}})",
               "fdasflkja484", "refund")),
       "resource.amount.refund"},
  };
  for (const auto& [body, field] : cases) {
    auto n = open(signed_wire(body));
    ASSERT_FALSE(n.has_value()) << body;
    EXPECT_EQ(n.error().code, "validation_failed") << body << " -> " << n.error().message;
    ASSERT_FALSE(n.error().fields.empty()) << body;
    EXPECT_EQ(n.error().fields[0].field, field) << body;
  }
}

TEST_F(WechatPayNotification, GarbageNeverCrashes) {
  std::mt19937 rng(7);
  const Wire genuine = transaction_notice();
  auto random_text = [&](size_t max) {
    std::string s(std::uniform_int_distribution<size_t>(0, max)(rng), '\0');
    for (auto& c : s) c = static_cast<char>(std::uniform_int_distribution<int>(0, 255)(rng));
    return s;
  };
  for (int i = 0; i < 300; ++i) {
    Wire w = genuine;
    switch (i % 4) {
      case 0:
        w.body = random_text(2000);
        break;
      case 1:
        w.headers["wechatpay-signature"] = random_text(400);
        break;
      case 2:
        w.headers["wechatpay-timestamp"] = random_text(20);
        break;
      default:
        w = signed_wire(random_text(500));
        break;  // authentic garbage
    }
    auto n = open(w);
    EXPECT_FALSE(n.has_value());
  }
  // Deeply nested JSON, signed: refused, not a stack overflow.
  auto n = open(signed_wire(std::string(100000, '[') + std::string(100000, ']')));
  ASSERT_FALSE(n.has_value());
  EXPECT_EQ(n.error().code, "validation_failed");
}

TEST(WechatPayGateway, CreateNamesEveryUnusableOption) {
  auto g = WechatPayGateway::create({.base_url = "ftp://x",
                                     .mchid = "",
                                     .apiv3_key = "short",
                                     .platform_cert_pem = "not a certificate",
                                     .timeout_ms = 0});
  ASSERT_FALSE(g.has_value());
  EXPECT_EQ(g.error().code, "validation_failed");
  std::set<std::string> fields;
  for (const auto& f : g.error().fields) fields.insert(f.field);
  EXPECT_EQ(fields, (std::set<std::string>{"base_url", "mchid", "apiv3_key", "platform_cert_pem",
                                           "timeout_ms"}));
}

TEST(WechatPayGateway, UnreachableGatewayIsGatewayUnavailable) {
  // Port 1 on loopback: nothing listens, the connection is refused at once.
  auto g = WechatPayGateway::create({.base_url = "http://127.0.0.1:1",
                                     .mchid = kMchId,
                                     .apiv3_key = kApiV3Key,
                                     .platform_cert_pem = platform_cert().pem(),
                                     .timeout_ms = 2000});
  ASSERT_TRUE(g.has_value());
  auto t = (*g)->query("ORDER20300101000001");
  ASSERT_FALSE(t.has_value());
  EXPECT_EQ(t.error().code, "gateway_unavailable");
}

TEST(WechatPayGateway, RefusesBadRequestsBeforeCallingTheGateway) {
  auto g = WechatPayGateway::create({.base_url = "http://127.0.0.1:1",
                                     .mchid = kMchId,
                                     .apiv3_key = kApiV3Key,
                                     .platform_cert_pem = platform_cert().pem()});
  ASSERT_TRUE(g.has_value());
  auto p = (*g)->create_prepay({.out_trade_no = "bad no!", .description = "", .amount_fen = 0});
  ASSERT_FALSE(p.has_value());
  EXPECT_EQ(p.error().code, "validation_failed");
  EXPECT_EQ((*g)->statement("2030-02-30").error().code, "validation_failed");
  EXPECT_EQ((*g)->refund({.out_trade_no = "ORDER1",
                          .out_refund_no = "R1234567",
                          .refund_fen = 5,
                          .total_fen = 4})
                .error()
                .code,
            "validation_failed");
}

}  // namespace
}  // namespace stork::billing
