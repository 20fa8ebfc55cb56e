#pragma once
// Reading WeChat Pay's daily trade bill (交易账单, bill_type=ALL): a CSV
// with a header row of Chinese column names, one row per payment and per
// refund, every field prefixed with a backtick, then a totals section
// ("总交易单数,...") whose counts and sums must agree with the rows.
//
// Amounts are yuan with two decimals ("12.50") and become fen exactly, by
// integer arithmetic. Times are local ("2026-11-27 16:33:45").
#include <cstdint>
#include <optional>
#include <string_view>
#include <vector>

#include "billing/gateway.hpp"

namespace stork::billing {

// Columns are found by name, so extra or reordered columns are fine.
// Errors: gateway_unavailable when the file is malformed or truncated (the
// totals are missing or disagree with the rows): it cannot be trusted.
Result<std::vector<StatementLine>> parse_trade_bill(std::string_view csv, int utc_offset_minutes);

// "12.50", "12.5", "12", "0.01" -> fen; nullopt for anything else
// (negatives, more than two decimals, exponents, overflow).
std::optional<int64_t> parse_yuan(std::string_view text);

}  // namespace stork::billing
