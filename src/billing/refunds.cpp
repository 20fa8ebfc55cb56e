// Giving money back: a clerk's refund, and carrying out refund jobs at the
// gateway and the insurer.
#include "billing/ledger_tx.hpp"
#include "billing/repo.hpp"
#include "core/log.hpp"
#include "crypto/hash.hpp"

namespace stork::billing {

Result<std::vector<Receipt>> BillingService::refund(const auth::Principal& who, int64_t order_id, const RefundAsk& ask,
                                                    const auth::RequestContext& ctx) {
  FieldErrors errors;
  if (ask.amount_fen <= 0) errors.add("amount_fen", "a positive whole number of fen");
  if (ask.reason.empty() || ask.reason.size() > 200) errors.add("reason", "say why, in 1 to 200 bytes");
  if (ask.idempotency_key.empty() || ask.idempotency_key.size() > 100)
    errors.add("Idempotency-Key", "send a header Idempotency-Key of 1 to 100 characters, new for each refund");
  if (auto s = errors.status(); !s) return fail(s.error());
  if (auto o = load_authorized(who, order_id); !o) return fail(o.error());
  const std::string hash = crypto::sha256_hex("refund|" + std::to_string(order_id) + "|" +
                                              std::to_string(ask.amount_fen) + "|" + ask.reason);
  const std::string scope = who.audit_name();
  auto out = store::write_tx(db_, [&](store::Connection& c) -> Result<std::vector<Receipt>> {
    Tx tx{*this, c, who.audit_name(), ctx, clock_.now_ms()};
    auto seen = c.query(sql::kSelectIdempotency, {scope, ask.idempotency_key});
    if (!seen) return fail(seen.error());
    if (!seen->empty()) {
      if ((*seen)[0].text(0) != hash)
        return fail(Error::conflict("idempotency_key_reused", "this Idempotency-Key was used for another request"));
      auto rows = c.query(sql::kReceiptOfLedger, {(*seen)[0].integer(1)});
      if (!rows) return fail(rows.error());
      return std::vector<Receipt>{decode_receipt((*rows)[0])};
    }
    auto o = tx.load(order_id, true);
    if (!o) return fail(o.error());
    if (o->refundable_fen == 0) return fail(Error::conflict("nothing_to_refund", "nothing paid on this order is left to refund"));
    if (ask.amount_fen > o->refundable_fen)
      return fail(Error{"refund_exceeds_payment",
                        "at most " + std::to_string(o->refundable_fen) + " fen can be refunded",
                        {{"amount_fen", "at most " + std::to_string(o->refundable_fen) + " fen, what was paid and not refunded"}},
                        {}}
                      .with("refundable_fen", o->refundable_fen));
    auto receipts = tx.refund(*o, ask.amount_fen, "clerk", ask.reason);
    if (!receipts) return receipts;
    if (auto r = c.execute(sql::kInsertIdempotency, {scope, ask.idempotency_key, hash, receipts->front().ledger_id, tx.now});
        !r)
      return fail(r.error());
    return receipts;
  });
  if (out) (void)process_refunds(ctx);  // the sweep retries what fails here
  return out;
}

Result<int> BillingService::process_refunds(const auth::RequestContext& ctx) {
  auto jobs = store::read_tx(db_, [&](store::Connection& c) { return c.query(sql::kPendingRefundJobs, {}); });
  if (!jobs) return fail(jobs.error());
  int done = 0;
  for (const auto& j : *jobs) {
    const std::string method = j.text(1), out_refund_no = j.text(2), payment_reference = j.text(3);
    const int64_t amount = j.integer(4), payment_fen = j.integer(5);
    std::string refund_id;
    int64_t when = clock_.now_ms();
    Status result;
    if (method == kMethodCash || method == kMethodCard) continue;  // handed over at the window: pay_out
    if (method == gateway_.name()) {
      auto r = gateway_.refund({j.text(6), out_refund_no, amount, payment_fen, "stork refund " + out_refund_no});
      if (!r) {
        result = fail(r.error());
      } else if (r->status != kRefundSuccess) {
        continue;  // PROCESSING: its notification, or the next sweep, finishes it
      } else {
        refund_id = r->refund_id;
        if (r->success_time_ms > 0) when = r->success_time_ms;
      }
    } else if (method == kMethodInsurance) {
      result = insurance_.reverse(payment_reference, out_refund_no, amount);
      refund_id = out_refund_no;
    }
    auto saved = db_.write([&](store::Connection& c) -> Status {
      auto r = result ? c.execute(sql::kRefundSucceeded, {out_refund_no, refund_id, when})
                      : c.execute(sql::kRefundAttemptFailed, {out_refund_no, result.error().message.substr(0, 300)});
      if (!r) return fail(r.error());
      if (result && *r == 1)
        return audit_.append(c, {"system", "billing.refund_done", "refund", out_refund_no, "success",
                                 method + " " + std::to_string(amount) + " fen"},
                             ctx);
      return {};
    });
    if (!saved) return fail(saved.error());
    if (result) ++done;
    else log::warn("refund not carried out yet", {{"out_refund_no", out_refund_no}, {"error", result.error().message}});
  }
  return done;
}

Result<Order> BillingService::pay_out(const auth::Principal& who, int64_t refund_id, const auth::RequestContext& ctx) {
  auto order_id = store::read_tx(db_, [&](store::Connection& c) -> Result<int64_t> {
    auto rows = c.query(sql::kRefundJobByLedger, {refund_id});
    if (!rows) return fail(rows.error());
    if (rows->empty()) return fail(Error::not_found("refund " + std::to_string(refund_id)));
    const auto& r = (*rows)[0];
    if (r.text(1) != kMethodCash && r.text(1) != kMethodCard)
      return fail(Error::conflict("invalid_state", "only cash and card refunds are handed over at the window"));
    if (r.text(2) != "pending") return fail(Error::conflict("invalid_state", "this refund was already paid out"));
    return r.integer(0);
  });
  if (!order_id) return fail(order_id.error());
  if (auto o = load_authorized(who, *order_id); !o) return o;
  auto done = db_.write([&](store::Connection& c) -> Status {
    auto rows = c.query(sql::kRefundJobByLedger, {refund_id});
    if (!rows) return fail(rows.error());
    auto r = c.execute(sql::kRefundSucceeded, {(*rows)[0].text(3), "window:" + who.username, clock_.now_ms()});
    if (!r) return fail(r.error());
    if (*r != 1) return fail(Error::conflict("invalid_state", "this refund was already paid out"));
    return audit_.append(c, {who.audit_name(), "billing.pay_out", "order", std::to_string(*order_id), "success",
                             "refund " + std::to_string(refund_id) + " handed over"},
                         ctx);
  });
  if (!done) return fail(done.error());
  return order(who, *order_id, ctx);
}

}  // namespace stork::billing
