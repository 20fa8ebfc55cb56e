// The HTTP API over a real socket, on SQLite and on PostgreSQL: bad input
// gets its status and a problem+json naming the field; sign-in, sessions,
// lockout and account administration behave and are audited.
#include <gtest/gtest.h>

#include "support/api_assert.hpp"
#include "support/test_database.hpp"
#include "support/test_server.hpp"

namespace stork::testing {
namespace {

namespace json = boost::json;

class Api : public ::testing::TestWithParam<store::Backend> {
 protected:
  void SetUp() override { server_ = std::make_unique<TestServer>(GetParam()); }
  TestServer& server() { return *server_; }

  std::unique_ptr<TestServer> server_;
};

TEST_P(Api, HealthReadinessAndMetricsAnswer) {
  auto c = server().client();
  auto health = c.get("/healthz");
  EXPECT_EQ(health.status, 200);
  EXPECT_EQ(health.json().at("status").as_string(), "ok");
  auto ready = c.get("/readyz");
  EXPECT_EQ(ready.status, 200);
  EXPECT_EQ(ready.json().at("database").as_string(), backend_param_name(GetParam()));
  auto metrics = c.get("/metrics");
  EXPECT_EQ(metrics.status, 200);
  EXPECT_NE(metrics.body.find("stork_http_requests_total{method=\"GET\",route=\"/healthz\",status=\"200\"} 1"),
            std::string::npos)
      << metrics.body;
  EXPECT_NE(metrics.body.find("stork_http_request_duration_seconds_bucket{method=\"GET\",route=\"/readyz\""),
            std::string::npos);
  EXPECT_NE(metrics.body.find("stork_http_open_connections 1"), std::string::npos);
  EXPECT_NE(metrics.body.find("stork_db_pool_connections"), std::string::npos);
}

TEST_P(Api, EveryResponseCarriesARequestIdAndEchoesASafeOne) {
  auto c = server().client();
  auto fresh = c.get("/healthz");
  EXPECT_EQ(fresh.header("x-request-id").size(), 16u);
  auto echoed = c.request("GET", "/healthz", "", {{"X-Request-Id", "abc-123"}});
  EXPECT_EQ(echoed.header("x-request-id"), "abc-123");
  auto unsafe = c.request("GET", "/healthz", "", {{"X-Request-Id", "bad id\"}"}});
  EXPECT_NE(unsafe.header("x-request-id"), "bad id\"}");
}

TEST_P(Api, UnknownRouteIs404ProblemJson) {
  expect_problem(server().client().get("/api/v1/nothing-here"), 404, "route_not_found");
}

TEST_P(Api, WrongMethodIs405WithAllow) {
  auto r = server().client().request("DELETE", "/api/v1/auth/login");
  expect_problem(r, 405, "method_not_allowed");
  EXPECT_EQ(r.header("allow"), "POST");
}

TEST_P(Api, WrongContentTypeIs415) {
  auto r = server().client().request("POST", "/api/v1/auth/login", "username=admin",
                                     {{"Content-Type", "application/x-www-form-urlencoded"}});
  expect_problem(r, 415, "unsupported_media_type", "Content-Type");
}

TEST_P(Api, MalformedJsonIs400NamingThePosition) {
  auto r = server().client().request("POST", "/api/v1/auth/login", "{\"username\":\n  \"admin\" \"x\"}",
                                     {{"Content-Type", "application/json"}});
  expect_problem(r, 400, "malformed_json", "body");
  EXPECT_NE(r.body.find("line 2"), std::string::npos) << r.body;
}

TEST_P(Api, OversizedBodyIs413) {
  auto r = server().client().request("POST", "/api/v1/auth/login", std::string(2 << 20, 'x'),
                                     {{"Content-Type", "application/json"}});
  expect_problem(r, 413, "payload_too_large", "body");
}

TEST_P(Api, OversizedHeadersAre431) {
  auto r = server().client().request("GET", "/healthz", "", {{"X-Filler", std::string(20000, 'a')}});
  EXPECT_EQ(r.status, 431);
  EXPECT_EQ(r.json().at("code").as_string(), "headers_too_large");
}

TEST_P(Api, MissingAndMistypedFieldsAreAllNamed) {
  auto r = server().client().post_json("/api/v1/auth/login", {{"password", 42}});
  expect_problem(r, 400, "validation_failed", "username");
  EXPECT_NE(r.body.find("\"field\":\"password\""), std::string::npos) << r.body;
}

TEST_P(Api, LoginReturnsATokenThatMeAcceptsAndLogoutRevokes) {
  auto c = server().client();
  auto login = c.post_json("/api/v1/auth/login", {{"username", "doctor"}, {"password", "demo1234!"}});
  ASSERT_EQ(login.status, 200) << login.body;
  const std::string token(login.json().at("token").as_string());
  EXPECT_GE(token.size(), 43u);
  EXPECT_EQ(login.json().at("user").at("roles").as_array()[0].as_string(), "doctor");

  auto me = c.get("/api/v1/auth/me", token);
  ASSERT_EQ(me.status, 200);
  EXPECT_EQ(me.json().at("username").as_string(), "doctor");

  EXPECT_EQ(c.request("POST", "/api/v1/auth/logout", "", {{"Authorization", "Bearer " + token}}).status, 204);
  expect_problem(c.get("/api/v1/auth/me", token), 401, "unauthenticated");
}

TEST_P(Api, TokensExpire) {
  const std::string token = server().login("clerk");
  auto c = server().client();
  EXPECT_EQ(c.get("/api/v1/auth/me", token).status, 200);
  server().clock().advance(std::chrono::hours(9));  // past the 8-hour shift
  expect_problem(c.get("/api/v1/auth/me", token), 401, "unauthenticated");
}

TEST_P(Api, WrongPasswordAndUnknownUserLookAlike) {
  auto c = server().client();
  auto wrong = c.post_json("/api/v1/auth/login", {{"username", "clerk"}, {"password", "not-the-one"}});
  auto unknown = c.post_json("/api/v1/auth/login", {{"username", "nobody"}, {"password", "not-the-one"}});
  expect_problem(wrong, 401, "invalid_credentials");
  expect_problem(unknown, 401, "invalid_credentials");
  EXPECT_EQ(wrong.json().at("detail"), unknown.json().at("detail"));
}

TEST_P(Api, TooManyFailedLoginsLockTheAccountForAWhile) {
  auto c = server().client();
  for (int i = 0; i < 5; ++i)
    EXPECT_EQ(c.post_json("/api/v1/auth/login", {{"username", "manager"}, {"password", "wrong-pass"}}).status, 401);
  // Even the right password is refused while locked.
  auto locked = c.post_json("/api/v1/auth/login", {{"username", "manager"}, {"password", "demo1234!"}});
  expect_problem(locked, 429, "account_locked");
  server().clock().advance(std::chrono::minutes(16));
  EXPECT_EQ(c.post_json("/api/v1/auth/login", {{"username", "manager"}, {"password", "demo1234!"}}).status, 200);
}

TEST_P(Api, AdminCreatesAUserWhoCanSignIn) {
  const std::string admin = server().login("admin");
  auto c = server().client();
  auto created = c.post_json("/api/v1/users",
                             {{"username", "wang.li"}, {"display_name", "王丽"}, {"password", "s3cret-pass"},
                              {"roles", json::array{"clerk", "triage_nurse"}}},
                             admin);
  ASSERT_EQ(created.status, 201) << created.body;
  EXPECT_EQ(created.header("location"), "/api/v1/users/" + std::to_string(created.json().at("id").as_int64()));
  EXPECT_EQ(server().login("wang.li", "s3cret-pass").empty(), false);

  auto again = c.post_json("/api/v1/users",
                           {{"username", "wang.li"}, {"display_name", "x"}, {"password", "s3cret-pass"},
                            {"roles", json::array{"clerk"}}},
                           admin);
  expect_problem(again, 409, "username_taken", "username");
}

TEST_P(Api, CreatingAUserWithBadFieldsNamesEachAndWritesNothing) {
  const std::string admin = server().login("admin");
  auto c = server().client();
  auto before = c.get("/api/v1/users", admin).json().at("items").as_array().size();
  auto r = c.post_json("/api/v1/users",
                       {{"username", "Bad Name"}, {"display_name", ""}, {"password", "short"},
                        {"roles", json::array{"clerk", "surgeon"}}},
                       admin);
  expect_problem(r, 400, "validation_failed", "username");
  for (const char* field : {"display_name", "password", "roles[1]"})
    EXPECT_NE(r.body.find(std::string("\"field\":\"") + field + "\""), std::string::npos) << field << r.body;
  EXPECT_EQ(c.get("/api/v1/users", admin).json().at("items").as_array().size(), before);
}

TEST_P(Api, DisablingAUserEndsTheirSessions) {
  const std::string admin = server().login("admin");
  const std::string clerk = server().login("clerk");
  auto c = server().client();
  const auto clerk_id = c.get("/api/v1/auth/me", clerk).json().at("id").as_int64();
  auto r = c.patch_json("/api/v1/users/" + std::to_string(clerk_id), {{"disabled", true}}, admin);
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_TRUE(r.json().at("disabled").as_bool());
  expect_problem(c.get("/api/v1/auth/me", clerk), 401, "unauthenticated");
  expect_problem(c.post_json("/api/v1/auth/login", {{"username", "clerk"}, {"password", "demo1234!"}}), 403,
                 "account_disabled");
}

TEST_P(Api, TheLastAdminCannotBeRemoved) {
  const std::string admin = server().login("admin");
  auto c = server().client();
  const auto id = c.get("/api/v1/auth/me", admin).json().at("id").as_int64();
  auto r = c.patch_json("/api/v1/users/" + std::to_string(id), {{"roles", json::array{"clerk"}}}, admin);
  expect_problem(r, 409, "last_admin");
  EXPECT_EQ(c.get("/api/v1/auth/me", admin).json().at("roles").as_array()[0].as_string(), "admin");
}

TEST_P(Api, PatchRefusesUnknownFieldsAndBadIds) {
  const std::string admin = server().login("admin");
  auto c = server().client();
  expect_problem(c.patch_json("/api/v1/users/1", {{"password_hash", "x"}}, admin), 400, "validation_failed",
                 "password_hash");
  expect_problem(c.patch_json("/api/v1/users/abc", {{"disabled", true}}, admin), 400, "validation_failed", "id");
  expect_problem(c.patch_json("/api/v1/users/999999", {{"disabled", true}}, admin), 404, "not_found");
}

TEST_P(Api, PasswordResetRevokesSessionsAndTheNewPasswordWorks) {
  const std::string admin = server().login("admin");
  const std::string nurse = server().login("triage_nurse");
  auto c = server().client();
  const auto id = c.get("/api/v1/auth/me", nurse).json().at("id").as_int64();
  const std::string target = "/api/v1/users/" + std::to_string(id) + "/password";
  expect_problem(c.post_json(target, {{"password", "short"}}, admin), 400, "validation_failed", "password");
  EXPECT_EQ(c.post_json(target, {{"password", "new-password-1"}}, admin).status, 204);
  expect_problem(c.get("/api/v1/auth/me", nurse), 401, "unauthenticated");
  EXPECT_FALSE(server().login("triage_nurse", "new-password-1").empty());
}

TEST_P(Api, LoginsRoleChangesAndRefusalsAreInTheAuditTrail) {
  const std::string admin = server().login("admin");
  const std::string clerk = server().login("clerk");
  auto c = server().client();
  (void)c.post_json("/api/v1/auth/login", {{"username", "clerk"}, {"password", "wrong-pass"}});
  EXPECT_EQ(c.get("/api/v1/users", clerk).status, 403);
  const auto clerk_id = c.get("/api/v1/auth/me", clerk).json().at("id").as_int64();
  ASSERT_EQ(c.patch_json("/api/v1/users/" + std::to_string(clerk_id), {{"roles", json::array{"clerk", "doctor"}}},
                         admin)
                .status,
            200);

  const std::string auditor = server().login("auditor");
  auto log = c.get("/api/v1/audit?limit=20", auditor);
  ASSERT_EQ(log.status, 200) << log.body;
  std::map<std::string, int> seen;
  const auto entries = log.json();
  for (const auto& e : entries.at("items").as_array())
    ++seen[std::string(e.at("action").as_string()) + "/" + std::string(e.at("outcome").as_string())];
  EXPECT_GE(seen["auth.login/success"], 3);
  EXPECT_EQ(seen["auth.login/failed"], 1);
  EXPECT_EQ(seen["access.denied/denied"], 1);
  EXPECT_EQ(seen["user.roles_change/success"], 1);
  for (const auto& e : entries.at("items").as_array()) EXPECT_EQ(e.at("ip").as_string(), "127.0.0.1");

  auto verify = c.get("/api/v1/audit/verify", auditor);
  ASSERT_EQ(verify.status, 200);
  EXPECT_TRUE(verify.json().at("ok").as_bool()) << verify.body;
  expect_problem(c.get("/api/v1/audit?limit=0", auditor), 400, "validation_failed", "limit");
}

TEST_P(Api, DirectoryListsTheDemoHospital) {
  auto r = server().client().get("/api/v1/directory");
  ASSERT_EQ(r.status, 200);
  const auto body = r.json();
  const auto& d = body.as_object();
  std::set<std::string> codes;
  for (const auto& dep : d.at("departments").as_array()) codes.insert(std::string(dep.at("code").as_string()));
  for (const char* code : {"OB", "GYN", "REP", "PED", "NEO", "PSURG", "CHC", "US", "RAD", "LAB", "DENT"})
    EXPECT_TRUE(codes.contains(code)) << code;
  EXPECT_GT(d.at("clinics").as_array().size(), 30u);
  EXPECT_GT(d.at("practitioners").as_array().size(), 10u);
}

INSTANTIATE_TEST_SUITE_P(Backends, Api, ::testing::ValuesIn(all_backends()),
                         [](const auto& info) { return backend_param_name(info.param); });

}  // namespace
}  // namespace stork::testing
