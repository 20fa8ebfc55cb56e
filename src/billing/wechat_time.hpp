#pragma once
// The time formats of WeChat Pay API v3: RFC 3339 with the sender's offset
// in JSON ("2026-11-27T16:00:00+08:00", second precision) and local
// "2026-11-27 16:00:00" in trade bills.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "core/civil_date.hpp"

namespace stork::billing {

// REQUIRES: |offset_minutes| < 24 h. Milliseconds are truncated.
std::string format_rfc3339(int64_t utc_ms, int offset_minutes);
// Strict "YYYY-MM-DDTHH:MM:SS[.fraction](Z|+HH:MM|-HH:MM)" with a real date;
// nullopt otherwise.
std::optional<int64_t> parse_rfc3339(std::string_view text);

std::string format_local_datetime(int64_t utc_ms, int offset_minutes);
// Strict "YYYY-MM-DD HH:MM:SS" read in the given offset; nullopt otherwise.
std::optional<int64_t> parse_local_datetime(std::string_view text, int offset_minutes);

// UTC ms of 00:00 local time on day.
int64_t local_midnight_ms(CivilDate day, int offset_minutes);

}  // namespace stork::billing
