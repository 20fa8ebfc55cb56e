#include "triage/waiting_stats.hpp"

#include <algorithm>
#include <cmath>
#include <map>

#include "core/civil_date.hpp"

namespace stork::triage {
namespace {

struct Collector {
  int patients = 0;
  std::vector<int64_t> to_call, to_seen;  // milliseconds

  void add(const WaitSample& s) {
    ++patients;
    to_call.push_back(std::max<int64_t>(0, s.called_at_ms - s.arrived_at_ms));
    if (s.seen_at_ms) to_seen.push_back(std::max<int64_t>(0, *s.seen_at_ms - s.called_at_ms));
  }
};

Durations durations(std::vector<int64_t> ms) {
  Durations d;
  d.count = static_cast<int>(ms.size());
  if (ms.empty()) return d;
  std::ranges::sort(ms);
  auto minutes = [](int64_t v) { return std::round(static_cast<double>(v) / 600.0) / 100.0; };  // 0.01 min
  auto rank = [&](double p) { return ms[static_cast<size_t>(std::ceil(p * static_cast<double>(ms.size()))) - 1]; };
  double sum = 0;
  for (int64_t v : ms) sum += static_cast<double>(v);
  d.avg_minutes = std::round(sum / static_cast<double>(ms.size()) / 600.0) / 100.0;
  d.p50_minutes = minutes(rank(0.5));
  d.p90_minutes = minutes(rank(0.9));
  return d;
}

WaitGroup group(const Collector& c) { return {c.patients, durations(c.to_call), durations(c.to_seen)}; }

template <class K>
std::vector<std::pair<K, WaitGroup>> groups(const std::map<K, Collector>& by) {
  std::vector<std::pair<K, WaitGroup>> out;
  for (const auto& [k, c] : by) out.emplace_back(k, group(c));
  return out;
}

}  // namespace

WaitingStats summarize(const std::vector<WaitSample>& samples, int utc_offset_minutes) {
  Collector all;
  std::map<std::string, Collector> clinic, day;
  std::map<int64_t, Collector> doctor;
  std::map<int, Collector> hour;
  for (const auto& s : samples) {
    all.add(s);
    clinic[s.clinic_code].add(s);
    if (s.practitioner_id) doctor[*s.practitioner_id].add(s);
    const int64_t local_ms = s.arrived_at_ms + int64_t{utc_offset_minutes} * 60'000;
    hour[static_cast<int>(((local_ms / 3'600'000) % 24 + 24) % 24)].add(s);
    day[format_date(local_date(s.arrived_at_ms, utc_offset_minutes))].add(s);
  }
  return {group(all), groups(clinic), groups(doctor), groups(hour), groups(day)};
}

}  // namespace stork::triage
