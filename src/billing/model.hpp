#pragma once
// Billing's records (FHIR: ChargeItem for order items, Invoice for orders,
// PaymentNotice/PaymentReconciliation for payments, refunds and receipts).
// Money is integer fen (1/100 yuan) everywhere, never floating point.
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace stork::billing {

inline constexpr const char* kFeeKinds[] = {"registration", "exam", "service", "drug"};
// How money moves: the mobile gateway, the window's cash drawer and card
// terminal, and the medical-insurance settlement.
inline constexpr const char* kMethodWechatPay = "wechatpay";
inline constexpr const char* kMethodCash = "cash";
inline constexpr const char* kMethodCard = "card";
inline constexpr const char* kMethodInsurance = "insurance";

struct FeeItem {
  int64_t id = 0;
  std::string code;
  std::string kind;  // one of kFeeKinds
  std::string name_zh, name_en;
  // A registration fee applies to a clinic (clinic_code), else to a clinic
  // type and doctor title; the most specific match wins.
  std::string clinic_type, clinic_code, doctor_title;
  int64_t amount_fen = 0;
  int insurance_percent = 0;  // the insurer's share for insured patients
  std::string valid_from;     // YYYY-MM-DD, inclusive
  std::string valid_to;       // YYYY-MM-DD, inclusive
};

struct OrderItem {
  std::string fee_code, name_zh, name_en;
  int quantity = 1;
  int64_t unit_fen = 0, amount_fen = 0;
  int insurance_percent = 0;
};

// One row of the append-only ledger.
struct LedgerEntry {
  int64_t id = 0, order_id = 0;
  std::string kind;    // charge | payment | refund | reversal
  int64_t amount_fen = 0;
  std::string method;  // payments and refunds: kMethod*
  std::string reference;  // gateway transaction id, out_refund_no, terminal reference
  std::string cause;      // charge: booking|order; reversal: cancelled|expired;
                          // refund: rule|clerk|late_payment|duplicate_payment
  std::optional<int64_t> refund_of;  // a refund: the payment it returns
  std::string receipt_no;            // payments and refunds
  std::string reason, actor;
  int64_t occurred_at_ms = 0, recorded_at_ms = 0;
  std::string refund_status;  // refunds: pending | succeeded | failed
};

// Sums of an order's ledger, from which its state follows.
struct Sums {
  int64_t charged = 0, reversed = 0, paid = 0, refunded = 0;
  std::string reversal_cause;  // "cancelled" | "expired" when reversed
};

struct Order {
  int64_t id = 0;
  std::string order_no;  // also the gateway's out_trade_no
  int64_t patient_id = 0;
  std::optional<int64_t> appointment_id;
  std::string description;
  std::vector<OrderItem> items;
  int64_t total_fen = 0;
  std::optional<int64_t> hold_until_ms;  // an online booking's payment window
  std::string created_by;
  int64_t created_at_ms = 0;
  Sums sums;
  std::string state;        // see derive_state
  int64_t outstanding_fen = 0;  // still to pay
  int64_t refundable_fen = 0;   // paid and not refunded
  std::vector<LedgerEntry> ledger;
  std::optional<std::string> pay_url;  // an open mobile checkout
};

struct Receipt {
  std::string receipt_no;
  int64_t ledger_id = 0, order_id = 0, patient_id = 0;
  std::string kind;  // payment | refund
  std::string method;
  int64_t amount_fen = 0;
  int64_t issued_at_ms = 0;
  std::string reverses;  // a refund: the receipt of the payment it returns
  std::string order_no, description;
};

struct Takings {
  std::string date;
  struct Line {
    std::string method;
    int payments = 0, refunds = 0;
    int64_t paid_fen = 0, refunded_fen = 0;
  };
  std::vector<Line> by_method;
  int64_t net_fen = 0;
  int orders_paid = 0, orders_open = 0, auto_refunds = 0;
};

}  // namespace stork::billing
