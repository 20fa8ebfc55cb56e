#include "billing/service.hpp"

#include "billing/ledger_tx.hpp"
#include "billing/order_state.hpp"
#include "billing/repo.hpp"
#include "core/civil_date.hpp"

namespace stork::billing {
namespace {

using scheduling::CancelCause;

FeeItem decode_fee(const store::Row& r) {
  FeeItem f;
  f.id = r.integer(0);
  f.code = r.text(1);
  f.kind = r.text(2);
  f.name_zh = r.text(3);
  f.name_en = r.text(4);
  f.clinic_type = r.text(5);
  f.clinic_code = r.text(6);
  f.doctor_title = r.text(7);
  f.amount_fen = r.integer(8);
  f.insurance_percent = static_cast<int>(r.integer(9));
  f.valid_from = r.text(10);
  f.valid_to = r.text(11);
  return f;
}

OrderItem item_of(const FeeItem& f, int quantity) {
  return {f.code, f.name_zh, f.name_en, quantity, f.amount_fen, f.amount_fen * quantity, f.insurance_percent};
}

bool is_code(const std::string& s) {
  if (s.empty() || s.size() > 40) return false;
  for (char ch : s)
    if (!((ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9') || ch == '-' || ch == '_')) return false;
  return true;
}

}  // namespace

BillingService::BillingService(store::Database& db, const Clock& clock, const auth::AuditLog& audit,
                               patients::PatientService& patients, scheduling::BookingService& booking,
                               PaymentGateway& gateway, InsuranceGateway& insurance, BillingSettings settings)
    : db_(db),
      clock_(clock),
      audit_(audit),
      patients_(patients),
      booking_(booking),
      gateway_(gateway),
      insurance_(insurance),
      settings_(std::move(settings)) {}

void BillingService::attach() {
  booking_.set_payment_hooks(
      {[this](store::Connection& c, const scheduling::VisitFacts& v, int64_t now) { return on_booked(c, v, now); },
       [this](store::Connection& c, const scheduling::Appointment& a, CancelCause cause, int64_t now,
              const std::string& actor) { return on_cancelled(c, a, cause, now, actor); }});
  patients_.add_merge_step([](store::Connection& c, int64_t from, int64_t to) -> Status {
    if (auto r = c.execute(sql::kMoveOrdersOfPatient, {from, to}); !r) return fail(r.error());
    if (auto r = c.execute(sql::kMoveReceiptsOfPatient, {from, to}); !r) return fail(r.error());
    return {};
  });
}

Result<scheduling::PaymentTerms> BillingService::on_booked(store::Connection& c, const scheduling::VisitFacts& v,
                                                           int64_t now) {
  static const auth::RequestContext kInternal{"", ""};
  Tx tx{*this, c, v.actor, kInternal, now};
  if (v.replaces) {
    // A rebooking takes its bill along: paid stays paid.
    auto old = tx.load_of_appointment(*v.replaces, true);
    if (!old) return fail(old.error());
    if (*old && !is_closed((*old)->sums)) {
      if (auto r = c.execute(sql::kMoveOrder, {*v.replaces, v.appointment.id}); !r) return fail(r.error());
      if ((*old)->outstanding_fen == 0) return scheduling::PaymentTerms{"paid", std::nullopt};
      return scheduling::PaymentTerms{"due", (*old)->hold_until_ms};
    }
  }
  auto fee = c.query(sql::kRegistrationFee, {v.appointment.clinic_code, v.clinic_type, v.practitioner_title, v.day});
  if (!fee) return fail(fee.error());
  if (fee->empty()) return scheduling::PaymentTerms{};  // nothing in the catalogue: free
  const FeeItem f = decode_fee((*fee)[0]);
  // An online or kiosk booking holds its ticket only for the payment
  // window; the window and doctors' channels take payment at the desk.
  const bool held = v.appointment.channel == scheduling::Channel::online ||
                    v.appointment.channel == scheduling::Channel::kiosk;
  const std::optional<int64_t> hold =
      held ? std::optional(now + int64_t{settings_.payment_window_minutes} * 60'000) : std::nullopt;
  auto o = tx.open_order(v.appointment.patient_id, v.appointment.id, {item_of(f, 1)},
                         f.name_zh + " " + f.name_en + " · " + v.appointment.clinic_code, hold, "booking");
  if (!o) return fail(o.error());
  return scheduling::PaymentTerms{"due", hold};
}

Status BillingService::on_cancelled(store::Connection& c, const scheduling::Appointment& a, CancelCause cause,
                                    int64_t now, const std::string& actor) {
  if (cause == CancelCause::rebooked) return {};  // the bill moved with it
  static const auth::RequestContext kInternal{"", ""};
  Tx tx{*this, c, actor, kInternal, now};
  auto o = tx.load_of_appointment(a.id, true);
  if (!o) return fail(o.error());
  if (!*o) return {};
  // The rule: a cancellation before the deadline, or a stopped clinic,
  // gives the whole fee back; an expired hold had nothing paid.
  switch (cause) {
    case CancelCause::payment_expired: return tx.close(**o, "expired", "payment window expired");
    case CancelCause::session_stopped: return tx.close(**o, "cancelled", "clinic session stopped: full refund");
    default: return tx.close(**o, "cancelled", "cancelled before the deadline: full refund");
  }
}

Result<std::vector<FeeItem>> BillingService::fees(const std::string& on_date) {
  if (!on_date.empty() && !parse_date(on_date)) return fail(Error::invalid("date", "must be a date as YYYY-MM-DD"));
  return store::read_tx(db_, [&](store::Connection& c) -> Result<std::vector<FeeItem>> {
    auto rows = on_date.empty() ? c.query(sql::kListFees, {}) : c.query(sql::kFeesOn, {on_date});
    if (!rows) return fail(rows.error());
    std::vector<FeeItem> out;
    for (const auto& r : *rows) out.push_back(decode_fee(r));
    return out;
  });
}

Result<FeeItem> BillingService::add_fee(const auth::Principal& who, FeeItem f, const auth::RequestContext& ctx) {
  FieldErrors errors;
  if (!is_code(f.code)) errors.add("code", "1 to 40 of A-Z, 0-9, '-' and '_'");
  bool kind_ok = false;
  for (const char* k : kFeeKinds) kind_ok = kind_ok || f.kind == k;
  if (!kind_ok) errors.add("kind", "one of registration, exam, service, drug");
  if (f.name_zh.empty() || f.name_zh.size() > 100) errors.add("name_zh", "1 to 100 bytes");
  if (f.name_en.empty() || f.name_en.size() > 100) errors.add("name_en", "1 to 100 bytes");
  if (f.amount_fen <= 0 || f.amount_fen > 100'000'000) errors.add("amount_fen", "a whole number of fen, 1 to 100000000");
  if (f.insurance_percent < 0 || f.insurance_percent > 100) errors.add("insurance_percent", "0 to 100");
  if (f.valid_to.empty()) f.valid_to = "9999-12-31";
  const auto from = parse_date(f.valid_from), to = parse_date(f.valid_to);
  if (!from) errors.add("valid_from", "must be a date as YYYY-MM-DD");
  if (!to) errors.add("valid_to", "must be a date as YYYY-MM-DD");
  if (from && to && *to < *from) errors.add("valid_to", "must not be before valid_from");
  if (f.clinic_code.size() > 40 || f.clinic_type.size() > 40 || f.doctor_title.size() > 40)
    errors.add("clinic_code", "at most 40 bytes each for clinic_code, clinic_type and doctor_title");
  if (auto s = errors.status(); !s) return fail(s.error());
  return store::write_tx(db_, [&](store::Connection& c) -> Result<FeeItem> {
    auto overlap = c.query(sql::kOverlappingFee, {f.code, f.valid_from, f.valid_to});
    if (!overlap) return fail(overlap.error());
    if (!overlap->empty())
      return fail(Error::conflict("fee_overlaps", "another version of " + f.code + " is valid on some of these dates")
                      .with("existing_id", (*overlap)[0].integer(0)));
    auto id = c.query(sql::kInsertFee, {f.code, f.kind, f.name_zh, f.name_en, f.clinic_type, f.clinic_code,
                                        f.doctor_title, f.amount_fen, int64_t{f.insurance_percent}, f.valid_from,
                                        f.valid_to, clock_.now_ms()});
    if (!id) return fail(id.error());
    f.id = (*id)[0].integer(0);
    if (auto s = audit_.append(c, {who.audit_name(), "fee.create", "fee_item", std::to_string(f.id), "success",
                                   f.code + " " + std::to_string(f.amount_fen) + " fen from " + f.valid_from},
                               ctx);
        !s)
      return fail(s.error());
    return f;
  });
}

Result<Order> BillingService::create_order(const auth::Principal& who, int64_t patient_id,
                                           const std::vector<ItemRequest>& items, const auth::RequestContext& ctx) {
  FieldErrors errors;
  if (items.empty() || items.size() > 50) errors.add("items", "1 to 50 items");
  for (size_t i = 0; i < items.size(); ++i) {
    if (!is_code(items[i].fee_code)) errors.add("items[" + std::to_string(i) + "].fee_code", "a fee code");
    if (items[i].quantity < 1 || items[i].quantity > 100)
      errors.add("items[" + std::to_string(i) + "].quantity", "a whole number from 1 to 100");
  }
  if (auto s = errors.status(); !s) return fail(s.error());
  if (auto s = patients_.authorize(who, patient_id); !s) return fail(s.error());
  if (auto s = patients_.require_active(patient_id); !s) return fail(s.error());
  const int64_t now = clock_.now_ms();
  const std::string today = format_date(local_date(now, settings_.utc_offset_minutes));
  return store::write_tx(db_, [&](store::Connection& c) -> Result<Order> {
    Tx tx{*this, c, who.audit_name(), ctx, now};
    std::vector<OrderItem> lines;
    std::string description;
    for (size_t i = 0; i < items.size(); ++i) {
      auto fee = c.query(sql::kFeeByCode, {items[i].fee_code, today});
      if (!fee) return fail(fee.error());
      if (fee->empty())
        return fail(Error::invalid("items[" + std::to_string(i) + "].fee_code", "no fee " + items[i].fee_code + " valid today"));
      const FeeItem f = decode_fee((*fee)[0]);
      lines.push_back(item_of(f, items[i].quantity));
      description += (description.empty() ? "" : ", ") + f.name_zh;
    }
    return tx.open_order(patient_id, std::nullopt, lines, description.substr(0, 200), std::nullopt, "order");
  });
}

Result<Order> BillingService::load_authorized(const auth::Principal& who, int64_t order_id) {
  auto o = store::read_tx(db_, [&](store::Connection& c) {
    static const auth::RequestContext kInternal{"", ""};
    Tx tx{*this, c, who.audit_name(), kInternal, clock_.now_ms()};
    return tx.load(order_id, false);
  });
  if (!o) return o;
  if (auto s = patients_.authorize(who, o->patient_id); !s) return fail(s.error());
  return o;
}

Result<Order> BillingService::order(const auth::Principal& who, int64_t order_id, const auth::RequestContext& ctx) {
  auto o = load_authorized(who, order_id);
  if (!o) return o;
  if (auto s = audit_.append(db_, {who.audit_name(), "billing.read", "order", std::to_string(order_id), "success",
                                   "patient " + std::to_string(o->patient_id)},
                             ctx);
      !s)
    return fail(s.error());
  return o;
}

Result<std::vector<Order>> BillingService::orders_of(const auth::Principal& who, int64_t patient_id,
                                                     const auth::RequestContext& ctx) {
  if (auto s = patients_.authorize(who, patient_id); !s) return fail(s.error());
  auto out = store::read_tx(db_, [&](store::Connection& c) -> Result<std::vector<Order>> {
    Tx tx{*this, c, who.audit_name(), ctx, clock_.now_ms()};
    auto rows = c.query(sql::kOrdersOfPatient, {patient_id});
    if (!rows) return fail(rows.error());
    std::vector<Order> orders;
    for (const auto& r : *rows) {
      auto o = tx.load(r.integer(0), false);
      if (!o) return fail(o.error());
      orders.push_back(std::move(*o));
    }
    return orders;
  });
  if (!out) return out;
  if (auto s = audit_.append(db_, {who.audit_name(), "billing.list", "patient", std::to_string(patient_id), "success",
                                   std::to_string(out->size()) + " orders"},
                             ctx);
      !s)
    return fail(s.error());
  return out;
}

Result<std::vector<Receipt>> BillingService::receipts_of(const auth::Principal& who, int64_t patient_id,
                                                         const auth::RequestContext& ctx) {
  if (auto s = patients_.authorize(who, patient_id); !s) return fail(s.error());
  auto out = store::read_tx(db_, [&](store::Connection& c) -> Result<std::vector<Receipt>> {
    auto rows = c.query(sql::kReceiptsOfPatient, {patient_id});
    if (!rows) return fail(rows.error());
    std::vector<Receipt> receipts;
    for (const auto& r : *rows) receipts.push_back(decode_receipt(r));
    return receipts;
  });
  if (!out) return out;
  if (auto s = audit_.append(db_, {who.audit_name(), "billing.receipts", "patient", std::to_string(patient_id),
                                   "success", std::to_string(out->size()) + " receipts"},
                             ctx);
      !s)
    return fail(s.error());
  return out;
}

Result<Receipt> BillingService::receipt(const auth::Principal& who, const std::string& receipt_no,
                                        const auth::RequestContext& ctx) {
  auto r = store::read_tx(db_, [&](store::Connection& c) -> Result<Receipt> {
    auto rows = c.query(sql::kSelectReceipt, {receipt_no});
    if (!rows) return fail(rows.error());
    if (rows->empty()) return fail(Error::not_found("receipt " + receipt_no));
    return decode_receipt((*rows)[0]);
  });
  if (!r) return r;
  if (auto s = patients_.authorize(who, r->patient_id); !s) return fail(s.error());
  if (auto s = audit_.append(db_, {who.audit_name(), "billing.receipt", "receipt", receipt_no, "success",
                                   "patient " + std::to_string(r->patient_id)},
                             ctx);
      !s)
    return fail(s.error());
  return r;
}

void BillingService::set_public_url(const std::string& base) {
  std::lock_guard lock(urls_mutex_);
  settings_.notify_url = base + "/api/v1/billing/notify/wechatpay";
  settings_.return_url = base + "/portal/bills";
}

std::string BillingService::local_day(int64_t ms) const {
  return format_date(local_date(ms, settings_.utc_offset_minutes));
}

Result<std::pair<int64_t, int64_t>> BillingService::local_day_bounds(const std::string& date) const {
  const auto d = date.empty() ? std::optional(local_date(clock_.now_ms(), settings_.utc_offset_minutes)) : parse_date(date);
  if (!d) return fail(Error::invalid("date", "must be a date as YYYY-MM-DD"));
  const int64_t start = local_midnight_utc_ms(*d, settings_.utc_offset_minutes);
  return std::pair{start, start + 86'400'000};
}

}  // namespace stork::billing
