#pragma once
// Schedules for booking tests: a template created and generated through
// the API, and the slots it produced.
#include <boost/json.hpp>
#include <string>
#include <vector>

#include "support/test_server.hpp"

namespace stork::testing {

struct ScheduleSpec {
  std::string clinic_code = "OB-GEN";
  std::string department_code = "OB";  // a practitioner of it is chosen
  int days_from_today = 1;             // the session's day
  std::string start = "08:00", end = "12:00";
  int slot_minutes = 30;
  int capacity_per_slot = 4;
  boost::json::object quota = {{"online", 60}, {"window", 20}, {"referral", 10}, {"doctor", 10}};
  int release_days_ahead = 7;
  std::string release_time = "08:00";
  int pool_minutes_before = 24 * 60;
};

struct OpenedSchedule {
  int64_t template_id = 0;
  int64_t practitioner_id = 0;
  std::string day;                // YYYY-MM-DD of the session
  std::vector<int64_t> slot_ids;  // in time order
};

// Creates the template as admin and generates sessions for 14 days.
OpenedSchedule open_schedule(TestServer& server, const ScheduleSpec& spec = {});

// "2026-11-19T00:00:00.000Z" -> epoch ms.
int64_t utc_ms(const std::string& rfc3339);

// The start of a slot, in epoch ms, read from GET /api/v1/slots/{id}.
int64_t slot_start_ms(TestServer& server, int64_t slot_id);

// POST /api/v1/appointments with an Idempotency-Key.
HttpResult book(HttpClient& c, const std::string& token, int64_t patient_id, int64_t slot_id,
                const std::string& channel, const std::string& key);

}  // namespace stork::testing
