#pragma once
// The PaymentGateway for a WeChat Pay API v3 endpoint (H5 payment), over
// libcurl and JSON. In this repository the endpoint is the local simulator
// (`stork gateway-sim`); a production site points base_url at WeChat.
//
// What it checks: every 2xx answer that has a body must carry a valid
// Wechatpay-Signature by the platform certificate (so a forged "SUCCESS"
// on the wire is refused); statements are checked against the SHA1 the
// gateway announces and against their own totals; notifications are
// verified, refused when stale, and decrypted with the APIv3 key.
//
// Not done here: signing our requests with a merchant API key
// (Authorization: WECHATPAY2-SHA256-RSA2048 ...), which the real gateway
// requires; downloading rotated platform certificates.
//
// Thread safety: immutable after create(); every call is independent (one
// curl handle each), so it is safe from any thread.
#include <memory>
#include <string>

#include "billing/gateway.hpp"
#include "crypto/rsa.hpp"

namespace stork::billing {

struct WechatPayOptions {
  std::string base_url;           // e.g. "http://127.0.0.1:9100", no trailing slash needed
  std::string mchid;              // merchant number
  std::string apiv3_key;          // 32 bytes: decrypts notification resources
  std::string platform_cert_pem;  // verifies notifications and responses
  int timeout_ms = 5000;          // per HTTP exchange
  int utc_offset_minutes = 480;   // the gateway's zone: trade bill times are local (Beijing)
};

class WechatPayGateway final : public PaymentGateway {
 public:
  // Errors: validation_failed naming the option (base_url, mchid,
  // apiv3_key, platform_cert_pem, timeout_ms).
  static Result<std::unique_ptr<WechatPayGateway>> create(WechatPayOptions options);

  std::string_view name() const override { return "wechatpay"; }
  // Errors (all calls): gateway_unavailable (no answer, timeout, 5xx, 429,
  // an answer that does not verify or parse), gateway_refused (other 4xx;
  // detail "gateway_code"), not_found (404: order or refund unknown).
  Result<Prepay> create_prepay(const PrepayRequest& req) override;
  Result<Transaction> query(const std::string& out_trade_no) override;
  Status close(const std::string& out_trade_no) override;
  Result<RefundResult> refund(const RefundRequest& req) override;
  Result<RefundResult> query_refund(const std::string& out_refund_no) override;
  // A date without any trade gives an empty list (the gateway answers
  // NO_STATEMENT_EXIST for it).
  Result<std::vector<StatementLine>> statement(const std::string& date) override;
  Result<Notice> open_notification(const std::map<std::string, std::string>& headers,
                                   std::string_view body, int64_t now_ms) const override;

  const crypto::Certificate& platform_certificate() const { return platform_cert_; }

 private:
  WechatPayGateway(WechatPayOptions options, crypto::Certificate cert)
      : options_(std::move(options)), platform_cert_(std::move(cert)) {}

  // One API exchange: the verified body of a 2xx answer, or the mapped
  // error; `what` names the order or refund for not_found.
  Result<std::string> call(const std::string& method, const std::string& path,
                           const std::string& body, const std::string& what) const;

  WechatPayOptions options_;
  crypto::Certificate platform_cert_;
};

}  // namespace stork::billing
