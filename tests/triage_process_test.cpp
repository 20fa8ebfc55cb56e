// Queues against the real binary: a line, its calls and its rooms survive
// kill -9 of the server (DESIGN.md §5 invariant 2): the restarted server
// shows the same line, the display the same calls, and the doctor calls on.
#include <gtest/gtest.h>
#include <signal.h>

#include <chrono>

#include "core/civil_date.hpp"
#include "support/process.hpp"
#include "support/schedule_data.hpp"
#include "support/seeded_process.hpp"
#include "support/test_database.hpp"
#include "support/test_server.hpp"

namespace stork::testing {
namespace {

namespace json = boost::json;

using TriageProcess = SeededProcess;


int64_t now_ms() {
  using namespace std::chrono;
  return duration_cast<milliseconds>(system_clock::now().time_since_epoch()).count();
}

// The server runs on real time: an all-day session every day (00:00-23:50
// in 10-minute slots) always has a slot whose check-in is open, today's or,
// just before midnight, tomorrow's first one.
int64_t slot_open_for_check_in(HttpClient& c, const std::string& admin) {
  const auto dir = c.get("/api/v1/directory").json();
  int64_t doctor = 0;
  for (const auto& p : dir.at("practitioners").as_array())
    if (p.at("department_code").as_string() == "GYN") doctor = p.at("id").as_int64();
  EXPECT_NE(doctor, 0);
  json::object t{{"clinic_code", "GYN-GEN"}, {"practitioner_id", doctor}, {"period", "morning"},
                 {"start", "00:00"},         {"end", "23:50"},           {"slot_minutes", 10},
                 {"capacity_per_slot", 4},   {"quota", {{"window", 100}}}, {"release_days_ahead", 7},
                 {"release_time", "00:00"}};
  for (int weekday = 1; weekday <= 7; ++weekday) {
    t["weekday"] = weekday;
    auto r = c.post_json("/api/v1/schedule-templates", t, admin);
    EXPECT_EQ(r.status, 201) << r.body;
  }
  const std::string today = format_date(local_date(now_ms(), 8 * 60));  // the server's zone
  EXPECT_EQ(c.post_json("/api/v1/clinic-sessions/generate", {{"from", today}, {"days", 2}}, admin).status, 200);
  auto list = c.get("/api/v1/slots?clinic=GYN-GEN&channel=window&available=true&from=" + today);
  const auto found = list.json();
  for (const auto& s : found.at("items").as_array()) {
    const int64_t starts = utc_ms(std::string(s.at("start").as_string()));
    // Bookable (not started) with check-in open (it opens an hour before).
    if (starts > now_ms() + 2 * 60'000 && starts < now_ms() + 50 * 60'000) return s.at("id").as_int64();
  }
  ADD_FAILURE() << "no GYN-GEN slot starts within the hour: " << list.body;
  return 0;
}

// The demo hospital charges registration fees: the clerk takes cash.
void pay_at_window(HttpClient& c, const std::string& clerk, int64_t patient, int64_t appointment) {
  auto orders = c.get("/api/v1/patients/" + std::to_string(patient) + "/orders", clerk);
  ASSERT_EQ(orders.status, 200) << orders.body;
  const auto list = orders.json();
  for (const auto& o : list.at("items").as_array()) {
    if (!o.at("appointment_id").is_int64() || o.at("appointment_id").as_int64() != appointment) continue;
    auto paid = c.request("POST", "/api/v1/orders/" + std::to_string(o.at("id").as_int64()) + "/payments",
                          json::serialize(json::object{{"method", "cash"}, {"amount_fen", o.at("outstanding_fen")}}),
                          {{"Authorization", "Bearer " + clerk},
                           {"Content-Type", "application/json"},
                           {"Idempotency-Key", "pay-" + std::to_string(appointment)}});
    ASSERT_EQ(paid.status, 201) << paid.body;
    return;
  }
  FAIL() << "appointment " << appointment << " has no bill";
}

TEST_P(TriageProcess, ALineItsCallsAndRoomsSurviveKill9) {
  int64_t session = 0, called_entry = 0;
  std::vector<int64_t> waiting_before;
  {
    ServerProcess server(serve_args());
    ASSERT_NE(server.port(), 0);
    HttpClient c(server.port());
    const std::string admin = staff_token(server.port(), "admin"), clerk = staff_token(server.port(), "clerk");
    const std::string doctor = staff_token(server.port(), "doctor");
    const int64_t slot = slot_open_for_check_in(c, admin);
    ASSERT_NE(slot, 0);
    for (int64_t patient : {1, 2, 3}) {
      auto booked = book(c, clerk, patient, slot, "window", "k9-" + std::to_string(patient));
      ASSERT_EQ(booked.status, 201) << booked.body;
      session = booked.json().at("session_id").as_int64();
      const std::string id = std::to_string(booked.json().at("id").as_int64());
      pay_at_window(c, clerk, patient, booked.json().at("id").as_int64());
      auto in = c.post_json("/api/v1/appointments/" + id + "/check-in", json::object{}, clerk);
      ASSERT_EQ(in.status, 200) << in.body;
    }
    const std::string path = "/api/v1/triage/sessions/" + std::to_string(session);
    ASSERT_EQ(c.post_json(path + "/rooms", {{"room_code", "GYN-R1"}}, doctor).status, 200);
    auto called = c.post_json(path + "/call-next", {{"room_code", "GYN-R1"}}, doctor);
    ASSERT_EQ(called.status, 200) << called.body;
    called_entry = called.json().at("id").as_int64();
    auto q = c.get(path + "/queue", doctor).json();
    for (const auto& e : q.at("waiting").as_array()) waiting_before.push_back(e.at("id").as_int64());
    ASSERT_EQ(waiting_before.size(), 2u);
    // Killed right after the call was acknowledged.
    server.signal(SIGKILL);
    EXPECT_EQ(server.wait_exit(), 128 + SIGKILL);
  }
  ServerProcess restarted(serve_args());
  ASSERT_NE(restarted.port(), 0);
  HttpClient c(restarted.port());
  const std::string doctor = staff_token(restarted.port(), "doctor");
  const std::string path = "/api/v1/triage/sessions/" + std::to_string(session);
  auto q = c.get(path + "/queue", doctor);
  ASSERT_EQ(q.status, 200) << q.body;
  const auto line = q.json();
  ASSERT_EQ(line.at("called").as_array().size(), 1u);
  EXPECT_EQ(line.at("called").as_array()[0].at("id").as_int64(), called_entry);
  std::vector<int64_t> waiting_after;
  for (const auto& e : line.at("waiting").as_array()) waiting_after.push_back(e.at("id").as_int64());
  EXPECT_EQ(waiting_after, waiting_before);
  EXPECT_EQ(line.at("rooms").as_array()[0].at("state").as_string(), "open");
  // The display resumes with the call it showed.
  auto screen = c.get("/api/v1/triage/display/GYN", staff_token(restarted.port(), "display")).json();
  ASSERT_FALSE(screen.at("calls").as_array().empty());
  // And the doctor calls the next one in line.
  auto next = c.post_json(path + "/call-next", {{"room_code", "GYN-R1"}}, doctor);
  ASSERT_EQ(next.status, 200) << next.body;
  EXPECT_EQ(next.json().at("id").as_int64(), waiting_before[0]);
}

INSTANTIATE_TEST_SUITE_P(Backends, TriageProcess, ::testing::ValuesIn(all_backends()),
                         [](const auto& info) { return backend_param_name(info.param); });

}  // namespace
}  // namespace stork::testing
