// The appointment platform over HTTP on SQLite and PostgreSQL: templates
// and their validation, generation, the free-slot search, release times,
// booking with idempotency keys, limits, quotas and the common pool,
// cancel and check-in deadlines, the patient boundary, and many threads on
// one slot (DESIGN.md §5, invariant 1).
#include <gtest/gtest.h>

#include <map>
#include <mutex>
#include <set>
#include <thread>

#include "core/civil_date.hpp"
#include "scheduling/schedule_model.hpp"
#include "support/api_assert.hpp"
#include "support/patient_data.hpp"
#include "support/schedule_data.hpp"
#include "support/test_database.hpp"
#include "support/test_server.hpp"

namespace stork::testing {
namespace {

namespace json = boost::json;
using std::chrono::hours;
using std::chrono::minutes;

class Booking : public ::testing::TestWithParam<store::Backend> {
 protected:
  void SetUp() override {
    server_ = std::make_unique<TestServer>(GetParam());
    clerk_ = server_->login("clerk");
    admin_ = server_->login("admin");
  }
  TestServer& server() { return *server_; }

  int64_t patient(const std::string& name, const std::string& birth, int seq) {
    auto r = server().client().post_json("/api/v1/patients", registration(name, birth, true, seq), clerk_);
    EXPECT_EQ(r.status, 201) << r.body;
    return r.json().at("id").as_int64();
  }

  // Statement names identify prepared statements, so each text gets its own.
  int64_t count(const std::string& sql_text) {
    static std::mutex mutex;
    static std::map<std::string, std::pair<std::string, std::string>> statements;
    const std::pair<std::string, std::string>* stmt;
    {
      std::lock_guard lock(mutex);
      auto [it, added] = statements.try_emplace(sql_text, "test_count_" + std::to_string(statements.size()), sql_text);
      stmt = &it->second;
    }
    int64_t n = -1;
    auto s = server().app().db().read([&](store::Connection& c) -> Status {
      auto rows = c.query({stmt->first, stmt->second});
      if (!rows) return fail(rows.error());
      n = (*rows)[0].integer(0);
      return {};
    });
    EXPECT_TRUE(s);
    return n;
  }

  json::object template_body() {
    return {{"clinic_code", "OB-GEN"}, {"practitioner_id", 1}, {"weekday", 1}, {"period", "morning"},
            {"start", "08:00"},        {"end", "12:00"},       {"slot_minutes", 30}, {"capacity_per_slot", 4}};
  }

  std::unique_ptr<TestServer> server_;
  std::string clerk_, admin_;
};

TEST_P(Booking, RefusesBadTemplatesNamingEachField) {
  auto c = server().client();
  struct Bad {
    const char* field;
    std::function<void(json::object&)> spoil;
  };
  const std::vector<Bad> cases = {
      {"capacity_per_slot", [](json::object& b) { b["capacity_per_slot"] = 0; }},
      {"capacity_per_slot", [](json::object& b) { b["capacity_per_slot"] = -3; }},
      {"slot_minutes", [](json::object& b) { b["slot_minutes"] = 25; }},  // 240 / 25
      {"quota", [](json::object& b) { b["quota"] = {{"online", 70}, {"window", 20}}; }},
      {"clinic_code", [](json::object& b) { b["clinic_code"] = "NOPE"; }},
      {"practitioner_id", [](json::object& b) { b["practitioner_id"] = 99999; }},
      {"end", [](json::object& b) { b["end"] = "07:00"; }},
      {"start", [](json::object& b) { b["start"] = "8am"; }},
      {"weekday", [](json::object& b) { b["weekday"] = 8; }},
      {"period", [](json::object& b) { b["period"] = "night"; }},
      {"release_time", [](json::object& b) { b["release_time"] = "25:00"; }},
      {"quota.walk_in", [](json::object& b) { b["quota"] = {{"walk_in", 100}}; }},
  };
  for (const auto& bad : cases) {
    auto body = template_body();
    bad.spoil(body);
    SCOPED_TRACE(bad.field);
    expect_problem(c.post_json("/api/v1/schedule-templates", body, admin_), 400, "validation_failed", bad.field);
  }
  EXPECT_EQ(count("SELECT COUNT(*) FROM schedule_templates"), 0);
  expect_problem(c.post_json("/api/v1/schedule-templates", template_body(), clerk_), 403, "forbidden");
}

TEST_P(Booking, GeneratesSessionsOnceWithNumberedTicketsSpreadOverTheQuotas) {
  auto opened = open_schedule(server(), {.capacity_per_slot = 5});
  ASSERT_EQ(opened.slot_ids.size(), 8u);  // 08:00-12:00 in 30 minutes
  const int64_t tickets = count("SELECT COUNT(*) FROM tickets");
  EXPECT_EQ(tickets, 8 * 5 * count("SELECT COUNT(*) FROM clinic_sessions"));
  // 60/20/10/10 of 40 tickets per session.
  EXPECT_EQ(count("SELECT COUNT(*) FROM tickets t JOIN clinic_sessions s ON s.id = t.session_id WHERE s.day = '" +
                  opened.day + "' AND quota_class = 'window'"),
            8);
  EXPECT_EQ(count("SELECT COUNT(DISTINCT ticket_no) FROM tickets t JOIN clinic_sessions s ON s.id = t.session_id"
                  " WHERE s.day = '" + opened.day + "'"),
            40);
  auto again = server().client().post_json("/api/v1/clinic-sessions/generate",
                                           {{"from", opened.day}, {"days", 14}}, admin_);
  ASSERT_EQ(again.status, 200);
  EXPECT_EQ(again.json().at("sessions_created").as_int64(), 0);
  EXPECT_EQ(count("SELECT COUNT(*) FROM tickets"), tickets);
}

TEST_P(Booking, SearchesFreeSlotsWithTheirRemainingTicketsPerChannel) {
  auto opened = open_schedule(server(), {.pool_minutes_before = 60});
  auto c = server().client();
  auto r = c.get("/api/v1/slots?department=OB&from=" + opened.day + "&to=" + opened.day + "&period=morning&channel=window");
  ASSERT_EQ(r.status, 200) << r.body;
  const auto items = r.json().at("items").as_array();
  ASSERT_EQ(items.size(), 8u);
  const auto& first = items.at(0).as_object();
  for (const char* key : {"id", "start", "end", "remaining", "capacity", "released", "clinic", "practitioner"})
    EXPECT_TRUE(first.contains(key)) << key;
  EXPECT_EQ(std::string(first.at("end").as_string()).substr(11, 5), "00:30");  // 08:30 in Shanghai
  int window_total = 0;
  for (const auto& s : items) window_total += static_cast<int>(s.at("remaining").as_int64());
  EXPECT_EQ(window_total, 7);  // 20 % of 32 = 6.4: the largest remainder gets the odd ticket
  EXPECT_TRUE(c.get("/api/v1/slots?department=GYN&from=" + opened.day + "&to=" + opened.day)
                  .json().at("items").as_array().empty());
  EXPECT_TRUE(c.get("/api/v1/slots?period=afternoon&from=" + opened.day + "&to=" + opened.day)
                  .json().at("items").as_array().empty());
  expect_problem(c.get("/api/v1/slots?from=2026-02-30"), 400, "validation_failed", "from");
  expect_problem(c.get("/api/v1/slots?channel=fax"), 400, "validation_failed", "channel");
  expect_problem(c.get("/api/v1/slots?from=2026-11-20&to=2026-11-19"), 400, "validation_failed", "to");
}

TEST_P(Booking, OpensSlotsOnlyAtTheirReleaseTime) {
  // The session is 10 days ahead and opens 7 days ahead at 08:00.
  auto opened = open_schedule(server(), {.days_from_today = 10});
  ASSERT_FALSE(opened.slot_ids.empty());
  const int64_t p = patient("程雪", "1990-01-01", 1);
  auto c = server().client();
  auto slot = c.get("/api/v1/slots/" + std::to_string(opened.slot_ids[0])).json();
  EXPECT_FALSE(slot.at("released").as_bool());
  auto early = book(c, clerk_, p, opened.slot_ids[0], "window", "early");
  expect_problem(early, 409, "not_released");
  EXPECT_EQ(early.json().at("release_at"), slot.at("release_at"));
  server().clock().advance(hours(24 * 4));
  clerk_ = server().login("clerk");
  EXPECT_EQ(book(c, clerk_, p, opened.slot_ids[0], "window", "on time").status, 201);
}

TEST_P(Booking, BooksWithATicketNumberAndAnswersARepeatedKeyTheSameWay) {
  auto opened = open_schedule(server());
  const int64_t p = patient("史丽", "1990-02-02", 1);
  auto c = server().client();
  auto first = book(c, clerk_, p, opened.slot_ids[2], "window", "key-1");
  ASSERT_EQ(first.status, 201) << first.body;
  const auto a = first.json().as_object();
  EXPECT_EQ(a.at("status").as_string(), "booked");
  EXPECT_GE(a.at("ticket_no").as_int64(), 9);  // slot 3 holds tickets 9..12
  EXPECT_LE(a.at("ticket_no").as_int64(), 12);
  auto again = book(c, clerk_, p, opened.slot_ids[2], "window", "key-1");
  ASSERT_EQ(again.status, 201);
  EXPECT_EQ(again.json(), first.json());
  EXPECT_EQ(again.header("idempotent-replayed"), "true");
  EXPECT_EQ(count("SELECT COUNT(*) FROM appointments"), 1);
  expect_problem(book(c, clerk_, p, opened.slot_ids[3], "window", "key-1"), 422, "idempotency_key_reused");
  expect_problem(book(c, clerk_, p, opened.slot_ids[3], "window", ""), 400, "validation_failed", "Idempotency-Key");

  auto read = c.get("/api/v1/appointments/" + std::to_string(a.at("id").as_int64()), clerk_);
  ASSERT_EQ(read.status, 200);
  EXPECT_EQ(read.json(), first.json());
  auto list = c.get("/api/v1/patients/" + std::to_string(p) + "/appointments", clerk_);
  EXPECT_EQ(list.json().at("items").as_array().size(), 1u);
  expect_problem(book(c, clerk_, 999999, opened.slot_ids[3], "window", "ghost"), 400, "validation_failed", "patient_id");
  expect_problem(book(c, clerk_, p, 999999, "window", "nowhere"), 400, "validation_failed", "slot_id");
  expect_problem(book(c, clerk_, p, opened.slot_ids[3], "online", "phone"), 400, "validation_failed", "channel");
}

TEST_P(Booking, EnforcesTheLimitsPerDoctorDepartmentAndTime) {
  auto ob = open_schedule(server());
  auto gyn = open_schedule(server(), {.clinic_code = "GYN-GEN", .department_code = "GYN"});
  const int64_t p = patient("江丽", "1990-03-03", 1);
  auto c = server().client();
  ASSERT_EQ(book(c, clerk_, p, ob.slot_ids[0], "window", "a").status, 201);
  // Same doctor, same session.
  expect_problem(book(c, clerk_, p, ob.slot_ids[4], "window", "b"), 409, "limit_reached");
  // Same time, other department.
  auto clash = book(c, clerk_, p, gyn.slot_ids[0], "window", "c");
  expect_problem(clash, 409, "patient_conflict");
  // Another time, other department: fine.
  EXPECT_EQ(book(c, clerk_, p, gyn.slot_ids[3], "window", "d").status, 201);
}

TEST_P(Booking, FillsASlotThenRefusesAndKeepsQuotasUntilThePoolOpens) {
  // One slot of 5: 3 online, 1 window, 1 referral/doctor (60/20/10/10);
  // unused tickets join the common pool an hour before the session.
  auto opened = open_schedule(server(), {.end = "08:30", .capacity_per_slot = 5, .pool_minutes_before = 60});
  const int64_t slot = opened.slot_ids.at(0);
  auto c = server().client();
  std::vector<int64_t> people;
  for (const char* name : {"甲", "乙", "丙", "丁", "戊", "己"}) people.push_back(patient(name, "1990-01-01", static_cast<int>(people.size())));
  EXPECT_EQ(book(c, clerk_, people[0], slot, "window", "1").status, 201);
  auto reserved = book(c, clerk_, people[1], slot, "window", "2");
  expect_problem(reserved, 409, "quota_exhausted");
  const int64_t start = slot_start_ms(server(), slot);
  EXPECT_EQ(utc_ms(std::string(reserved.json().at("pool_at").as_string())), start - 3'600'000);

  server().clock().set_ms(start - 30 * 60'000);  // the pool is open
  clerk_ = server().login("clerk");
  for (size_t i = 1; i < 5; ++i)
    EXPECT_EQ(book(c, clerk_, people[i], slot, "window", "pool" + std::to_string(i)).status, 201) << i;
  expect_problem(book(c, clerk_, people[5], slot, "window", "late"), 409, "slot_full");
  EXPECT_EQ(count("SELECT COUNT(*) FROM appointments WHERE status = 'booked'"), 5);
}

TEST_P(Booking, CancelsUntilTheDeadlineAndTheTicketReturnsToThePool) {
  auto opened = open_schedule(server(), {.end = "08:30", .capacity_per_slot = 1, .quota = {{"window", 100}}});
  auto c = server().client();
  const int64_t a = patient("金丽", "1990-01-01", 1), b = patient("木丽", "1990-01-02", 2);
  auto first = book(c, clerk_, a, opened.slot_ids[0], "window", "a");
  ASSERT_EQ(first.status, 201);
  expect_problem(book(c, clerk_, b, opened.slot_ids[0], "window", "b"), 409, "slot_full");
  const std::string path = "/api/v1/appointments/" + std::to_string(first.json().at("id").as_int64());
  auto cancelled = c.post_json(path + "/cancel", json::object{}, clerk_);
  ASSERT_EQ(cancelled.status, 200) << cancelled.body;
  EXPECT_EQ(cancelled.json().at("status").as_string(), "cancelled");
  EXPECT_FALSE(cancelled.json().at("cancelled_at").is_null());
  expect_problem(c.post_json(path + "/cancel", json::object{}, clerk_), 409, "invalid_state");
  auto second = book(c, clerk_, b, opened.slot_ids[0], "window", "b2");
  ASSERT_EQ(second.status, 201) << second.body;
  EXPECT_EQ(second.json().at("ticket_no"), first.json().at("ticket_no"));  // the freed number

  // Cancelling closes two hours before the slot.
  const int64_t start = slot_start_ms(server(), opened.slot_ids[0]);
  server().clock().set_ms(start - 119 * 60'000);
  clerk_ = server().login("clerk");
  const std::string spath = "/api/v1/appointments/" + std::to_string(second.json().at("id").as_int64());
  expect_problem(c.post_json(spath + "/cancel", json::object{}, clerk_), 409, "cancel_deadline_passed");
  EXPECT_EQ(c.get(spath, clerk_).json().at("status").as_string(), "booked");
}

TEST_P(Booking, ChecksInOnlyWithinItsWindow) {
  auto opened = open_schedule(server(), {.end = "09:00", .quota = {{"window", 100}}});
  auto c = server().client();
  auto r = book(c, clerk_, patient("林芳", "1990-01-01", 1), opened.slot_ids[0], "window", "x");
  auto late = book(c, clerk_, patient("林雪", "1990-01-02", 2), opened.slot_ids[0], "window", "y");
  ASSERT_EQ(r.status, 201);
  ASSERT_EQ(late.status, 201);
  const std::string path = "/api/v1/appointments/" + std::to_string(r.json().at("id").as_int64()) + "/check-in";
  const int64_t start = slot_start_ms(server(), opened.slot_ids[0]);
  server().clock().set_ms(start - 61 * 60'000);
  clerk_ = server().login("clerk");
  expect_problem(c.post_json(path, json::object{}, clerk_), 409, "check_in_too_early");
  server().clock().set_ms(start - 30 * 60'000);
  auto in = c.post_json(path, json::object{}, clerk_);
  ASSERT_EQ(in.status, 200) << in.body;
  EXPECT_EQ(in.json().at("status").as_string(), "checked_in");
  expect_problem(c.post_json(path, json::object{}, clerk_), 409, "invalid_state");
  server().clock().set_ms(start + 30 * 60'000);  // the 30-minute slot is over
  expect_problem(c.post_json("/api/v1/appointments/" + std::to_string(late.json().at("id").as_int64()) + "/check-in",
                             json::object{}, clerk_),
                 409, "check_in_too_late");
}

TEST_P(Booking, APatientBooksOnlyForHerFamilyAndOnlyOnline) {
  auto opened = open_schedule(server(), {.quota = {{"online", 100}}});
  const std::string phone = fresh_phone();
  auto mother = server().client().post_json("/api/v1/patients", registration("殷红", "1990-04-04", true, 1, phone), clerk_);
  ASSERT_EQ(mother.status, 201);
  const int64_t stranger = patient("路人", "1980-01-01", 2);
  auto c = server().client();
  ASSERT_EQ(c.post_json("/api/v1/portal/otp", {{"phone", phone}}).status, 202);
  auto outbox = c.get("/api/v1/sms-simulator/outbox?phone=" + phone).json();
  const std::string text(outbox.at("items").at(0).at("text").as_string());
  const std::string code = text.substr(text.find("是 ") + 4, 6);
  auto login = c.post_json("/api/v1/portal/login", {{"phone", phone}, {"code", code}});
  ASSERT_EQ(login.status, 200) << login.body;
  const std::string token(login.json().at("token").as_string());
  const int64_t me = mother.json().at("id").as_int64();
  auto mine = book(c, token, me, opened.slot_ids[0], "online", "m1");
  ASSERT_EQ(mine.status, 201) << mine.body;
  expect_problem(book(c, token, stranger, opened.slot_ids[1], "online", "m2"), 403, "forbidden");
  expect_problem(book(c, token, me, opened.slot_ids[1], "window", "m3"), 400, "validation_failed", "channel");
  // The clerk's booking for the stranger is not hers to read or cancel.
  auto theirs = book(c, clerk_, stranger, opened.slot_ids[2], "window", "s1");
  ASSERT_EQ(theirs.status, 201) << theirs.body;  // the common pool is open a day before
  const std::string tp = "/api/v1/appointments/" + std::to_string(theirs.json().at("id").as_int64());
  expect_problem(c.get(tp, token), 403, "forbidden");
  expect_problem(c.post_json(tp + "/cancel", json::object{}, token), 403, "forbidden");
  expect_problem(c.get("/api/v1/patients/" + std::to_string(stranger) + "/appointments", token), 403, "forbidden");
  EXPECT_EQ(c.get("/api/v1/patients/" + std::to_string(me) + "/appointments", token).json().at("items").as_array().size(),
            1u);
}

// Invariant 1: one slot, many threads, each a different patient.
TEST_P(Booking, ManyConcurrentBookingsNeverOverbookASlotNorRepeatATicket) {
  auto opened = open_schedule(server(), {.end = "08:30", .capacity_per_slot = 6, .quota = {{"window", 100}}});
  const int64_t slot = opened.slot_ids.at(0);
  std::vector<int64_t> patients;
  for (int i = 0; i < 40; ++i)
    patients.push_back(patient(std::string("Racer ") + static_cast<char>('A' + i / 26) + static_cast<char>('a' + i % 26),
                               "1990-01-01", i));
  std::atomic<int> created{0}, full{0}, other{0};
  std::mutex m;
  std::set<int64_t> tickets;
  std::vector<std::thread> threads;
  for (int i = 0; i < 40; ++i)
    threads.emplace_back([&, i] {
      auto c = server().client();
      auto r = book(c, clerk_, patients[static_cast<size_t>(i)], slot, "window", "race-" + std::to_string(i));
      if (r.status == 201) {
        ++created;
        std::lock_guard lock(m);
        tickets.insert(r.json().at("ticket_no").as_int64());
      } else if (r.status == 409 && r.json().at("code").as_string() == "slot_full") {
        ++full;
      } else {
        ++other;
        ADD_FAILURE() << r.status << " " << r.body;
      }
    });
  for (auto& t : threads) t.join();
  EXPECT_EQ(created.load(), 6);
  EXPECT_EQ(full.load(), 34);
  EXPECT_EQ(tickets.size(), 6u);
  EXPECT_EQ(count("SELECT COUNT(*) FROM appointments WHERE slot_id = " + std::to_string(slot)), 6);
  EXPECT_EQ(count("SELECT booked FROM slots WHERE id = " + std::to_string(slot)), 6);
  EXPECT_EQ(count("SELECT COUNT(*) FROM tickets WHERE taken = 1 AND slot_id = " + std::to_string(slot)), 6);
}

TEST_P(Booking, AppointmentsFollowAMergedRecord) {
  auto opened = open_schedule(server(), {.quota = {{"window", 100}}});
  const int64_t survivor = patient("骆芳", "1990-05-05", 1);
  auto dup = registration("骆芳", "1990-05-05", true, 2);
  dup["confirmed_not_duplicate"] = true;
  auto c = server().client();
  const int64_t merged = c.post_json("/api/v1/patients", dup, clerk_).json().at("id").as_int64();
  auto a = book(c, clerk_, merged, opened.slot_ids[0], "window", "dup");
  ASSERT_EQ(a.status, 201);
  ASSERT_EQ(c.post_json("/api/v1/patients/" + std::to_string(survivor) + "/merge", {{"merged_id", merged}}, clerk_).status,
            200);
  auto moved = c.get("/api/v1/appointments/" + std::to_string(a.json().at("id").as_int64()), clerk_);
  EXPECT_EQ(moved.json().at("patient_id").as_int64(), survivor);
}

TEST_P(Booking, StoppingAClinicCancelsNotifiesAndOffersOneClickRebooking) {
  auto opened = open_schedule(server(), {.quota = {{"window", 100}}});
  // A second doctor of the department the same morning: the alternatives.
  auto other = open_schedule(server(), {.days_from_today = 2, .quota = {{"window", 100}}});
  auto c = server().client();
  const int64_t a = patient("卢静", "1990-06-06", 1), b = patient("卢敏", "1990-07-07", 2);
  auto first = book(c, clerk_, a, opened.slot_ids[0], "window", "a");
  auto second = book(c, clerk_, b, opened.slot_ids[5], "window", "b");
  ASSERT_EQ(first.status, 201);
  ASSERT_EQ(second.status, 201);
  const int64_t session = first.json().at("session_id").as_int64();

  expect_problem(c.post_json("/api/v1/clinic-sessions/" + std::to_string(session) + "/stop", json::object{}, clerk_), 403,
                 "forbidden");
  auto stopped = c.post_json("/api/v1/clinic-sessions/" + std::to_string(session) + "/stop",
                             {{"reason", "医生外出会诊 doctor called away"}}, admin_);
  ASSERT_EQ(stopped.status, 200) << stopped.body;
  EXPECT_EQ(stopped.json().at("session").at("status").as_string(), "stopped");
  ASSERT_EQ(stopped.json().at("affected").as_array().size(), 2u);
  EXPECT_FALSE(stopped.json().at("affected").at(0).at("alternatives").as_array().empty());
  expect_problem(c.post_json("/api/v1/clinic-sessions/" + std::to_string(session) + "/stop", json::object{}, admin_), 409,
                 "invalid_state");

  // Nothing silently dropped: each patient has a notice with offered slots.
  const std::string ap = "/api/v1/appointments/" + std::to_string(first.json().at("id").as_int64());
  EXPECT_EQ(c.get(ap, clerk_).json().at("status").as_string(), "cancelled");
  auto notes = c.get("/api/v1/patients/" + std::to_string(a) + "/notifications", clerk_).json();
  ASSERT_EQ(notes.at("items").as_array().size(), 1u);
  const auto& note = notes.at("items").at(0);
  EXPECT_EQ(note.at("kind").as_string(), "session_stopped");
  EXPECT_EQ(note.at("appointment_id"), first.json().at("id"));
  ASSERT_FALSE(note.at("offered_slot_ids").as_array().empty());
  // The slot list shows the stopped session no more; booking it is refused.
  expect_problem(book(c, clerk_, a, opened.slot_ids[1], "window", "again"), 409, "session_stopped");

  // One click: rebook onto the first offered slot.
  const int64_t offered = note.at("offered_slot_ids").at(0).as_int64();
  std::map<std::string, std::string> headers{{"Content-Type", "application/json"}, {"Authorization", "Bearer " + clerk_},
                                             {"Idempotency-Key", "rebook-1"}};
  auto rebooked = c.request("POST", ap + "/rebook", json::serialize(json::object{{"slot_id", offered}}), headers);
  ASSERT_EQ(rebooked.status, 201) << rebooked.body;
  EXPECT_EQ(rebooked.json().at("slot_id").as_int64(), offered);
  EXPECT_EQ(rebooked.json().at("status").as_string(), "booked");
  auto replay = c.request("POST", ap + "/rebook", json::serialize(json::object{{"slot_id", offered}}), headers);
  EXPECT_EQ(replay.json().at("id"), rebooked.json().at("id"));
  // Once only: a second move of the same cancelled appointment is refused.
  headers["Idempotency-Key"] = "rebook-2";
  auto twice = c.request("POST", ap + "/rebook",
                         json::serialize(json::object{{"slot_id", note.at("offered_slot_ids").as_array().back()}}),
                         headers);
  expect_problem(twice, 409, "already_rebooked");
  EXPECT_EQ(twice.json().at("rebooked_to"), rebooked.json().at("id"));
  EXPECT_EQ(count("SELECT COUNT(*) FROM appointments WHERE status = 'booked'"), 1);
  (void)other;
}

TEST_P(Booking, ACancelledTicketGoesToTheFirstEligiblePatientOnTheWaitlist) {
  auto opened = open_schedule(server(), {.end = "08:30", .capacity_per_slot = 1, .quota = {{"window", 100}}});
  auto c = server().client();
  const int64_t holder = patient("袁丽", "1990-01-01", 1), busy = patient("袁芳", "1990-01-02", 2),
                waiting = patient("袁静", "1990-01-03", 3);
  auto held = book(c, clerk_, holder, opened.slot_ids[0], "window", "h");
  ASSERT_EQ(held.status, 201);
  const int64_t session = held.json().at("session_id").as_int64();
  // "busy" joins first but will hold another appointment at the same time.
  auto other = open_schedule(server(), {.clinic_code = "GYN-GEN", .department_code = "GYN", .quota = {{"window", 100}}});
  ASSERT_EQ(book(c, clerk_, busy, other.slot_ids[0], "window", "busy").status, 201);
  auto w1 = c.post_json("/api/v1/waitlist", {{"patient_id", busy}, {"session_id", session}}, clerk_);
  auto w2 = c.post_json("/api/v1/waitlist", {{"patient_id", waiting}, {"session_id", session}}, clerk_);
  ASSERT_EQ(w1.status, 201) << w1.body;
  ASSERT_EQ(w2.status, 201) << w2.body;
  expect_problem(c.post_json("/api/v1/waitlist", {{"patient_id", waiting}, {"session_id", session}}, clerk_), 409,
                 "already_waiting");
  expect_problem(c.post_json("/api/v1/waitlist", {{"patient_id", waiting}, {"session_id", 999999}}, clerk_), 400,
                 "validation_failed", "session_id");

  ASSERT_EQ(c.post_json("/api/v1/appointments/" + std::to_string(held.json().at("id").as_int64()) + "/cancel",
                        json::object{}, clerk_)
                .status,
            200);
  auto list = c.get("/api/v1/patients/" + std::to_string(waiting) + "/appointments", clerk_).json();
  ASSERT_EQ(list.at("items").as_array().size(), 1u);
  EXPECT_EQ(list.at("items").at(0).at("ticket_no"), held.json().at("ticket_no"));
  auto waits = c.get("/api/v1/patients/" + std::to_string(waiting) + "/waitlist", clerk_).json();
  EXPECT_EQ(waits.at("items").at(0).at("status").as_string(), "promoted");
  auto notes = c.get("/api/v1/patients/" + std::to_string(waiting) + "/notifications", clerk_).json();
  EXPECT_EQ(notes.at("items").at(0).at("kind").as_string(), "waitlist_promoted");
  // The patient with a clash is still waiting.
  EXPECT_EQ(c.get("/api/v1/patients/" + std::to_string(busy) + "/waitlist", clerk_).json().at("items").at(0).at("status")
                .as_string(),
            "waiting");
  auto left = c.post_json("/api/v1/waitlist/" + std::to_string(w1.json().at("id").as_int64()) + "/cancel", json::object{},
                          clerk_);
  EXPECT_EQ(left.json().at("status").as_string(), "cancelled");
}

TEST_P(Booking, RepeatedNoShowsSuspendOnlineBookingUntilADate) {
  server_ = std::make_unique<TestServer>(GetParam(), ConfigLayer{{"no_show_limit", "2"}, {"no_show_restrict_days", "30"}});
  clerk_ = server().login("clerk");
  admin_ = server().login("admin");
  auto first_day = open_schedule(server(), {.quota = {{"online", 50}, {"window", 50}}, .release_days_ahead = 30});
  auto second_day = open_schedule(server(), {.days_from_today = 2, .quota = {{"online", 50}, {"window", 50}},
                                             .release_days_ahead = 30});
  const int64_t p = patient("邱雪", "1990-01-01", 1);
  auto c = server().client();
  ASSERT_EQ(book(c, clerk_, p, first_day.slot_ids[0], "window", "n1").status, 201);
  ASSERT_EQ(book(c, clerk_, p, second_day.slot_ids[0], "window", "n2").status, 201);
  // Three days later both sessions have ended without a check-in.
  server().clock().advance(hours(72));
  clerk_ = server().login("clerk");
  auto swept = server().app().services().booking.sweep_no_shows({"", "test"});
  ASSERT_TRUE(swept);
  EXPECT_EQ(*swept, 2);
  auto r = c.get("/api/v1/patients/" + std::to_string(p) + "/restriction", clerk_).json();
  ASSERT_FALSE(r.at("restricted_until").is_null());
  EXPECT_EQ(r.at("no_show_appointment_ids").as_array().size(), 2u);
  // Online (the patient's phone) is refused with the end date; the window is not.
  auto later = open_schedule(server(), {.days_from_today = 4, .quota = {{"online", 50}, {"window", 50}},
                                        .release_days_ahead = 30});
  auto& booking = server().app().services().booking;
  auth::Principal me{auth::PrincipalKind::staff, 0, "t", "t", {auth::Role::clerk}, ""};
  scheduling::BookingRequest online{p, later.slot_ids[0], scheduling::Channel::phone_line, "phone"};
  auto refused = booking.book(me, online, {"", "t"});
  ASSERT_FALSE(refused);
  EXPECT_EQ(refused.error().code, "restricted");
  bool dated = false;
  for (const auto& d : refused.error().details) dated |= d.key == "restricted_until";
  EXPECT_TRUE(dated);
  auto at_window = book(c, clerk_, p, later.slot_ids[1], "window", "w");
  ASSERT_EQ(at_window.status, 201);
  ASSERT_EQ(c.post_json("/api/v1/appointments/" + std::to_string(at_window.json().at("id").as_int64()) + "/cancel",
                        json::object{}, clerk_)
                .status,
            200);
  // After R days from the last no-show, online booking is back.
  server().clock().advance(hours(24 * 31));
  EXPECT_TRUE(c.get("/api/v1/patients/" + std::to_string(p) + "/restriction", server().login("clerk"))
                  .json().at("restricted_until").is_null());
}

TEST_P(Booking, KeepsSpecialNeedsCapacityUnderItsShare) {
  auto c = server().client();
  // General: 8 slots x 4 = 32 tickets; gold card: 8 x 1 = 8 > 10 % of 40.
  auto general = open_schedule(server(), {.days_from_today = 1});
  auto gold = template_body();
  gold["clinic_code"] = "OB-GOLD";
  gold["practitioner_id"] = general.practitioner_id;
  gold["capacity_per_slot"] = 1;
  gold["weekday"] = c.get("/api/v1/schedule-templates", admin_).json().at("items").at(0).at("weekday");
  ASSERT_EQ(c.post_json("/api/v1/schedule-templates", gold, admin_).status, 201);
  auto generated = c.post_json("/api/v1/clinic-sessions/generate", {{"from", general.day}, {"days", 1}}, admin_);
  ASSERT_EQ(generated.status, 200) << generated.body;
  EXPECT_EQ(generated.json().at("special_needs_skipped").as_int64(), 1);
  auto share = c.get("/api/v1/reports/special-needs-share?from=" + general.day + "&to=" + general.day, admin_);
  ASSERT_EQ(share.status, 200) << share.body;
  EXPECT_EQ(share.json().at("special_needs_capacity").as_int64(), 0);
  EXPECT_EQ(share.json().at("total_capacity").as_int64(), 32);
  EXPECT_EQ(share.json().at("limit_percent").as_int64(), 10);
  // Sessions list shows the day's fill.
  auto sessions = c.get("/api/v1/clinic-sessions?from=" + general.day + "&to=" + general.day, clerk_);
  ASSERT_EQ(sessions.status, 200);
  ASSERT_EQ(sessions.json().at("items").as_array().size(), 1u);
  EXPECT_EQ(sessions.json().at("items").at(0).at("capacity").as_int64(), 32);
}

TEST_P(Booking, SkipsHolidaysAndAddsOneOffSessions) {
  auto c = server().client();
  const std::string day = [&] {
    const int64_t ms = server().clock().now_ms() + 2 * 86'400'000;
    return format_date(local_date(ms, 8 * 60));
  }();
  ASSERT_EQ(c.post_json("/api/v1/holidays", {{"day", day}, {"name", "院庆 hospital day"}}, admin_).status, 201);
  expect_problem(c.post_json("/api/v1/holidays", {{"day", day}, {"name", "again"}}, admin_), 409, "holiday_exists");
  expect_problem(c.post_json("/api/v1/holidays", {{"day", "2026-02-30"}, {"name", "x"}}, admin_), 400,
                 "validation_failed", "day");
  // A weekly template on that weekday generates nothing that day.
  auto opened = open_schedule(server(), {.days_from_today = 2});
  EXPECT_TRUE(opened.slot_ids.empty());
  EXPECT_EQ(c.get("/api/v1/holidays", clerk_).json().at("items").at(0).at("day").as_string(), day);

  // A one-off evening clinic that very day.
  json::object one_off{{"clinic_code", "OB-GEN"}, {"practitioner_id", opened.practitioner_id}, {"day", day},
                       {"period", "evening"},     {"start", "18:00"},                      {"end", "19:00"},
                       {"capacity_per_slot", 2}};
  auto made = c.post_json("/api/v1/clinic-sessions", one_off, admin_);
  ASSERT_EQ(made.status, 201) << made.body;
  EXPECT_EQ(made.json().at("capacity").as_int64(), 4);
  EXPECT_EQ(made.json().at("day").as_string(), day);
  auto bad = one_off;
  bad["day"] = "2020-01-01";
  expect_problem(c.post_json("/api/v1/clinic-sessions", bad, admin_), 400, "validation_failed", "day");
  bad.erase("day");
  expect_problem(c.post_json("/api/v1/clinic-sessions", bad, admin_), 400, "validation_failed", "day");
  // It is not generated again on later weeks.
  auto again = c.post_json("/api/v1/clinic-sessions/generate", {{"from", day}, {"days", 30}}, admin_);
  ASSERT_EQ(again.status, 200);
  EXPECT_EQ(count("SELECT COUNT(*) FROM clinic_sessions WHERE period = 'evening'"), 1);
}

TEST_P(Booking, RemindsOnceWithThePreparationInstructions) {
  auto c = server().client();
  // Prenatal ultrasound (an exam room, no doctor) with its preparation.
  json::object t{{"clinic_code", "US-PRENATAL"}, {"room_code", "US-1"}, {"period", "morning"},
                 {"start", "08:00"},            {"end", "09:00"},       {"capacity_per_slot", 2},
                 {"quota", {{"window", 100}}},  {"release_days_ahead", 30},
                 {"preparation", "检查前1小时饮水500毫升 drink 500 ml an hour before"}};
  const int64_t in_two_days = server().clock().now_ms() + 2 * 86'400'000;
  const CivilDate day = local_date(in_two_days, 8 * 60);
  using namespace std::chrono;
  t["weekday"] = static_cast<int>(weekday(sys_days(year_month_day(year(day.year), month(static_cast<unsigned>(day.month)),
                                                                   std::chrono::day(static_cast<unsigned>(day.day)))))
                                      .iso_encoding());
  ASSERT_EQ(c.post_json("/api/v1/schedule-templates", t, admin_).status, 201);
  ASSERT_EQ(c.post_json("/api/v1/clinic-sessions/generate", {{"from", format_date(day)}, {"days", 1}}, admin_).status, 200);
  auto slots = c.get("/api/v1/slots?clinic=US-PRENATAL&channel=window").json();
  const int64_t slot = slots.at("items").at(0).at("id").as_int64();
  EXPECT_NE(std::string(slots.at("items").at(0).at("preparation").as_string()).find("500"), std::string::npos);
  const int64_t p = patient("薛丽", "1994-02-02", 1);
  auto booked = book(c, clerk_, p, slot, "window", "us");
  ASSERT_EQ(booked.status, 201) << booked.body;
  EXPECT_NE(std::string(booked.json().at("preparation").as_string()).find("500"), std::string::npos);

  auto& booking = server().app().services().booking;
  EXPECT_EQ(*booking.send_reminders({"", "t"}), 0);  // two days ahead: not yet
  server().clock().set_ms(slot_start_ms(server(), slot) - 20 * 3'600'000);
  EXPECT_EQ(*booking.send_reminders({"", "t"}), 1);
  EXPECT_EQ(*booking.send_reminders({"", "t"}), 0);  // once
  auto notes = c.get("/api/v1/patients/" + std::to_string(p) + "/notifications", server().login("clerk")).json();
  ASSERT_EQ(notes.at("items").as_array().size(), 1u);
  EXPECT_EQ(notes.at("items").at(0).at("kind").as_string(), "reminder");
  EXPECT_NE(std::string(notes.at("items").at(0).at("body").as_string()).find("500 ml"), std::string::npos);
}

INSTANTIATE_TEST_SUITE_P(Backends, Booking, ::testing::ValuesIn(all_backends()),
                         [](const auto& info) { return backend_param_name(info.param); });

}  // namespace
}  // namespace stork::testing
