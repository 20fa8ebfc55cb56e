#pragma once
// Billing: the fee catalogue, orders (bills), payments through the gateway
// adapters, refunds, receipts, daily takings and reconciliation.
//
// Exactly-once money (DESIGN.md §5.3): every movement is a row of the
// append-only ledger, written in the same transaction as whatever it
// causes (confirming the appointment, a receipt, a refund job), and keyed
// so that a repeat cannot add a second row: one entry per gateway
// transaction id, per refund number, per window Idempotency-Key. Every
// transaction that moves an order's money first locks the order row. An
// order's state is derived from its ledger (order_state.hpp).
//
// A payment that lands on an order already paid or closed (a late mobile
// payment after the hold expired, cash taken while the phone paid) is
// recorded and refunded in the same transaction, with cause
// late_payment/duplicate_payment, visible on the order and its receipts.
//
// Refunds are recorded first (ledger row + refund job), then carried out by
// the adapter after commit and by the sweep until the gateway confirms;
// gateway refunds are idempotent by out_refund_no, so a crash anywhere
// repeats a request, never a deduction.
//
// Thread-safe: state is in the database.
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "auth/audit.hpp"
#include "auth/roles.hpp"
#include "billing/gateway.hpp"
#include "billing/insurance.hpp"
#include "billing/model.hpp"
#include "billing/reconcile.hpp"
#include "core/clock.hpp"
#include "patients/service.hpp"
#include "scheduling/booking.hpp"
#include "store/database.hpp"

namespace stork::billing {

struct BillingSettings {
  int payment_window_minutes = 15;  // an online booking's hold while unpaid
  int utc_offset_minutes = 8 * 60;
  std::string notify_url;  // this server's notification endpoint, as the gateway reaches it
  std::string return_url;  // where the checkout sends the patient's browser back
  int query_after_seconds = 60;  // ask the gateway about a checkout we have not heard of
};

struct ItemRequest {
  std::string fee_code;
  int quantity = 1;
};

struct WindowPayment {
  std::string method;  // cash | card
  int64_t amount_fen = 0;
  std::string reference;  // card terminal reference; optional for cash
  std::string idempotency_key;
};

struct RefundAsk {
  int64_t amount_fen = 0;  // 0: everything refundable
  std::string reason;
  std::string idempotency_key;
};

struct SweepReport {
  int expired = 0, payments_found = 0, refunds_done = 0, prepays_closed = 0;
  int failures = 0;  // orders skipped this time (logged), tried again next time
};

class BillingService {
 public:
  BillingService(store::Database& db, const Clock& clock, const auth::AuditLog& audit,
                 patients::PatientService& patients, scheduling::BookingService& booking, PaymentGateway& gateway,
                 InsuranceGateway& insurance, BillingSettings settings);

  // Plugs billing into the booking's transactions: a new appointment opens
  // its bill (an online one is held for the payment window), a cancelled
  // one is refunded by rule or its unpaid bill closed, a rebooked one takes
  // its bill along. Also moves orders on a patient merge.
  void attach();

  // The catalogue. on_date "" lists every version.
  Result<std::vector<FeeItem>> fees(const std::string& on_date);
  // Errors: validation_failed (code, kind, amount_fen, valid_from, ...),
  // conflict fee_overlaps when a version of the code covers those dates.
  Result<FeeItem> add_fee(const auth::Principal& who, FeeItem fee, const auth::RequestContext& ctx);

  // A bill for items ordered by a doctor or at the window.
  Result<Order> create_order(const auth::Principal& who, int64_t patient_id, const std::vector<ItemRequest>& items,
                             const auth::RequestContext& ctx);
  Result<Order> order(const auth::Principal& who, int64_t order_id, const auth::RequestContext& ctx);
  Result<std::vector<Order>> orders_of(const auth::Principal& who, int64_t patient_id,
                                       const auth::RequestContext& ctx);
  Result<std::vector<Receipt>> receipts_of(const auth::Principal& who, int64_t patient_id,
                                           const auth::RequestContext& ctx);
  Result<Receipt> receipt(const auth::Principal& who, const std::string& receipt_no, const auth::RequestContext& ctx);

  // The mobile checkout for an order (the same one on every call while
  // open). Errors: already_paid, order_closed, order_expired,
  // gateway_unavailable.
  Result<Prepay> checkout(const auth::Principal& who, int64_t order_id, const auth::RequestContext& ctx);
  // Asks the gateway now (the patient is back from the checkout).
  Result<Order> sync(const auth::Principal& who, int64_t order_id, const auth::RequestContext& ctx);
  // Cash or card at the window. Errors: validation_failed (method,
  // amount_fen, Idempotency-Key), amount_mismatch (422), already_paid,
  // order_closed, order_expired (409), idempotency_key_reused.
  Result<Receipt> pay_at_window(const auth::Principal& who, int64_t order_id, const WindowPayment& pay,
                                const auth::RequestContext& ctx);
  // The insurer's share of an order. Errors: validation_failed (insurance_no), already_paid.
  Result<Order> settle_insurance(const auth::Principal& who, int64_t order_id, const std::string& insurance_no,
                                 const auth::RequestContext& ctx);
  // A gateway notification. Errors: bad_signature, stale_notification,
  // nonce_reused (401), not_found (unknown order), amount_mismatch (422).
  Status handle_notification(const std::map<std::string, std::string>& headers, std::string_view body,
                             const auth::RequestContext& ctx);
  // A clerk's refund. Errors: validation_failed (amount_fen, reason,
  // Idempotency-Key), refund_exceeds_payment (422), nothing_to_refund (409).
  Result<std::vector<Receipt>> refund(const auth::Principal& who, int64_t order_id, const RefundAsk& ask,
                                      const auth::RequestContext& ctx);

  // The clerk hands over a cash or card refund owed by a rule (an online
  // cancellation of a visit paid at the window). refund_id: its ledger id.
  // Errors: not_found, invalid_state (not cash/card, or paid out already).
  Result<Order> pay_out(const auth::Principal& who, int64_t refund_id, const auth::RequestContext& ctx);

  // Periodic: expires unpaid holds, asks about silent checkouts, closes
  // checkouts of closed orders, carries out pending refunds.
  Result<SweepReport> sweep(const auth::RequestContext& ctx);
  // Carries out pending refunds now; returns how many went through.
  Result<int> process_refunds(const auth::RequestContext& ctx);

  // date "" is today (the hospital's).
  Result<Takings> takings(const std::string& date);
  // Ledger against the gateway's statement for a local date ("" today).
  Result<Reconciliation> reconcile(const std::string& date);

  PaymentGateway& gateway() { return gateway_; }
  // Where the gateway sends notifications and the checkout sends the
  // browser back, once the server knows its address (base: "http://host:port").
  void set_public_url(const std::string& base);

 private:
  struct Tx;
  friend struct Tx;
  Result<scheduling::PaymentTerms> on_booked(store::Connection& c, const scheduling::VisitFacts& visit, int64_t now);
  Status on_cancelled(store::Connection& c, const scheduling::Appointment& a, scheduling::CancelCause cause,
                      int64_t now, const std::string& actor);
  // Records a gateway payment (once) in one transaction, with what follows.
  Status record_gateway_payment(const Transaction& t, const std::string& actor, const auth::RequestContext& ctx);
  Result<Order> load_authorized(const auth::Principal& who, int64_t order_id);
  Result<std::pair<int64_t, int64_t>> local_day_bounds(const std::string& date) const;
  std::string local_day(int64_t ms) const;

  store::Database& db_;
  const Clock& clock_;
  const auth::AuditLog& audit_;
  patients::PatientService& patients_;
  scheduling::BookingService& booking_;
  PaymentGateway& gateway_;
  InsuranceGateway& insurance_;
  BillingSettings settings_;
  mutable std::mutex urls_mutex_;  // notify_url and return_url change once, at start
};

}  // namespace stork::billing
