#include "billing/trade_bill.hpp"

#include <map>
#include <string>

#include "billing/wechat_time.hpp"

namespace stork::billing {
namespace {

constexpr std::string_view kTotalsHeader = "总交易单数";

Error malformed(size_t line, const std::string& why) {
  return Error{"gateway_unavailable",
               "the gateway's trade bill is malformed at line " + std::to_string(line) + ": " + why,
               {}};
}

std::vector<std::string_view> split_lines(std::string_view text) {
  std::vector<std::string_view> lines;
  while (!text.empty()) {
    const auto nl = text.find('\n');
    std::string_view line = text.substr(0, nl);
    if (line.ends_with('\r')) line.remove_suffix(1);
    lines.push_back(line);
    text = nl == std::string_view::npos ? std::string_view{} : text.substr(nl + 1);
  }
  return lines;
}

// Splits on commas and drops the backtick WeChat puts before each value
// (so spreadsheets keep long digit strings as text).
std::vector<std::string_view> split_fields(std::string_view line) {
  std::vector<std::string_view> fields;
  while (true) {
    const auto comma = line.find(',');
    std::string_view f = line.substr(0, comma);
    if (f.starts_with('`')) f.remove_prefix(1);
    fields.push_back(f);
    if (comma == std::string_view::npos) break;
    line.remove_prefix(comma + 1);
  }
  return fields;
}

}  // namespace

std::optional<int64_t> parse_yuan(std::string_view text) {
  const auto dot = text.find('.');
  const std::string_view whole = text.substr(0, dot);
  const std::string_view cents =
      dot == std::string_view::npos ? std::string_view{} : text.substr(dot + 1);
  if (whole.empty() || whole.size() > 15 || cents.size() > 2) return std::nullopt;
  if (dot != std::string_view::npos && cents.empty()) return std::nullopt;
  int64_t fen = 0;
  for (char c : whole) {
    if (c < '0' || c > '9') return std::nullopt;
    fen = fen * 10 + (c - '0');
  }
  for (size_t i = 0; i < 2; ++i) {
    const char c = i < cents.size() ? cents[i] : '0';
    if (c < '0' || c > '9') return std::nullopt;
    fen = fen * 10 + (c - '0');
  }
  return fen;
}

Result<std::vector<StatementLine>> parse_trade_bill(std::string_view csv, int utc_offset_minutes) {
  if (csv.starts_with("\xEF\xBB\xBF")) csv.remove_prefix(3);  // a UTF-8 byte-order mark
  const auto lines = split_lines(csv);
  size_t at = 0;
  while (at < lines.size() && lines[at].empty()) ++at;
  if (at == lines.size()) return fail(malformed(1, "the file is empty"));

  std::map<std::string_view, size_t> column;
  const auto header = split_fields(lines[at]);
  for (size_t i = 0; i < header.size(); ++i) column[header[i]] = i;
  const char* required[] = {"交易时间",     "微信订单号",   "商户订单号", "交易状态", "订单金额",
                            "微信退款单号", "商户退款单号", "退款金额",   "退款状态"};
  for (const char* name : required)
    if (!column.contains(name)) return fail(malformed(at + 1, std::string("no column ") + name));
  auto col = [&](const std::vector<std::string_view>& f, const char* name) {
    return f[column.at(name)];
  };

  std::vector<StatementLine> out;
  int64_t paid_fen = 0, refunded_fen = 0;
  for (++at; at < lines.size(); ++at) {
    const size_t line_no = at + 1;
    if (lines[at].empty()) continue;
    if (lines[at].starts_with(kTotalsHeader)) break;
    const auto f = split_fields(lines[at]);
    if (f.size() != header.size())
      return fail(malformed(line_no, std::to_string(f.size()) + " fields where the header has " +
                                         std::to_string(header.size())));
    StatementLine line;
    auto time = parse_local_datetime(col(f, "交易时间"), utc_offset_minutes);
    if (!time)
      return fail(malformed(line_no, "bad time '" + std::string(col(f, "交易时间")) + "'"));
    line.time_ms = *time;
    line.out_trade_no = col(f, "商户订单号");
    line.transaction_id = col(f, "微信订单号");
    const std::string_view trade_state = col(f, "交易状态");
    std::optional<int64_t> amount;
    if (trade_state == "REFUND") {
      line.kind = "refund";
      line.out_refund_no = col(f, "商户退款单号");
      line.refund_id = col(f, "微信退款单号");
      line.state = col(f, "退款状态");
      amount = parse_yuan(col(f, "退款金额"));
      if (amount) refunded_fen += *amount;
    } else {
      line.kind = "payment";
      line.state = trade_state;
      amount = parse_yuan(col(f, "订单金额"));
      if (amount) paid_fen += *amount;
    }
    if (!amount) return fail(malformed(line_no, "bad amount"));
    if (line.out_trade_no.empty() || line.transaction_id.empty() || line.state.empty() ||
        (line.kind == "refund" && (line.out_refund_no.empty() || line.refund_id.empty())))
      return fail(malformed(line_no, "missing order or refund numbers"));
    line.amount_fen = *amount;
    out.push_back(std::move(line));
  }

  // The totals guard against a download cut short between two rows.
  if (at + 1 >= lines.size())
    return fail(malformed(at + 1, "no totals section: the file is truncated"));
  std::map<std::string_view, size_t> total_column;
  const auto total_header = split_fields(lines[at]);
  for (size_t i = 0; i < total_header.size(); ++i) total_column[total_header[i]] = i;
  const auto totals = split_fields(lines[at + 1]);
  auto total = [&](std::string_view name) -> std::optional<std::string_view> {
    auto it = total_column.find(name);
    if (it == total_column.end() || it->second >= totals.size()) return std::nullopt;
    return totals[it->second];
  };
  const auto count = total(kTotalsHeader);
  const auto order_total = total("订单总金额");
  const auto refund_total = total("退款总金额");
  if (!count || !order_total || !refund_total)
    return fail(malformed(at + 2, "the totals lack a count, order total or refund total"));
  if (*count != std::to_string(out.size()))
    return fail(malformed(at + 2, "the totals count " + std::string(*count) +
                                      " rows but the file has " + std::to_string(out.size())));
  if (parse_yuan(*order_total) != paid_fen || parse_yuan(*refund_total) != refunded_fen)
    return fail(malformed(at + 2, "the totals disagree with the rows"));
  return out;
}

}  // namespace stork::billing
