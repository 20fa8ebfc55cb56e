#pragma once
// Calendar dates and the hospital's local time. Dates of birth, clinic days
// and ages are local calendar facts, while instants are stored in UTC ms.
// The hospital's zone is a fixed offset: China has one zone and no daylight
// saving, so "Asia/Shanghai" and friends map to +08:00.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "core/error.hpp"

namespace stork {

struct CivilDate {
  int year = 1970;
  int month = 1;
  int day = 1;
  auto operator<=>(const CivilDate&) const = default;
};

// Strict "YYYY-MM-DD" with a real day (no 2025-02-29).
std::optional<CivilDate> parse_date(std::string_view text);
// Strict "YYYYMMDD", as inside a resident identity number.
std::optional<CivilDate> parse_compact_date(std::string_view text);
std::string format_date(CivilDate d);
bool is_real_date(int year, int month, int day);

// Whole years from birth to on (birthdays on 29 February count on 1 March).
int age_in_years(CivilDate birth, CivilDate on);

// "Asia/Shanghai" or "UTC" or "+08:00" -> minutes east of UTC.
Result<int> utc_offset_minutes(std::string_view time_zone);

// The local calendar date of a UTC instant.
CivilDate local_date(int64_t utc_ms, int offset_minutes);
// The UTC instant of a local date's midnight.
int64_t local_midnight_utc_ms(CivilDate d, int offset_minutes);

}  // namespace stork
