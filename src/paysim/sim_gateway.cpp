#include "paysim/sim_gateway.hpp"

#include "billing/wechat_time.hpp"
#include "crypto/random.hpp"
#include "paysim/statement.hpp"

namespace stork::paysim {
namespace {

namespace json = boost::json;

constexpr size_t kKeptBills = 64;

}  // namespace

SimGateway::SimGateway(const Clock& clock, const NoticeMaker& maker, Outbox& outbox,
                       Options options)
    : clock_(clock),
      maker_(maker),
      outbox_(outbox),
      options_(options),
      faults_(options.faults),
      rng_(options.seed) {}

bool SimGateway::chance(double p) {
  if (p <= 0) return false;  // no draw: enabling one fault does not reshuffle runs without it
  return std::uniform_real_distribution<double>(0, 1)(rng_) < p;
}

std::chrono::milliseconds SimGateway::random_delay() {
  if (faults_.delay_ms <= 0) return std::chrono::milliseconds(0);
  return std::chrono::milliseconds(std::uniform_int_distribution<int>(0, faults_.delay_ms)(rng_));
}

Outcome<SimTrade> SimGateway::prepay(const PrepayParams& p) {
  std::lock_guard lock(mutex_);
  auto t = book_.prepay(p, clock_.now_ms());
  if (!t) return std::unexpected(t.error());
  return **t;
}

Outcome<SimTrade> SimGateway::pay(const std::string& out_trade_no) {
  std::lock_guard lock(mutex_);
  // Drawn only for an order that looks payable, so refusals such as
  // ORDERPAID do not shift the seeded sequence.
  const SimTrade* known = book_.trade(out_trade_no);
  const bool silent =
      known && known->times_paid == 0 && known->state == "NOTPAY" && chance(faults_.drop);
  auto t = book_.pay(out_trade_no, clock_.now_ms(), silent);
  if (!t) return std::unexpected(t.error());
  if (!(*t)->silent) notify_payment(**t);
  return **t;
}

Outcome<SimTrade> SimGateway::close(const std::string& out_trade_no) {
  std::lock_guard lock(mutex_);
  auto t = book_.close(out_trade_no);
  if (!t) return std::unexpected(t.error());
  return **t;
}

Outcome<SimTrade> SimGateway::query(const std::string& out_trade_no) const {
  std::lock_guard lock(mutex_);
  const SimTrade* t = book_.trade(out_trade_no);
  if (!t) return std::unexpected(GatewayError{404, "ORDER_NOT_EXIST", "订单不存在 no such order"});
  return *t;
}

Outcome<SimTrade> SimGateway::by_prepay(const std::string& prepay_id) const {
  std::lock_guard lock(mutex_);
  const SimTrade* t = book_.trade_by_prepay(prepay_id);
  if (!t) return std::unexpected(GatewayError{404, "ORDER_NOT_EXIST", "订单不存在 no such order"});
  return *t;
}

Outcome<std::pair<SimRefund, SimTrade>> SimGateway::refund(const RefundParams& p) {
  std::lock_guard lock(mutex_);
  // Decided up front; used only when the refund is new.
  const bool processing = !book_.refund(p.out_refund_no) && chance(faults_.refund_processing);
  bool created = false;
  auto r = book_.refund(p, processing, clock_.now_ms(), &created);
  if (!r) return std::unexpected(r.error());
  const SimRefund refund = **r;
  const SimTrade trade = *book_.trade(refund.out_trade_no);
  if (created && refund.status == "SUCCESS" && !trade.silent) notify_refund(refund, trade);
  if (created && refund.status == "PROCESSING") {
    outbox_.at(options_.refund_settle, [this, no = refund.out_refund_no] {
      std::lock_guard settle_lock(mutex_);
      const SimRefund* settled = book_.settle(no, clock_.now_ms());
      if (!settled) return;
      const SimTrade* t = book_.trade(settled->out_trade_no);
      if (t && !t->silent) notify_refund(*settled, *t);
    });
  }
  return std::pair{refund, trade};
}

Outcome<std::pair<SimRefund, SimTrade>> SimGateway::query_refund(
    const std::string& out_refund_no) const {
  std::lock_guard lock(mutex_);
  const SimRefund* r = book_.refund(out_refund_no);
  if (!r)
    return std::unexpected(GatewayError{404, "RESOURCE_NOT_EXISTS", "退款单不存在 no such refund"});
  return std::pair{*r, *book_.trade(r->out_trade_no)};
}

void SimGateway::notify_payment(const SimTrade& t) {
  const int64_t now = clock_.now_ms();
  // A forger claims another amount; 1 fen is the cheapest lie.
  const int64_t claimed = t.amount_fen == 1 ? 100 : 1;
  send({t.out_trade_no, "", "TRANSACTION.SUCCESS", "original", t.notify_url},
       maker_.transaction_body(t, now),
       faults_.forge > 0 ? maker_.transaction_body(t, now, claimed) : "");
}

void SimGateway::notify_refund(const SimRefund& r, const SimTrade& t) {
  const int64_t now = clock_.now_ms();
  send({t.out_trade_no, r.out_refund_no, "REFUND.SUCCESS", "original", t.notify_url},
       maker_.refund_body(r, t, now),
       faults_.forge > 0
           ? maker_.refund_body(r, t, now,
                                t.amount_fen == r.amount_fen ? r.amount_fen + 1 : t.amount_fen)
           : "");
}

void SimGateway::send(OutgoingNotice base, const std::string& genuine_body,
                      const std::string& forged_body) {
  OutgoingNotice original = base;
  original.body = genuine_body;
  original.delay = random_delay();
  if (chance(faults_.replay)) original.replay_after = options_.replay_after + random_delay();
  outbox_.post(std::move(original));

  if (chance(faults_.duplicate)) {
    OutgoingNotice copy = base;
    copy.kind = "duplicate";
    copy.body = genuine_body;  // same notification id: WeChat's re-sends carry it too
    copy.delay = random_delay();
    outbox_.post(std::move(copy));
  }

  if (!forged_body.empty() && chance(faults_.forge)) {
    // A genuine signature, but over other bytes than the ones sent.
    Envelope forged = maker_.sign(genuine_body, clock_.now_ms());
    forged.body = forged_body;
    OutgoingNotice fake = base;
    fake.kind = "forged";
    fake.body = forged_body;
    fake.verbatim = std::move(forged);
    fake.delay = random_delay();
    outbox_.post(std::move(fake));
  }
}

Outcome<std::string> SimGateway::trade_bill(CivilDate day) const {
  std::lock_guard lock(mutex_);
  if (day > local_date(clock_.now_ms(), maker_.utc_offset_minutes()))
    return std::unexpected(GatewayError{400, "PARAM_ERROR", "bill_date is in the future"});
  // Unlike the real gateway (bills after 10:00 the next day) today's bill is
  // available at once, as it stands, so tests need not wait a day.
  std::string csv = write_trade_bill(book_, day, maker_.utc_offset_minutes(), maker_.mchid());
  if (csv.empty())
    return std::unexpected(
        GatewayError{400, "NO_STATEMENT_EXIST", "账单文件不存在 no bill for that date"});
  return csv;
}

std::string SimGateway::keep_bill(std::string csv) {
  std::lock_guard lock(mutex_);
  const std::string token = crypto::random_hex(16);
  bills_[token] = std::move(csv);
  bill_tokens_.push_back(token);
  if (bill_tokens_.size() > kKeptBills) {
    bills_.erase(bill_tokens_.front());
    bill_tokens_.pop_front();
  }
  return token;
}

std::optional<std::string> SimGateway::kept_bill(const std::string& token) const {
  std::lock_guard lock(mutex_);
  auto it = bills_.find(token);
  if (it == bills_.end()) return std::nullopt;
  return it->second;
}

Faults SimGateway::faults() const {
  std::lock_guard lock(mutex_);
  return faults_;
}

void SimGateway::set_faults(const Faults& f) {
  std::lock_guard lock(mutex_);
  faults_ = f;
}

json::object SimGateway::outbox_report() const {
  int64_t pending = 0, delivered = 0, abandoned = 0;
  for (const auto& d : outbox_.records()) {
    if (d.delivered)
      ++delivered;
    else if (d.abandoned)
      ++abandoned;
    else
      ++pending;
  }
  return {{"pending", pending}, {"delivered", delivered}, {"abandoned", abandoned}};
}

json::object SimGateway::report() const {
  std::lock_guard lock(mutex_);
  std::map<std::string, json::array> notices;
  for (const auto& d : outbox_.records()) {
    json::array nonces;
    for (const auto& n : d.nonces) nonces.emplace_back(n);
    notices[d.out_trade_no].push_back(json::object{
        {"id", d.id},
        {"event_type", d.event_type},
        {"kind", d.kind},
        {"out_refund_no", d.out_refund_no},
        {"attempts", d.attempts},
        {"delivered", d.delivered},
        {"abandoned", d.abandoned},
        {"last_status", d.last_status},
        {"last_error", d.last_error},
        {"nonces", std::move(nonces)},
    });
  }
  const int offset = maker_.utc_offset_minutes();
  json::array trades;
  for (const auto& [no, t] : book_.trades()) {
    json::array refunds;
    for (const auto& refund_no : t.refunds) {
      const SimRefund* r = book_.refund(refund_no);
      if (!r) continue;
      refunds.push_back(json::object{
          {"out_refund_no", r->out_refund_no},
          {"refund_id", r->refund_id},
          {"amount", r->amount_fen},
          {"status", r->status},
          {"success_time", r->success_ms ? billing::format_rfc3339(r->success_ms, offset) : ""},
      });
    }
    auto it = notices.find(no);
    trades.push_back(json::object{
        {"out_trade_no", t.out_trade_no},
        {"prepay_id", t.prepay_id},
        {"description", t.description},
        {"amount", t.amount_fen},
        {"state", t.state},
        {"transaction_id", t.transaction_id},
        {"success_time", t.success_ms ? billing::format_rfc3339(t.success_ms, offset) : ""},
        {"expires", billing::format_rfc3339(t.expires_ms, offset)},
        {"times_paid", t.times_paid},
        {"refunded", t.refunded_fen},
        {"silent", t.silent},
        {"refunds", std::move(refunds)},
        {"notifications", it == notices.end() ? json::array() : std::move(it->second)},
    });
  }
  return {{"trades", std::move(trades)}};
}

}  // namespace stork::paysim
