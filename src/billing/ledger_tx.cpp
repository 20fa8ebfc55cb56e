#include "billing/ledger_tx.hpp"

#include <algorithm>
#include <cstdio>

#include "billing/order_state.hpp"
#include "billing/repo.hpp"
#include "core/civil_date.hpp"
#include "crypto/random.hpp"

namespace stork::billing {
namespace {

Order decode_order(const store::Row& r) {
  Order o;
  o.id = r.integer(0);
  o.order_no = r.text(1);
  o.patient_id = r.integer(2);
  o.appointment_id = r.opt_integer(3);
  o.description = r.text(4);
  o.total_fen = r.integer(5);
  o.hold_until_ms = r.opt_integer(6);
  o.created_by = r.text(7);
  o.created_at_ms = r.integer(8);
  return o;
}

LedgerEntry decode_entry(const store::Row& r) {
  LedgerEntry e;
  e.id = r.integer(0);
  e.order_id = r.integer(1);
  e.kind = r.text(2);
  e.amount_fen = r.integer(3);
  e.method = r.text(4);
  e.reference = r.text(5);
  e.cause = r.text(6);
  e.refund_of = r.opt_integer(7);
  e.reason = r.text(8);
  e.actor = r.text(9);
  e.occurred_at_ms = r.integer(10);
  e.recorded_at_ms = r.integer(11);
  e.receipt_no = r.text(12);
  e.refund_status = r.text(13);
  return e;
}

}  // namespace

Receipt decode_receipt(const store::Row& r) {
  Receipt x;
  x.receipt_no = r.text(0);
  x.ledger_id = r.integer(1);
  x.order_id = r.integer(2);
  x.patient_id = r.integer(3);
  x.kind = r.text(4);
  x.method = r.text(5);
  x.amount_fen = r.integer(6);
  x.issued_at_ms = r.integer(7);
  x.reverses = r.text(8);
  x.order_no = r.text(9);
  x.description = r.text(10);
  return x;
}

Status BillingService::Tx::audit(const std::string& action, int64_t order_id, std::string detail) {
  return s.audit_.append(c, {actor, action, "order", std::to_string(order_id), "success", std::move(detail)}, ctx);
}

Result<Order> BillingService::Tx::load(int64_t order_id, bool lock) {
  if (lock) {
    auto locked = c.execute(sql::kLockOrder, {order_id});
    if (!locked) return fail(locked.error());
    if (*locked == 0) return fail(Error::not_found("order " + std::to_string(order_id)));
  }
  auto rows = c.query(sql::kSelectOrder, {order_id});
  if (!rows) return fail(rows.error());
  if (rows->empty()) return fail(Error::not_found("order " + std::to_string(order_id)));
  Order o = decode_order((*rows)[0]);
  auto items = c.query(sql::kOrderItems, {o.id});
  if (!items) return fail(items.error());
  for (const auto& r : *items)
    o.items.push_back({r.text(0), r.text(1), r.text(2), static_cast<int>(r.integer(3)), r.integer(4), r.integer(5),
                       static_cast<int>(r.integer(6))});
  auto ledger = c.query(sql::kLedgerOfOrder, {o.id});
  if (!ledger) return fail(ledger.error());
  for (const auto& r : *ledger) {
    LedgerEntry e = decode_entry(r);
    if (e.kind == "charge") o.sums.charged += e.amount_fen;
    if (e.kind == "payment") o.sums.paid += e.amount_fen;
    if (e.kind == "refund") o.sums.refunded += e.amount_fen;
    if (e.kind == "reversal") {
      o.sums.reversed += e.amount_fen;
      o.sums.reversal_cause = e.cause;
    }
    o.ledger.push_back(std::move(e));
  }
  const bool hold_expired = o.hold_until_ms && *o.hold_until_ms < now;
  o.state = derive_state(o.sums, hold_expired);
  o.outstanding_fen = outstanding(o.sums);
  o.refundable_fen = o.sums.paid - o.sums.refunded;
  auto prepay = c.query(sql::kSelectPrepay, {o.id});
  if (!prepay) return fail(prepay.error());
  if (!prepay->empty() && !(*prepay)[0].opt_integer(3) && o.outstanding_fen > 0) o.pay_url = (*prepay)[0].text(1);
  return o;
}

Result<Order> BillingService::Tx::load_by_no(const std::string& order_no, bool lock) {
  auto rows = c.query(sql::kSelectOrderByNo, {order_no});
  if (!rows) return fail(rows.error());
  if (rows->empty()) return fail(Error::not_found("order " + order_no));
  return load((*rows)[0].integer(0), lock);
}

Result<std::optional<Order>> BillingService::Tx::load_of_appointment(int64_t appointment_id, bool lock) {
  auto rows = c.query(sql::kOrderOfAppointment, {appointment_id});
  if (!rows) return fail(rows.error());
  if (rows->empty()) return std::optional<Order>();
  auto o = load((*rows)[0].integer(0), lock);
  if (!o) return fail(o.error());
  return std::optional<Order>(std::move(*o));
}

Result<Order> BillingService::Tx::open_order(int64_t patient_id, std::optional<int64_t> appointment_id,
                                             const std::vector<OrderItem>& items, const std::string& description,
                                             std::optional<int64_t> hold_until, const std::string& cause) {
  int64_t total = 0;
  for (const auto& item : items) total += item.amount_fen;
  // "SO" + local date + 10 random digits: unique (the column says so) and
  // not guessable from another patient's order number.
  const CivilDate day = local_date(now, s.settings_.utc_offset_minutes);
  std::string random;
  for (unsigned char b : crypto::random_bytes(10)) random += static_cast<char>('0' + b % 10);
  char date[16];
  std::snprintf(date, sizeof date, "%04d%02d%02d", day.year, day.month, day.day);
  const std::string order_no = "SO" + std::string(date) + random;
  auto inserted = c.query(sql::kInsertOrder, {order_no, patient_id, store::nullable(appointment_id), description, total,
                                              store::nullable(hold_until), actor, now});
  if (!inserted) return fail(inserted.error());
  const int64_t id = (*inserted)[0].integer(0);
  for (size_t i = 0; i < items.size(); ++i) {
    const auto& it = items[i];
    if (auto r = c.execute(sql::kInsertOrderItem, {id, static_cast<int64_t>(i + 1), it.fee_code, it.name_zh, it.name_en,
                                                   int64_t{it.quantity}, it.unit_fen, it.amount_fen,
                                                   int64_t{it.insurance_percent}});
        !r)
      return fail(r.error());
  }
  auto o = load(id, false);
  if (!o) return o;
  if (auto r = append(*o, "charge", total, "", "", cause, std::nullopt, description, now); !r) return fail(r.error());
  if (auto a = audit("billing.order", id, "patient " + std::to_string(patient_id) + ", " + std::to_string(total) + " fen");
      !a)
    return fail(a.error());
  return load(id, false);
}

Result<int64_t> BillingService::Tx::append(const Order& o, const std::string& kind, int64_t amount,
                                           const std::string& method, const std::string& reference,
                                           const std::string& cause, std::optional<int64_t> refund_of,
                                           const std::string& reason, int64_t occurred_at) {
  auto r = c.query(sql::kAppendLedger, {o.id, kind, amount, method, reference, cause, store::nullable(refund_of), reason,
                                        actor, occurred_at, now});
  if (!r) return fail(r.error());
  return (*r)[0].integer(0);
}

Result<Receipt> BillingService::Tx::issue_receipt(int64_t ledger_id, const Order& o, const std::string& kind,
                                                  const std::string& method, int64_t amount,
                                                  const std::string& reverses) {
  const CivilDate day = local_date(now, s.settings_.utc_offset_minutes);
  char no[40];
  std::snprintf(no, sizeof no, "%s%04d%02d%02d%010lld", kind == "refund" ? "RF" : "RC", day.year, day.month, day.day,
                static_cast<long long>(ledger_id));
  if (auto r = c.execute(sql::kInsertReceipt, {std::string(no), ledger_id, o.id, o.patient_id, kind, method, amount, now,
                                               reverses});
      !r)
    return fail(r.error());
  auto rows = c.query(sql::kReceiptOfLedger, {ledger_id});
  if (!rows) return fail(rows.error());
  return decode_receipt((*rows)[0]);
}

Result<Receipt> BillingService::Tx::take_payment(const Order& o, const std::string& method, int64_t amount,
                                                 const std::string& reference, int64_t occurred_at) {
  const bool closed = is_closed(o.sums);
  const bool settled = o.outstanding_fen == 0;
  auto id = append(o, "payment", amount, method, reference, "", std::nullopt, "", occurred_at);
  if (!id) return fail(id.error());
  auto receipt = issue_receipt(*id, o, "payment", method, amount, "");
  if (!receipt) return receipt;
  if (auto a = audit("billing.payment", o.id, method + " " + std::to_string(amount) + " fen, receipt " + receipt->receipt_no);
      !a)
    return fail(a.error());
  auto now_order = load(o.id, false);
  if (!now_order) return fail(now_order.error());
  if (closed || settled) {
    // Money the order cannot take goes straight back, visibly.
    const std::string cause = closed ? "late_payment" : "duplicate_payment";
    const std::string why = closed ? "payment arrived after the order was closed; refunded automatically"
                                   : "the order was already paid; this payment is refunded automatically";
    if (auto r = refund(*now_order, amount, cause, why); !r) return fail(r.error());
    return receipt;
  }
  if (o.appointment_id && now_order->outstanding_fen == 0) {
    auto live = s.booking_.mark_paid(c, *o.appointment_id);
    if (!live) return fail(live.error());
    if (!*live) {
      // The appointment ended without her (no-show, completed elsewhere):
      // nothing to confirm, so the money goes back.
      if (auto r = refund(*now_order, now_order->refundable_fen, "late_payment",
                          "the appointment is no longer live; refunded automatically");
          !r)
        return fail(r.error());
    }
  }
  return receipt;
}

Result<std::vector<Receipt>> BillingService::Tx::refund(const Order& o, int64_t amount, const std::string& cause,
                                                        const std::string& reason) {
  // What each payment still has, newest first.
  std::vector<std::pair<const LedgerEntry*, int64_t>> payments;
  for (auto it = o.ledger.rbegin(); it != o.ledger.rend(); ++it) {
    if (it->kind != "payment") continue;
    int64_t left = it->amount_fen;
    for (const auto& e : o.ledger)
      if (e.kind == "refund" && e.refund_of == it->id) left -= e.amount_fen;
    if (left > 0) payments.push_back({&*it, left});
  }
  // The last payment (a late or duplicate one) is refunded before older ones.
  std::vector<Receipt> out;
  int64_t remaining = amount;
  for (const auto& [payment, left] : payments) {
    if (remaining == 0) break;
    const int64_t part = std::min(remaining, left);
    int seq = 1;
    for (const auto& e : o.ledger)
      if (e.kind == "refund" && e.refund_of == payment->id) ++seq;
    // Our refund number at the gateway: 6 to 32 characters, unique per refund.
    char out_refund_no[40];
    std::snprintf(out_refund_no, sizeof out_refund_no, "RF%010lld-%d", static_cast<long long>(payment->id), seq);
    auto id = append(o, "refund", part, payment->method, std::string(out_refund_no), cause, payment->id, reason, now);
    if (!id) return fail(id.error());
    // A clerk refunding at the window pays cash or card back on the spot.
    // Cash or card owed by a rule (an online cancellation) waits until a
    // clerk hands it over (pay_out); the gateway and the insurer are asked
    // after commit.
    const bool at_window = payment->method == kMethodCash || payment->method == kMethodCard;
    const bool at_once = at_window && cause == "clerk";
    if (auto r = c.execute(sql::kInsertRefundJob,
                           {*id, o.id, payment->method, std::string(out_refund_no), payment->reference, part, payment->amount_fen,
                            std::string(at_once ? "succeeded" : "pending"), now,
                            at_once ? store::Value(now) : store::Value(), std::string()});
        !r)
      return fail(r.error());
    auto receipt = issue_receipt(*id, o, "refund", payment->method, part, payment->receipt_no);
    if (!receipt) return fail(receipt.error());
    if (auto a = audit("billing.refund", o.id, cause + ": " + std::to_string(part) + " fen of receipt " + payment->receipt_no);
        !a)
      return fail(a.error());
    out.push_back(*receipt);
    remaining -= part;
  }
  return out;
}

Status BillingService::Tx::close(const Order& o, const std::string& cause, const std::string& refund_reason) {
  if (is_closed(o.sums)) return {};
  if (o.refundable_fen > 0)
    if (auto r = refund(o, o.refundable_fen, "rule", refund_reason); !r) return fail(r.error());
  auto id = append(o, "reversal", o.sums.charged, "", "", cause, std::nullopt, refund_reason, now);
  if (!id) return fail(id.error());
  return audit("billing.close", o.id, cause);
}

}  // namespace stork::billing
