#pragma once
// The adapter interface every mobile-payment gateway sits behind, in the
// shape of WeChat Pay API v3: a prepay order per merchant order number
// (out_trade_no), the patient pays on the gateway's checkout, the gateway
// notifies us asynchronously (encrypted and signed), we can query an
// order, close an unpaid one, refund (idempotent by out_refund_no) and
// download a daily statement.
//
// Implementations: WechatPayGateway (wechatpay.hpp) talks HTTP to a
// WeChat-Pay-v3-style endpoint; in this repository that endpoint is the
// local simulator (`stork gateway-sim`, src/paysim/). A production site
// points the same adapter at the real gateway.
//
// Thread safety: implementations are safe to call from any thread.
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/error.hpp"

namespace stork::billing {

struct PrepayRequest {
  std::string out_trade_no;  // ours, unique per order, at most 32 characters
  std::string description;   // shown on the patient's checkout
  int64_t amount_fen = 0;    // > 0
  int64_t expires_at_ms = 0; // the gateway refuses payment after this
  std::string notify_url;    // where the asynchronous notification goes
  std::string return_url;    // where the checkout page sends the browser back
};

struct Prepay {
  std::string prepay_id;
  std::string pay_url;  // the hosted checkout page (H5 payment) for the patient's browser
};

// Trade states as the gateway names them.
inline constexpr std::string_view kTradeSuccess = "SUCCESS";
inline constexpr std::string_view kTradeNotPay = "NOTPAY";
inline constexpr std::string_view kTradeClosed = "CLOSED";
inline constexpr std::string_view kTradeRefund = "REFUND";  // paid, then (partly) refunded

struct Transaction {
  std::string out_trade_no;
  std::string transaction_id;  // the gateway's, set once paid
  std::string trade_state;     // kTrade*
  int64_t amount_fen = 0;      // what the payer paid
  int64_t success_time_ms = 0; // when paid (0 if not)
};

struct RefundRequest {
  std::string out_trade_no;
  std::string out_refund_no;  // ours, unique per refund; a repeat returns the first result
  int64_t refund_fen = 0;
  int64_t total_fen = 0;      // the original payment
  std::string reason;
};

// Refund states as the gateway names them.
inline constexpr std::string_view kRefundSuccess = "SUCCESS";
inline constexpr std::string_view kRefundProcessing = "PROCESSING";
inline constexpr std::string_view kRefundAbnormal = "ABNORMAL";

struct RefundResult {
  std::string out_refund_no;
  std::string refund_id;  // the gateway's
  std::string status;     // kRefund*
  int64_t refund_fen = 0;
  int64_t success_time_ms = 0;
};

// One line of the gateway's daily statement (trade bill).
struct StatementLine {
  std::string kind;  // "payment" | "refund"
  std::string out_trade_no, transaction_id;
  std::string out_refund_no, refund_id;  // refunds only
  int64_t amount_fen = 0;                // payment amount or refund amount
  int64_t time_ms = 0;                   // success time
  std::string state;                     // SUCCESS for payments and refunds that went through
};

// A verified, decrypted notification.
struct Notice {
  std::string id;          // the notification's id
  std::string event_type;  // "TRANSACTION.SUCCESS" | "REFUND.SUCCESS" | ...
  std::string nonce;       // from the headers; the caller refuses a reused one
  int64_t timestamp_s = 0; // from the headers
  std::optional<Transaction> transaction;  // TRANSACTION.*
  std::optional<RefundResult> refund;      // REFUND.* (out_trade_no in refund_of_trade)
  std::string refund_of_trade;
};

class PaymentGateway {
 public:
  virtual ~PaymentGateway() = default;
  virtual std::string_view name() const = 0;  // "wechatpay": the ledger's method
  // Errors: gateway_unavailable (network, 5xx), gateway_refused (4xx; message from the gateway).
  virtual Result<Prepay> create_prepay(const PrepayRequest& req) = 0;
  // trade_state NOTPAY for an order the gateway knows but is unpaid; error
  // not_found for an order it never saw.
  virtual Result<Transaction> query(const std::string& out_trade_no) = 0;
  // Closes an unpaid order so it can no longer be paid. Error
  // gateway_refused with code ORDERPAID-like message when it was paid first:
  // the caller then queries and records the payment.
  virtual Status close(const std::string& out_trade_no) = 0;
  virtual Result<RefundResult> refund(const RefundRequest& req) = 0;
  virtual Result<RefundResult> query_refund(const std::string& out_refund_no) = 0;
  // date: YYYY-MM-DD in the hospital's time zone.
  virtual Result<std::vector<StatementLine>> statement(const std::string& date) = 0;
  // Verifies the signature over timestamp, nonce and body with the
  // gateway's certificate, refuses a timestamp more than 5 minutes from
  // now_ms, and decrypts the resource. Header names are lower-case.
  // Errors: bad_signature (401), stale_notification (401), validation_failed (400).
  virtual Result<Notice> open_notification(const std::map<std::string, std::string>& headers,
                                           std::string_view body, int64_t now_ms) const = 0;
};

}  // namespace stork::billing
