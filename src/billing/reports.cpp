// The manager's view: a day's takings and the reconciliation with the
// gateway's statement.
#include <map>

#include "billing/ledger_tx.hpp"
#include "billing/repo.hpp"

namespace stork::billing {

Result<Takings> BillingService::takings(const std::string& requested) {
  const std::string date = requested.empty() ? local_day(clock_.now_ms()) : requested;
  auto bounds = local_day_bounds(date);
  if (!bounds) return fail(bounds.error());
  return store::read_tx(db_, [&](store::Connection& c) -> Result<Takings> {
    auto rows = c.query(sql::kMoneyBetween, {bounds->first, bounds->second});
    if (!rows) return fail(rows.error());
    Takings t;
    t.date = date;
    std::map<std::string, Takings::Line> by_method;
    for (const auto& r : *rows) {
      const std::string kind = r.text(2), method = r.text(4), cause = r.text(6);
      const int64_t amount = r.integer(3);
      auto& line = by_method[method];
      line.method = method;
      if (kind == "payment") {
        ++line.payments;
        line.paid_fen += amount;
        t.net_fen += amount;
      } else {
        ++line.refunds;
        line.refunded_fen += amount;
        t.net_fen -= amount;
        if (cause == "late_payment" || cause == "duplicate_payment") ++t.auto_refunds;
      }
    }
    for (auto& [_, line] : by_method) t.by_method.push_back(line);
    auto created = c.query(sql::kOrdersCreatedBetween, {bounds->first, bounds->second});
    if (!created) return fail(created.error());
    Tx tx{*this, c, "system", {}, clock_.now_ms()};
    for (const auto& r : *created) {
      auto o = tx.load(r.integer(0), false);
      if (!o) return fail(o.error());
      if (o->state == "unpaid" || o->state == "partially_paid") ++t.orders_open;
      if (o->sums.paid > 0) ++t.orders_paid;
    }
    return t;
  });
}

Result<Reconciliation> BillingService::reconcile(const std::string& requested) {
  const std::string date = requested.empty() ? local_day(clock_.now_ms()) : requested;
  auto bounds = local_day_bounds(date);
  if (!bounds) return fail(bounds.error());
  auto statement = gateway_.statement(date);
  if (!statement) return fail(statement.error());
  auto ledger = store::read_tx(db_, [&](store::Connection& c) -> Result<std::vector<LedgerMovement>> {
    std::vector<LedgerMovement> out;
    auto payments = c.query(sql::kGatewayPaymentsBetween, {bounds->first, bounds->second});
    if (!payments) return fail(payments.error());
    for (const auto& r : *payments) out.push_back({"payment", r.text(0), r.text(2), r.integer(1), "SUCCESS"});
    auto refunds = c.query(sql::kGatewayRefundsBetween, {bounds->first, bounds->second});
    if (!refunds) return fail(refunds.error());
    for (const auto& r : *refunds)
      out.push_back({"refund", r.text(0), r.text(4), r.integer(2), r.text(3) == "succeeded" ? "SUCCESS" : "PENDING"});
    return out;
  });
  if (!ledger) return fail(ledger.error());
  return reconcile_lines(date, *ledger, *statement);
}

}  // namespace stork::billing
