#pragma once
// The simulator's ledger: trades by out_trade_no and refunds by
// out_refund_no, with WeChat Pay's rules. One payment per out_trade_no
// ever; a closed or expired order cannot be paid; a repeated out_refund_no
// returns the first refund; refunds never exceed the payment.
//
// Plain state, no I/O and no locking: the simulator owns one under its mutex.
#include <cstdint>
#include <expected>
#include <map>
#include <string>
#include <vector>

namespace stork::paysim {

// A refusal as the gateway answers it: HTTP status and {code, message}.
struct GatewayError {
  int status = 400;
  std::string code;
  std::string message;
};

template <class T>
using Outcome = std::expected<T, GatewayError>;

struct SimRefund {
  std::string out_refund_no, refund_id, out_trade_no, reason;
  int64_t amount_fen = 0;
  std::string status;  // PROCESSING | SUCCESS
  int64_t create_ms = 0;
  int64_t success_ms = 0;  // 0 until SUCCESS
};

struct SimTrade {
  std::string out_trade_no, prepay_id, description, notify_url;
  int64_t amount_fen = 0;
  int64_t created_ms = 0;
  int64_t expires_ms = 0;
  std::string state = "NOTPAY";  // NOTPAY | SUCCESS | REFUND | CLOSED
  std::string transaction_id;    // once paid
  int64_t success_ms = 0;
  int times_paid = 0;                // the invariant under test: never above 1
  int64_t refunded_fen = 0;          // committed: SUCCESS and PROCESSING refunds
  std::vector<std::string> refunds;  // out_refund_no in order
  bool silent = false;               // the drop fault: never notified
};

struct PrepayParams {
  std::string out_trade_no, description, notify_url;
  int64_t amount_fen = 0;
  int64_t expires_ms = 0;
};

struct RefundParams {
  std::string out_trade_no, out_refund_no, reason;
  int64_t amount_fen = 0;
  int64_t total_fen = 0;
};

class TradeBook {
 public:
  // The same out_trade_no with the same parameters returns the first
  // prepay while unpaid. Refusals: ORDERPAID, ORDER_CLOSED, INVALID_REQUEST
  // (reused with other parameters), PARAM_ERROR (expiry already past).
  Outcome<const SimTrade*> prepay(const PrepayParams& p, int64_t now_ms);
  // The patient pays. silent marks the trade for the drop fault. Refusals:
  // ORDER_NOT_EXIST (404), ORDERPAID, ORDER_CLOSED, ORDER_EXPIRED.
  Outcome<const SimTrade*> pay(const std::string& out_trade_no, int64_t now_ms, bool silent);
  // Idempotent for closed orders. Refusals: ORDER_NOT_EXIST (404), ORDERPAID.
  Outcome<const SimTrade*> close(const std::string& out_trade_no);
  // *created tells a new refund from a repeat. Refusals: RESOURCE_NOT_EXISTS
  // (404), INVALID_REQUEST (unpaid trade, out_refund_no reused with other
  // parameters), PARAM_ERROR (total is not the order's), NOT_ENOUGH (403,
  // more than what remains).
  Outcome<const SimRefund*> refund(const RefundParams& p, bool processing, int64_t now_ms,
                                   bool* created);
  // PROCESSING -> SUCCESS; null when there is no such refund in PROCESSING.
  const SimRefund* settle(const std::string& out_refund_no, int64_t now_ms);

  const SimTrade* trade(const std::string& out_trade_no) const;
  const SimTrade* trade_by_prepay(const std::string& prepay_id) const;
  const SimRefund* refund(const std::string& out_refund_no) const;
  const std::map<std::string, SimTrade>& trades() const { return trades_; }
  const std::map<std::string, SimRefund>& refunds() const { return refunds_; }

 private:
  std::map<std::string, SimTrade> trades_;
  std::map<std::string, SimRefund> refunds_;
  std::map<std::string, std::string> prepay_index_;  // prepay_id -> out_trade_no
};

}  // namespace stork::paysim
