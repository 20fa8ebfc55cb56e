#include "paysim/statement.hpp"

#include <algorithm>
#include <vector>

#include "billing/wechat_time.hpp"

namespace stork::paysim {
namespace {

constexpr const char* kAppId = "wxd678efh567hg6787";
constexpr const char* kHeader =
    "交易时间,公众账号ID,商户号,特约商户号,设备号,微信订单号,商户订单号,用户标识,交易类型,交易状态,"
    "付款银行,"
    "货币种类,应结订单金额,代金券金额,微信退款单号,商户退款单号,退款金额,充值券退款金额,退款类型,"
    "退款状态,"
    "商品名称,商户数据包,手续费,费率,订单金额,申请退款金额,费率备注\n";
constexpr const char* kTotalsHeader =
    "总交易单数,应结订单总金额,退款总金额,充值券退款总金额,手续费总金额,订单总金额,"
    "申请退款总金额\n";

// A comma inside a value would shift every later column: WeChat's bills
// show full-width commas in product names.
std::string no_commas(const std::string& s) {
  std::string out;
  for (char c : s) {
    if (c == ',')
      out += "，";
    else if (c == '\n' || c == '\r')
      out += ' ';
    else
      out += c;
  }
  return out;
}

std::string row(const std::vector<std::string>& fields) {
  std::string out;
  for (size_t i = 0; i < fields.size(); ++i) out += (i ? ",`" : "`") + fields[i];
  return out + "\n";
}

// The merchant's fee: 0.6 %, rounded half up to the fen.
int64_t fee_fen(int64_t amount_fen) { return (amount_fen * 6 + 500) / 1000; }

}  // namespace

std::string format_yuan(int64_t fen) {
  const bool negative = fen < 0;
  const int64_t abs = negative ? -fen : fen;
  std::string cents = std::to_string(abs % 100);
  if (cents.size() < 2) cents = "0" + cents;
  return (negative ? "-" : "") + std::to_string(abs / 100) + "." + cents;
}

std::string write_trade_bill(const TradeBook& book, CivilDate day, int utc_offset_minutes,
                             const std::string& mchid) {
  const int64_t from = billing::local_midnight_ms(day, utc_offset_minutes);
  const int64_t to = from + 24LL * 3600 * 1000;
  auto in_day = [&](int64_t ms) { return ms >= from && ms < to; };

  struct Row {
    int64_t time_ms;
    std::string text;
  };
  std::vector<Row> rows;
  int64_t paid = 0, refunded = 0, fees = 0;
  for (const auto& [no, t] : book.trades()) {
    if (t.times_paid == 0 || !in_day(t.success_ms)) continue;
    paid += t.amount_fen;
    fees += fee_fen(t.amount_fen);
    rows.push_back(
        {t.success_ms, row({billing::format_local_datetime(t.success_ms, utc_offset_minutes),
                            kAppId,
                            mchid,
                            "0",
                            "",
                            t.transaction_id,
                            t.out_trade_no,
                            "oUpF8uMuAJO_M2pxb1Q9zNjWeS6o",
                            "MWEB",
                            "SUCCESS",
                            "OTHERS",
                            "CNY",
                            format_yuan(t.amount_fen),
                            "0.00",
                            "0",
                            "0",
                            "0.00",
                            "0.00",
                            "",
                            "",
                            no_commas(t.description),
                            "",
                            format_yuan(fee_fen(t.amount_fen)),
                            "0.60%",
                            format_yuan(t.amount_fen),
                            "0.00",
                            ""})});
  }
  for (const auto& [no, r] : book.refunds()) {
    if (r.status != "SUCCESS" || !in_day(r.success_ms)) continue;
    const SimTrade* t = book.trade(r.out_trade_no);
    if (!t) continue;
    refunded += r.amount_fen;
    rows.push_back(
        {r.success_ms, row({billing::format_local_datetime(r.success_ms, utc_offset_minutes),
                            kAppId,
                            mchid,
                            "0",
                            "",
                            t->transaction_id,
                            t->out_trade_no,
                            "oUpF8uMuAJO_M2pxb1Q9zNjWeS6o",
                            "MWEB",
                            "REFUND",
                            "OTHERS",
                            "CNY",
                            "0.00",
                            "0.00",
                            r.refund_id,
                            r.out_refund_no,
                            format_yuan(r.amount_fen),
                            "0.00",
                            "ORIGINAL",
                            "SUCCESS",
                            no_commas(t->description),
                            "",
                            "0.00",
                            "0.60%",
                            "0.00",
                            format_yuan(r.amount_fen),
                            ""})});
  }
  if (rows.empty()) return {};
  std::stable_sort(rows.begin(), rows.end(),
                   [](const Row& a, const Row& b) { return a.time_ms < b.time_ms; });
  std::string out = kHeader;
  for (const auto& r : rows) out += r.text;
  out += kTotalsHeader;
  out += row({std::to_string(rows.size()), format_yuan(paid), format_yuan(refunded), "0.00",
              format_yuan(fees), format_yuan(paid), format_yuan(refunded)});
  return out;
}

}  // namespace stork::paysim
