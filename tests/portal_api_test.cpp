// Patient sign-in on the phone and the patient-token boundary, on SQLite and
// PostgreSQL: codes through the SMS simulator, rate limits, wrong guesses,
// self-registration, and for every route a patient may call: her own
// family yes, anyone else no.
#include <gtest/gtest.h>

#include <regex>

#include "app/seed_demo.hpp"
#include "support/api_assert.hpp"
#include "support/patient_data.hpp"
#include "support/schedule_data.hpp"
#include "support/test_database.hpp"
#include "support/test_server.hpp"

namespace stork::testing {
namespace {

namespace json = boost::json;

class Portal : public ::testing::TestWithParam<store::Backend> {
 protected:
  void SetUp() override {
    server_ = std::make_unique<TestServer>(GetParam(), ConfigLayer{{"portal_codes_per_address_per_hour", "20"}});
    clerk_ = server_->login("clerk");
  }
  TestServer& server() { return *server_; }

  json::object create(const json::object& body) {
    auto r = server().client().post_json("/api/v1/patients", body, clerk_);
    EXPECT_EQ(r.status, 201) << r.body;
    return r.json().as_object();
  }

  // The latest code the simulator delivered to phone.
  std::string code_sent_to(const std::string& phone) {
    auto r = server().client().get("/api/v1/sms-simulator/outbox?phone=" + phone);
    EXPECT_EQ(r.status, 200) << r.body;
    const auto body = r.json();
    const auto& items = body.at("items").as_array();
    if (items.empty()) return "";
    std::smatch m;
    const std::string text(items.at(0).at("text").as_string());
    return std::regex_search(text, m, std::regex("(\\d{6})")) ? m[1].str() : "";
  }

  HttpResult request_code(const std::string& phone) {
    return server().client().post_json("/api/v1/portal/otp", {{"phone", phone}});
  }

  // Signs in by phone; returns the login answer.
  json::object sign_in(const std::string& phone) {
    auto sent = request_code(phone);
    EXPECT_EQ(sent.status, 202) << sent.body;
    auto r = server().client().post_json("/api/v1/portal/login", {{"phone", phone}, {"code", code_sent_to(phone)}});
    EXPECT_EQ(r.status, 200) << r.body;
    server().clock().advance(std::chrono::seconds(61));  // past the per-phone pause
    return r.json().as_object();
  }

  std::unique_ptr<TestServer> server_;
  std::string clerk_;
};

TEST_P(Portal, SignsInWithTheCodeTheSimulatorDeliveredAndBindsHerRecord) {
  const std::string phone = fresh_phone();
  auto mother = create(registration("林晓燕", "1990-10-10", true, 1, phone));
  const std::string mp = "/api/v1/patients/" + std::to_string(mother.at("id").as_int64());
  auto child = registration("林可欣", "2018-08-08", true, 2, phone);  // same phone as her mother
  ASSERT_EQ(server().client().post_json(mp + "/children", {{"child", child}}, clerk_).status, 201);

  auto sent = request_code(phone.substr(0, 3) + " " + phone.substr(3));
  ASSERT_EQ(sent.status, 202) << sent.body;
  EXPECT_EQ(sent.json().at("phone").as_string(), phone.substr(0, 3) + "****" + phone.substr(7));
  const std::string code = code_sent_to(phone);
  ASSERT_EQ(code.size(), 6u);
  auto login = server().client().post_json("/api/v1/portal/login", {{"phone", phone}, {"code", code}});
  ASSERT_EQ(login.status, 200) << login.body;
  EXPECT_EQ(login.json().at("patient_id"), mother.at("id"));  // the adult, not the child
  const std::string token(login.json().at("token").as_string());

  auto me = server().client().get("/api/v1/portal/me", token);
  ASSERT_EQ(me.status, 200) << me.body;
  EXPECT_EQ(me.json().at("family").at("patient").at("name").as_string(), "林晓燕");
  EXPECT_EQ(me.json().at("family").at("children").at(0).at("name").as_string(), "林可欣");
  // A code works once.
  expect_problem(server().client().post_json("/api/v1/portal/login", {{"phone", phone}, {"code", code}}), 400,
                 "validation_failed", "code");
  // Staff tokens have no portal; patient tokens sign out.
  expect_problem(server().client().get("/api/v1/portal/me", clerk_), 403, "forbidden");
  EXPECT_EQ(server().client().request("POST", "/api/v1/auth/logout", "", {{"Authorization", "Bearer " + token}}).status,
            204);
  expect_problem(server().client().get("/api/v1/portal/me", token), 401, "unauthenticated");
}

TEST_P(Portal, RateLimitsCodesPerPhoneAndPerAddress) {
  const std::string phone = fresh_phone();
  ASSERT_EQ(request_code(phone).status, 202);
  auto again = request_code(phone);
  expect_problem(again, 429, "too_many_requests");
  EXPECT_EQ(again.header("retry-after"), "60");
  for (int i = 0; i < 4; ++i) {
    server().clock().advance(std::chrono::seconds(61));
    ASSERT_EQ(request_code(phone).status, 202) << i;
  }
  server().clock().advance(std::chrono::seconds(61));
  expect_problem(request_code(phone), 429, "too_many_requests");  // 5 in the hour
  server().clock().advance(std::chrono::hours(1));
  EXPECT_EQ(request_code(phone).status, 202);

  // 20 an hour from one address (as configured), whatever the phones.
  server().clock().advance(std::chrono::hours(2));
  for (int i = 0; i < 20; ++i) ASSERT_EQ(request_code(fresh_phone()).status, 202) << i;
  expect_problem(request_code(fresh_phone()), 429, "too_many_requests");
  expect_problem(request_code("1381234567"), 400, "validation_failed", "phone");
}

TEST_P(Portal, AWrongCodeGuessedFiveTimesIsDeadEvenForTheRightCode) {
  const std::string phone = fresh_phone();
  ASSERT_EQ(request_code(phone).status, 202);
  const std::string code = code_sent_to(phone);
  const std::string wrong = code == "000000" ? "111111" : "000000";
  auto c = server().client();
  for (int i = 0; i < 4; ++i)
    expect_problem(c.post_json("/api/v1/portal/login", {{"phone", phone}, {"code", wrong}}), 400, "validation_failed",
                   "code");
  expect_problem(c.post_json("/api/v1/portal/login", {{"phone", phone}, {"code", wrong}}), 429, "code_locked");
  expect_problem(c.post_json("/api/v1/portal/login", {{"phone", phone}, {"code", code}}), 429, "code_locked");
  expect_problem(c.post_json("/api/v1/portal/login", {{"phone", phone}, {"code", "12ab56"}}), 400, "validation_failed",
                 "code");
  // A new code works; an expired one does not.
  server().clock().advance(std::chrono::seconds(61));
  ASSERT_EQ(request_code(phone).status, 202);
  const std::string second = code_sent_to(phone);
  server().clock().advance(std::chrono::seconds(301));
  expect_problem(c.post_json("/api/v1/portal/login", {{"phone", phone}, {"code", second}}), 400, "validation_failed",
                 "code");
}

TEST_P(Portal, ANewPhoneRegistersHerselfThenHerChildren) {
  const std::string phone = fresh_phone();
  auto login = sign_in(phone);
  EXPECT_TRUE(login.at("patient_id").is_null());
  const std::string token(login.at("token").as_string());
  auto c = server().client();
  EXPECT_TRUE(c.get("/api/v1/portal/me", token).json().at("family").is_null());

  expect_problem(c.post_json("/api/v1/patients", registration("何丽", "1993-03-03", true, 1), token), 400,
                 "validation_failed", "phone");
  auto self = c.post_json("/api/v1/patients", registration("何丽", "1993-03-03", true, 1, phone), token);
  ASSERT_EQ(self.status, 201) << self.body;
  const int64_t self_id = self.json().at("id").as_int64();
  expect_problem(c.post_json("/api/v1/patients", registration("何丽", "1993-03-03", true, 2, phone), token), 409,
                 "already_registered");

  const std::string sp = "/api/v1/patients/" + std::to_string(self_id);
  auto child = registration("何乐乐", "2021-02-02", false, 3);
  child.erase("phone");
  auto added = c.post_json(sp + "/children", {{"child", child}}, token);
  ASSERT_EQ(added.status, 201) << added.body;
  auto baby = c.post_json(sp + "/newborns", {{"sex", "female"}, {"birth_date", "2026-11-18"}, {"birth_time", "03:15"}},
                          token);
  ASSERT_EQ(baby.status, 201) << baby.body;
  EXPECT_EQ(c.get("/api/v1/portal/me", token).json().at("family").at("children").as_array().size(), 2u);
  // She sees her own full numbers (she knows them); the view is audited.
  auto full = c.get(sp + "?reveal=true", token);
  EXPECT_EQ(full.json().at("phone").as_string(), phone);

  // She cannot attach someone else's record to herself.
  auto stranger = create(registration("陌生", "2019-09-09", true, 4));
  expect_problem(c.post_json(sp + "/children", {{"child_id", stranger.at("id")}}, token), 403, "forbidden");
  // Nor see the clerk's search, nor learn who holds a document.
  expect_problem(c.get("/api/v1/patients?q=%E9%99%8C", token), 403, "forbidden");
  auto taken = registration("何小", "2019-09-09", true, 4);
  taken.erase("phone");
  auto dup = c.post_json(sp + "/children", {{"child", taken}}, token);
  expect_problem(dup, 409, "document_registered");
  EXPECT_FALSE(dup.json().as_object().contains("existing_id"));
}

// Every route a patient token may call, with a path naming her own family,
// and with one naming another family: the first passes the boundary, the
// second is refused. Routes patients may not call refuse her outright.
TEST_P(Portal, APatientTokenReachesOnlyHerOwnFamilyOnEveryRoute) {
  const std::string phone = fresh_phone();
  auto mine = create(registration("曹芳", "1990-02-02", true, 1, phone));
  const std::string mp = "/api/v1/patients/" + std::to_string(mine.at("id").as_int64());
  auto my_child = server().client().post_json(mp + "/children", {{"child", registration("曹梓豪", "2015-01-01", false, 2)}},
                                              clerk_);
  auto other = create(registration("彭娜", "1991-03-03", true, 3));
  const std::string op = "/api/v1/patients/" + std::to_string(other.at("id").as_int64());
  auto other_child = server().client().post_json(
      op + "/children", {{"child", registration("彭一鸣", "2016-01-01", false, 4)}}, clerk_);
  ASSERT_EQ(my_child.status, 201);
  ASSERT_EQ(other_child.status, 201);
  const std::string token(sign_in(phone).at("token").as_string());
  // An appointment in each family, for the appointment routes.
  auto schedule = open_schedule(server());
  ASSERT_GE(schedule.slot_ids.size(), 2u);
  auto booker = server().client();
  auto my_visit = book(booker, clerk_, mine.at("id").as_int64(), schedule.slot_ids[0], "window", "mine");
  auto their_visit = book(booker, clerk_, other.at("id").as_int64(), schedule.slot_ids[1], "window", "theirs");
  ASSERT_EQ(my_visit.status, 201) << my_visit.body;
  ASSERT_EQ(their_visit.status, 201) << their_visit.body;

  // A waitlist entry in each family, for the waitlist routes.
  auto my_wait = booker.post_json("/api/v1/waitlist",
                                  {{"patient_id", mine.at("id")}, {"session_id", my_visit.json().at("session_id")}}, clerk_);
  auto their_wait = booker.post_json(
      "/api/v1/waitlist", {{"patient_id", other.at("id")}, {"session_id", their_visit.json().at("session_id")}}, clerk_);
  ASSERT_EQ(my_wait.status, 201) << my_wait.body;
  ASSERT_EQ(their_wait.status, 201) << their_wait.body;

  // A bill in each family, for the order routes.
  ASSERT_TRUE(app::seed_demo_fees(server().app().services()));
  auto bill = [&](const json::value& patient) {
    auto r = booker.post_json("/api/v1/orders",
                              {{"patient_id", patient}, {"items", json::array{{{"fee_code", "EXAM-CBC"}}}}}, clerk_);
    EXPECT_EQ(r.status, 201) << r.body;
    return r.json().at("id");
  };
  const json::value my_bill = bill(mine.at("id")), their_bill = bill(other.at("id"));

  // A lab report for each family, as the LIS sends them.
  auto report = [&](const json::value& patient, const std::string& message) {
    clinical::IncomingReport in;
    in.message_key = message;
    in.card_no = std::string(patient.at("card_no").as_string());
    in.content_json = R"({"service":{"code":"CBC"},"results":[{"code":"HGB","value":"120"}]})";
    auto r = server().app().services().documents.receive_report(in, "test", {});
    EXPECT_TRUE(r) << r.error().message;
    return json::value(r->document_id);
  };
  const json::value my_report = report(mine, "t|1"), their_report = report(other, "t|2");

  // {id} names an appointment on /appointments routes, a waitlist entry on
  // /waitlist routes, a bill on /orders routes, a document on /documents
  // routes, and a patient elsewhere.
  auto path_for = [&](std::string pattern, json::value id, const json::value& child) {
    const bool theirs = id == other.at("id");
    if (pattern.starts_with("/api/v1/appointments/"))
      id = theirs ? their_visit.json().at("id") : my_visit.json().at("id");
    if (pattern.starts_with("/api/v1/waitlist/")) id = theirs ? their_wait.json().at("id") : my_wait.json().at("id");
    if (pattern.starts_with("/api/v1/orders/")) id = theirs ? their_bill : my_bill;
    if (pattern.starts_with("/api/v1/documents/")) id = theirs ? their_report : my_report;
    pattern = std::regex_replace(pattern, std::regex(R"(\{id\})"), std::to_string(id.as_int64()));
    return std::regex_replace(pattern, std::regex(R"(\{child_id\})"), std::to_string(child.as_int64()));
  };
  auto c = server().client();
  int own = 0, foreign = 0, refused = 0;
  for (const auto& route : server().app().router().routes()) {
    if (!route.access.requires_sign_in()) continue;
    const std::string body = route.body == http::Body::json ? "{}" : "";
    std::map<std::string, std::string> headers{{"Authorization", "Bearer " + token}};
    if (!body.empty()) headers["Content-Type"] = "application/json";
    const std::string what = route.method + " " + route.pattern;
    if (!route.access.patients) {
      auto r = c.request(route.method, path_for(route.pattern, other.at("id"), other_child.json().at("id")), body, headers);
      EXPECT_EQ(r.status, 403) << what << ": " << r.body;
      ++refused;
      continue;
    }
    if (route.pattern.find("{id}") == std::string::npos) continue;
    auto theirs = c.request(route.method, path_for(route.pattern, other.at("id"), other_child.json().at("id")), body,
                            headers);
    EXPECT_EQ(theirs.status, 403) << what << " on another family: " << theirs.body;
    ++foreign;
    // Her child's record (or her child under her) is hers.
    const json::value my_child_id = my_child.json().at("id");
    for (const auto& id : {mine.at("id"), my_child_id}) {
      if (route.pattern.find("{child_id}") != std::string::npos && id != mine.at("id")) continue;
      auto ours = c.request(route.method, path_for(route.pattern, id, my_child.json().at("id")), body, headers);
      EXPECT_NE(ours.status, 403) << what << " on her own family: " << ours.body;
      EXPECT_NE(ours.status, 401) << what;
      ++own;
    }
  }
  EXPECT_GE(foreign, 10);
  EXPECT_GE(own, 15);
  EXPECT_GE(refused, 5);
  // Another family's child, through her own id in the path, is refused too.
  expect_problem(c.post_json(mp + "/children/" + std::to_string(other_child.json().at("id").as_int64()) + "/unlink",
                             json::object{}, token),
                 404, "not_found");
}

INSTANTIATE_TEST_SUITE_P(Backends, Portal, ::testing::ValuesIn(all_backends()),
                         [](const auto& info) { return backend_param_name(info.param); });

}  // namespace
}  // namespace stork::testing
