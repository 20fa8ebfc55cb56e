#include "core/civil_date.hpp"

#include <array>
#include <charconv>
#include <chrono>

namespace stork {
namespace {

bool digits(std::string_view s) {
  for (char c : s)
    if (c < '0' || c > '9') return false;
  return !s.empty();
}

int to_int(std::string_view s) {
  int v = 0;
  std::from_chars(s.data(), s.data() + s.size(), v);
  return v;
}

}  // namespace

bool is_real_date(int year, int month, int day) {
  if (year < 1 || year > 9999) return false;
  std::chrono::year_month_day ymd{std::chrono::year(year), std::chrono::month(static_cast<unsigned>(month)),
                                  std::chrono::day(static_cast<unsigned>(day))};
  return month >= 1 && month <= 12 && day >= 1 && ymd.ok();
}

std::optional<CivilDate> parse_date(std::string_view t) {
  if (t.size() != 10 || t[4] != '-' || t[7] != '-') return std::nullopt;
  if (!digits(t.substr(0, 4)) || !digits(t.substr(5, 2)) || !digits(t.substr(8, 2))) return std::nullopt;
  CivilDate d{to_int(t.substr(0, 4)), to_int(t.substr(5, 2)), to_int(t.substr(8, 2))};
  if (!is_real_date(d.year, d.month, d.day)) return std::nullopt;
  return d;
}

std::optional<CivilDate> parse_compact_date(std::string_view t) {
  if (t.size() != 8 || !digits(t)) return std::nullopt;
  CivilDate d{to_int(t.substr(0, 4)), to_int(t.substr(4, 2)), to_int(t.substr(6, 2))};
  if (!is_real_date(d.year, d.month, d.day)) return std::nullopt;
  return d;
}

std::string format_date(CivilDate d) {
  std::array<char, 16> buf{};
  std::snprintf(buf.data(), buf.size(), "%04d-%02d-%02d", d.year, d.month, d.day);
  return buf.data();
}

int age_in_years(CivilDate birth, CivilDate on) {
  int age = on.year - birth.year;
  if (on.month < birth.month || (on.month == birth.month && on.day < birth.day)) --age;
  return age;
}

Result<int> utc_offset_minutes(std::string_view tz) {
  static constexpr std::array<std::string_view, 8> kChina = {
      "Asia/Shanghai", "Asia/Chongqing", "Asia/Harbin", "Asia/Hong_Kong",
      "Asia/Macau",    "Asia/Taipei",    "PRC",         "Asia/Chungking"};
  for (auto name : kChina)
    if (tz == name) return 8 * 60;
  if (tz == "UTC" || tz == "Etc/UTC" || tz == "Z") return 0;
  // "+08:00" / "-05:30"
  if (tz.size() == 6 && (tz[0] == '+' || tz[0] == '-') && tz[3] == ':' && digits(tz.substr(1, 2)) &&
      digits(tz.substr(4, 2))) {
    const int hours = to_int(tz.substr(1, 2));
    const int minutes = to_int(tz.substr(4, 2));
    if (hours <= 14 && minutes < 60) return (tz[0] == '-' ? -1 : 1) * (hours * 60 + minutes);
  }
  return fail(Error::invalid("time_zone",
                             "must be Asia/Shanghai (or another China zone), UTC, or an offset like +08:00"));
}

CivilDate local_date(int64_t utc_ms, int offset_minutes) {
  using namespace std::chrono;
  const auto local = sys_time<milliseconds>(milliseconds(utc_ms + int64_t{offset_minutes} * 60000));
  const year_month_day ymd{floor<days>(local)};
  return {static_cast<int>(ymd.year()), static_cast<int>(static_cast<unsigned>(ymd.month())),
          static_cast<int>(static_cast<unsigned>(ymd.day()))};
}

int64_t local_midnight_utc_ms(CivilDate d, int offset_minutes) {
  using namespace std::chrono;
  const sys_days days{year_month_day{year(d.year), month(static_cast<unsigned>(d.month)),
                                     day(static_cast<unsigned>(d.day))}};
  return duration_cast<milliseconds>(days.time_since_epoch()).count() - int64_t{offset_minutes} * 60'000;
}

}  // namespace stork
