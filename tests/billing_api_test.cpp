// Billing over HTTP on SQLite and PostgreSQL, with the gateway simulator
// running in-process behind the WeChat-Pay-style adapter: bills for
// bookings and the payment window, mobile payment and its notifications,
// window cash and card, insurance shares, refunds by rule and by a clerk,
// late and duplicate payments refunded automatically, receipts, takings,
// reconciliation, the ledger's append-only guard, and money under
// concurrency (DESIGN.md §5, invariant 3).
#include <gtest/gtest.h>

#include <atomic>
#include <fstream>
#include <sstream>
#include <thread>

#include "app/seed_demo.hpp"
#include "core/civil_date.hpp"
#include "crypto/field_cipher.hpp"
#include "paysim/notice.hpp"
#include "support/api_assert.hpp"
#include "support/eventually.hpp"
#include "support/patient_data.hpp"
#include "support/portal_login.hpp"
#include "support/schedule_data.hpp"
#include "support/test_database.hpp"
#include "support/test_server.hpp"

namespace stork::testing {
namespace {

namespace json = boost::json;
using std::chrono::minutes;

// The simulator's port, from a checkout URL "http://127.0.0.1:PORT/checkout/...".
uint16_t port_of(const std::string& url) {
  const auto colon = url.find(':', url.find("//") + 2);
  return static_cast<uint16_t>(std::stoi(url.substr(colon + 1)));
}

class Billing : public ::testing::TestWithParam<store::Backend> {
 protected:
  void SetUp() override {
    server_ = std::make_unique<TestServer>(GetParam());
    ASSERT_TRUE(app::seed_demo_fees(server_->app().services()));
    clerk_ = server_->login("clerk");
    manager_ = server_->login("manager");
  }
  TestServer& server() { return *server_; }
  billing::BillingService& billing() { return server_->app().services().billing; }

  struct Mother {
    int64_t id = 0;
    std::string token;
  };
  Mother mother(const std::string& name, int seq) {
    const std::string phone = fresh_phone();
    auto r = server().client().post_json("/api/v1/patients", registration(name, "1992-03-03", true, seq, phone), clerk_);
    EXPECT_EQ(r.status, 201) << r.body;
    return {r.json().at("id").as_int64(), patient_token(server(), phone)};
  }

  // An online booking of a general clinic slot tomorrow: its bill is REG-GEN.
  json::value book_online(const Mother& m, int64_t slot, const std::string& key) {
    auto c = server().client();
    auto r = book(c, m.token, m.id, slot, "online", key);
    EXPECT_EQ(r.status, 201) << r.body;
    return r.json();
  }

  json::value order_of_appointment(int64_t patient, int64_t appointment) {
    auto list = server().client().get("/api/v1/patients/" + std::to_string(patient) + "/orders", clerk_);
    EXPECT_EQ(list.status, 200) << list.body;
    const auto body = list.json();
    for (const auto& o : body.at("items").as_array())
      if (o.at("appointment_id").is_int64() && o.at("appointment_id").as_int64() == appointment) return o;
    ADD_FAILURE() << "no order for appointment " << appointment;
    return nullptr;
  }

  json::value get_order(int64_t id) {
    auto r = server().client().get("/api/v1/orders/" + std::to_string(id), clerk_);
    EXPECT_EQ(r.status, 200) << r.body;
    return r.json();
  }

  int count_kind(const json::value& order, const std::string& kind) {
    int n = 0;
    for (const auto& e : order.at("ledger").as_array()) n += e.at("kind").as_string() == kind;
    return n;
  }

  // The patient pays at the simulator's checkout (as her phone would).
  HttpResult sim_pay(const std::string& pay_url, const std::string& order_no) {
    HttpClient sim(port_of(pay_url));
    return sim.post_json("/sim/v1/pay", {{"out_trade_no", order_no}});
  }

  json::value checkout(int64_t order_id, const std::string& token) {
    auto r = server().client().post_json("/api/v1/orders/" + std::to_string(order_id) + "/checkout", json::object{},
                                         token);
    EXPECT_EQ(r.status, 200) << r.body;
    return r.json();
  }

  HttpResult pay_cash(int64_t order_id, const json::value& amount, const std::string& key) {
    return server().client().request(
        "POST", "/api/v1/orders/" + std::to_string(order_id) + "/payments",
        json::serialize(json::object{{"method", "cash"}, {"amount_fen", amount}}),
        {{"Authorization", "Bearer " + clerk_}, {"Content-Type", "application/json"}, {"Idempotency-Key", key}});
  }

  HttpResult refund(int64_t order_id, const json::value& amount, const std::string& reason, const std::string& key) {
    json::object body{{"amount_fen", amount}};
    if (!reason.empty()) body["reason"] = reason;
    return server().client().request(
        "POST", "/api/v1/orders/" + std::to_string(order_id) + "/refunds", json::serialize(body),
        {{"Authorization", "Bearer " + clerk_}, {"Content-Type", "application/json"}, {"Idempotency-Key", key}});
  }

  // A clerk's bill for one blood count (20.00 yuan, 70 % insured).
  int64_t exam_order(int64_t patient) {
    auto r = server().client().post_json(
        "/api/v1/orders", {{"patient_id", patient}, {"items", json::array{{{"fee_code", "EXAM-CBC"}, {"quantity", 1}}}}},
        clerk_);
    EXPECT_EQ(r.status, 201) << r.body;
    return r.json().at("id").as_int64();
  }

  std::unique_ptr<TestServer> server_;
  std::string clerk_, manager_;
};

TEST_P(Billing, AnOnlineBookingOpensABillHeldForThePaymentWindow) {
  auto opened = open_schedule(server(), {.quota = {{"online", 100}}});
  const Mother m = mother("许晴", 1);
  auto a = book_online(m, opened.slot_ids[0], "k1");
  EXPECT_EQ(a.at("payment"), "due");
  ASSERT_TRUE(a.at("payment_due_at").is_string());
  EXPECT_EQ(utc_ms(std::string(a.at("payment_due_at").as_string())), server().clock().now_ms() + 15 * 60'000);
  auto o = order_of_appointment(m.id, a.at("id").as_int64());
  EXPECT_EQ(o.at("state"), "unpaid");
  EXPECT_EQ(o.at("total_fen").as_int64(), 1000);  // REG-GEN: a general clinic
  EXPECT_EQ(o.at("outstanding_fen").as_int64(), 1000);
  EXPECT_EQ(count_kind(o, "charge"), 1);
  // She sees her own bill; a stranger's token does not.
  auto mine = server().client().get("/api/v1/orders/" + std::to_string(o.at("id").as_int64()), m.token);
  EXPECT_EQ(mine.status, 200) << mine.body;
  const Mother other = mother("路人甲", 2);
  const std::string theirs = "/api/v1/orders/" + std::to_string(o.at("id").as_int64());
  expect_problem(server().client().get(theirs, other.token), 403, "forbidden");
  expect_problem(server().client().post_json(theirs + "/checkout", json::object{}, other.token), 403, "forbidden");
}

TEST_P(Billing, AMobilePaymentNotifiedByTheGatewayConfirmsTheAppointmentOnce) {
  auto opened = open_schedule(server(), {.quota = {{"online", 100}}});
  const Mother m = mother("郑悦", 3);
  auto a = book_online(m, opened.slot_ids[0], "k1");
  auto o = order_of_appointment(m.id, a.at("id").as_int64());
  const int64_t order_id = o.at("id").as_int64();
  auto pay = checkout(order_id, m.token);
  const std::string pay_url(pay.at("pay_url").as_string());
  EXPECT_EQ(checkout(order_id, m.token).at("prepay_id"), pay.at("prepay_id"));  // a retry gets the same checkout
  // The simulator sends the notification twice (an independently signed copy).
  HttpClient sim(port_of(pay_url));
  ASSERT_EQ(sim.request("PUT", "/sim/v1/faults", R"({"duplicate":1})", {{"Content-Type", "application/json"}}).status, 200);
  auto paid = sim_pay(pay_url, std::string(o.at("order_no").as_string()));
  ASSERT_EQ(paid.status, 200) << paid.body;
  ASSERT_TRUE(eventually([&] {
    return sim.get("/sim/v1/outbox").json().at("pending").as_int64() == 0 && get_order(order_id).at("state") == "paid";
  }));
  auto after = get_order(order_id);
  EXPECT_EQ(count_kind(after, "payment"), 1);
  EXPECT_EQ(after.at("paid_fen").as_int64(), 1000);
  auto appt = server().client().get("/api/v1/appointments/" + std::to_string(a.at("id").as_int64()), m.token);
  EXPECT_EQ(appt.json().at("payment"), "paid");
  EXPECT_TRUE(appt.json().at("payment_due_at").is_null());
  // Paying again is refused by the gateway (one payment per order, ever).
  EXPECT_NE(sim_pay(pay_url, std::string(o.at("order_no").as_string())).status, 200);
  expect_problem(server().client().post_json("/api/v1/orders/" + std::to_string(order_id) + "/checkout",
                                             json::object{}, m.token),
                 409, "already_paid");
  // Her receipt is hers.
  auto receipts = server().client().get("/api/v1/patients/" + std::to_string(m.id) + "/receipts", m.token);
  ASSERT_EQ(receipts.status, 200);
  ASSERT_EQ(receipts.json().at("items").as_array().size(), 1u);
  EXPECT_EQ(receipts.json().at("items").at(0).at("method"), "wechatpay");
}

TEST_P(Billing, ALostNotificationIsFoundByAskingTheGateway) {
  auto opened = open_schedule(server(), {.quota = {{"online", 100}}});
  const Mother m = mother("冯雪", 4);
  auto a = book_online(m, opened.slot_ids[0], "k1");
  auto o = order_of_appointment(m.id, a.at("id").as_int64());
  const int64_t order_id = o.at("id").as_int64();
  const std::string pay_url(checkout(order_id, m.token).at("pay_url").as_string());
  HttpClient sim(port_of(pay_url));
  ASSERT_EQ(sim.request("PUT", "/sim/v1/faults", R"({"drop":1})", {{"Content-Type", "application/json"}}).status, 200);
  ASSERT_EQ(sim_pay(pay_url, std::string(o.at("order_no").as_string())).status, 200);
  EXPECT_EQ(get_order(order_id).at("state"), "unpaid");  // nothing was notified
  // The patient is back from the checkout: her page asks.
  auto synced = server().client().post_json("/api/v1/orders/" + std::to_string(order_id) + "/sync", json::object{},
                                            m.token);
  ASSERT_EQ(synced.status, 200) << synced.body;
  EXPECT_EQ(synced.json().at("state"), "paid");
  // And the sweep would have found it too, without recording it twice.
  server().clock().advance(minutes(2));
  auto swept = billing().sweep({"", "test"});
  ASSERT_TRUE(swept) << swept.error().message;
  EXPECT_EQ(count_kind(get_order(order_id), "payment"), 1);
}

TEST_P(Billing, AnExpiredHoldGivesTheTicketBackAndThePaymentIsRefusedAfter) {
  auto opened = open_schedule(server(), {.capacity_per_slot = 1, .quota = {{"online", 100}}});
  const Mother first = mother("韩梅", 5), second = mother("李雷", 6);
  auto a = book_online(first, opened.slot_ids[0], "k1");
  auto o = order_of_appointment(first.id, a.at("id").as_int64());
  const int64_t order_id = o.at("id").as_int64();
  const std::string pay_url(checkout(order_id, first.token).at("pay_url").as_string());
  auto c = server().client();
  expect_problem(book(c, second.token, second.id, opened.slot_ids[0], "online", "k2"), 409, "slot_full");
  server().clock().advance(minutes(16));
  expect_problem(c.post_json("/api/v1/orders/" + std::to_string(order_id) + "/checkout", json::object{}, first.token),
                 409, "order_expired");
  auto swept = billing().sweep({"", "test"});
  ASSERT_TRUE(swept) << swept.error().message;
  EXPECT_EQ(swept->expired, 1);
  auto appt = c.get("/api/v1/appointments/" + std::to_string(a.at("id").as_int64()), first.token).json();
  EXPECT_EQ(appt.at("status"), "cancelled");
  EXPECT_EQ(appt.at("cancel_reason"), "payment window expired");
  auto closed = get_order(order_id);
  EXPECT_EQ(closed.at("state"), "expired");
  EXPECT_EQ(count_kind(closed, "reversal"), 1);
  // The checkout was closed at the gateway first: paying now is refused there.
  EXPECT_NE(sim_pay(pay_url, std::string(o.at("order_no").as_string())).status, 200);
  // The ticket is free again.
  EXPECT_EQ(book(c, second.token, second.id, opened.slot_ids[0], "online", "k3").status, 201);
}

TEST_P(Billing, AWaitlistPromotionIsHeldForPaymentAndSaysSo) {
  auto opened = open_schedule(server(), {.quota = {{"online", 100}}});
  const Mother m = mother("江月", 16);
  auto c = server().client();
  auto slot = c.get("/api/v1/slots/" + std::to_string(opened.slot_ids[0]) + "?channel=online").json();
  // A ticket is free, so joining the waitlist books her at once.
  auto joined = c.post_json("/api/v1/waitlist",
                            {{"patient_id", m.id}, {"session_id", slot.at("session_id")}, {"channel", "online"}}, m.token);
  ASSERT_EQ(joined.status, 201) << joined.body;
  ASSERT_EQ(joined.json().at("status"), "promoted");
  auto appt = c.get("/api/v1/appointments/" + std::to_string(joined.json().at("appointment_id").as_int64()), m.token)
                  .json();
  EXPECT_EQ(appt.at("payment"), "due");
  EXPECT_TRUE(appt.at("payment_due_at").is_string());
  auto notes = c.get("/api/v1/patients/" + std::to_string(m.id) + "/notifications", m.token).json();
  bool told = false;
  for (const auto& n : notes.at("items").as_array())
    if (n.at("kind") == "waitlist_promoted") told = std::string(n.at("body").as_string()).find("Pay the fee by") != std::string::npos;
  EXPECT_TRUE(told) << notes;
}

TEST_P(Billing, APaymentForACancelledOrderIsRefundedAutomaticallyAndVisibly) {
  auto opened = open_schedule(server(), {.quota = {{"online", 100}}});
  const Mother m = mother("秦岚", 7);
  auto a = book_online(m, opened.slot_ids[0], "k1");
  auto o = order_of_appointment(m.id, a.at("id").as_int64());
  const int64_t order_id = o.at("id").as_int64();
  const std::string pay_url(checkout(order_id, m.token).at("pay_url").as_string());
  auto c = server().client();
  // She cancels on one phone while paying on the other.
  ASSERT_EQ(c.post_json("/api/v1/appointments/" + std::to_string(a.at("id").as_int64()) + "/cancel", json::object{},
                        m.token)
                .status,
            200);
  EXPECT_EQ(get_order(order_id).at("state"), "cancelled");
  ASSERT_EQ(sim_pay(pay_url, std::string(o.at("order_no").as_string())).status, 200);
  HttpClient sim(port_of(pay_url));
  ASSERT_TRUE(eventually([&] { return count_kind(get_order(order_id), "refund") == 1; }));
  auto after = get_order(order_id);
  EXPECT_EQ(after.at("state"), "refunded");
  EXPECT_EQ(after.at("paid_fen").as_int64(), 1000);
  EXPECT_EQ(after.at("refunded_fen").as_int64(), 1000);
  const auto& refund_entry = after.at("ledger").as_array().back();
  EXPECT_EQ(refund_entry.at("cause"), "late_payment");
  // The server asks the gateway to pay it back right after recording it
  // (no sweep runs in these tests); reconciliation then agrees.
  ASSERT_TRUE(eventually([&] {
    return get_order(order_id).at("ledger").as_array().back().at("refund_status") == "succeeded";
  }));
  const std::string today = format_date(local_date(server().clock().now_ms(), 480));
  auto rec = c.get("/api/v1/billing/reconciliation?date=" + today, manager_);
  ASSERT_EQ(rec.status, 200) << rec.body;
  EXPECT_TRUE(rec.json().at("mismatches").as_array().empty()) << rec.body;
  EXPECT_EQ(rec.json().at("ledger").at("net_fen").as_int64(), 0);
}

TEST_P(Billing, CancellingAPaidBookingBeforeTheDeadlineRefundsTheWholeFee) {
  auto opened = open_schedule(server(), {.quota = {{"online", 100}}});
  const Mother m = mother("钱琳", 8);
  auto a = book_online(m, opened.slot_ids[0], "k1");
  auto o = order_of_appointment(m.id, a.at("id").as_int64());
  const int64_t order_id = o.at("id").as_int64();
  const std::string pay_url(checkout(order_id, m.token).at("pay_url").as_string());
  ASSERT_EQ(sim_pay(pay_url, std::string(o.at("order_no").as_string())).status, 200);
  auto c = server().client();
  ASSERT_EQ(c.post_json("/api/v1/orders/" + std::to_string(order_id) + "/sync", json::object{}, m.token).status, 200);
  ASSERT_EQ(c.post_json("/api/v1/appointments/" + std::to_string(a.at("id").as_int64()) + "/cancel", json::object{},
                        m.token)
                .status,
            200);
  auto after = get_order(order_id);
  EXPECT_EQ(after.at("state"), "refunded");
  ASSERT_EQ(count_kind(after, "refund"), 1);
  EXPECT_EQ(after.at("refunded_fen").as_int64(), 1000);
  for (const auto& e : after.at("ledger").as_array()) {
    if (e.at("kind") == "refund") {
      EXPECT_EQ(e.at("refund_status"), "succeeded") << "carried out by the cancel";
    }
  }
  HttpClient sim(port_of(pay_url));
  auto trades = sim.get("/sim/v1/trades").json();
  bool found = false;
  for (const auto& t : trades.at("trades").as_array())
    if (t.at("out_trade_no") == o.at("order_no")) {
      found = true;
      EXPECT_EQ(t.at("times_paid").as_int64(), 1);
      EXPECT_EQ(t.at("refunded").as_int64(), 1000);
    }
  EXPECT_TRUE(found) << trades;
}

TEST_P(Billing, CashOwedForAnOnlineCancellationWaitsForTheClerkToHandItOver) {
  auto opened = open_schedule(server());
  const Mother m = mother("白洁", 15);
  auto c = server().client();
  auto a = book(c, clerk_, m.id, opened.slot_ids[0], "window", "w1");
  ASSERT_EQ(a.status, 201) << a.body;
  EXPECT_EQ(a.json().at("payment"), "due");
  EXPECT_TRUE(a.json().at("payment_due_at").is_null());  // the window's bookings are not held
  const int64_t order_id = order_of_appointment(m.id, a.json().at("id").as_int64()).at("id").as_int64();
  ASSERT_EQ(pay_cash(order_id, 1000, "p1").status, 201);
  ASSERT_EQ(c.post_json("/api/v1/appointments/" + std::to_string(a.json().at("id").as_int64()) + "/cancel",
                        json::object{}, m.token)
                .status,
            200);
  auto owed = get_order(order_id);
  EXPECT_EQ(owed.at("state"), "refunded");
  int64_t refund_id = 0;
  for (const auto& e : owed.at("ledger").as_array())
    if (e.at("kind") == "refund") {
      refund_id = e.at("id").as_int64();
      EXPECT_EQ(e.at("refund_status"), "pending");  // nobody has handed her the cash yet
    }
  ASSERT_NE(refund_id, 0);
  const std::string path = "/api/v1/refunds/" + std::to_string(refund_id) + "/paid-out";
  expect_problem(c.post_json(path, json::object{}, m.token), 403, "forbidden");
  auto out = c.post_json(path, json::object{}, clerk_);
  ASSERT_EQ(out.status, 200) << out.body;
  const auto paid_out = out.json();
  for (const auto& e : paid_out.at("ledger").as_array())
    if (e.at("kind") == "refund") {
      EXPECT_EQ(e.at("refund_status"), "succeeded");
    }
  expect_problem(c.post_json(path, json::object{}, clerk_), 409, "invalid_state");
}

TEST_P(Billing, WindowCashIsExactAndIdempotent) {
  const Mother m = mother("孙丽", 9);
  const int64_t order_id = exam_order(m.id);
  for (const json::value& bad : {json::value(-100), json::value(0), json::value(20.5), json::value("2000"), json::value()})
    expect_problem(pay_cash(order_id, bad, "bad"), 400, "validation_failed", "amount_fen");
  expect_problem(pay_cash(order_id, 1999, "k0"), 422, "amount_mismatch", "amount_fen");
  auto no_key = server().client().post_json("/api/v1/orders/" + std::to_string(order_id) + "/payments",
                                            {{"method", "cash"}, {"amount_fen", 2000}}, clerk_);
  expect_problem(no_key, 400, "validation_failed", "Idempotency-Key");
  auto first = pay_cash(order_id, 2000, "k1");
  ASSERT_EQ(first.status, 201) << first.body;
  auto again = pay_cash(order_id, 2000, "k1");  // the clerk's double click
  ASSERT_EQ(again.status, 201);
  EXPECT_EQ(again.json().at("receipt_no"), first.json().at("receipt_no"));
  expect_problem(pay_cash(order_id, 2000, "k2"), 409, "already_paid");
  auto o = get_order(order_id);
  EXPECT_EQ(o.at("state"), "paid");
  EXPECT_EQ(count_kind(o, "payment"), 1);
}

TEST_P(Billing, ManyClerksPayingOneBillAtOnceTakeTheMoneyOnce) {
  const Mother m = mother("周敏", 10);
  const int64_t order_id = exam_order(m.id);
  std::atomic<int> created{0}, refused{0};
  std::vector<std::thread> clerks;
  for (int i = 0; i < 8; ++i)
    clerks.emplace_back([&, i] {
      auto r = pay_cash(order_id, 2000, "clerk-" + std::to_string(i));
      if (r.status == 201) ++created;
      else if (r.status == 409 && r.json().at("code") == "already_paid") ++refused;
    });
  for (auto& t : clerks) t.join();
  EXPECT_EQ(created.load(), 1);
  EXPECT_EQ(refused.load(), 7);
  EXPECT_EQ(count_kind(get_order(order_id), "payment"), 1);
}

TEST_P(Billing, RefundsNeverExceedWhatWasPaid) {
  const Mother m = mother("吴芳", 11);
  const int64_t order_id = exam_order(m.id);
  auto paid = pay_cash(order_id, 2000, "p1");
  ASSERT_EQ(paid.status, 201);
  expect_problem(refund(order_id, 2001, "overcharged", "r0"), 422, "refund_exceeds_payment", "amount_fen");
  expect_problem(refund(order_id, 500, "", "r0"), 400, "validation_failed", "reason");
  expect_problem(refund(order_id, -5, "x", "r0"), 400, "validation_failed", "amount_fen");
  auto part = refund(order_id, 500, "one test not done", "r1");
  ASSERT_EQ(part.status, 201) << part.body;
  const auto part_body = part.json();
  const auto& receipt = part_body.at("items").at(0);
  EXPECT_EQ(receipt.at("kind"), "refund");
  EXPECT_EQ(receipt.at("reverses"), paid.json().at("receipt_no"));
  EXPECT_EQ(refund(order_id, 500, "one test not done", "r1").json().at("items").at(0).at("receipt_no"),
            receipt.at("receipt_no"));  // the same request again: the same refund
  EXPECT_EQ(get_order(order_id).at("state"), "partially_refunded");
  ASSERT_EQ(refund(order_id, 1500, "patient left", "r2").status, 201);
  expect_problem(refund(order_id, 1, "again", "r3"), 409, "nothing_to_refund");
  auto o = get_order(order_id);
  EXPECT_EQ(o.at("state"), "refunded");
  EXPECT_EQ(o.at("refunded_fen").as_int64(), 2000);
  EXPECT_EQ(count_kind(o, "refund"), 2);
}

TEST_P(Billing, TheInsurerAndThePatientShareOneBill) {
  const Mother m = mother("郭静", 12);
  const int64_t order_id = exam_order(m.id);
  auto c = server().client();
  const std::string path = "/api/v1/orders/" + std::to_string(order_id) + "/insurance";
  expect_problem(c.post_json(path, {{"insurance_no", "123"}}, clerk_), 400, "validation_failed", "insurance_no");
  auto settled = c.post_json(path, {{"insurance_no", "YB3101234567"}}, clerk_);
  ASSERT_EQ(settled.status, 200) << settled.body;
  EXPECT_EQ(settled.json().at("state"), "partially_paid");
  EXPECT_EQ(settled.json().at("outstanding_fen").as_int64(), 600);  // 30 % of 20.00 yuan
  ASSERT_EQ(pay_cash(order_id, 600, "p1").status, 201);
  EXPECT_EQ(get_order(order_id).at("state"), "paid");
  auto takings = c.get("/api/v1/billing/takings?date=" + format_date(local_date(server().clock().now_ms(), 480)),
                       manager_);
  ASSERT_EQ(takings.status, 200) << takings.body;
  EXPECT_EQ(takings.json().at("net_fen").as_int64(), 2000);
}

TEST_P(Billing, ForgedOrMalformedNotificationsAreRefusedAndAudited) {
  auto c = server().client();
  const std::string body = R"({"id":"x","event_type":"TRANSACTION.SUCCESS","resource":{}})";
  auto forged = c.request("POST", "/api/v1/billing/notify/wechatpay", body,
                          {{"Content-Type", "application/json"},
                           {"Wechatpay-Timestamp", std::to_string(server().clock().now_ms() / 1000)},
                           {"Wechatpay-Nonce", "abc"},
                           {"Wechatpay-Signature", "bm90IGEgc2lnbmF0dXJl"},
                           {"Wechatpay-Serial", "1"}});
  expect_problem(forged, 401, "bad_signature");
  expect_problem(c.request("POST", "/api/v1/billing/notify/wechatpay", "garbage", {}), 401, "bad_signature");
}

// Notifications signed with the gateway's own key, as an attacker who
// captured one, or a confused gateway, would send them.
TEST_P(Billing, StaleReplayedUnknownAndWrongAmountNotificationsAreRefused) {
  std::ifstream key_in(server().dir() + "/paysim-platform-key.pem");
  std::stringstream key_pem;
  key_pem << key_in.rdbuf();
  auto key = crypto::RsaPrivateKey::from_pem(key_pem.str());
  ASSERT_TRUE(key);
  auto cert = crypto::Certificate::from_pem(server().app().simulator()->platform_cert_pem());
  ASSERT_TRUE(cert);
  const paysim::NoticeMaker maker(*key, *cert, server().app().simulator()->apiv3_key(), "1900000109", 480);
  auto post_notice = [&](const paysim::Envelope& e) {
    std::map<std::string, std::string> h{{"Content-Type", "application/json"}};
    for (const auto& [k, v] : e.headers) h[k] = v;
    return server().client().request("POST", "/api/v1/billing/notify/wechatpay", e.body, h);
  };
  const Mother m = mother("严霞", 14);
  const int64_t order_id = exam_order(m.id);
  auto o = get_order(order_id);
  checkout(order_id, m.token);
  paysim::SimTrade trade;
  trade.out_trade_no = std::string(o.at("order_no").as_string());
  trade.amount_fen = 2000;
  trade.state = "SUCCESS";
  trade.transaction_id = "4200000000000000000000000001";
  trade.success_ms = server().clock().now_ms();
  trade.times_paid = 1;
  const int64_t now = server().clock().now_ms();

  expect_problem(post_notice(maker.sign(maker.transaction_body(trade, now), now - 6 * 60'000)), 401,
                 "stale_notification");
  expect_problem(post_notice(maker.sign(maker.transaction_body(trade, now, 1999), now)), 422, "amount_mismatch");
  auto unknown = trade;
  unknown.out_trade_no = "SO20261118000000000X";
  expect_problem(post_notice(maker.sign(maker.transaction_body(unknown, now), now)), 404, "not_found");
  EXPECT_EQ(get_order(order_id).at("paid_fen").as_int64(), 0);  // none of them moved money

  const auto genuine = maker.sign(maker.transaction_body(trade, now), now);
  EXPECT_EQ(post_notice(genuine).status, 204);
  expect_problem(post_notice(genuine), 401, "nonce_reused");  // the same bytes again: a replay
  EXPECT_EQ(post_notice(maker.sign(maker.transaction_body(trade, now), now)).status, 204);  // a genuine retry
  auto paid = get_order(order_id);
  EXPECT_EQ(paid.at("state"), "paid");
  EXPECT_EQ(count_kind(paid, "payment"), 1);
}

TEST_P(Billing, FeesAreValidatedAndVersionsDoNotOverlap) {
  const std::string admin = server().login("admin");
  auto c = server().client();
  json::object fee{{"code", "EXAM-NEW"}, {"kind", "exam"}, {"name_zh", "新检查"}, {"name_en", "New exam"},
                   {"amount_fen", 1234}, {"valid_from", "2026-01-01"}};
  auto bad = fee;
  bad["amount_fen"] = 12.34;
  expect_problem(c.post_json("/api/v1/fees", bad, admin), 400, "validation_failed", "amount_fen");
  bad = fee;
  bad["kind"] = "lunch";
  expect_problem(c.post_json("/api/v1/fees", bad, admin), 400, "validation_failed", "kind");
  ASSERT_EQ(c.post_json("/api/v1/fees", fee, admin).status, 201);
  expect_problem(c.post_json("/api/v1/fees", fee, admin), 409, "fee_overlaps");
  expect_problem(c.post_json("/api/v1/fees", fee, clerk_), 403, "forbidden");
}

TEST_P(Billing, TheLedgerIsAppendOnly) {
  const Mother m = mother("陈红", 13);
  exam_order(m.id);
  for (const char* sql : {"UPDATE ledger_entries SET amount_fen = 1", "DELETE FROM ledger_entries"}) {
    auto s = server().app().db().write([&](store::Connection& conn) -> Status {
      auto r = conn.execute({sql == std::string("DELETE FROM ledger_entries") ? "test_ledger_delete" : "test_ledger_update", sql}, {});
      return r ? Status{} : fail(r.error());
    });
    EXPECT_FALSE(s) << sql;
  }
}

INSTANTIATE_TEST_SUITE_P(Backends, Billing, ::testing::ValuesIn(all_backends()),
                         [](const auto& info) { return backend_param_name(info.param); });

}  // namespace
}  // namespace stork::testing
