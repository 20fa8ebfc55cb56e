// Gate screening over HTTP on SQLite and PostgreSQL: the shipped
// questionnaire, a mother screening herself and her child on the phone, the
// gate nurse's entries and measured temperatures re-routing a record, the
// gate list, new questionnaire versions with old records keeping theirs, the
// family boundary, every refusal naming its field, and the audit trail.
#include <gtest/gtest.h>

#include <map>
#include <mutex>

#include "support/api_assert.hpp"
#include "support/patient_data.hpp"
#include "support/portal_login.hpp"
#include "support/test_database.hpp"
#include "support/test_server.hpp"

namespace stork::testing {
namespace {

namespace json = boost::json;

constexpr const char* kQuestionnaire = "/api/v1/triage/screening/questionnaire";

json::object all_no(bool child) {
  json::object a{{"fever_14d", false}, {"respiratory", false}, {"contact_case", false}, {"outbreak_travel", false}};
  if (child) a["rash"] = false;
  return a;
}

class Screening : public ::testing::TestWithParam<store::Backend> {
 protected:
  void SetUp() override {
    server_ = std::make_unique<TestServer>(GetParam());
    clerk_ = server_->login("clerk");
    nurse_ = server_->login("triage_nurse");
    admin_ = server_->login("admin");
  }
  TestServer& server() { return *server_; }

  int64_t patient(const std::string& name, const std::string& birth, int seq, const std::string& phone = "") {
    auto r = server().client().post_json("/api/v1/patients", registration(name, birth, true, seq, phone), clerk_);
    EXPECT_EQ(r.status, 201) << r.body;
    return r.json().at("id").as_int64();
  }
  int64_t child_of(int64_t guardian, const std::string& name, const std::string& birth, int seq) {
    auto child = registration(name, birth, false, seq);
    child.erase("phone");
    auto r = server().client().post_json(path(guardian, "/children"), {{"child", child}}, clerk_);
    EXPECT_EQ(r.status, 201) << r.body;
    return r.json().at("id").as_int64();
  }
  static std::string path(int64_t patient_id, const std::string& rest = "/screenings") {
    return "/api/v1/patients/" + std::to_string(patient_id) + rest;
  }

  HttpResult screen(int64_t patient_id, const json::object& body, const std::string& token) {
    return server().client().post_json(path(patient_id), body, token);
  }
  HttpResult put_questionnaire(const json::value& body, const std::string& token) {
    return server().client().request("PUT", kQuestionnaire, json::serialize(body),
                                      {{"Content-Type", "application/json"}, {"Authorization", "Bearer " + token}});
  }

  // Statement names identify prepared statements, so each text gets its own.
  int64_t count(const std::string& sql_text) {
    static std::mutex mutex;
    static std::map<std::string, std::pair<std::string, std::string>> statements;
    const std::pair<std::string, std::string>* stmt;
    {
      std::lock_guard lock(mutex);
      auto [it, added] =
          statements.try_emplace(sql_text, "screening_test_count_" + std::to_string(statements.size()), sql_text);
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

  std::unique_ptr<TestServer> server_;
  std::string clerk_, nurse_, admin_;
};

TEST_P(Screening, EveryoneSignedInReadsTheShippedQuestionnaire) {
  const std::string phone = fresh_phone();
  patient("林晓燕", "1990-10-10", 1, phone);
  const std::string mother = patient_token(server(), phone);
  auto c = server().client();
  for (const std::string& token : {mother, nurse_, server().login("doctor")}) {
    auto r = c.get(kQuestionnaire, token);
    ASSERT_EQ(r.status, 200) << r.body;
    const auto q = r.json();
    EXPECT_EQ(q.at("version").as_int64(), 1);
    EXPECT_EQ(q.at("questions").as_array().size(), 5u);
    EXPECT_EQ(q.at("questions").at(4).at("id").as_string(), "rash");
    EXPECT_EQ(q.at("questions").at(4).at("audience").as_string(), "children");
    EXPECT_EQ(q.at("default_route").as_string(), "proceed");
    for (const auto& route : q.at("routes").as_array()) {
      EXPECT_FALSE(route.at("instruction_zh").as_string().empty());
      EXPECT_FALSE(route.at("instruction_en").as_string().empty());
    }
    EXPECT_EQ(q.at("rules").at(2).at("when").at(0).at("field").as_string(), "temperature_c");
  }
  expect_problem(c.get(kQuestionnaire), 401, "unauthenticated");
  EXPECT_EQ(count("SELECT COUNT(*) FROM screening_questionnaires"), 1);  // seeded once
}

TEST_P(Screening, AMotherScreensHerChildAndHerselfOnThePhoneBeforeArriving) {
  const std::string phone = fresh_phone();
  const int64_t mother_id = patient("林晓燕", "1990-10-10", 1, phone);
  const int64_t child_id = child_of(mother_id, "林可欣", "2022-08-08", 2);
  const std::string mother = patient_token(server(), phone);

  auto body = json::object{{"answers", all_no(true)}, {"temperature_c", 38.2}, {"questionnaire_version", 1}};
  auto r = screen(child_id, body, mother);
  ASSERT_EQ(r.status, 201) << r.body;
  auto rec = r.json();
  EXPECT_EQ(rec.at("route").as_string(), "paediatric_fever");
  EXPECT_EQ(rec.at("rule").as_string(), "child_fever");
  EXPECT_EQ(rec.at("route_name_zh").as_string(), "儿科发热门诊");
  EXPECT_NE(std::string(rec.at("instruction_zh").as_string()).find("儿科发热门诊"), std::string::npos);
  EXPECT_NE(std::string(rec.at("instruction_en").as_string()).find("paediatric fever clinic"), std::string::npos);
  EXPECT_TRUE(rec.at("alert").as_bool());
  EXPECT_EQ(rec.at("age_years").as_int64(), 4);
  EXPECT_EQ(rec.at("channel").as_string(), "self");
  EXPECT_EQ(rec.at("temperature_source").as_string(), "self");
  EXPECT_EQ(rec.at("questionnaire_version").as_int64(), 1);
  EXPECT_EQ(rec.at("day").as_string(), "2026-11-18");
  EXPECT_EQ(rec.at("answers").at("rash"), false);

  auto self = all_no(false);
  self["contact_case"] = true;
  r = screen(mother_id, {{"answers", self}}, mother);
  ASSERT_EQ(r.status, 201) << r.body;
  rec = r.json();
  EXPECT_EQ(rec.at("route").as_string(), "isolation");
  EXPECT_TRUE(rec.at("temperature_c").is_null());
  EXPECT_EQ(rec.at("temperature_source").as_string(), "");

  // She reads her child's records of today; so does the nurse.
  auto c = server().client();
  for (const std::string& token : {mother, nurse_}) {
    auto mine = c.get(path(child_id), token);
    ASSERT_EQ(mine.status, 200) << mine.body;
    const auto items = mine.json().at("items");
    ASSERT_EQ(items.as_array().size(), 1u);
    EXPECT_EQ(items.at(0).at("route").as_string(), "paediatric_fever");
    EXPECT_EQ(items.at(0).at("name").as_string(), "林可欣");
  }
  // Records are of today only: tomorrow her list starts empty.
  server().clock().advance(std::chrono::hours(24));
  EXPECT_TRUE(c.get(path(child_id), mother).json().at("items").as_array().empty());
}

TEST_P(Screening, APatientCannotScreenOrReadAnotherFamily) {
  const std::string phone = fresh_phone();
  const int64_t mother_id = patient("林晓燕", "1990-10-10", 1, phone);
  const int64_t stranger = patient("陌生人", "1988-01-01", 3);
  const int64_t strangers_child = child_of(stranger, "陌生孩", "2020-02-02", 4);
  const std::string mother = patient_token(server(), phone);
  ASSERT_EQ(screen(strangers_child, {{"answers", all_no(true)}}, nurse_).status, 201);

  expect_problem(screen(stranger, {{"answers", all_no(false)}}, mother), 403, "forbidden");
  expect_problem(screen(strangers_child, {{"answers", all_no(true)}}, mother), 403, "forbidden");
  expect_problem(server().client().get(path(strangers_child), mother), 403, "forbidden");
  // The gate's list and the temperature are staff work.
  expect_problem(server().client().get("/api/v1/triage/screenings", mother), 403, "forbidden");
  expect_problem(server().client().post_json("/api/v1/triage/screenings/1/temperature", {{"temperature_c", 36.5}},
                                             mother),
                 403, "forbidden");
  expect_problem(put_questionnaire(json::object{}, mother), 403, "forbidden");
  EXPECT_EQ(count("SELECT COUNT(*) FROM screening_records"), 1);
  (void)mother_id;
}

TEST_P(Screening, TheGateTemperatureReroutesTheRecordAndFillsTheGateList) {
  const int64_t adult = patient("王芳", "1985-05-05", 1);
  const int64_t child = patient("王小宝", "2019-03-03", 2);
  auto c = server().client();

  auto r = screen(adult, {{"answers", all_no(false)}}, nurse_);
  ASSERT_EQ(r.status, 201) << r.body;
  const int64_t adult_record = r.json().at("id").as_int64();
  EXPECT_EQ(r.json().at("route").as_string(), "proceed");
  EXPECT_TRUE(r.json().at("rule").is_null());
  EXPECT_EQ(r.json().at("channel").as_string(), "gate");

  server().clock().advance(std::chrono::minutes(2));
  auto t = c.post_json("/api/v1/triage/screenings/" + std::to_string(adult_record) + "/temperature",
                       {{"temperature_c", 37.8}}, nurse_);
  ASSERT_EQ(t.status, 200) << t.body;
  EXPECT_EQ(t.json().at("route").as_string(), "fever_clinic");
  EXPECT_EQ(t.json().at("temperature_c").as_double(), 37.8);
  EXPECT_EQ(t.json().at("temperature_source").as_string(), "gate");
  EXPECT_FALSE(t.json().at("temperature_at").is_null());

  auto cough = all_no(true);
  cough["respiratory"] = true;
  r = screen(child, {{"answers", cough}, {"temperature_c", 36.7}}, nurse_);
  ASSERT_EQ(r.status, 201) << r.body;
  EXPECT_EQ(r.json().at("route").as_string(), "respiratory");
  EXPECT_EQ(r.json().at("temperature_source").as_string(), "gate");

  auto list = c.get("/api/v1/triage/screenings", nurse_);
  ASSERT_EQ(list.status, 200) << list.body;
  auto items = list.json().at("items");
  ASSERT_EQ(items.as_array().size(), 2u);
  EXPECT_EQ(items.at(0).at("name").as_string(), "王小宝");  // newest first
  EXPECT_EQ(items.at(1).at("route").as_string(), "fever_clinic");
  EXPECT_TRUE(items.at(1).at("alert").as_bool());

  auto fever = c.get("/api/v1/triage/screenings?day=2026-11-18&route=fever_clinic", nurse_);
  ASSERT_EQ(fever.status, 200) << fever.body;
  items = fever.json().at("items");
  ASSERT_EQ(items.as_array().size(), 1u);
  EXPECT_EQ(items.at(0).at("patient_id").as_int64(), adult);
  EXPECT_TRUE(c.get("/api/v1/triage/screenings?day=2026-11-17", nurse_).json().at("items").as_array().empty());
  expect_problem(c.get("/api/v1/triage/screenings?day=2026-02-30", nurse_), 400, "validation_failed", "day");
  expect_problem(c.get("/api/v1/triage/screenings?limit=0", nurse_), 400, "validation_failed", "limit");
  expect_problem(c.get("/api/v1/triage/screenings", server().login("doctor")), 403, "forbidden");
  expect_problem(c.post_json("/api/v1/triage/screenings/99999/temperature", {{"temperature_c", 36.5}}, nurse_), 404,
                 "not_found");
}

TEST_P(Screening, AgeIsTakenOnTheHospitalsCalendarDay) {
  // 2026-11-18T17:00Z is already 19 November in Shanghai: born 2008-11-19, she is 18 there.
  server().clock().set_ms(1'795'021'200'000);
  const int64_t now = server().clock().now_ms();
  ASSERT_EQ(format_utc(now).substr(0, 19), "2026-11-18T17:00:00");
  const int64_t turns_18 = patient("赵敏", "2008-11-19", 1);
  const int64_t still_17 = patient("赵静", "2008-11-20", 2);
  auto r = screen(turns_18, {{"answers", all_no(false)}, {"temperature_c", 38.0}}, nurse_);
  ASSERT_EQ(r.status, 201) << r.body;
  EXPECT_EQ(r.json().at("age_years").as_int64(), 18);
  EXPECT_EQ(r.json().at("route").as_string(), "fever_clinic");
  EXPECT_EQ(r.json().at("day").as_string(), "2026-11-19");
  r = screen(still_17, {{"answers", all_no(true)}, {"temperature_c", 38.0}}, nurse_);
  ASSERT_EQ(r.status, 201) << r.body;
  EXPECT_EQ(r.json().at("route").as_string(), "paediatric_fever");
  // A minor must answer the children's question.
  expect_problem(screen(still_17, {{"answers", all_no(false)}}, nurse_), 400, "validation_failed", "answers.rash");
}

TEST_P(Screening, BadAnswersAreRefusedNamingTheFieldAndWriteNothing) {
  const int64_t adult = patient("王芳", "1985-05-05", 1);
  struct Bad {
    std::string field;
    std::function<void(json::object&)> spoil;
  };
  const std::vector<Bad> cases = {
      {"answers.favourite_colour", [](json::object& b) { b["answers"].as_object()["favourite_colour"] = true; }},
      {"answers.contact_case", [](json::object& b) { b["answers"].as_object().erase("contact_case"); }},
      {"answers.fever_14d", [](json::object& b) { b["answers"].as_object()["fever_14d"] = "yes"; }},
      {"answers.fever_14d", [](json::object& b) { b["answers"].as_object()["fever_14d"] = json::array{}; }},
      {"answers", [](json::object& b) { b.erase("answers"); }},
      {"answers", [](json::object& b) { b["answers"] = "all fine"; }},
      {"temperature_c", [](json::object& b) { b["temperature_c"] = 29.5; }},
      {"temperature_c", [](json::object& b) { b["temperature_c"] = 46; }},
      {"temperature_c", [](json::object& b) { b["temperature_c"] = "37"; }},
      {"questionnaire_version", [](json::object& b) { b["questionnaire_version"] = -1; }},
      {"note", [](json::object& b) { b["note"] = "x"; }},
  };
  for (const auto& bad : cases) {
    SCOPED_TRACE(bad.field);
    json::object body{{"answers", all_no(false)}};
    bad.spoil(body);
    expect_problem(screen(adult, body, nurse_), 400, "validation_failed", bad.field);
  }
  expect_problem(screen(999999, {{"answers", all_no(false)}}, nurse_), 400, "validation_failed", "id");

  auto ok = screen(adult, {{"answers", all_no(false)}}, nurse_);
  ASSERT_EQ(ok.status, 201) << ok.body;
  const std::string temperature = "/api/v1/triage/screenings/" + std::to_string(ok.json().at("id").as_int64()) +
                                  "/temperature";
  auto c = server().client();
  for (const json::value& t : {json::value(60.0), json::value(-3), json::value(25.0), json::value("hot"), json::value()})
    expect_problem(c.post_json(temperature, {{"temperature_c", t}}, nurse_), 400, "validation_failed",
                   "temperature_c");
  expect_problem(c.post_json(temperature, json::object{}, nurse_), 400, "validation_failed", "temperature_c");
  EXPECT_EQ(count("SELECT COUNT(*) FROM screening_records"), 1);
  EXPECT_EQ(count("SELECT COUNT(*) FROM screening_records WHERE temperature_c IS NOT NULL"), 0);
}

TEST_P(Screening, ANewQuestionnaireVersionAppliesFromNowAndOldRecordsKeepTheirs) {
  const int64_t adult = patient("王芳", "1985-05-05", 1);
  auto c = server().client();
  auto before = screen(adult, {{"answers", all_no(false)}, {"temperature_c", 38.0}}, nurse_);
  ASSERT_EQ(before.status, 201) << before.body;
  const int64_t old_record = before.json().at("id").as_int64();

  // The epidemic changes: a new question, and fever adults now go to isolation too.
  auto q = c.get(kQuestionnaire, admin_).json().as_object();
  q["questions"].as_array().push_back({{"id", "vaccinated"},
                                       {"kind", "choice"},
                                       {"text_zh", "是否已接种流感疫苗？"},
                                       {"text_en", "Have you had this season's flu vaccine?"},
                                       {"required", false},
                                       {"choices", json::array{{{"code", "yes"}, {"label_zh", "是"}, {"label_en", "Yes"}},
                                                               {{"code", "no"}, {"label_zh", "否"}, {"label_en", "No"}}}}});
  q["rules"].as_array().at(3).as_object()["route"] = "isolation";
  q["title_en"] = "Gate screening (influenza season)";
  auto put = put_questionnaire(q, admin_);
  ASSERT_EQ(put.status, 201) << put.body;
  EXPECT_EQ(put.json().at("version").as_int64(), 2);
  EXPECT_EQ(c.get(kQuestionnaire, nurse_).json().at("version").as_int64(), 2);
  EXPECT_EQ(c.get(kQuestionnaire, nurse_).json().at("questions").as_array().size(), 6u);

  auto now = screen(adult, {{"answers", {{"fever_14d", false}, {"respiratory", false}, {"contact_case", false},
                                         {"outbreak_travel", false}, {"vaccinated", "no"}}},
                            {"temperature_c", 38.0}},
                    nurse_);
  ASSERT_EQ(now.status, 201) << now.body;
  EXPECT_EQ(now.json().at("questionnaire_version").as_int64(), 2);
  EXPECT_EQ(now.json().at("route").as_string(), "isolation");
  EXPECT_EQ(now.json().at("answers").at("vaccinated").as_string(), "no");

  // The old record keeps version 1: re-measured, it is routed by version 1's rules.
  auto t = c.post_json("/api/v1/triage/screenings/" + std::to_string(old_record) + "/temperature",
                       {{"temperature_c", 38.4}}, nurse_);
  ASSERT_EQ(t.status, 200) << t.body;
  EXPECT_EQ(t.json().at("questionnaire_version").as_int64(), 1);
  EXPECT_EQ(t.json().at("route").as_string(), "fever_clinic");

  // A phone still showing version 1 is told to reload.
  expect_problem(screen(adult, {{"answers", all_no(false)}, {"questionnaire_version", 1}}, nurse_), 409,
                 "questionnaire_changed");
  expect_problem(put_questionnaire(q, nurse_), 403, "forbidden");
  EXPECT_EQ(count("SELECT COUNT(*) FROM screening_questionnaires"), 2);
}

TEST_P(Screening, AMalformedQuestionnaireIsRefusedNamingTheFieldAndStoresNothing) {
  auto c = server().client();
  const auto good = c.get(kQuestionnaire, admin_).json().as_object();
  struct Bad {
    std::string field;
    std::function<void(json::object&)> spoil;
  };
  const std::vector<Bad> cases = {
      {"questions[1].id",
       [](json::object& q) { q["questions"].as_array().at(1).as_object()["id"] = "fever_14d"; }},
      {"rules[0].when[0].field",
       [](json::object& q) {
         q["rules"].as_array().at(0).at("when").as_array().at(0).as_object()["field"] = "no_such_question";
       }},
      {"rules[0].route", [](json::object& q) { q["rules"].as_array().at(0).as_object()["route"] = "nowhere"; }},
      {"default_route", [](json::object& q) { q.erase("default_route"); }},
      {"default_route", [](json::object& q) { q["default_route"] = "nowhere"; }},
      {"questions", [](json::object& q) { q.erase("questions"); }},
      {"questions[0].kind", [](json::object& q) { q["questions"].as_array().at(0).as_object()["kind"] = "boolean"; }},
      {"routes[0].instruction_en",
       [](json::object& q) { q["routes"].as_array().at(0).as_object().erase("instruction_en"); }},
      {"rules[2].when[0].op",
       [](json::object& q) { q["rules"].as_array().at(2).at("when").as_array().at(0).as_object()["op"] = ">="; }},
      {"rules[2].when[0].value",
       [](json::object& q) { q["rules"].as_array().at(2).at("when").as_array().at(0).as_object()["value"] = "hot"; }},
      {"colour", [](json::object& q) { q["colour"] = "blue"; }},
  };
  for (const auto& bad : cases) {
    SCOPED_TRACE(bad.field);
    auto q = good;
    bad.spoil(q);
    expect_problem(put_questionnaire(q, admin_), 400, "validation_failed", bad.field);
  }
  auto r = server().client().request("PUT", kQuestionnaire, "{\"questions\": [",
                                     {{"Content-Type", "application/json"}, {"Authorization", "Bearer " + admin_}});
  EXPECT_EQ(r.status, 400);
  EXPECT_EQ(count("SELECT COUNT(*) FROM screening_questionnaires"), 1);
  EXPECT_EQ(count("SELECT COUNT(*) FROM screening_questions"), 5);
}

TEST_P(Screening, EveryReadAndWriteOfARecordIsInTheAuditTrail) {
  const std::string phone = fresh_phone();
  const int64_t mother_id = patient("林晓燕", "1990-10-10", 1, phone);
  const std::string mother = patient_token(server(), phone);
  auto r = screen(mother_id, {{"answers", all_no(false)}}, mother);
  ASSERT_EQ(r.status, 201) << r.body;
  const std::string id = std::to_string(r.json().at("id").as_int64());
  auto c = server().client();
  ASSERT_EQ(c.post_json("/api/v1/triage/screenings/" + id + "/temperature", {{"temperature_c", 36.4}}, nurse_).status,
            200);
  ASSERT_EQ(c.get(path(mother_id), mother).status, 200);
  ASSERT_EQ(c.get("/api/v1/triage/screenings", nurse_).status, 200);

  auto log = c.get("/api/v1/audit?limit=100", server().login("auditor"));
  ASSERT_EQ(log.status, 200) << log.body;
  std::map<std::string, std::string> actor_of;
  const auto items = log.json().at("items");
  for (const auto& e : items.as_array())
    if (e.at("entity").as_string() == "screening" && std::string(e.at("entity_id").as_string()) == id)
      actor_of[std::string(e.at("action").as_string())] = std::string(e.at("actor").as_string());
  EXPECT_EQ(actor_of.count("screening.create"), 1u);
  EXPECT_EQ(actor_of["screening.create"].rfind("patient:", 0), 0u) << actor_of["screening.create"];
  EXPECT_EQ(actor_of.count("screening.temperature"), 1u);
  EXPECT_EQ(actor_of.count("screening.read"), 1u);
  EXPECT_EQ(actor_of.count("screening.list"), 1u);
  EXPECT_TRUE(c.get("/api/v1/audit/verify", server().login("auditor")).json().at("ok").as_bool());
}

INSTANTIATE_TEST_SUITE_P(Backends, Screening, ::testing::ValuesIn(all_backends()),
                         [](const auto& info) { return backend_param_name(info.param); });

}  // namespace
}  // namespace stork::testing
