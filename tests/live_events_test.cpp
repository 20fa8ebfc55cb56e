// The live event stream on SQLite and PostgreSQL: who may subscribe to
// which topic, and that what the app publishes reaches its subscribers.
#include <gtest/gtest.h>

#include "support/eventually.hpp"
#include "support/patient_data.hpp"
#include "support/portal_login.hpp"
#include "support/test_database.hpp"
#include "support/test_server.hpp"
#include "support/ws_client.hpp"

namespace stork::testing {
namespace {

namespace json = boost::json;
using std::chrono::milliseconds;
using std::chrono::seconds;

class LiveEvents : public ::testing::TestWithParam<store::Backend> {
 protected:
  void SetUp() override { server_ = std::make_unique<TestServer>(GetParam()); }
  TestServer& server() { return *server_; }

  // The hub has n subscribers (a session subscribes just after its handshake).
  bool subscribed(size_t n) {
    return eventually([&] { return server().app().hub().subscribers() == n; }, seconds(10));
  }

  std::string patient() {
    const std::string phone = fresh_phone();
    auto r = server().client().post_json("/api/v1/patients", registration("王芳", "1992-03-03", true, 1, phone),
                                         server().login("clerk"));
    EXPECT_EQ(r.status, 201) << r.body;
    return patient_token(server(), phone);
  }

  std::unique_ptr<TestServer> server_;
};

TEST_P(LiveEvents, ADisplayReceivesWhatThePublisherSendsOnItsTopicsOnly) {
  WsClient display(server().port(), server().login("display"), "display.OB,queue.3");
  ASSERT_TRUE(display.ok()) << display.status() << " " << display.refusal_body();
  ASSERT_TRUE(subscribed(1));

  auto publish = server().app().publisher();
  publish("display.PED", R"({"kind":"changed"})");
  publish("queue.4", R"({"session_id":4,"version":1,"reason":"called"})");
  publish("display.OB", R"({"kind":"call","ticket_no":23})");
  publish("queue.3", R"({"session_id":3,"version":41,"reason":"called"})");

  auto first = display.next_message(seconds(10));
  ASSERT_TRUE(first);
  EXPECT_EQ(*first, R"({"topic":"display.OB","data":{"kind":"call","ticket_no":23}})");
  auto second = display.next_message(seconds(10));
  ASSERT_TRUE(second);
  const auto parsed = json::parse(*second);
  EXPECT_EQ(parsed.at("topic").as_string(), "queue.3");
  EXPECT_EQ(parsed.at("data").at("version").as_int64(), 41);
}

TEST_P(LiveEvents, APatientFollowsAQueueButCannotWatchADisplay) {
  const std::string token = patient();
  WsClient queue(server().port(), token, "queue.3");
  ASSERT_TRUE(queue.ok()) << queue.status() << " " << queue.refusal_body();
  ASSERT_TRUE(subscribed(1));
  server().app().publisher()("queue.3", R"({"session_id":3,"version":2,"reason":"called"})");
  auto m = queue.next_message(seconds(10));
  ASSERT_TRUE(m);
  EXPECT_NE(m->find("\"version\":2"), std::string::npos) << *m;

  WsClient display(server().port(), token, "queue.3,display.OB");
  EXPECT_FALSE(display.ok());
  EXPECT_EQ(display.status(), 403);
  const auto body = json::parse(display.refusal_body());
  EXPECT_EQ(body.at("code").as_string(), "forbidden");
  EXPECT_EQ(body.at("errors").at(0).at("field").as_string(), "topics") << display.refusal_body();
  EXPECT_NE(display.refusal_body().find("display.OB"), std::string::npos);
  EXPECT_EQ(server().app().hub().subscribers(), 1u);  // the refused one never subscribed
}

TEST_P(LiveEvents, StaffWithoutADisplayRoleIsRefusedDisplaysAndTheRefusalIsAudited) {
  const std::string clerk = server().login("clerk");
  WsClient ws(server().port(), clerk, "display.OB");
  EXPECT_EQ(ws.status(), 403);
  const std::string auditor = server().login("auditor");
  auto audit = server().client().get("/api/v1/audit", auditor);
  ASSERT_EQ(audit.status, 200) << audit.body;
  EXPECT_NE(audit.body.find("GET /api/v1/ws"), std::string::npos) << audit.body;
}

TEST_P(LiveEvents, UnknownTopicsAreRefusedAndATopicIsRequired) {
  const std::string admin = server().login("admin");
  WsClient unknown(server().port(), admin, "audit.all");
  EXPECT_EQ(unknown.status(), 403);
  WsClient none(server().port(), admin, "");
  EXPECT_EQ(none.status(), 400);
  EXPECT_NE(none.refusal_body().find("topics"), std::string::npos) << none.refusal_body();
  WsClient forged(server().port(), "forged", "queue.3");
  EXPECT_EQ(forged.status(), 401);
}

TEST_P(LiveEvents, ADisplayThatGoesAwayIsUnsubscribed) {
  {
    WsClient display(server().port(), server().login("display"), "display.OB");
    ASSERT_TRUE(display.ok());
    ASSERT_TRUE(subscribed(1));
  }
  EXPECT_TRUE(subscribed(0));
  server().app().publisher()("display.OB", R"({"kind":"changed"})");  // nobody left: no harm
}

INSTANTIATE_TEST_SUITE_P(Backends, LiveEvents, ::testing::ValuesIn(all_backends()),
                         [](const auto& info) { return backend_param_name(info.param); });

}  // namespace
}  // namespace stork::testing
