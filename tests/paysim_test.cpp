// The WeChat Pay adapter against the gateway simulator over real HTTP, both
// in this process on a manual clock; notifications go to a small receiver
// that records the raw headers and body. And `stork gateway-sim` as a process.
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

#include <boost/json.hpp>
#include <condition_variable>
#include <filesystem>
#include <fstream>
#include <mutex>
#include <set>
#include <sstream>
#include <thread>

#include "billing/gateway_http.hpp"
#include "billing/wechatpay.hpp"
#include "core/clock.hpp"
#include "core/log.hpp"
#include "crypto/field_cipher.hpp"
#include "crypto/rsa.hpp"
#include "http/dispatcher.hpp"
#include "http/event_hub.hpp"
#include "http/metrics.hpp"
#include "http/router.hpp"
#include "http/server.hpp"
#include "paysim/simulator.hpp"
#include "support/eventually.hpp"
#include "support/process.hpp"
#include "support/sim_process.hpp"

namespace stork::testing {
namespace {

namespace json = boost::json;
using billing::HttpReply;
using namespace std::chrono_literals;

constexpr int64_t kStartMs = 1'893'456'000'000;  // 2030-01-01T08:00 in Beijing: far from real time
constexpr const char* kToday = "2030-01-01";

// One platform key for the suite: RSA key generation is slow.
const std::string& platform_key_pem() {
  static const std::string pem = crypto::RsaPrivateKey::generate().pem();
  return pem;
}

class OpenDoor final : public http::Authenticator {
 public:
  Result<auth::Principal> authenticate(std::string_view) override {
    return fail(Error::unauthenticated());
  }
  void record_denied(const auth::Principal&, const http::Request&) override {}
};

// Records every notification as it arrived, and answers with a chosen status.
class Receiver {
 public:
  struct Received {
    std::map<std::string, std::string> headers;
    std::string body;
  };

  Receiver() {
    router_.add({.method = "POST",
                 .pattern = "/notify",
                 .access = http::Access::anyone(),
                 .handler = [this](http::Request& req) {
                   Received r;
                   for (const auto& [k, v] : req.headers) r.headers[k] = v;
                   r.body = req.body;
                   int status;
                   {
                     std::lock_guard lock(mutex_);
                     received_.push_back(std::move(r));
                     status = failures_left_ > 0 ? 500 : 200;
                     if (failures_left_ > 0) --failures_left_;
                   }
                   arrived_.notify_all();
                   return status == 200
                              ? http::Response{200, "application/json", R"({"code":"SUCCESS"})", {}}
                              : http::Response{500, "application/json", R"({"code":"FAIL"})", {}};
                 }});
    server_.emplace(http::ServerOptions{.address = "127.0.0.1",
                                        .port = 0,
                                        .io_threads = 1,
                                        .io_model = http::IoModel::shared,
                                        .worker_threads = 1,
                                        .access_log = false},
                    dispatcher_, door_, metrics_, hub_);
    EXPECT_TRUE(server_->start().has_value());
  }
  ~Receiver() { server_->stop(0ms); }

  std::string url() const {
    return "http://127.0.0.1:" + std::to_string(server_->port()) + "/notify";
  }
  // The next n requests are answered 500.
  void fail_next(int n) {
    std::lock_guard lock(mutex_);
    failures_left_ = n;
  }
  // Waits (bounded) until at least n notifications have arrived.
  bool wait_for(size_t n, std::chrono::milliseconds limit = 10s) {
    std::unique_lock lock(mutex_);
    return arrived_.wait_for(lock, limit, [&] { return received_.size() >= n; });
  }
  std::vector<Received> received() const {
    std::lock_guard lock(mutex_);
    return received_;
  }

 private:
  http::Router router_;
  OpenDoor door_;
  http::Dispatcher dispatcher_{router_, door_, nullptr};
  http::Metrics metrics_;
  http::EventHub hub_;
  std::optional<http::Server> server_;
  mutable std::mutex mutex_;
  std::condition_variable arrived_;
  std::vector<Received> received_;  // GUARDED_BY(mutex_)
  int failures_left_ = 0;           // GUARDED_BY(mutex_)
};

HttpReply call(const std::string& method, const std::string& url, const std::string& body = "") {
  billing::HttpCall c;
  c.method = method;
  c.url = url;
  c.body = body;
  if (!body.empty()) c.headers = {{"Content-Type", "application/json"}};
  auto r = billing::http_call(c);
  EXPECT_TRUE(r.has_value()) << (r ? "" : r.error().message);
  return r.value_or(HttpReply{});
}

json::value parse(const std::string& text) {
  boost::system::error_code ec;
  auto v = json::parse(text, ec);
  return ec ? json::value() : v;
}

std::string gateway_code(const Error& e) {
  for (const auto& d : e.details)
    if (d.key == "gateway_code") return std::get<std::string>(d.value);
  return "";
}

class Paysim : public ::testing::Test {
 protected:
  void SetUp() override { log::set_enabled(false); }
  void TearDown() override { log::set_enabled(true); }

  void start(paysim::SimOptions o = {}) {
    o.platform_key_pem = platform_key_pem();
    if (o.retry_interval_ms == 15000) o.retry_interval_ms = 20;
    sim_ = std::make_unique<paysim::GatewaySimulator>(clock_, std::move(o));
    ASSERT_TRUE(sim_->start().has_value());
    auto g = billing::WechatPayGateway::create({.base_url = sim_->base_url(),
                                                .mchid = sim_->mchid(),
                                                .apiv3_key = sim_->apiv3_key(),
                                                .platform_cert_pem = sim_->platform_cert_pem()});
    ASSERT_TRUE(g.has_value()) << g.error().message;
    gateway_ = std::move(*g);
  }

  billing::PrepayRequest order(const std::string& no, int64_t fen = 1250) {
    return {.out_trade_no = no,
            .description = "产科门诊挂号费 Obstetrics registration",
            .amount_fen = fen,
            .expires_at_ms = clock_.now_ms() + 15 * 60 * 1000,
            .notify_url = receiver_.url(),
            .return_url = "http://stork.example/pay/done?order=" + no};
  }

  void prepay(const std::string& no, int64_t fen = 1250) {
    auto p = gateway_->create_prepay(order(no, fen));
    ASSERT_TRUE(p.has_value()) << p.error().message;
  }

  // The patient pays on the gateway (control API).
  HttpReply pay(const std::string& no) {
    return call("POST", sim_->base_url() + "/sim/v1/pay",
                json::serialize(json::object{{"out_trade_no", no}}));
  }

  void set_faults(const json::object& faults) {
    auto r = call("PUT", sim_->base_url() + "/sim/v1/faults", json::serialize(faults));
    ASSERT_EQ(r.status, 200) << r.body;
  }

  json::object trade_report(const std::string& no) {
    auto v = parse(call("GET", sim_->base_url() + "/sim/v1/trades").body);
    for (const auto& t : v.at("trades").as_array())
      if (t.at("out_trade_no") == no.c_str()) return t.as_object();
    ADD_FAILURE() << "no trade " << no;
    return {};
  }

  Result<billing::Notice> open(const Receiver::Received& r) const {
    return gateway_->open_notification(r.headers, r.body, clock_.now_ms());
  }

  // Polls the simulator's outbox until nothing is pending (bounded).
  bool outbox_settles(std::chrono::milliseconds limit = 10s) {
    return eventually([&] { return sim_->pending_notifications() == 0; }, limit);
  }

  ManualClock clock_{kStartMs};
  Receiver receiver_;
  std::unique_ptr<paysim::GatewaySimulator> sim_;
  std::unique_ptr<billing::WechatPayGateway> gateway_;
};

// ---- payments

TEST_F(Paysim, PrepayThenPayThenQueryGivesSuccess) {
  start();
  auto p = gateway_->create_prepay(order("ORDER20300101A1"));
  ASSERT_TRUE(p.has_value()) << p.error().message;
  EXPECT_TRUE(p->prepay_id.starts_with("wx")) << p->prepay_id;
  EXPECT_NE(p->pay_url.find("/checkout/" + p->prepay_id), std::string::npos) << p->pay_url;
  EXPECT_NE(p->pay_url.find("redirect_url=http%3A%2F%2Fstork.example"), std::string::npos)
      << p->pay_url;

  auto before = gateway_->query("ORDER20300101A1");
  ASSERT_TRUE(before.has_value()) << before.error().message;
  EXPECT_EQ(before->trade_state, billing::kTradeNotPay);
  EXPECT_EQ(before->transaction_id, "");

  clock_.advance(30s);
  ASSERT_EQ(pay("ORDER20300101A1").status, 200);
  auto after = gateway_->query("ORDER20300101A1");
  ASSERT_TRUE(after.has_value()) << after.error().message;
  EXPECT_EQ(after->trade_state, billing::kTradeSuccess);
  EXPECT_EQ(after->amount_fen, 1250);
  EXPECT_TRUE(after->transaction_id.starts_with("4200")) << after->transaction_id;
  EXPECT_EQ(after->success_time_ms, kStartMs + 30000);
}

TEST_F(Paysim, PrepayWithTheSameOrderNumberReturnsTheSamePrepay) {
  start();
  auto a = gateway_->create_prepay(order("ORDER20300101A2"));
  auto b = gateway_->create_prepay(order("ORDER20300101A2"));
  ASSERT_TRUE(a.has_value() && b.has_value());
  EXPECT_EQ(a->prepay_id, b->prepay_id);
  auto other = gateway_->create_prepay(order("ORDER20300101A2", 999));
  ASSERT_FALSE(other.has_value());
  EXPECT_EQ(other.error().code, "gateway_refused");
  EXPECT_EQ(gateway_code(other.error()), "INVALID_REQUEST");
}

TEST_F(Paysim, PayingTwiceIsRefusedAsOrderPaidAndNeverPaysTwice) {
  start();
  prepay("ORDER20300101B1");
  ASSERT_EQ(pay("ORDER20300101B1").status, 200);
  auto again = pay("ORDER20300101B1");
  EXPECT_EQ(again.status, 400);
  EXPECT_EQ(parse(again.body).at("code"), "ORDERPAID");
  EXPECT_EQ(trade_report("ORDER20300101B1").at("times_paid"), 1);
  // Prepaying a paid order again is refused too.
  auto re = gateway_->create_prepay(order("ORDER20300101B1"));
  ASSERT_FALSE(re.has_value());
  EXPECT_EQ(gateway_code(re.error()), "ORDERPAID");
}

TEST_F(Paysim, AClosedOrderCannotBePaid) {
  start();
  prepay("ORDER20300101C1");
  ASSERT_TRUE(gateway_->close("ORDER20300101C1").has_value());
  ASSERT_TRUE(gateway_->close("ORDER20300101C1").has_value()) << "closing twice is fine";
  auto r = pay("ORDER20300101C1");
  EXPECT_EQ(r.status, 400);
  EXPECT_EQ(parse(r.body).at("code"), "ORDER_CLOSED");
  auto t = gateway_->query("ORDER20300101C1");
  ASSERT_TRUE(t.has_value());
  EXPECT_EQ(t->trade_state, billing::kTradeClosed);
  EXPECT_EQ(trade_report("ORDER20300101C1").at("times_paid"), 0);
}

TEST_F(Paysim, ClosingAPaidOrderIsRefusedWithOrderPaid) {
  start();
  prepay("ORDER20300101C2");
  ASSERT_EQ(pay("ORDER20300101C2").status, 200);
  auto closed = gateway_->close("ORDER20300101C2");
  ASSERT_FALSE(closed.has_value());
  EXPECT_EQ(closed.error().code, "gateway_refused");
  EXPECT_EQ(gateway_code(closed.error()), "ORDERPAID");
  EXPECT_EQ(gateway_->query("ORDER20300101C2")->trade_state, billing::kTradeSuccess);
}

TEST_F(Paysim, AnExpiredOrderCannotBePaid) {
  start();
  prepay("ORDER20300101C3");
  clock_.advance(16min);
  auto r = pay("ORDER20300101C3");
  EXPECT_EQ(r.status, 400);
  EXPECT_EQ(parse(r.body).at("code"), "ORDER_EXPIRED");
  EXPECT_EQ(gateway_->query("ORDER20300101C3")->trade_state, billing::kTradeNotPay);
}

TEST_F(Paysim, QueryOfAnUnknownOrderIsNotFound) {
  start();
  auto t = gateway_->query("ORDER20300101NONE");
  ASSERT_FALSE(t.has_value());
  EXPECT_EQ(t.error().code, "not_found");
  EXPECT_EQ(gateway_code(t.error()), "ORDER_NOT_EXIST");
  EXPECT_EQ(gateway_->query_refund("REFUND20300101NONE").error().code, "not_found");
}

TEST_F(Paysim, CheckoutPageShowsTheAmountAndPayingRedirectsBack) {
  start();
  auto p = gateway_->create_prepay(order("ORDER20300101D1"));
  ASSERT_TRUE(p.has_value());
  auto page = call("GET", p->pay_url);
  EXPECT_EQ(page.status, 200);
  EXPECT_NE(page.body.find("¥12.50"), std::string::npos) << page.body;
  EXPECT_NE(page.body.find("确认支付 Pay"), std::string::npos);
  EXPECT_NE(page.body.find("产科门诊挂号费"), std::string::npos);
  EXPECT_NE(page.body.find("width=device-width"), std::string::npos);

  billing::HttpCall submit;
  submit.method = "POST";
  submit.url = sim_->base_url() + "/checkout/" + p->prepay_id;
  submit.headers = {{"Content-Type", "application/x-www-form-urlencoded"}};
  submit.body =
      "redirect_url=" + billing::url_encode("http://stork.example/pay/done?order=ORDER20300101D1");
  auto done = billing::http_call(submit);
  ASSERT_TRUE(done.has_value());
  EXPECT_EQ(done->status, 303);
  EXPECT_EQ(done->headers["location"], "http://stork.example/pay/done?order=ORDER20300101D1");
  // A second tap pays nothing more and still returns the browser.
  auto twice = billing::http_call(submit);
  ASSERT_TRUE(twice.has_value());
  EXPECT_EQ(twice->status, 303);
  EXPECT_EQ(trade_report("ORDER20300101D1").at("times_paid"), 1);
  EXPECT_EQ(gateway_->query("ORDER20300101D1")->trade_state, billing::kTradeSuccess);
}

// ---- refunds

TEST_F(Paysim, RefundsPartThenTheRestThenRefusesAThird) {
  start();
  prepay("ORDER20300101E1");
  ASSERT_EQ(pay("ORDER20300101E1").status, 200);
  auto first = gateway_->refund({.out_trade_no = "ORDER20300101E1",
                                 .out_refund_no = "REFUND20300101E1a",
                                 .refund_fen = 500,
                                 .total_fen = 1250,
                                 .reason = "部分退费"});
  ASSERT_TRUE(first.has_value()) << first.error().message;
  EXPECT_EQ(first->status, billing::kRefundSuccess);
  EXPECT_EQ(first->refund_fen, 500);
  auto rest = gateway_->refund({.out_trade_no = "ORDER20300101E1",
                                .out_refund_no = "REFUND20300101E1b",
                                .refund_fen = 750,
                                .total_fen = 1250});
  ASSERT_TRUE(rest.has_value()) << rest.error().message;
  auto third = gateway_->refund({.out_trade_no = "ORDER20300101E1",
                                 .out_refund_no = "REFUND20300101E1c",
                                 .refund_fen = 1,
                                 .total_fen = 1250});
  ASSERT_FALSE(third.has_value());
  EXPECT_EQ(third.error().code, "gateway_refused");
  EXPECT_EQ(gateway_code(third.error()), "NOT_ENOUGH");
  EXPECT_EQ(gateway_->query("ORDER20300101E1")->trade_state, billing::kTradeRefund);
  EXPECT_EQ(trade_report("ORDER20300101E1").at("refunded"), 1250);
}

TEST_F(Paysim, ARepeatedRefundNumberReturnsTheFirstRefundWithoutASecondDeduction) {
  start();
  prepay("ORDER20300101E2");
  ASSERT_EQ(pay("ORDER20300101E2").status, 200);
  const billing::RefundRequest req{.out_trade_no = "ORDER20300101E2",
                                   .out_refund_no = "REFUND20300101E2a",
                                   .refund_fen = 500,
                                   .total_fen = 1250};
  auto a = gateway_->refund(req);
  auto b = gateway_->refund(req);
  ASSERT_TRUE(a.has_value() && b.has_value());
  EXPECT_EQ(a->refund_id, b->refund_id);
  EXPECT_EQ(trade_report("ORDER20300101E2").at("refunded"), 500);
  // What remains is still 750.
  auto rest = gateway_->refund({.out_trade_no = "ORDER20300101E2",
                                .out_refund_no = "REFUND20300101E2b",
                                .refund_fen = 750,
                                .total_fen = 1250});
  EXPECT_TRUE(rest.has_value());
  auto q = gateway_->query_refund("REFUND20300101E2a");
  ASSERT_TRUE(q.has_value());
  EXPECT_EQ(q->refund_id, a->refund_id);
  EXPECT_EQ(q->refund_fen, 500);
}

TEST_F(Paysim, RefundsOfUnpaidOrdersOrWrongTotalsAreRefused) {
  start();
  prepay("ORDER20300101E3");
  auto unpaid = gateway_->refund({.out_trade_no = "ORDER20300101E3",
                                  .out_refund_no = "REFUND20300101E3a",
                                  .refund_fen = 100,
                                  .total_fen = 1250});
  ASSERT_FALSE(unpaid.has_value());
  EXPECT_EQ(gateway_code(unpaid.error()), "INVALID_REQUEST");
  ASSERT_EQ(pay("ORDER20300101E3").status, 200);
  auto wrong_total = gateway_->refund({.out_trade_no = "ORDER20300101E3",
                                       .out_refund_no = "REFUND20300101E3b",
                                       .refund_fen = 100,
                                       .total_fen = 9999});
  ASSERT_FALSE(wrong_total.has_value());
  EXPECT_EQ(gateway_code(wrong_total.error()), "PARAM_ERROR");
}

TEST_F(Paysim, StatementListsPaymentsAndRefundsInExactFen) {
  start();
  prepay("ORDER20300101F1", 1250);
  prepay("ORDER20300101F2", 1);
  prepay("ORDER20300101F3", 29);
  ASSERT_EQ(pay("ORDER20300101F1").status, 200);
  clock_.advance(1min);
  ASSERT_EQ(pay("ORDER20300101F2").status, 200);
  ASSERT_EQ(pay("ORDER20300101F3").status, 200);
  clock_.advance(1min);
  ASSERT_TRUE(gateway_->refund({.out_trade_no = "ORDER20300101F1",
                                .out_refund_no = "REFUND20300101F1",
                                .refund_fen = 333,
                                .total_fen = 1250}));

  auto lines = gateway_->statement(kToday);
  ASSERT_TRUE(lines.has_value()) << lines.error().message;
  ASSERT_EQ(lines->size(), 4u);
  std::map<std::string, billing::StatementLine> by_key;
  for (const auto& l : *lines)
    by_key[l.kind + ":" + (l.kind == "refund" ? l.out_refund_no : l.out_trade_no)] = l;
  EXPECT_EQ(by_key["payment:ORDER20300101F1"].amount_fen, 1250);
  EXPECT_EQ(by_key["payment:ORDER20300101F1"].time_ms, kStartMs);
  EXPECT_EQ(by_key["payment:ORDER20300101F2"].amount_fen, 1);
  EXPECT_EQ(by_key["payment:ORDER20300101F3"].amount_fen, 29);
  const auto& refund = by_key["refund:REFUND20300101F1"];
  EXPECT_EQ(refund.amount_fen, 333);
  EXPECT_EQ(refund.out_trade_no, "ORDER20300101F1");
  EXPECT_EQ(refund.state, "SUCCESS");
  EXPECT_EQ(refund.time_ms, kStartMs + 120000);
  EXPECT_EQ(refund.transaction_id, by_key["payment:ORDER20300101F1"].transaction_id);
  EXPECT_FALSE(refund.refund_id.empty());

  // The control API serves the same file.
  auto csv = call("GET", sim_->base_url() + "/sim/v1/statement?date=" + kToday);
  EXPECT_EQ(csv.status, 200);
  EXPECT_NE(csv.body.find("`ORDER20300101F2"), std::string::npos);
  EXPECT_NE(csv.body.find("`3.33"), std::string::npos);

  auto empty = gateway_->statement("2029-12-31");
  ASSERT_TRUE(empty.has_value()) << empty.error().message;
  EXPECT_TRUE(empty->empty());
  auto future = gateway_->statement("2030-01-02");
  ASSERT_FALSE(future.has_value());
  EXPECT_EQ(gateway_code(future.error()), "PARAM_ERROR");
}

// ---- the adapter refuses answers it cannot trust

TEST_F(Paysim, AnUnsignedAnswerIsRefused) {
  // A man in the middle (here: our receiver's server) claims SUCCESS without the platform's
  // signature.
  http::Router router;
  router.add(
      {.method = "GET",
       .pattern = "/v3/pay/transactions/out-trade-no/{no}",
       .access = http::Access::anyone(),
       .handler = [](http::Request&) {
         return http::Response{
             200,
             "application/json",
             R"({"out_trade_no":"ORDER20300101G1","trade_state":"SUCCESS",)"
             R"("transaction_id":"42","amount":{"total":1},"success_time":"2030-01-01T08:00:00+08:00"})",
             {}};
       }});
  OpenDoor door;
  http::Dispatcher dispatcher(router, door, nullptr);
  http::Metrics metrics;
  http::EventHub hub;
  http::Server fake({.address = "127.0.0.1",
                     .port = 0,
                     .io_threads = 1,
                     .worker_threads = 1,
                     .access_log = false},
                    dispatcher, door, metrics, hub);
  ASSERT_TRUE(fake.start().has_value());
  start();
  auto g = billing::WechatPayGateway::create(
      {.base_url = "http://127.0.0.1:" + std::to_string(fake.port()),
       .mchid = sim_->mchid(),
       .apiv3_key = sim_->apiv3_key(),
       .platform_cert_pem = sim_->platform_cert_pem()});
  ASSERT_TRUE(g.has_value());
  auto t = (*g)->query("ORDER20300101G1");
  ASSERT_FALSE(t.has_value());
  EXPECT_EQ(t.error().code, "gateway_unavailable");
  fake.stop(0ms);
}

// ---- notifications

TEST_F(Paysim, ARealNotificationOpensWithTheAdapter) {
  start();
  prepay("ORDER20300101H1");
  ASSERT_EQ(pay("ORDER20300101H1").status, 200);
  ASSERT_TRUE(receiver_.wait_for(1));
  const auto got = receiver_.received().at(0);
  EXPECT_EQ(got.headers.at("wechatpay-serial"),
            crypto::Certificate::from_pem(sim_->platform_cert_pem())->serial_hex());
  EXPECT_EQ(got.headers.at("wechatpay-timestamp"), std::to_string(kStartMs / 1000));
  auto n = open(got);
  ASSERT_TRUE(n.has_value()) << n.error().message;
  EXPECT_EQ(n->event_type, "TRANSACTION.SUCCESS");
  EXPECT_EQ(n->nonce, got.headers.at("wechatpay-nonce"));
  ASSERT_TRUE(n->transaction.has_value());
  EXPECT_EQ(n->transaction->out_trade_no, "ORDER20300101H1");
  EXPECT_EQ(n->transaction->trade_state, "SUCCESS");
  EXPECT_EQ(n->transaction->amount_fen, 1250);
  EXPECT_EQ(n->transaction->transaction_id, gateway_->query("ORDER20300101H1")->transaction_id);
  ASSERT_TRUE(outbox_settles());
  EXPECT_EQ(trade_report("ORDER20300101H1").at("notifications").as_array().at(0).at("delivered"),
            true);
}

TEST_F(Paysim, AOneByteChangeInTheBodyIsBadSignature) {
  start();
  prepay("ORDER20300101H2");
  ASSERT_EQ(pay("ORDER20300101H2").status, 200);
  ASSERT_TRUE(receiver_.wait_for(1));
  auto got = receiver_.received().at(0);
  const auto at = got.body.find("\"id\":\"EV-") + 9;
  got.body[at] = got.body[at] == 'a' ? 'b' : 'a';
  auto n = open(got);
  ASSERT_FALSE(n.has_value());
  EXPECT_EQ(n.error().code, "bad_signature");
}

TEST_F(Paysim, ANotificationOpenedSixMinutesLateIsStale) {
  start();
  prepay("ORDER20300101H3");
  ASSERT_EQ(pay("ORDER20300101H3").status, 200);
  ASSERT_TRUE(receiver_.wait_for(1));
  clock_.advance(6min);
  auto n = open(receiver_.received().at(0));
  ASSERT_FALSE(n.has_value());
  EXPECT_EQ(n.error().code, "stale_notification");
}

TEST_F(Paysim, DuplicateFaultSendsTwoCopiesWithDistinctNonces) {
  start({.faults = {.duplicate = 1}});
  prepay("ORDER20300101I1");
  ASSERT_EQ(pay("ORDER20300101I1").status, 200);
  ASSERT_TRUE(receiver_.wait_for(2));
  ASSERT_TRUE(outbox_settles());
  const auto got = receiver_.received();
  ASSERT_EQ(got.size(), 2u);
  auto a = open(got[0]), b = open(got[1]);
  ASSERT_TRUE(a.has_value() && b.has_value());
  EXPECT_NE(a->nonce, b->nonce);
  EXPECT_EQ(a->id, b->id) << "a duplicate is the same notification";
  EXPECT_EQ(a->transaction->transaction_id, b->transaction->transaction_id);
}

TEST_F(Paysim, ReplayFaultResendsTheSameBytesWithTheOldNonce) {
  start({.faults = {.replay = 1}});
  prepay("ORDER20300101I2");
  ASSERT_EQ(pay("ORDER20300101I2").status, 200);
  ASSERT_TRUE(receiver_.wait_for(2));
  const auto got = receiver_.received();
  EXPECT_EQ(got[1].body, got[0].body);
  EXPECT_EQ(got[1].headers.at("wechatpay-nonce"), got[0].headers.at("wechatpay-nonce"));
  EXPECT_EQ(got[1].headers.at("wechatpay-timestamp"), got[0].headers.at("wechatpay-timestamp"));
  EXPECT_EQ(got[1].headers.at("wechatpay-signature"), got[0].headers.at("wechatpay-signature"));
  // Within five minutes it still verifies: refusing it is the caller's nonce check.
  auto replayed = open(got[1]);
  ASSERT_TRUE(replayed.has_value());
  EXPECT_EQ(replayed->nonce, open(got[0])->nonce);
  clock_.advance(6min);
  EXPECT_EQ(open(got[1]).error().code, "stale_notification");
}

TEST_F(Paysim, ForgeFaultSendsACopyThatFailsVerification) {
  start({.faults = {.forge = 1}});
  prepay("ORDER20300101I3");
  ASSERT_EQ(pay("ORDER20300101I3").status, 200);
  ASSERT_TRUE(receiver_.wait_for(2));
  ASSERT_TRUE(outbox_settles());
  int genuine = 0, forged = 0;
  for (const auto& r : receiver_.received()) {
    auto n = open(r);
    if (n) {
      ++genuine;
      EXPECT_EQ(n->transaction->amount_fen, 1250);
    } else {
      ++forged;
      EXPECT_EQ(n.error().code, "bad_signature");
    }
  }
  EXPECT_EQ(genuine, 1);
  EXPECT_EQ(forged, 1);
}

TEST_F(Paysim, DropFaultNeverNotifiesTheTrade) {
  start({.faults = {.drop = 1}});
  prepay("ORDER20300101J1");
  prepay("ORDER20300101J2");
  ASSERT_EQ(pay("ORDER20300101J1").status, 200);
  ASSERT_TRUE(gateway_->refund({.out_trade_no = "ORDER20300101J1",
                                .out_refund_no = "REFUND20300101J1",
                                .refund_fen = 100,
                                .total_fen = 1250}));
  EXPECT_EQ(sim_->pending_notifications(), 0u);
  set_faults({{"drop", 0}});
  ASSERT_EQ(pay("ORDER20300101J2").status, 200);
  // Deliveries are in due order: once J2's is in, J1's would have been too.
  ASSERT_TRUE(receiver_.wait_for(1));
  ASSERT_TRUE(outbox_settles());
  const auto got = receiver_.received();
  ASSERT_EQ(got.size(), 1u);
  EXPECT_EQ(open(got[0])->transaction->out_trade_no, "ORDER20300101J2");
  const auto dropped = trade_report("ORDER20300101J1");
  EXPECT_EQ(dropped.at("silent"), true);
  EXPECT_TRUE(dropped.at("notifications").as_array().empty());
  // The merchant learns of the payment by querying.
  EXPECT_EQ(gateway_->query("ORDER20300101J1")->trade_state, billing::kTradeRefund);
}

TEST_F(Paysim, AFailingReceiverIsRetriedWithFreshSignatures) {
  start({.retry_interval_ms = 20});
  receiver_.fail_next(2);
  prepay("ORDER20300101K1");
  ASSERT_EQ(pay("ORDER20300101K1").status, 200);
  ASSERT_TRUE(receiver_.wait_for(3));
  ASSERT_TRUE(outbox_settles());
  const auto got = receiver_.received();
  ASSERT_EQ(got.size(), 3u);
  std::set<std::string> nonces;
  for (const auto& r : got) {
    nonces.insert(r.headers.at("wechatpay-nonce"));
    EXPECT_TRUE(open(r).has_value());
  }
  EXPECT_EQ(nonces.size(), 3u);
  const auto note = trade_report("ORDER20300101K1").at("notifications").as_array().at(0);
  EXPECT_EQ(note.at("attempts"), 3);
  EXPECT_EQ(note.at("delivered"), true);
}

TEST_F(Paysim, AnUnreachableReceiverIsAbandonedAfterMaxAttempts) {
  start({.retry_interval_ms = 5, .max_attempts = 3});
  auto req = order("ORDER20300101K2");
  req.notify_url = "http://127.0.0.1:1/notify";  // nothing listens: connection refused
  ASSERT_TRUE(gateway_->create_prepay(req).has_value());
  ASSERT_EQ(pay("ORDER20300101K2").status, 200);
  ASSERT_TRUE(outbox_settles());
  const auto note = trade_report("ORDER20300101K2").at("notifications").as_array().at(0);
  EXPECT_EQ(note.at("attempts"), 3);
  EXPECT_EQ(note.at("abandoned"), true);
  EXPECT_EQ(note.at("delivered"), false);
  EXPECT_EQ(note.at("nonces").as_array().size(), 3u);
  EXPECT_EQ(parse(call("GET", sim_->base_url() + "/sim/v1/outbox").body).at("pending"), 0);
}

TEST_F(Paysim, ARefundNotificationOpensAsRefundSuccess) {
  start();
  prepay("ORDER20300101L1");
  ASSERT_EQ(pay("ORDER20300101L1").status, 200);
  ASSERT_TRUE(receiver_.wait_for(1));
  ASSERT_TRUE(gateway_->refund({.out_trade_no = "ORDER20300101L1",
                                .out_refund_no = "REFUND20300101L1",
                                .refund_fen = 250,
                                .total_fen = 1250}));
  ASSERT_TRUE(receiver_.wait_for(2));
  auto n = open(receiver_.received().at(1));
  ASSERT_TRUE(n.has_value()) << n.error().message;
  EXPECT_EQ(n->event_type, "REFUND.SUCCESS");
  ASSERT_TRUE(n->refund.has_value());
  EXPECT_EQ(n->refund->out_refund_no, "REFUND20300101L1");
  EXPECT_EQ(n->refund->refund_fen, 250);
  EXPECT_EQ(n->refund->status, "SUCCESS");
  EXPECT_EQ(n->refund_of_trade, "ORDER20300101L1");
}

TEST_F(Paysim, ASlowRefundAnswersProcessingThenSucceedsWithANotification) {
  start({.faults = {.refund_processing = 1}, .refund_settle_ms = 30});
  prepay("ORDER20300101L2");
  ASSERT_EQ(pay("ORDER20300101L2").status, 200);
  ASSERT_TRUE(receiver_.wait_for(1));
  auto r = gateway_->refund({.out_trade_no = "ORDER20300101L2",
                             .out_refund_no = "REFUND20300101L2",
                             .refund_fen = 1250,
                             .total_fen = 1250});
  ASSERT_TRUE(r.has_value()) << r.error().message;
  EXPECT_EQ(r->status, billing::kRefundProcessing);
  EXPECT_EQ(r->success_time_ms, 0);
  ASSERT_TRUE(receiver_.wait_for(2));
  auto n = open(receiver_.received().at(1));
  ASSERT_TRUE(n.has_value());
  EXPECT_EQ(n->refund->status, "SUCCESS");
  auto q = gateway_->query_refund("REFUND20300101L2");
  ASSERT_TRUE(q.has_value());
  EXPECT_EQ(q->status, billing::kRefundSuccess);
}

TEST_F(Paysim, DelayFaultDeliversEverythingEventually) {
  start({.faults = {.delay_ms = 40}, .seed = 42});
  for (int i = 0; i < 5; ++i) prepay("ORDER20300101M" + std::to_string(i));
  for (int i = 0; i < 5; ++i) ASSERT_EQ(pay("ORDER20300101M" + std::to_string(i)).status, 200);
  ASSERT_TRUE(receiver_.wait_for(5));
  ASSERT_TRUE(outbox_settles());
  std::set<std::string> orders;
  for (const auto& r : receiver_.received()) orders.insert(open(r)->transaction->out_trade_no);
  EXPECT_EQ(orders.size(), 5u);
}

TEST_F(Paysim, FaultsAreValidated) {
  start();
  auto bad = call("PUT", sim_->base_url() + "/sim/v1/faults", R"({"duplicate":1.5})");
  EXPECT_EQ(bad.status, 400);
  auto unknown = call("PUT", sim_->base_url() + "/sim/v1/faults", R"({"explode":1})");
  EXPECT_EQ(unknown.status, 400);
  auto ok = call("PUT", sim_->base_url() + "/sim/v1/faults", R"({"delay_ms":10,"forge":0.5})");
  EXPECT_EQ(ok.status, 200);
  EXPECT_EQ(sim_->faults().delay_ms, 10);
  EXPECT_EQ(sim_->faults().forge, 0.5);
}

// ---- the binary

std::string read_file(const std::string& path) {
  std::ifstream in(path);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

TEST(PaysimProcess, GatewaySimStartsPrintsItsPortWritesItsCertificateAndAnswers) {
  const auto dir =
      std::filesystem::temp_directory_path() / ("stork_gateway_sim_" + std::to_string(::getpid()));
  std::filesystem::remove_all(dir);
  const std::string key_file = (dir / "apiv3.key").string(),
                    cert = (dir / "platform_cert.pem").string();
  SimProcess sim({"--port", "0", "--apiv3-key-file", key_file, "--cert-out", cert,
                  "--platform-key-file", (dir / "platform_key.pem").string(), "--seed", "7",
                  "--retry-interval-ms", "20", "--duplicate", "0"});
  ASSERT_NE(sim.port(), 0);

  struct stat st {};
  ASSERT_EQ(::stat(key_file.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);
  auto key = crypto::load_or_create_key(key_file);
  ASSERT_TRUE(key.has_value());
  auto certificate = crypto::Certificate::from_pem(read_file(cert));
  ASSERT_TRUE(certificate.has_value()) << "no certificate at " << cert;

  auto g = billing::WechatPayGateway::create(
      {.base_url = "http://127.0.0.1:" + std::to_string(sim.port()),
       .mchid = "1900000001",
       .apiv3_key = *key,
       .platform_cert_pem = certificate->pem()});
  ASSERT_TRUE(g.has_value()) << g.error().message;
  SystemClock real;
  auto p = (*g)->create_prepay({.out_trade_no = "ORDERPROCESS0001",
                                .description = "test",
                                .amount_fen = 100,
                                .expires_at_ms = real.now_ms() + 600000,
                                .notify_url = "http://127.0.0.1:1/n"});
  ASSERT_TRUE(p.has_value()) << p.error().message;
  auto paid = call("POST", "http://127.0.0.1:" + std::to_string(sim.port()) + "/sim/v1/pay",
                   R"({"out_trade_no":"ORDERPROCESS0001"})");
  EXPECT_EQ(paid.status, 200) << paid.body;
  auto t = (*g)->query("ORDERPROCESS0001");
  ASSERT_TRUE(t.has_value()) << t.error().message;
  EXPECT_EQ(t->trade_state, billing::kTradeSuccess);

  sim.signal(SIGTERM);
  EXPECT_EQ(sim.wait_exit(), 0) << sim.log();
  std::filesystem::remove_all(dir);
}

TEST(PaysimProcess, GatewaySimRefusesUnknownFlags) {
  auto r = run_command({stork_binary(), "gateway-sim", "--db", "sqlite:x.db"});
  EXPECT_EQ(r.exit_code, 2) << r.output;
  EXPECT_NE(r.output.find("--db"), std::string::npos) << r.output;
  auto bad = run_command({stork_binary(), "gateway-sim", "--duplicate", "2"});
  EXPECT_EQ(bad.exit_code, 2) << bad.output;
}

}  // namespace
}  // namespace stork::testing
