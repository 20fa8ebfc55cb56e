// Two `stork serve` nodes on one PostgreSQL: what one node publishes reaches
// WebSocket clients of the other through LISTEN/NOTIFY, once, and still
// after a node's listening connection has been cut. PostgreSQL only (one
// SQLite file is one node).
#include <gtest/gtest.h>
#include <stdlib.h>

#include <filesystem>

#include "app/app.hpp"
#include "app/seed_demo.hpp"
#include "core/civil_date.hpp"
#include "core/log.hpp"
#include "support/eventually.hpp"
#include "support/patient_data.hpp"
#include "support/schedule_data.hpp"
#include "support/test_database.hpp"
#include "support/test_server.hpp"
#include "support/ws_client.hpp"

namespace stork::testing {
namespace {

namespace json = boost::json;
using std::chrono::seconds;

constexpr store::Sql kCutListeners{
    "test_cut_listeners",
    "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity "
    "WHERE application_name = 'stork-listener' AND datname = current_database()"};

class TwoNodeEvents : public ::testing::TestWithParam<store::Backend> {
 protected:
  void SetUp() override {
    log::set_enabled(false);
    char tmpl[] = "/tmp/stork-nodes-XXXXXX";
    dir_ = mkdtemp(tmpl);
    auto db = fresh_database(GetParam());
    ASSERT_NE(db, nullptr);
    url_ = last_database_url(GetParam());
    db.reset();  // each node opens it by its URL, as `stork serve --db` does
    a_ = node();
    ASSERT_NE(a_, nullptr);
    ASSERT_TRUE(app::seed_demo(a_->services(), {.families = 0, .schedules = false, .fees = false}));
    b_ = node();
    ASSERT_NE(b_, nullptr);
    ASSERT_TRUE(a_->start());
    ASSERT_TRUE(b_->start());
    // A NOTIFY sent before a node LISTENs is not for it.
    ASSERT_TRUE(eventually([&] { return a_->events().listening() && b_->events().listening(); }));
  }
  void TearDown() override {
    a_.reset();
    b_.reset();
    std::error_code ec;
    std::filesystem::remove_all(dir_, ec);
  }

  std::unique_ptr<app::App> node() {
    auto config = build_config({{{"db", url_},
                                 {"port", "0"},
                                 {"access_log", "false"},
                                 {"key_file", dir_ + "/key"},
                                 {"web_root", dir_ + "/web"},
                                 {"io_threads", "2"},
                                 {"worker_threads", "4"},
                                 {"gateway_sim_port", "0"},
                                 {"hl7_port", "0"},  // two nodes on one machine: any free ports
                                 {"signing_pkcs11_module", ""},
                                 {"housekeeping_seconds", "0"}}});
    if (!config) {
      ADD_FAILURE() << config.error().message;
      return nullptr;
    }
    auto app = app::App::create(*config, clock_, nullptr, crypto::kTestArgon2);
    if (!app) {
      ADD_FAILURE() << app.error().code << ": " << app.error().message;
      return nullptr;
    }
    return std::move(*app);
  }

  std::string login(app::App& node, const std::string& user) {
    auto r = HttpClient(node.port()).post_json("/api/v1/auth/login", {{"username", user}, {"password", "demo1234!"}});
    EXPECT_EQ(r.status, 200) << r.body;
    return r.status == 200 ? std::string(r.json().at("token").as_string()) : "";
  }

  // A client of `node` subscribed (the hub counts it) to topics.
  std::unique_ptr<WsClient> subscriber(app::App& node, const std::string& user, const std::string& topics) {
    const size_t before = node.hub().subscribers();
    auto ws = std::make_unique<WsClient>(node.port(), login(node, user), topics);
    EXPECT_TRUE(ws->ok()) << ws->status() << " " << ws->refusal_body();
    EXPECT_TRUE(eventually([&] { return node.hub().subscribers() == before + 1; }));
    return ws;
  }

  ManualClock clock_{1'795'000'000'000};
  std::string dir_;
  std::string url_;
  std::unique_ptr<app::App> a_, b_;
};

TEST_P(TwoNodeEvents, ACallPublishedOnOneNodeReachesADisplayOnTheOther) {
  ASSERT_TRUE(a_->events().spans_nodes());
  ASSERT_NE(a_->events().node_id(), b_->events().node_id());
  auto display = subscriber(*b_, "display", "display.OB");
  a_->publisher()("display.OB", R"({"kind":"call","ticket_no":23,"room_code":"OB-R3"})");
  auto m = display->next_message(seconds(10));
  ASSERT_TRUE(m);
  EXPECT_EQ(*m, R"({"topic":"display.OB","data":{"kind":"call","ticket_no":23,"room_code":"OB-R3"}})");
}

TEST_P(TwoNodeEvents, EveryNodeDeliversEachEventOnceAndOneNodesEventsInOrder) {
  auto on_a = subscriber(*a_, "triage_nurse", "queue.7");
  auto on_b = subscriber(*b_, "doctor", "queue.7");
  for (int v = 1; v <= 5; ++v)
    a_->publisher()("queue.7", R"({"session_id":7,"version":)" + std::to_string(v) + "}");
  b_->publisher()("queue.7", R"({"session_id":7,"version":100})");
  // Each client gets all six once: A's five in A's order; where B's one
  // falls among them depends on which node the client is on.
  for (auto* ws : {on_a.get(), on_b.get()}) {
    std::vector<int64_t> from_a;
    int from_b = 0;
    for (int i = 0; i < 6; ++i) {
      auto m = ws->next_message(seconds(10));
      ASSERT_TRUE(m) << "message " << i;
      const auto parsed = boost::json::parse(*m);
      const int64_t v = parsed.at("data").at("version").as_int64();
      if (v == 100) ++from_b;
      else from_a.push_back(v);
    }
    EXPECT_EQ(from_a, (std::vector<int64_t>{1, 2, 3, 4, 5}));
    EXPECT_EQ(from_b, 1);
    // A node that heard its own NOTIFY back would send a second copy.
    EXPECT_FALSE(ws->next_message(std::chrono::milliseconds(500)));
  }
}

TEST_P(TwoNodeEvents, ANodeHearsTheOthersAgainAfterItsListeningConnectionIsCut) {
  auto display = subscriber(*b_, "display", "display.OB");
  const auto sessions = b_->events().listener_sessions();
  auto cut = a_->db().read([](store::Connection& c) -> Status {
    auto r = c.query(kCutListeners);
    if (!r) return fail(r.error());
    EXPECT_GE(r->at(0).integer(0), 2);  // both nodes' listeners
    return {};
  });
  ASSERT_TRUE(cut) << cut.error().message;
  ASSERT_TRUE(eventually([&] { return b_->events().listener_sessions() > sessions && b_->events().listening(); }));
  // What A sent meanwhile is lost to B, so B's pages are told to re-read.
  auto resync = display->next_message(seconds(10));
  ASSERT_TRUE(resync);
  EXPECT_EQ(*resync, R"({"topic":"display.OB","data":{"kind":"changed","reason":"resync"}})");
  a_->publisher()("display.OB", R"({"kind":"changed","n":1})");
  auto m = display->next_message(seconds(10));
  ASSERT_TRUE(m);
  EXPECT_EQ(*m, R"({"topic":"display.OB","data":{"kind":"changed","n":1}})");
}

TEST_P(TwoNodeEvents, AnEventTooLargeForNotifyStaysOnItsNodeAndBreaksNothing) {
  auto on_a = subscriber(*a_, "display", "display.OB");
  auto on_b = subscriber(*b_, "display", "display.OB");
  const std::string big = R"({"kind":"changed","pad":")" + std::string(9000, 'x') + "\"}";
  a_->publisher()("display.OB", big);
  a_->publisher()("display.OB", R"({"kind":"changed","n":2})");
  auto local = on_a->next_message(seconds(10));
  ASSERT_TRUE(local);
  EXPECT_NE(local->find(std::string(9000, 'x')), std::string::npos);
  auto remote = on_b->next_message(seconds(10));
  ASSERT_TRUE(remote);
  EXPECT_EQ(*remote, R"({"topic":"display.OB","data":{"kind":"changed","n":2}})");
}

TEST_P(TwoNodeEvents, StoppingANodeEndsItsListener) {
  b_->stop(std::chrono::milliseconds(0));
  EXPECT_FALSE(b_->events().listening());
  b_->wait();
}

// Tomorrow's OB-GEN morning on node A, one patient booked at the window
// and checked in half an hour before her slot; returns the session id.
int64_t checked_in_patient(app::App& a, ManualClock& clock, const std::function<std::string(const std::string&)>& login) {
  HttpClient c(a.port());
  const std::string admin = login("admin"), clerk = login("clerk");
  const auto dir = c.get("/api/v1/directory").json();
  int64_t doctor = 0;
  for (const auto& p : dir.at("practitioners").as_array())
    if (p.at("department_code").as_string() == "OB") doctor = p.at("id").as_int64();
  EXPECT_NE(doctor, 0);
  const CivilDate day = local_date(clock.now_ms() + 86'400'000, 8 * 60);
  using namespace std::chrono;
  const int iso_weekday = static_cast<int>(
      std::chrono::weekday(sys_days(year_month_day(year(day.year), month(static_cast<unsigned>(day.month)),
                                      std::chrono::day(static_cast<unsigned>(day.day)))))
          .iso_encoding());
  json::object t{{"clinic_code", "OB-GEN"}, {"practitioner_id", doctor}, {"weekday", iso_weekday},
                 {"period", "morning"},     {"start", "08:00"},         {"end", "09:00"},
                 {"slot_minutes", 30},      {"capacity_per_slot", 4},   {"quota", {{"window", 100}}},
                 {"release_days_ahead", 7}, {"release_time", "08:00"}};
  auto created = c.post_json("/api/v1/schedule-templates", t, admin);
  EXPECT_EQ(created.status, 201) << created.body;
  const std::string today = format_date(local_date(clock.now_ms(), 8 * 60));
  EXPECT_EQ(c.post_json("/api/v1/clinic-sessions/generate", {{"from", today}, {"days", 3}}, admin).status, 200);
  auto slots = c.get("/api/v1/slots?clinic=OB-GEN&from=" + format_date(day) + "&to=" + format_date(day));
  const auto list = slots.json();
  if (list.at("items").as_array().empty()) {
    ADD_FAILURE() << slots.body;
    return 0;
  }
  const auto& slot = list.at("items").as_array()[0];
  auto patient = c.post_json("/api/v1/patients", registration("张小丽", "1992-05-05", true, 1), clerk);
  EXPECT_EQ(patient.status, 201) << patient.body;
  auto booked = book(c, clerk, patient.json().at("id").as_int64(), slot.at("id").as_int64(), "window", "two-nodes");
  EXPECT_EQ(booked.status, 201) << booked.body;
  clock.set_ms(utc_ms(std::string(slot.at("start").as_string())) - 30 * 60'000);  // check-in is open
  auto in = c.post_json("/api/v1/appointments/" + std::to_string(booked.json().at("id").as_int64()) + "/check-in",
                        json::object{}, login("clerk"));  // a new token: tokens follow the clock
  EXPECT_EQ(in.status, 200) << in.body;
  return slot.at("session_id").as_int64();
}

TEST_P(TwoNodeEvents, ADoctorsCallOnOneNodeReachesTheDisplayAndPhonesOnTheOther) {
  const int64_t session = checked_in_patient(*a_, clock_, [&](const std::string& u) { return login(*a_, u); });
  ASSERT_NE(session, 0);
  const std::string path = "/api/v1/triage/sessions/" + std::to_string(session);
  const std::string doctor = login(*a_, "doctor");
  HttpClient c(a_->port());
  ASSERT_EQ(c.post_json(path + "/rooms", {{"room_code", "OB-R1"}}, doctor).status, 200);
  auto display = subscriber(*b_, "display", "display.OB");
  auto phone = subscriber(*b_, "triage_nurse", "queue." + std::to_string(session));

  auto called = c.post_json(path + "/call-next", {{"room_code", "OB-R1"}}, doctor);
  ASSERT_EQ(called.status, 200) << called.body;
  const auto entry = called.json();

  auto shown = display->next_message(seconds(10));
  ASSERT_TRUE(shown);
  const auto call = json::parse(*shown);
  EXPECT_EQ(call.at("topic").as_string(), "display.OB");
  EXPECT_EQ(call.at("data").at("kind").as_string(), "call");
  EXPECT_EQ(call.at("data").at("ticket_no").as_int64(), entry.at("ticket_no").as_int64());
  EXPECT_EQ(call.at("data").at("name").as_string(), "张*丽");
  EXPECT_EQ(call.at("data").at("room_code").as_string(), "OB-R1");

  auto changed = phone->next_message(seconds(10));
  ASSERT_TRUE(changed);
  const auto queue = json::parse(*changed);
  EXPECT_EQ(queue.at("topic").as_string(), "queue." + std::to_string(session));
  EXPECT_EQ(queue.at("data").at("session_id").as_int64(), session);
  EXPECT_EQ(queue.at("data").at("reason").as_string(), "called");
  EXPECT_FALSE(queue.at("data").as_object().contains("name"));  // no personal data on queue topics
}

INSTANTIATE_TEST_SUITE_P(Backends, TwoNodeEvents, ::testing::Values(store::Backend::postgres),
                         [](const auto& info) { return backend_param_name(info.param); });

}  // namespace
}  // namespace stork::testing
