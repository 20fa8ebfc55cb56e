// The periodic work that makes the gateway and the ledger agree without
// relying on notifications: expiring unpaid holds (closing the checkout
// first), asking about silent checkouts, closing checkouts of closed
// orders, carrying out refunds.
#include "billing/ledger_tx.hpp"
#include "billing/order_state.hpp"
#include "billing/repo.hpp"
#include "core/log.hpp"

namespace stork::billing {

Result<SweepReport> BillingService::sweep(const auth::RequestContext& ctx) {
  SweepReport report;
  const int64_t now = clock_.now_ms();
  // One order's trouble (a gateway refusal, an amount that does not match)
  // must not stop the others: it is logged, counted and tried next time.
  auto skip = [&](const std::string& order_no, const Error& e) {
    ++report.failures;
    log::warn("billing sweep skipped an order", {{"order_no", order_no}, {"code", e.code}, {"error", e.message}});
  };
  // A payment the gateway took: recorded like its notification would be.
  auto found_paid = [&](const std::string& order_no) -> Result<bool> {
    auto t = gateway_.query(order_no);
    if (!t) return t.error().code == "not_found" ? Result<bool>(false) : fail(t.error());
    if (t->trade_state != kTradeSuccess && t->trade_state != kTradeRefund) return false;
    if (auto s = record_gateway_payment(*t, "system", ctx); !s) return fail(s.error());
    ++report.payments_found;
    return true;
  };

  auto holds = store::read_tx(db_, [&](store::Connection& c) { return c.query(sql::kExpiredHolds, {now}); });
  if (!holds) return fail(holds.error());
  for (const auto& h : *holds) {
    const int64_t order_id = h.integer(0);
    const std::string order_no = h.text(1);
    auto prepay = store::read_tx(db_, [&](store::Connection& c) { return c.query(sql::kSelectPrepay, {order_id}); });
    if (!prepay) return fail(prepay.error());
    if (!prepay->empty() && !(*prepay)[0].opt_integer(3)) {
      // Close the checkout first so nothing can be paid after we let go.
      if (auto closed = gateway_.close(order_no); !closed) {
        if (closed.error().code == "gateway_unavailable") continue;  // hold a little longer
        auto paid = found_paid(order_no);  // refused: it was paid first
        if (!paid) {
          skip(order_no, paid.error());
          continue;
        }
        if (*paid) continue;
      }
    }
    auto released = db_.write([&](store::Connection& c) -> Status {
      Tx tx{*this, c, "system", ctx, clock_.now_ms()};
      auto o = tx.load(order_id, true);
      if (!o) return fail(o.error());
      if (o->sums.paid > 0 || is_closed(o->sums)) return {};  // paid or closed meanwhile
      if (auto r = c.execute(sql::kClosePrepay, {order_id, tx.now}); !r) return fail(r.error());
      if (o->appointment_id) {
        auto r = booking_.release_unpaid(c, *o->appointment_id, "payment window expired", ctx);
        if (!r) return fail(r.error());
        if (*r) return {};  // the appointment's hook closed the order
      }
      return tx.close(*o, "expired", "payment window expired");
    });
    if (!released) {
      skip(order_no, released.error());
      continue;
    }
    ++report.expired;
  }

  auto silent = store::read_tx(db_, [&](store::Connection& c) {
    return c.query(sql::kSilentPrepays, {now - int64_t{settings_.query_after_seconds} * 1000});
  });
  if (!silent) return fail(silent.error());
  for (const auto& s : *silent)
    if (auto r = found_paid(s.text(0)); !r && r.error().code != "gateway_unavailable") skip(s.text(0), r.error());

  auto to_close = store::read_tx(db_, [&](store::Connection& c) { return c.query(sql::kPrepaysToClose, {}); });
  if (!to_close) return fail(to_close.error());
  for (const auto& p : *to_close) {
    const std::string order_no = p.text(0);
    if (auto closed = gateway_.close(order_no); !closed) {
      if (closed.error().code == "gateway_unavailable") continue;
      if (auto r = found_paid(order_no); !r) {  // paid first: recorded and refunded
        skip(order_no, r.error());
        continue;
      }
    }
    auto marked = db_.write([&](store::Connection& c) -> Status {
      auto r = c.execute(sql::kClosePrepay, {p.integer(1), clock_.now_ms()});
      return r ? Status{} : fail(r.error());
    });
    if (!marked) {
      skip(order_no, marked.error());
      continue;
    }
    ++report.prepays_closed;
  }

  auto refunds = process_refunds(ctx);
  if (!refunds) return fail(refunds.error());
  report.refunds_done = *refunds;
  auto pruned = db_.write([&](store::Connection& c) -> Status {
    auto r = c.execute(sql::kPruneNonces, {now - 3'600'000});
    return r ? Status{} : fail(r.error());
  });
  if (!pruned) return fail(pruned.error());
  return report;
}

}  // namespace stork::billing
