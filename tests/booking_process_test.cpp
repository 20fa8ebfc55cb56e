// Bookings against the real binary: every booking answered 201 survives
// kill -9 (DESIGN.md §5 invariant 2), and two `stork serve` processes on one
// PostgreSQL never overbook a slot between them (invariant 1).
#include <gtest/gtest.h>
#include <signal.h>

#include <atomic>
#include <mutex>
#include <set>
#include <thread>

#include "core/civil_date.hpp"
#include "support/process.hpp"
#include "support/schedule_data.hpp"
#include "support/seeded_process.hpp"
#include "support/test_database.hpp"
#include "support/test_server.hpp"

namespace stork::testing {
namespace {

namespace json = boost::json;

using BookingProcess = SeededProcess;


// Released demo slots the window may book now, and demo patient ids.
std::vector<int64_t> window_slots(uint16_t port) {
  HttpClient c(port);
  auto r = c.get("/api/v1/slots?channel=window&available=true");
  EXPECT_EQ(r.status, 200) << r.body;
  std::vector<int64_t> ids;
  const auto body = r.json();
  for (const auto& s : body.at("items").as_array())
    if (s.at("released").as_bool())
      for (int64_t n = s.at("remaining").as_int64(); n > 0; --n) ids.push_back(s.at("id").as_int64());
  return ids;
}

TEST_P(BookingProcess, EveryBookingAnswered201SurvivesKill9) {
  std::vector<int64_t> acknowledged;
  std::mutex mutex;
  {
    ServerProcess server(serve_args());
    ASSERT_NE(server.port(), 0);
    const std::string clerk = staff_token(server.port(), "clerk");
    const auto tickets = window_slots(server.port());
    ASSERT_GE(tickets.size(), 40u) << "the demo schedule should offer window tickets";
    // Four clients book distinct patients into free window tickets; the
    // server is killed once 30 bookings have been acknowledged, while the
    // clients are still sending.
    std::atomic<size_t> next{0};
    std::atomic<bool> killed{false};
    std::vector<std::thread> clients;
    for (int t = 0; t < 4; ++t)
      clients.emplace_back([&] {
        HttpClient c(server.port());
        for (size_t i = next++; i < tickets.size(); i = next++) {
          const int64_t patient = static_cast<int64_t>(i) + 1;  // one booking per demo patient
          auto r = book(c, clerk, patient, tickets[i], "window", "kill9-" + std::to_string(i));
          if (r.status == 201) {
            std::lock_guard lock(mutex);
            acknowledged.push_back(r.json().at("id").as_int64());
            if (acknowledged.size() == 30 && !killed.exchange(true)) server.signal(SIGKILL);
          } else if (r.status == -1) {
            return;  // the server is gone
          }
        }
      });
    for (auto& t : clients) t.join();
    ASSERT_TRUE(killed.load()) << "fewer than 30 bookings succeeded";
    EXPECT_EQ(server.wait_exit(), 128 + SIGKILL);
  }
  ServerProcess restarted(serve_args());
  ASSERT_NE(restarted.port(), 0);
  const std::string clerk = staff_token(restarted.port(), "clerk");
  HttpClient c(restarted.port());
  std::set<std::pair<int64_t, int64_t>> tickets;  // (session, ticket) of live appointments
  for (int64_t id : acknowledged) {
    auto r = c.get("/api/v1/appointments/" + std::to_string(id), clerk);
    ASSERT_EQ(r.status, 200) << "acknowledged appointment " << id << " lost: " << r.body;
    EXPECT_EQ(r.json().at("status").as_string(), "booked");
    EXPECT_TRUE(tickets.insert({r.json().at("session_id").as_int64(), r.json().at("ticket_no").as_int64()}).second);
  }
  // And no slot holds more than its capacity.
  auto slots = c.get("/api/v1/slots?channel=window");
  const auto body = slots.json();
  for (const auto& s : body.at("items").as_array())
    EXPECT_LE(s.at("booked").as_int64(), s.at("capacity").as_int64());
}

INSTANTIATE_TEST_SUITE_P(Backends, BookingProcess, ::testing::ValuesIn(all_backends()),
                         [](const auto& info) { return backend_param_name(info.param); });

// Two nodes, one PostgreSQL, one slot of 3: 24 bookings race across both.
class TwoNodes : public SeededProcess {};

TEST_P(TwoNodes, NeverOverbookASlotBetweenThem) {
  ServerProcess a(serve_args()), b(serve_args());
  ASSERT_NE(a.port(), 0);
  ASSERT_NE(b.port(), 0);
  const std::string admin = staff_token(a.port(), "admin");
  HttpClient c(a.port());
  // A new clinic session tomorrow with one 30-minute slot of 3 window tickets.
  const auto dir = c.get("/api/v1/directory").json();
  int64_t doctor = 0;
  for (const auto& p : dir.at("practitioners").as_array())
    if (p.at("department_code").as_string() == "PED-CV") doctor = p.at("id").as_int64();
  ASSERT_NE(doctor, 0);
  json::object t{{"clinic_code", "PED-CV-EXP"}, {"practitioner_id", doctor}, {"period", "evening"},
                 {"start", "19:00"},            {"end", "19:30"},          {"capacity_per_slot", 3},
                 {"quota", {{"window", 100}}},  {"release_days_ahead", 30}};
  std::vector<int64_t> slots;
  for (int weekday = 1; weekday <= 7; ++weekday) {
    t["weekday"] = weekday;
    ASSERT_EQ(c.post_json("/api/v1/schedule-templates", t, admin).status, 201);
  }
  const auto now_ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                          std::chrono::system_clock::now().time_since_epoch())
                          .count();
  const std::string today = format_date(local_date(now_ms, 8 * 60));  // the server's zone
  auto gen = c.post_json("/api/v1/clinic-sessions/generate", {{"from", today}, {"days", 3}}, admin);
  ASSERT_EQ(gen.status, 200);
  auto list = c.get("/api/v1/slots?clinic=PED-CV-EXP&period=evening&channel=window&available=true");
  const auto found = list.json();
  ASSERT_FALSE(found.at("items").as_array().empty()) << list.body;
  // The earliest evening slot still ahead (today's or tomorrow's).
  const int64_t slot = found.at("items").at(0).at("id").as_int64();

  const std::string clerk_a = staff_token(a.port(), "clerk"), clerk_b = staff_token(b.port(), "clerk");
  std::atomic<int> created{0}, full{0};
  std::vector<std::thread> threads;
  for (int i = 0; i < 24; ++i)
    threads.emplace_back([&, i] {
      const bool on_a = i % 2 == 0;
      HttpClient client(on_a ? a.port() : b.port());
      auto r = book(client, on_a ? clerk_a : clerk_b, 100 + i, slot, "window", "two-nodes-" + std::to_string(i));
      if (r.status == 201) ++created;
      else if (r.status == 409 && r.json().at("code").as_string() == "slot_full") ++full;
      else ADD_FAILURE() << r.status << " " << r.body;
    });
  for (auto& th : threads) th.join();
  EXPECT_EQ(created.load(), 3);
  EXPECT_EQ(full.load(), 21);
  auto after = HttpClient(b.port()).get("/api/v1/slots/" + std::to_string(slot) + "?channel=window");
  EXPECT_EQ(after.json().at("booked").as_int64(), 3);
  EXPECT_EQ(after.json().at("remaining").as_int64(), 0);
}

INSTANTIATE_TEST_SUITE_P(Backends, TwoNodes, ::testing::Values(store::Backend::postgres),
                         [](const auto& info) { return backend_param_name(info.param); });

}  // namespace
}  // namespace stork::testing
