#pragma once
// One transaction's work on orders and the ledger; shared by the billing
// service's files. Internal to src/billing.
#include <string>
#include <vector>

#include "billing/model.hpp"
#include "billing/service.hpp"
#include "store/database.hpp"

namespace stork::billing {

Receipt decode_receipt(const store::Row& r);

struct BillingService::Tx {
  BillingService& s;
  store::Connection& c;
  std::string actor;
  const auth::RequestContext& ctx;
  int64_t now;

  Status audit(const std::string& action, int64_t order_id, std::string detail);
  // The order with its items, ledger and derived state. `lock` first takes
  // the order's row lock: every transaction that moves its money does.
  Result<Order> load(int64_t order_id, bool lock);
  Result<Order> load_by_no(const std::string& order_no, bool lock);
  Result<std::optional<Order>> load_of_appointment(int64_t appointment_id, bool lock);
  // A new bill with its charge entry.
  Result<Order> open_order(int64_t patient_id, std::optional<int64_t> appointment_id, const std::vector<OrderItem>& items,
                           const std::string& description, std::optional<int64_t> hold_until, const std::string& cause);
  Result<int64_t> append(const Order& o, const std::string& kind, int64_t amount, const std::string& method,
                         const std::string& reference, const std::string& cause, std::optional<int64_t> refund_of,
                         const std::string& reason, int64_t occurred_at);
  Result<Receipt> issue_receipt(int64_t ledger_id, const Order& o, const std::string& kind, const std::string& method,
                                int64_t amount, const std::string& reverses);
  // A payment and its receipt; then, if the order could not take it (closed
  // or paid already), its refund; else the appointment is confirmed.
  Result<Receipt> take_payment(const Order& o, const std::string& method, int64_t amount, const std::string& reference,
                               int64_t occurred_at);
  // A gateway payment, once (by its transaction id). Errors: not_found,
  // amount_mismatch.
  Status record_gateway(const Transaction& t);
  // Refunds `amount` (newest payments first), each with a refund job and a
  // receipt referring to the payment's.
  Result<std::vector<Receipt>> refund(const Order& o, int64_t amount, const std::string& cause,
                                      const std::string& reason);
  // Closes an order: refunds what was paid, then reverses the charge.
  Status close(const Order& o, const std::string& cause, const std::string& refund_reason);
};

}  // namespace stork::billing
