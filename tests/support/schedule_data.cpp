#include "support/schedule_data.hpp"

#include <gtest/gtest.h>

#include "core/civil_date.hpp"

namespace stork::testing {

namespace json = boost::json;

OpenedSchedule open_schedule(TestServer& server, const ScheduleSpec& spec) {
  OpenedSchedule out;
  auto c = server.client();
  const std::string admin = server.login("admin");
  const auto dir = c.get("/api/v1/directory").json();
  for (const auto& p : dir.at("practitioners").as_array())
    if (p.at("department_code").as_string() == spec.department_code) {
      out.practitioner_id = p.at("id").as_int64();
      break;
    }
  EXPECT_NE(out.practitioner_id, 0) << "no practitioner in " << spec.department_code;

  const int64_t day_ms = server.clock().now_ms() + int64_t{spec.days_from_today} * 86'400'000;
  const CivilDate day = local_date(day_ms, 8 * 60);
  out.day = format_date(day);
  using namespace std::chrono;
  const int weekday = static_cast<int>(
      std::chrono::weekday(sys_days(year_month_day(year(day.year), month(static_cast<unsigned>(day.month)),
                                                   std::chrono::day(static_cast<unsigned>(day.day)))))
          .iso_encoding());

  json::object body{{"clinic_code", spec.clinic_code},
                    {"practitioner_id", out.practitioner_id},
                    {"weekday", weekday},
                    {"period", "morning"},
                    {"start", spec.start},
                    {"end", spec.end},
                    {"slot_minutes", spec.slot_minutes},
                    {"capacity_per_slot", spec.capacity_per_slot},
                    {"quota", spec.quota},
                    {"release_days_ahead", spec.release_days_ahead},
                    {"release_time", spec.release_time},
                    {"pool_minutes_before", spec.pool_minutes_before}};
  auto created = c.post_json("/api/v1/schedule-templates", body, admin);
  EXPECT_EQ(created.status, 201) << created.body;
  out.template_id = created.json().at("id").as_int64();
  const CivilDate today = local_date(server.clock().now_ms(), 8 * 60);
  auto generated = c.post_json("/api/v1/clinic-sessions/generate", {{"from", format_date(today)}, {"days", 14}}, admin);
  EXPECT_EQ(generated.status, 200) << generated.body;

  auto slots = c.get("/api/v1/slots?clinic=" + spec.clinic_code + "&from=" + out.day + "&to=" + out.day +
                     "&doctor=" + std::to_string(out.practitioner_id));
  EXPECT_EQ(slots.status, 200) << slots.body;
  const auto list = slots.json();
  for (const auto& s : list.at("items").as_array()) out.slot_ids.push_back(s.at("id").as_int64());
  return out;
}

int64_t utc_ms(const std::string& t) {
  const auto day = parse_date(t.substr(0, 10));
  EXPECT_TRUE(day.has_value()) << t;
  using namespace std::chrono;
  const sys_days days{year_month_day{year(day->year), month(static_cast<unsigned>(day->month)),
                                     std::chrono::day(static_cast<unsigned>(day->day))}};
  const int64_t hh = std::stoi(t.substr(11, 2)), mm = std::stoi(t.substr(14, 2)), ss = std::stoi(t.substr(17, 2));
  return duration_cast<milliseconds>(days.time_since_epoch()).count() + ((hh * 60 + mm) * 60 + ss) * 1000;
}

int64_t slot_start_ms(TestServer& server, int64_t slot_id) {
  auto r = server.client().get("/api/v1/slots/" + std::to_string(slot_id));
  EXPECT_EQ(r.status, 200) << r.body;
  return utc_ms(std::string(r.json().at("start").as_string()));
}

HttpResult book(HttpClient& c, const std::string& token, int64_t patient_id, int64_t slot_id,
                const std::string& channel, const std::string& key) {
  json::object body{{"patient_id", patient_id}, {"slot_id", slot_id}, {"channel", channel}};
  std::map<std::string, std::string> headers{{"Content-Type", "application/json"},
                                             {"Authorization", "Bearer " + token}};
  if (!key.empty()) headers["Idempotency-Key"] = key;
  return c.request("POST", "/api/v1/appointments", json::serialize(body), headers);
}

}  // namespace stork::testing
