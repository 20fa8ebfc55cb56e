#pragma once
// Measured waiting times (issue 6): check-in -> called and called -> seen,
// per clinic, doctor, hour of arrival and day. Pure aggregation over the
// visits' timestamps; QueueService::stats reads them.
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace stork::triage {

struct WaitSample {
  std::string clinic_code;
  std::optional<int64_t> practitioner_id;
  int64_t arrived_at_ms = 0;
  int64_t called_at_ms = 0;
  std::optional<int64_t> seen_at_ms;  // not yet confirmed in the room
};

struct Durations {
  int count = 0;
  double avg_minutes = 0, p50_minutes = 0, p90_minutes = 0;
};

struct WaitGroup {
  int patients = 0;
  Durations wait_to_call, call_to_seen;
};

struct WaitingStats {
  WaitGroup overall;
  std::vector<std::pair<std::string, WaitGroup>> by_clinic;
  std::vector<std::pair<int64_t, WaitGroup>> by_doctor;  // practitioner id
  std::vector<std::pair<int, WaitGroup>> by_hour;        // local hour of arrival, 0-23
  std::vector<std::pair<std::string, WaitGroup>> by_day; // local YYYY-MM-DD of arrival
};

// Percentiles by the nearest-rank method over whole seconds.
WaitingStats summarize(const std::vector<WaitSample>& samples, int utc_offset_minutes);

}  // namespace stork::triage
