#pragma once
// The simulator's daily trade bill, written as WeChat Pay writes its
// bill_type=ALL file: a header of Chinese column names, one row per payment
// (by its success time) and per successful refund (by its success time) on
// that local date, every value prefixed with a backtick, then the totals.
#include <string>

#include "core/civil_date.hpp"
#include "paysim/trade_book.hpp"

namespace stork::paysim {

// Empty when the date has no rows (the gateway then answers NO_STATEMENT_EXIST).
std::string write_trade_bill(const TradeBook& book, CivilDate day, int utc_offset_minutes,
                             const std::string& mchid);

// 1250 -> "12.50"
std::string format_yuan(int64_t fen);

}  // namespace stork::paysim
