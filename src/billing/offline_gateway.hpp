#pragma once
// The gateway of a command that has none (seed-demo, migrate): every call
// answers gateway_unavailable, so nothing pretends a payment went through.
#include "billing/gateway.hpp"

namespace stork::billing {

class OfflineGateway final : public PaymentGateway {
 public:
  std::string_view name() const override { return "wechatpay"; }
  Result<Prepay> create_prepay(const PrepayRequest&) override { return fail(down()); }
  Result<Transaction> query(const std::string&) override { return fail(down()); }
  Status close(const std::string&) override { return fail(down()); }
  Result<RefundResult> refund(const RefundRequest&) override { return fail(down()); }
  Result<RefundResult> query_refund(const std::string&) override { return fail(down()); }
  Result<std::vector<StatementLine>> statement(const std::string&) override { return fail(down()); }
  Result<Notice> open_notification(const std::map<std::string, std::string>&, std::string_view,
                                   int64_t) const override {
    return fail(down());
  }

 private:
  static Error down() { return Error{"gateway_unavailable", "this command has no payment gateway", {}, {}}; }
};

}  // namespace stork::billing
