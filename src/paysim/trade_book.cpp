#include "paysim/trade_book.hpp"

#include "crypto/random.hpp"

namespace stork::paysim {
namespace {

GatewayError refused(int status, std::string code, std::string message) {
  return {status, std::move(code), std::move(message)};
}

// Digits from the system DRBG: ids must stay unique across simulator
// restarts (our side remembers them), so the seeded PRNG is not used here.
std::string random_digits(size_t n) {
  const std::string bytes = crypto::random_bytes(n);
  std::string out;
  for (unsigned char c : bytes) out += static_cast<char>('0' + c % 10);
  return out;
}

bool paid(const SimTrade& t) { return t.state == "SUCCESS" || t.state == "REFUND"; }

}  // namespace

Outcome<const SimTrade*> TradeBook::prepay(const PrepayParams& p, int64_t now_ms) {
  if (auto it = trades_.find(p.out_trade_no); it != trades_.end()) {
    const SimTrade& t = it->second;
    if (paid(t))
      return std::unexpected(refused(400, "ORDERPAID", "该订单已支付 the order is already paid"));
    if (t.state == "CLOSED")
      return std::unexpected(refused(400, "ORDER_CLOSED", "订单已关闭 the order is closed"));
    if (t.amount_fen != p.amount_fen || t.description != p.description ||
        t.notify_url != p.notify_url)
      return std::unexpected(refused(400, "INVALID_REQUEST",
                                     "商户订单号重复 out_trade_no was used with other parameters"));
    if (t.expires_ms <= now_ms)
      return std::unexpected(refused(400, "ORDER_CLOSED", "订单已过期 the order has expired"));
    return &t;
  }
  if (p.expires_ms <= now_ms)
    return std::unexpected(refused(400, "PARAM_ERROR", "time_expire is in the past"));
  SimTrade t;
  t.out_trade_no = p.out_trade_no;
  t.prepay_id = "wx" + crypto::random_hex(16);
  t.description = p.description;
  t.notify_url = p.notify_url;
  t.amount_fen = p.amount_fen;
  t.created_ms = now_ms;
  t.expires_ms = p.expires_ms;
  prepay_index_[t.prepay_id] = t.out_trade_no;
  return &(trades_[t.out_trade_no] = std::move(t));
}

Outcome<const SimTrade*> TradeBook::pay(const std::string& out_trade_no, int64_t now_ms,
                                        bool silent) {
  auto it = trades_.find(out_trade_no);
  if (it == trades_.end())
    return std::unexpected(refused(404, "ORDER_NOT_EXIST", "订单不存在 no such order"));
  SimTrade& t = it->second;
  if (paid(t))
    return std::unexpected(refused(400, "ORDERPAID", "该订单已支付 the order is already paid"));
  if (t.state == "CLOSED")
    return std::unexpected(refused(400, "ORDER_CLOSED", "订单已关闭 the order is closed"));
  if (t.expires_ms <= now_ms)
    return std::unexpected(refused(400, "ORDER_EXPIRED", "订单已过期 the order has expired"));
  t.state = "SUCCESS";
  t.transaction_id = "4200" + random_digits(24);
  t.success_ms = now_ms;
  t.times_paid += 1;
  t.silent = silent;
  return &t;
}

Outcome<const SimTrade*> TradeBook::close(const std::string& out_trade_no) {
  auto it = trades_.find(out_trade_no);
  if (it == trades_.end())
    return std::unexpected(refused(404, "ORDER_NOT_EXIST", "订单不存在 no such order"));
  SimTrade& t = it->second;
  if (paid(t))
    return std::unexpected(refused(400, "ORDERPAID", "该订单已支付 the order is already paid"));
  t.state = "CLOSED";
  return &t;
}

Outcome<const SimRefund*> TradeBook::refund(const RefundParams& p, bool processing, int64_t now_ms,
                                            bool* created) {
  *created = false;
  if (auto it = refunds_.find(p.out_refund_no); it != refunds_.end()) {
    const SimRefund& r = it->second;
    if (r.out_trade_no != p.out_trade_no || r.amount_fen != p.amount_fen)
      return std::unexpected(
          refused(400, "INVALID_REQUEST", "out_refund_no was used with other parameters"));
    return &r;
  }
  auto it = trades_.find(p.out_trade_no);
  if (it == trades_.end())
    return std::unexpected(refused(404, "RESOURCE_NOT_EXISTS", "订单不存在 no such order"));
  SimTrade& t = it->second;
  if (!paid(t))
    return std::unexpected(refused(400, "INVALID_REQUEST", "订单未支付 the order is not paid"));
  if (p.total_fen != t.amount_fen)
    return std::unexpected(refused(400, "PARAM_ERROR", "amount.total is not the order's amount"));
  if (p.amount_fen > t.amount_fen - t.refunded_fen)
    return std::unexpected(
        refused(403, "NOT_ENOUGH",
                "申请退款金额超过订单可退金额 the refund exceeds what remains refundable"));
  SimRefund r;
  r.out_refund_no = p.out_refund_no;
  r.refund_id = "50" + random_digits(27);
  r.out_trade_no = p.out_trade_no;
  r.reason = p.reason;
  r.amount_fen = p.amount_fen;
  r.create_ms = now_ms;
  r.status = processing ? "PROCESSING" : "SUCCESS";
  if (!processing) r.success_ms = now_ms;
  t.refunded_fen += p.amount_fen;
  t.state = "REFUND";
  t.refunds.push_back(p.out_refund_no);
  *created = true;
  return &(refunds_[r.out_refund_no] = std::move(r));
}

const SimRefund* TradeBook::settle(const std::string& out_refund_no, int64_t now_ms) {
  auto it = refunds_.find(out_refund_no);
  if (it == refunds_.end() || it->second.status != "PROCESSING") return nullptr;
  it->second.status = "SUCCESS";
  it->second.success_ms = now_ms;
  return &it->second;
}

const SimTrade* TradeBook::trade(const std::string& out_trade_no) const {
  auto it = trades_.find(out_trade_no);
  return it == trades_.end() ? nullptr : &it->second;
}

const SimTrade* TradeBook::trade_by_prepay(const std::string& prepay_id) const {
  auto it = prepay_index_.find(prepay_id);
  return it == prepay_index_.end() ? nullptr : trade(it->second);
}

const SimRefund* TradeBook::refund(const std::string& out_refund_no) const {
  auto it = refunds_.find(out_refund_no);
  return it == refunds_.end() ? nullptr : &it->second;
}

}  // namespace stork::paysim
