#include "billing/wechat_time.hpp"

#include <chrono>
#include <cstdio>
#include <utility>

namespace stork::billing {
namespace {

bool digits(std::string_view s) {
  for (char c : s)
    if (c < '0' || c > '9') return false;
  return !s.empty();
}

int num(std::string_view s) {
  int v = 0;
  for (char c : s) v = v * 10 + (c - '0');
  return v;
}

// "YYYY-MM-DD?HH:MM:SS" with sep at index 10 -> seconds since the epoch as
// if the fields were UTC.
std::optional<int64_t> fields_to_seconds(std::string_view t, char sep) {
  if (t.size() != 19 || t[4] != '-' || t[7] != '-' || t[10] != sep || t[13] != ':' || t[16] != ':')
    return std::nullopt;
  static constexpr std::pair<size_t, size_t> kNumbers[] = {{0, 4},  {5, 2},  {8, 2},
                                                           {11, 2}, {14, 2}, {17, 2}};
  for (auto [at, len] : kNumbers)
    if (!digits(t.substr(at, len))) return std::nullopt;
  const int y = num(t.substr(0, 4)), mo = num(t.substr(5, 2)), d = num(t.substr(8, 2));
  const int h = num(t.substr(11, 2)), mi = num(t.substr(14, 2)), s = num(t.substr(17, 2));
  if (!is_real_date(y, mo, d) || h > 23 || mi > 59 || s > 59) return std::nullopt;
  return local_midnight_ms({y, mo, d}, 0) / 1000 + h * 3600 + mi * 60 + s;
}

std::string format_fields(int64_t utc_ms, int offset_minutes, char sep) {
  using namespace std::chrono;
  const auto local = sys_time<milliseconds>(milliseconds(utc_ms + int64_t{offset_minutes} * 60000));
  const auto day = floor<days>(local);
  const year_month_day ymd{day};
  const hh_mm_ss hms{floor<seconds>(local - day)};
  char buf[48];
  std::snprintf(buf, sizeof buf, "%04d-%02u-%02u%c%02d:%02d:%02d", static_cast<int>(ymd.year()),
                static_cast<unsigned>(ymd.month()), static_cast<unsigned>(ymd.day()), sep,
                static_cast<int>(hms.hours().count()), static_cast<int>(hms.minutes().count()),
                static_cast<int>(hms.seconds().count()));
  return buf;
}

}  // namespace

int64_t local_midnight_ms(CivilDate day, int offset_minutes) {
  using namespace std::chrono;
  const sys_days d{year(day.year) / month(static_cast<unsigned>(day.month)) /
                   std::chrono::day(static_cast<unsigned>(day.day))};
  return duration_cast<milliseconds>(d.time_since_epoch()).count() -
         int64_t{offset_minutes} * 60000;
}

std::string format_rfc3339(int64_t utc_ms, int offset_minutes) {
  std::string out = format_fields(utc_ms, offset_minutes, 'T');
  if (offset_minutes == 0) return out + "Z";
  const int abs = offset_minutes < 0 ? -offset_minutes : offset_minutes;
  char zone[24];
  std::snprintf(zone, sizeof zone, "%c%02d:%02d", offset_minutes < 0 ? '-' : '+', abs / 60,
                abs % 60);
  return out + zone;
}

std::optional<int64_t> parse_rfc3339(std::string_view text) {
  if (text.size() < 20) return std::nullopt;
  auto seconds = fields_to_seconds(text.substr(0, 19), 'T');
  if (!seconds) return std::nullopt;
  std::string_view rest = text.substr(19);
  int64_t millis = 0;
  if (rest.starts_with('.')) {
    size_t n = 1;
    while (n < rest.size() && rest[n] >= '0' && rest[n] <= '9') ++n;
    if (n == 1) return std::nullopt;
    const std::string_view frac = rest.substr(1, n - 1);
    for (size_t i = 0; i < 3; ++i) millis = millis * 10 + (i < frac.size() ? frac[i] - '0' : 0);
    rest.remove_prefix(n);
  }
  int offset = 0;
  if (rest == "Z" || rest == "z") {
    offset = 0;
  } else if (rest.size() == 6 && (rest[0] == '+' || rest[0] == '-') && rest[3] == ':' &&
             digits(rest.substr(1, 2)) && digits(rest.substr(4, 2))) {
    const int h = num(rest.substr(1, 2)), m = num(rest.substr(4, 2));
    if (h > 23 || m > 59) return std::nullopt;
    offset = (rest[0] == '-' ? -1 : 1) * (h * 60 + m);
  } else {
    return std::nullopt;
  }
  return (*seconds - int64_t{offset} * 60) * 1000 + millis;
}

std::string format_local_datetime(int64_t utc_ms, int offset_minutes) {
  return format_fields(utc_ms, offset_minutes, ' ');
}

std::optional<int64_t> parse_local_datetime(std::string_view text, int offset_minutes) {
  auto seconds = fields_to_seconds(text, ' ');
  if (!seconds) return std::nullopt;
  return (*seconds - int64_t{offset_minutes} * 60) * 1000;
}

}  // namespace stork::billing
