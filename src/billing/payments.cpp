// Taking money: the mobile checkout and its notifications, the window's
// cash and card, the insurer's share.
#include "billing/ledger_tx.hpp"
#include "billing/order_state.hpp"
#include "billing/repo.hpp"
#include "crypto/hash.hpp"
#include "core/log.hpp"

namespace stork::billing {
namespace {

// Why an order cannot be paid now, if it cannot.
Status payable(const Order& o, int64_t now) {
  if (is_closed(o.sums)) return fail(Error::conflict("order_closed", "this order was " + o.state + "; nothing to pay"));
  if (o.outstanding_fen == 0) return fail(Error::conflict("already_paid", "this order is paid"));
  if (o.sums.paid == 0 && o.hold_until_ms && *o.hold_until_ms < now)
    return fail(Error::conflict("order_expired", "the payment window of this booking has passed; book again"));
  return {};
}

}  // namespace

Result<Prepay> BillingService::checkout(const auth::Principal& who, int64_t order_id, const auth::RequestContext& ctx) {
  auto o = load_authorized(who, order_id);
  if (!o) return fail(o.error());
  const int64_t now = clock_.now_ms();
  if (auto s = payable(*o, now); !s) return fail(s.error());
  auto stored = [&]() -> Result<std::optional<Prepay>> {
    return store::read_tx(db_, [&](store::Connection& c) -> Result<std::optional<Prepay>> {
      auto rows = c.query(sql::kSelectPrepay, {order_id});
      if (!rows) return fail(rows.error());
      if (rows->empty() || (*rows)[0].opt_integer(3)) return std::optional<Prepay>();
      return std::optional(Prepay{(*rows)[0].text(0), (*rows)[0].text(1)});
    });
  };
  auto existing = stored();
  if (!existing) return fail(existing.error());
  if (*existing) return **existing;

  PrepayRequest req;
  req.out_trade_no = o->order_no;
  req.description = o->description.substr(0, 120);
  req.amount_fen = o->outstanding_fen;
  req.expires_at_ms = o->hold_until_ms.value_or(now + 2 * 3'600'000);
  {
    std::lock_guard lock(urls_mutex_);
    req.notify_url = settings_.notify_url;
    req.return_url = settings_.return_url + (settings_.return_url.find('?') == std::string::npos ? "?" : "&") +
                     "order=" + std::to_string(order_id);
  }
  auto prepay = gateway_.create_prepay(req);
  if (!prepay) {
    // A racing call may have created it first.
    if (auto again = stored(); again && *again) return **again;
    return fail(prepay.error());
  }
  auto saved = db_.write([&](store::Connection& c) -> Status {
    if (auto r = c.execute(sql::kInsertPrepay, {order_id, std::string(gateway_.name()), prepay->prepay_id,
                                                prepay->pay_url, req.amount_fen, req.expires_at_ms, now});
        !r)
      return fail(r.error());
    return audit_.append(c, {who.audit_name(), "billing.checkout", "order", std::to_string(order_id), "success",
                             std::to_string(req.amount_fen) + " fen"},
                         ctx);
  });
  if (!saved) return fail(saved.error());
  auto final = stored();
  if (!final) return fail(final.error());
  return final->value_or(*prepay);
}

Result<Order> BillingService::sync(const auth::Principal& who, int64_t order_id, const auth::RequestContext& ctx) {
  auto o = load_authorized(who, order_id);
  if (!o) return o;
  if (o->pay_url || o->state == "expired" || o->state == "cancelled") {
    auto t = gateway_.query(o->order_no);
    if (t && (t->trade_state == kTradeSuccess || t->trade_state == kTradeRefund)) {
      if (auto s = record_gateway_payment(*t, who.audit_name(), ctx); !s) return fail(s.error());
      (void)process_refunds(ctx);
    }
    if (!t && t.error().code != "not_found") return fail(t.error());
  }
  return order(who, order_id, ctx);
}

Status BillingService::Tx::record_gateway(const Transaction& t) {
  auto o = load_by_no(t.out_trade_no, true);
  if (!o) return fail(o.error());
  const std::string method(s.gateway_.name());
  auto seen = c.query(sql::kPaymentByReference, {method, t.transaction_id});
  if (!seen) return fail(seen.error());
  if (!seen->empty()) return {};  // recorded before: a repeat moves nothing
  auto expected = c.query(sql::kPrepayAmount, {o->id});
  if (!expected) return fail(expected.error());
  if (expected->empty())
    return fail(Error::not_found("a checkout for order " + t.out_trade_no));
  if ((*expected)[0].integer(0) != t.amount_fen)
    return fail(Error{"amount_mismatch", "the gateway reports " + std::to_string(t.amount_fen) +
                                             " fen but the checkout was for " +
                                             std::to_string((*expected)[0].integer(0)),
                      {{"amount", "differs from the order's checkout"}}, {}});
  auto p = take_payment(*o, method, t.amount_fen, t.transaction_id, t.success_time_ms > 0 ? t.success_time_ms : now);
  return p ? Status{} : fail(p.error());
}

Status BillingService::record_gateway_payment(const Transaction& t, const std::string& actor,
                                              const auth::RequestContext& ctx) {
  return db_.write([&](store::Connection& c) -> Status {
    Tx tx{*this, c, actor, ctx, clock_.now_ms()};
    return tx.record_gateway(t);
  });
}

Status BillingService::handle_notification(const std::map<std::string, std::string>& headers, std::string_view body,
                                           const auth::RequestContext& ctx) {
  const int64_t now = clock_.now_ms();
  auto refuse = [&](const Error& e) -> Status {
    (void)audit_.append(db_, {"gateway", "billing.notification", "gateway", std::string(gateway_.name()), "denied",
                              e.code + ": " + e.message.substr(0, 200)},
                        ctx);
    return fail(e);
  };
  auto notice = gateway_.open_notification(headers, body, now);
  if (!notice) return refuse(notice.error());
  // A nonce counts once, in the same transaction as what it carries: a
  // replayed notification is refused, a failed one can come again.
  auto with_nonce = [&](auto&& work) -> Status {
    return db_.write([&](store::Connection& c) -> Status {
      auto n = c.execute(sql::kInsertNonce, {notice->nonce, now});
      if (!n) return fail(n.error());
      if (*n == 0) return fail(Error{"nonce_reused", "this notification's nonce was seen before (a replay)", {}, {}});
      return work(c);
    });
  };
  if (notice->transaction && (notice->transaction->trade_state == kTradeSuccess)) {
    const Transaction t = *notice->transaction;
    auto r = with_nonce([&](store::Connection& c) -> Status {
      Tx tx{*this, c, "gateway", ctx, now};
      return tx.record_gateway(t);
    });
    if (!r && (r.error().code == "amount_mismatch" || r.error().code == "not_found" || r.error().code == "nonce_reused"))
      return refuse(r.error());
    if (r) (void)process_refunds(ctx);  // a late or duplicate payment goes back now; the sweep retries failures
    return r;
  }
  if (notice->refund && notice->refund->status == kRefundSuccess) {
    const RefundResult rr = *notice->refund;
    auto r = with_nonce([&](store::Connection& c) -> Status {
      auto done = c.execute(sql::kRefundSucceeded,
                            {rr.out_refund_no, rr.refund_id, rr.success_time_ms > 0 ? rr.success_time_ms : now});
      return done ? Status{} : fail(done.error());
    });
    return !r && r.error().code == "nonce_reused" ? refuse(r.error()) : r;
  }
  auto r = with_nonce([](store::Connection&) -> Status { return {}; });  // other events: acknowledged
  return !r && r.error().code == "nonce_reused" ? refuse(r.error()) : r;
}

Result<Receipt> BillingService::pay_at_window(const auth::Principal& who, int64_t order_id, const WindowPayment& pay,
                                              const auth::RequestContext& ctx) {
  FieldErrors errors;
  if (pay.method != kMethodCash && pay.method != kMethodCard) errors.add("method", "cash or card at the window");
  if (pay.amount_fen <= 0) errors.add("amount_fen", "a positive whole number of fen");
  if (pay.reference.size() > 64) errors.add("reference", "at most 64 bytes");
  if (pay.method == kMethodCard && pay.reference.empty()) errors.add("reference", "the card terminal's reference");
  if (pay.idempotency_key.empty() || pay.idempotency_key.size() > 100)
    errors.add("Idempotency-Key", "send a header Idempotency-Key of 1 to 100 characters, new for each payment");
  if (auto s = errors.status(); !s) return fail(s.error());
  if (auto o = load_authorized(who, order_id); !o) return fail(o.error());
  const std::string hash = crypto::sha256_hex("pay|" + std::to_string(order_id) + "|" + pay.method + "|" +
                                              std::to_string(pay.amount_fen) + "|" + pay.reference);
  const std::string scope = who.audit_name();
  return store::write_tx(db_, [&](store::Connection& c) -> Result<Receipt> {
    Tx tx{*this, c, who.audit_name(), ctx, clock_.now_ms()};
    auto seen = c.query(sql::kSelectIdempotency, {scope, pay.idempotency_key});
    if (!seen) return fail(seen.error());
    if (!seen->empty()) {
      if ((*seen)[0].text(0) != hash)
        return fail(Error::conflict("idempotency_key_reused", "this Idempotency-Key was used for another payment"));
      auto rows = c.query(sql::kReceiptOfLedger, {(*seen)[0].integer(1)});
      if (!rows) return fail(rows.error());
      return decode_receipt((*rows)[0]);
    }
    auto o = tx.load(order_id, true);
    if (!o) return fail(o.error());
    if (auto s = payable(*o, tx.now); !s) return fail(s.error());
    if (pay.amount_fen != o->outstanding_fen)
      return fail(Error{"amount_mismatch",
                        "the amount due is " + std::to_string(o->outstanding_fen) + " fen",
                        {{"amount_fen", "must equal the amount due, " + std::to_string(o->outstanding_fen) + " fen"}},
                        {}}
                      .with("outstanding_fen", o->outstanding_fen));
    const std::string reference = pay.method == kMethodCard ? pay.reference : "";
    auto receipt = tx.take_payment(*o, pay.method, pay.amount_fen, reference, tx.now);
    if (!receipt) return fail(receipt.error());
    if (auto r = c.execute(sql::kInsertIdempotency, {scope, pay.idempotency_key, hash, receipt->ledger_id, tx.now}); !r)
      return fail(r.error());
    return receipt;
  });
}

Result<Order> BillingService::settle_insurance(const auth::Principal& who, int64_t order_id,
                                               const std::string& insurance_no, const auth::RequestContext& ctx) {
  auto o = load_authorized(who, order_id);
  if (!o) return o;
  if (auto s = payable(*o, clock_.now_ms()); !s) return fail(s.error());
  if (o->sums.paid > 0 || o->pay_url)
    return fail(Error::conflict("invalid_state", "the insurer settles first, before the patient pays her share"));
  auto settled = insurance_.settle(insurance_no, o->order_no, o->items);
  if (!settled) return fail(settled.error());
  if (settled->insurer_fen > 0) {
    auto r = db_.write([&](store::Connection& c) -> Status {
      Tx tx{*this, c, who.audit_name(), ctx, clock_.now_ms()};
      auto locked = tx.load(order_id, true);
      if (!locked) return fail(locked.error());
      if (locked->sums.paid > 0) return {};  // settled meanwhile (same settlement id)
      auto p = tx.take_payment(*locked, kMethodInsurance, std::min(settled->insurer_fen, locked->outstanding_fen),
                               settled->settlement_id, tx.now);
      return p ? Status{} : fail(p.error());
    });
    if (!r) return fail(r.error());
  }
  return order(who, order_id, ctx);
}

}  // namespace stork::billing
