// Queues and calling over HTTP on SQLite and PostgreSQL (issue 6): check-in
// puts a patient in line, the doctor calls, recalls, marks absent,
// transfers, confirms and finishes; area triage sets priorities from vitals;
// the display and the patient's phone see the result; several doctors
// calling one line at once never call a patient twice or skip one.
#include <gtest/gtest.h>

#include <atomic>
#include <map>
#include <mutex>
#include <set>
#include <thread>

#include "support/api_assert.hpp"
#include "support/patient_data.hpp"
#include "support/portal_login.hpp"
#include "support/schedule_data.hpp"
#include "support/test_database.hpp"
#include "support/test_server.hpp"

namespace stork::testing {
namespace {

namespace json = boost::json;
constexpr int64_t kMinute = 60'000;
const std::vector<std::string> kNames = {"赵敏", "钱丽", "孙芳", "李静", "周婷", "吴娟", "郑红", "王艳",
                                         "冯霞", "陈琳", "褚颖", "卫洁", "蒋梅", "沈露", "韩雪", "杨柳"};

class Triage : public ::testing::TestWithParam<store::Backend> {
 protected:
  void SetUp() override {
    server_ = std::make_unique<TestServer>(GetParam());
    clerk_ = server_->login("clerk");
    // Tomorrow 08:00-10:00, four slots of four window tickets each.
    schedule_ = open_schedule(*server_, {.end = "10:00", .quota = {{"window", 100}}});
    start_ = slot_start_ms(*server_, schedule_.slot_ids[0]);
  }
  TestServer& server() { return *server_; }

  int64_t patient(const std::string& name, int seq, const std::string& birth = "1992-05-05",
                  const std::string& phone = "") {
    auto r = server().client().post_json("/api/v1/patients", registration(name, birth, true, seq, phone), clerk_);
    EXPECT_EQ(r.status, 201) << r.body;
    return r.json().at("id").as_int64();
  }

  // Books the patient into slot `slot` (0-based); returns the appointment id.
  int64_t booked(int64_t patient_id, size_t slot) {
    auto c = server().client();
    auto r = book(c, clerk_, patient_id, schedule_.slot_ids.at(slot), "window",
                  "t-" + std::to_string(patient_id) + "-" + std::to_string(slot));
    EXPECT_EQ(r.status, 201) << r.body;
    return r.json().at("id").as_int64();
  }

  // Moves the clock (and signs everyone in again: tokens follow the clock).
  void at(int64_t ms) {
    server().clock().set_ms(ms);
    clerk_ = server().login("clerk");
    doctor_ = server().login("doctor");
    nurse_ = server().login("triage_nurse");
  }

  HttpResult check_in(int64_t appointment_id) {
    return server().client().post_json("/api/v1/appointments/" + std::to_string(appointment_id) + "/check-in",
                                       json::object{}, clerk_);
  }

  json::object queue() {
    auto r = server().client().get(session_path() + "/queue", nurse_);
    EXPECT_EQ(r.status, 200) << r.body;
    return r.json().as_object();
  }

  // Appointment ids of the waiting line, in call order.
  std::vector<int64_t> line() {
    std::vector<int64_t> ids;
    const auto q = queue();
    for (const auto& e : q.at("waiting").as_array()) ids.push_back(e.at("appointment_id").as_int64());
    return ids;
  }

  int64_t session_id() {
    if (session_id_) return session_id_;
    auto r = server().client().get("/api/v1/slots/" + std::to_string(schedule_.slot_ids[0]));
    session_id_ = r.json().at("session_id").as_int64();
    return session_id_;
  }
  std::string session_path() { return "/api/v1/triage/sessions/" + std::to_string(session_id()); }

  HttpResult open_room(const std::string& room) {
    return server().client().post_json(session_path() + "/rooms", {{"room_code", room}}, doctor_);
  }
  HttpResult call_next(const std::string& room, const std::string& token = "") {
    return server().client().post_json(session_path() + "/call-next", {{"room_code", room}},
                                       token.empty() ? doctor_ : token);
  }
  HttpResult act(int64_t entry_id, const std::string& action, const json::object& body = {}) {
    return server().client().post_json("/api/v1/triage/entries/" + std::to_string(entry_id) + "/" + action, body,
                                       doctor_);
  }
  // The queue entry id of an appointment, from the line or the called list.
  int64_t entry_of(int64_t appointment_id) {
    const auto q = queue();
    for (const char* list : {"waiting", "called", "in_room"})
      for (const auto& e : q.at(list).as_array())
        if (e.at("appointment_id").as_int64() == appointment_id) return e.at("id").as_int64();
    ADD_FAILURE() << "appointment " << appointment_id << " is not in the queue";
    return 0;
  }

  std::unique_ptr<TestServer> server_;
  std::string clerk_, doctor_, nurse_;
  OpenedSchedule schedule_;
  int64_t start_ = 0, session_id_ = 0;
};

TEST_P(Triage, CheckInPutsPatientsInLineByAppointmentTimeNotArrival) {
  const int64_t a = booked(patient("张小丽", 1), 1);  // 08:30
  const int64_t b = booked(patient("王芳", 2), 0);    // 08:00
  const int64_t c = booked(patient("李娜", 3), 0);    // 08:00, the next ticket
  at(start_ - 25 * kMinute);  // check-in has opened for both slots
  for (int64_t id : {a, c, b}) ASSERT_EQ(check_in(id).status, 200);
  EXPECT_EQ(line(), (std::vector<int64_t>{b, c, a}));
  const auto q = queue();
  const auto& first = q.at("waiting").as_array()[0];
  EXPECT_EQ(first.at("position").as_int64(), 1);
  EXPECT_EQ(first.at("kind").as_string(), "appointment");
  EXPECT_EQ(q.at("waiting").as_array()[2].at("name").as_string(), "张*丽");
  // No room is open yet: the estimate counts one.
  EXPECT_EQ(q.at("waiting").as_array()[2].at("estimated_wait_minutes").as_int64(), 2 * 8);
}

TEST_P(Triage, ADoctorCallsConfirmsAndFinishesAndTheDisplayShowsTheCall) {
  const int64_t a = booked(patient("张小丽", 1), 0);
  const int64_t b = booked(patient("王芳", 2), 0);
  at(start_ - 30 * kMinute);
  ASSERT_EQ(check_in(a).status, 200);
  ASSERT_EQ(check_in(b).status, 200);
  expect_problem(call_next("OB-R1"), 409, "room_closed");
  ASSERT_EQ(open_room("OB-R1").status, 200);
  expect_problem(open_room("NO-SUCH-ROOM"), 400, "validation_failed", "room_code");

  auto called = call_next("OB-R1");
  ASSERT_EQ(called.status, 200) << called.body;
  const auto first = called.json();
  EXPECT_EQ(first.at("appointment_id").as_int64(), a);
  EXPECT_EQ(first.at("state").as_string(), "called");
  EXPECT_EQ(first.at("room_code").as_string(), "OB-R1");

  const std::string display_token = server().login("display");
  auto screen = server().client().get("/api/v1/triage/display/OB", display_token);
  ASSERT_EQ(screen.status, 200) << screen.body;
  const auto shown = screen.json();
  ASSERT_FALSE(shown.at("calls").as_array().empty());
  const auto& call = shown.at("calls").as_array()[0];
  EXPECT_EQ(call.at("ticket_no").as_int64(), first.at("ticket_no").as_int64());
  EXPECT_EQ(call.at("name").as_string(), "张*丽");
  EXPECT_EQ(call.at("room_code").as_string(), "OB-R1");
  EXPECT_FALSE(call.as_object().contains("patient_id"));
  // The display account reads nothing else.
  expect_problem(server().client().get(session_path() + "/queue", display_token), 403, "forbidden");

  const int64_t entry = first.at("id").as_int64();
  ASSERT_EQ(act(entry, "recall").status, 200);
  EXPECT_TRUE(server().client().get("/api/v1/triage/display/OB", display_token).json().at("calls").as_array()[0]
                  .at("recall").as_bool());
  auto in_room = act(entry, "confirm");
  ASSERT_EQ(in_room.status, 200) << in_room.body;
  EXPECT_EQ(in_room.json().at("state").as_string(), "in_room");
  expect_problem(act(entry, "confirm"), 409, "invalid_state");
  ASSERT_EQ(act(entry, "finish").status, 200);
  auto appointment = server().client().get("/api/v1/appointments/" + std::to_string(a), clerk_);
  EXPECT_EQ(appointment.json().at("status").as_string(), "completed");

  // The second patient, then nobody.
  EXPECT_EQ(call_next("OB-R1").json().at("appointment_id").as_int64(), b);
  expect_problem(call_next("OB-R1"), 409, "queue_empty");
  // A paused room calls nobody.
  ASSERT_EQ(server().client().post_json(session_path() + "/rooms/OB-R1/pause", json::object{}, doctor_).status, 200);
  expect_problem(call_next("OB-R1"), 409, "room_closed");
}

TEST_P(Triage, AnAbsentPatientMovesBackThenToTheEnd) {
  std::vector<int64_t> ids;
  for (int i = 0; i < 6; ++i) ids.push_back(booked(patient(kNames[i], i + 1), i / 4));
  at(start_ - 30 * kMinute);
  for (int64_t id : ids) ASSERT_EQ(check_in(id).status, 200);
  ASSERT_EQ(open_room("OB-R1").status, 200);
  const int64_t first = call_next("OB-R1").json().at("id").as_int64();
  auto absent = act(first, "absent");
  ASSERT_EQ(absent.status, 200) << absent.body;
  EXPECT_EQ(absent.json().at("absences").as_int64(), 1);
  // Moved back three places: three others ahead of her.
  EXPECT_EQ(absent.json().at("position").as_int64(), 4);
  EXPECT_EQ(line(), (std::vector<int64_t>{ids[1], ids[2], ids[3], ids[0], ids[4], ids[5]}));
  // Three calls later she is next; absent again, she goes to the end.
  for (int i = 0; i < 3; ++i) ASSERT_EQ(call_next("OB-R1").status, 200);
  auto again = call_next("OB-R1");
  ASSERT_EQ(again.json().at("appointment_id").as_int64(), ids[0]);
  auto last = act(first, "absent");
  EXPECT_EQ(last.json().at("absences").as_int64(), 2);
  EXPECT_EQ(line(), (std::vector<int64_t>{ids[4], ids[5], ids[0]}));
  expect_problem(act(first, "absent"), 409, "invalid_state");  // she is waiting, not called
}

TEST_P(Triage, TransfersWaitForTheirRoomAndAClosedRoomIsRefused) {
  const int64_t a = booked(patient("张小丽", 1), 0);
  const int64_t b = booked(patient("王芳", 2), 0);
  at(start_ - 30 * kMinute);
  ASSERT_EQ(check_in(a).status, 200);
  ASSERT_EQ(check_in(b).status, 200);
  ASSERT_EQ(open_room("OB-R1").status, 200);
  ASSERT_EQ(open_room("OB-R2").status, 200);
  ASSERT_EQ(server().client().post_json(session_path() + "/rooms/OB-R2/close", json::object{}, doctor_).status, 200);
  const int64_t entry_a = entry_of(a);
  expect_problem(act(entry_a, "transfer", {{"room_code", "OB-R2"}}), 409, "room_closed");
  expect_problem(act(entry_a, "transfer", {{"room_code", "OB-R9"}}), 409, "room_closed");
  expect_problem(act(entry_a, "transfer", json::object{}), 400, "validation_failed", "room_code");
  expect_problem(act(entry_a, "transfer", {{"session_id", 999999}}), 400, "validation_failed", "session_id");
  ASSERT_EQ(server().client().post_json(session_path() + "/rooms/OB-R2/resume", json::object{}, doctor_).status, 200);
  auto moved = act(entry_a, "transfer", {{"room_code", "OB-R2"}});
  ASSERT_EQ(moved.status, 200) << moved.body;
  EXPECT_EQ(moved.json().at("room_code").as_string(), "OB-R2");
  // Room 1 skips her; room 2 takes her.
  EXPECT_EQ(call_next("OB-R1").json().at("appointment_id").as_int64(), b);
  expect_problem(call_next("OB-R1"), 409, "queue_empty");
  EXPECT_EQ(call_next("OB-R2").json().at("appointment_id").as_int64(), a);
}

TEST_P(Triage, AReturnVisitWaitsBehindAtMostThreePatients) {
  std::vector<int64_t> ids;
  for (int i = 0; i < 6; ++i) ids.push_back(booked(patient(kNames[i], i + 1), i / 4));
  at(start_ - 30 * kMinute);
  for (int64_t id : ids) ASSERT_EQ(check_in(id).status, 200);
  ASSERT_EQ(open_room("OB-R1").status, 200);
  const int64_t first = call_next("OB-R1").json().at("id").as_int64();
  ASSERT_EQ(act(first, "confirm").status, 200);
  auto back = act(first, "return");
  ASSERT_EQ(back.status, 200) << back.body;
  EXPECT_EQ(back.json().at("kind").as_string(), "return_visit");
  EXPECT_EQ(back.json().at("position").as_int64(), 4);
}

TEST_P(Triage, VitalsOutOfRangeAreRefusedImplausibleOnesFlaggedAndATriggerGoesFirst) {
  const int64_t a = booked(patient("张小丽", 1), 0);
  const int64_t b = booked(patient("王芳", 2), 1);
  at(start_ - 30 * kMinute);
  ASSERT_EQ(check_in(a).status, 200);
  ASSERT_EQ(check_in(b).status, 200);
  auto c = server().client();
  auto bad = c.post_json("/api/v1/triage/assessments",
                         {{"appointment_id", b}, {"vitals", {{"temperature_c", 60}, {"spo2", 130}}}}, nurse_);
  expect_problem(bad, 400, "validation_failed", "vitals.temperature_c");
  expect_problem(bad, 400, "validation_failed", "vitals.spo2");
  expect_problem(c.post_json("/api/v1/triage/assessments",
                             {{"appointment_id", b}, {"vitals", {{"heart_rate", "fast"}}}}, nurse_),
                 400, "validation_failed", "vitals.heart_rate");
  expect_problem(c.post_json("/api/v1/triage/assessments",
                             {{"appointment_id", b}, {"vitals", json::object{}}, {"flags", {"vip"}}}, nurse_),
                 400, "validation_failed", "flags[0]");
  EXPECT_EQ(line(), (std::vector<int64_t>{a, b}));

  // 41 °C is possible: accepted, flagged for a second measurement, and (MEOWS red) a trigger.
  auto hot = c.post_json("/api/v1/triage/assessments",
                         {{"appointment_id", b},
                          {"vitals", {{"temperature_c", 41.0}, {"heart_rate", 88}, {"gestational_week", 33}}}},
                         nurse_);
  ASSERT_EQ(hot.status, 201) << hot.body;
  const auto result = hot.json();
  EXPECT_EQ(result.at("scale").at("id").as_string(), "meows");
  EXPECT_TRUE(result.at("scale").at("triggered").as_bool());
  ASSERT_FALSE(result.at("implausible").as_array().empty());
  EXPECT_EQ(result.at("implausible").as_array()[0].at("field").as_string(), "vitals.temperature_c");
  std::set<std::string> flags;
  for (const auto& f : result.at("flags").as_array()) flags.insert(std::string(f.as_string()));
  EXPECT_TRUE(flags.contains("critical"));
  EXPECT_TRUE(flags.contains("late_pregnancy"));
  // The critical patient now goes first.
  EXPECT_EQ(line(), (std::vector<int64_t>{b, a}));
  // A flag removed by the nurse puts her back.
  auto cleared = c.post_json("/api/v1/triage/entries/" + std::to_string(entry_of(b)) + "/flags",
                             {{"remove", {"critical", "late_pregnancy"}}}, nurse_);
  ASSERT_EQ(cleared.status, 200) << cleared.body;
  EXPECT_EQ(line(), (std::vector<int64_t>{a, b}));
  expect_problem(c.post_json("/api/v1/triage/entries/" + std::to_string(entry_of(b)) + "/flags", {{"add", {"vip"}}},
                             nurse_),
                 400, "validation_failed", "add[0]");
}

TEST_P(Triage, AFlagsEffectOnOrderIsConfiguredAndAppliesAtOnce) {
  const int64_t a = booked(patient("张小丽", 1), 0);
  const int64_t b = booked(patient("王芳", 2), 1);
  at(start_ - 25 * kMinute);
  ASSERT_EQ(check_in(a).status, 200);
  ASSERT_EQ(check_in(b).status, 200);
  auto c = server().client();
  ASSERT_EQ(c.post_json("/api/v1/triage/entries/" + std::to_string(entry_of(b)) + "/flags", {{"add", {"elderly"}}},
                        nurse_)
                .status,
            200);
  EXPECT_EQ(line(), (std::vector<int64_t>{b, a}));
  const std::string admin = server().login("admin");
  const std::map<std::string, std::string> headers{{"Authorization", "Bearer " + admin},
                                                   {"Content-Type", "application/json"}};
  auto shown_only = c.request("PUT", "/api/v1/triage/flags/elderly",
                              R"({"name_zh": "老年人", "name_en": "Elderly", "rank": 0})", headers);
  ASSERT_EQ(shown_only.status, 200) << shown_only.body;
  // Still shown to staff, no longer ahead.
  EXPECT_EQ(line(), (std::vector<int64_t>{a, b}));
  EXPECT_EQ(queue().at("waiting").as_array()[1].at("flags").as_array()[0].as_string(), "elderly");
  expect_problem(c.request("PUT", "/api/v1/triage/flags/Bad-Code", R"({"name_zh": "x", "name_en": "x", "rank": 10})",
                           headers),
                 400, "validation_failed", "rank");
  expect_problem(c.request("PUT", "/api/v1/triage/flags/elderly", R"({"name_zh": "x", "name_en": "x", "rank": 1})",
                           {{"Authorization", "Bearer " + nurse_}, {"Content-Type", "application/json"}}),
                 403, "forbidden");
}

TEST_P(Triage, AChildIsScoredOnPewsFromHerBirthDate) {
  const int64_t kid = booked(patient("刘小宝", 1, "2024-05-18"), 0);
  at(start_ - 30 * kMinute);
  auto r = server().client().post_json(
      "/api/v1/triage/assessments",
      {{"appointment_id", kid}, {"vitals", {{"heart_rate", 120}, {"respiratory_rate", 30}, {"spo2", 97}}}}, nurse_);
  ASSERT_EQ(r.status, 201) << r.body;
  EXPECT_EQ(r.json().at("scale").at("id").as_string(), "pews");
  EXPECT_EQ(r.json().at("age_months").as_int64(), 30);
}

TEST_P(Triage, CancelledAppointmentsCannotCheckInOrBeAssessed) {
  const int64_t a = booked(patient("张小丽", 1), 0);
  ASSERT_EQ(server().client().post_json("/api/v1/appointments/" + std::to_string(a) + "/cancel", json::object{}, clerk_)
                .status,
            200);
  at(start_ - 30 * kMinute);
  expect_problem(check_in(a), 409, "invalid_state");
  expect_problem(server().client().post_json("/api/v1/triage/assessments",
                                             {{"appointment_id", a}, {"vitals", {{"heart_rate", 80}}}}, nurse_),
                 409, "invalid_state");
  EXPECT_TRUE(line().empty());
}

TEST_P(Triage, APatientSeesHerOwnPlaceAndNobodyElses) {
  const std::string phone = fresh_phone();
  const int64_t mine = patient("曹芳", 1, "1990-02-02", phone);
  const int64_t other = patient("彭娜", 2);
  const int64_t a = booked(other, 0);
  const int64_t b = booked(mine, 0);
  at(start_ - 30 * kMinute);
  ASSERT_EQ(check_in(a).status, 200);
  ASSERT_EQ(check_in(b).status, 200);
  const std::string token = patient_token(server(), phone);
  auto c = server().client();
  auto own = c.get("/api/v1/patients/" + std::to_string(mine) + "/queue", token);
  ASSERT_EQ(own.status, 200) << own.body;
  const auto items = own.json().at("items").as_array();
  ASSERT_EQ(items.size(), 1u);
  EXPECT_EQ(items[0].at("position").as_int64(), 2);
  EXPECT_EQ(items[0].at("state").as_string(), "waiting");
  auto theirs = c.get("/api/v1/patients/" + std::to_string(other) + "/queue", token);
  EXPECT_TRUE(theirs.status == 403 || theirs.status == 404) << theirs.body;
  // Nor the session's line, nor a call.
  expect_problem(c.get(session_path() + "/queue", token), 403, "forbidden");
  expect_problem(call_next("OB-R1", token), 403, "forbidden");
}

TEST_P(Triage, WaitingTimesAreMeasuredPerClinicDoctorHourAndDay) {
  const int64_t a = booked(patient("张小丽", 1), 0);
  const int64_t b = booked(patient("王芳", 2), 0);
  at(start_ - 30 * kMinute);
  ASSERT_EQ(check_in(a).status, 200);
  ASSERT_EQ(check_in(b).status, 200);
  ASSERT_EQ(open_room("OB-R1").status, 200);
  at(start_ - 10 * kMinute);  // 20 minutes after check-in
  const int64_t first = call_next("OB-R1").json().at("id").as_int64();
  at(start_ - 8 * kMinute);
  ASSERT_EQ(act(first, "confirm").status, 200);
  at(start_ + 10 * kMinute);  // 40 minutes after check-in
  ASSERT_EQ(call_next("OB-R1").status, 200);

  auto stats = server().client().get("/api/v1/triage/stats?from=" + schedule_.day, server().login("manager"));
  ASSERT_EQ(stats.status, 200) << stats.body;
  const auto s = stats.json();
  EXPECT_EQ(s.at("overall").at("patients").as_int64(), 2);
  EXPECT_DOUBLE_EQ(s.at("overall").at("wait_to_call").at("avg_minutes").to_number<double>(), 30.0);
  EXPECT_DOUBLE_EQ(s.at("overall").at("call_to_seen").at("avg_minutes").to_number<double>(), 2.0);
  EXPECT_EQ(s.at("by_clinic").as_array()[0].at("clinic_code").as_string(), "OB-GEN");
  EXPECT_EQ(s.at("by_day").as_array()[0].at("day").as_string(), schedule_.day);
  EXPECT_EQ(s.at("by_hour").as_array()[0].at("hour").as_int64(), 7);  // checked in at 07:30
  ASSERT_EQ(s.at("by_doctor").as_array().size(), 1u);
  expect_problem(server().client().get("/api/v1/triage/stats?from=2026-13-01", server().login("manager")), 400,
                 "validation_failed", "from");
  expect_problem(server().client().get("/api/v1/triage/stats", doctor_), 403, "forbidden");
}

TEST_P(Triage, QueueRulesAreConfigurablePerClinic) {
  const std::string admin = server().login("admin");
  auto c = server().client();
  auto put = c.request("PUT", "/api/v1/triage/queue-rules/OB-GEN",
                       R"({"return_after": 1, "absent_move_back": 2, "late_grace_minutes": 10, "minutes_per_patient": 6})",
                       {{"Authorization", "Bearer " + admin}, {"Content-Type", "application/json"}});
  ASSERT_EQ(put.status, 200) << put.body;
  EXPECT_EQ(c.get("/api/v1/triage/queue-rules/OB-GEN", admin).json().at("return_after").as_int64(), 1);
  // Another clinic keeps the defaults.
  EXPECT_EQ(c.get("/api/v1/triage/queue-rules/PED-GEN", admin).json().at("return_after").as_int64(), 3);
  auto bad = c.request("PUT", "/api/v1/triage/queue-rules/OB-GEN",
                       R"({"return_after": -1, "absent_move_back": 2, "late_grace_minutes": 10, "minutes_per_patient": 0})",
                       {{"Authorization", "Bearer " + admin}, {"Content-Type", "application/json"}});
  expect_problem(bad, 400, "validation_failed", "return_after");
  expect_problem(bad, 400, "validation_failed", "minutes_per_patient");
}

// Invariant: several doctors calling one line at once call every patient
// exactly once, in line order, and nobody twice.
TEST_P(Triage, DoctorsCallingOneLineAtOnceNeverCallAPatientTwiceOrSkipOne) {
  std::vector<int64_t> ids;
  for (int i = 0; i < 8; ++i) ids.push_back(booked(patient(kNames[i], i + 1), i / 4));
  at(start_ - 25 * kMinute);
  for (int64_t id : ids) ASSERT_EQ(check_in(id).status, 200);
  const std::vector<std::string> rooms = {"OB-R1", "OB-R2", "OB-R3"};
  for (const auto& room : rooms) ASSERT_EQ(open_room(room).status, 200);

  std::mutex mutex;
  std::map<int64_t, int> calls;  // appointment -> times called
  std::vector<std::string> errors;
  std::vector<std::thread> doctors;
  for (const auto& room : rooms)
    doctors.emplace_back([&, room] {
      HttpClient c(server().port());
      for (;;) {
        auto r = c.post_json(session_path() + "/call-next", {{"room_code", room}}, doctor_);
        std::lock_guard lock(mutex);
        if (r.status == 200) {
          ++calls[r.json().at("appointment_id").as_int64()];
        } else {
          if (r.status != 409 || r.json().at("code").as_string() != "queue_empty") errors.push_back(r.body);
          return;
        }
      }
    });
  for (auto& d : doctors) d.join();
  EXPECT_TRUE(errors.empty()) << errors.front();
  EXPECT_EQ(calls.size(), ids.size());
  for (auto [id, n] : calls) EXPECT_EQ(n, 1) << "appointment " << id;
  EXPECT_TRUE(line().empty());
  EXPECT_EQ(queue().at("called").as_array().size(), ids.size());
}

INSTANTIATE_TEST_SUITE_P(Backends, Triage, ::testing::ValuesIn(all_backends()),
                         [](const auto& info) { return backend_param_name(info.param); });

}  // namespace
}  // namespace stork::testing
