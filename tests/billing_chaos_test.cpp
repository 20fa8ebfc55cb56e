// Money under chaos (DESIGN.md §5, invariant 3), against the real binaries:
// `stork gateway-sim` duplicates, delays, reorders, drops, replays and
// forges notifications and answers some refunds slowly, while `stork serve`
// is killed with SIGKILL and restarted every second. 1,000
// orders (online bookings held for payment and window bills) are paid on
// the phone, at the window, both at once, after a cancellation, refunded,
// or left unpaid; clients retry whatever the crash interrupted.
//
// Afterwards: every order's ledger balances to the fen, no order holds more
// than its price, none was paid twice at the gateway, every paid booking is
// confirmed or refunded, every refund went through, the gateway's books and
// ours agree, and reconciliation reports zero mismatches. Counts are printed.
#include <gtest/gtest.h>
#include <signal.h>

#include <atomic>
#include <condition_variable>
#include <map>
#include <mutex>
#include <random>
#include <set>
#include <thread>

#include "core/civil_date.hpp"
#include "support/eventually.hpp"
#include "support/patient_data.hpp"
#include "support/process.hpp"
#include "support/schedule_data.hpp"
#include "support/seeded_process.hpp"
#include "support/sim_process.hpp"
#include "support/test_database.hpp"
#include "support/test_server.hpp"

namespace stork::testing {
namespace {

namespace json = boost::json;

constexpr int kBookings = 150;
constexpr int kWindowBills = 850;

// One HTTP exchange, retried on a fresh connection until the server answers
// (it may be down between a kill and its restart).
HttpResult call(uint16_t port, const std::string& method, const std::string& target, const std::string& body,
                std::map<std::string, std::string> headers, const std::string& token = "") {
  if (!token.empty()) headers["Authorization"] = "Bearer " + token;
  if (!body.empty()) headers["Content-Type"] = "application/json";
  const auto until = std::chrono::steady_clock::now() + std::chrono::seconds(90);
  while (std::chrono::steady_clock::now() < until) {
    try {
      HttpClient c(port);
      auto r = c.request(method, target, body, headers);
      if (r.status != -1) return r;
    } catch (const std::exception&) {
      // connection refused: the server is restarting
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(20));  // retry pacing while it restarts
  }
  ADD_FAILURE() << method << " " << target << ": no answer for 90 s";
  return {};
}

HttpResult post(uint16_t port, const std::string& target, const json::value& body, const std::string& token,
                const std::string& key = "") {
  std::map<std::string, std::string> h;
  if (!key.empty()) h["Idempotency-Key"] = key;
  return call(port, "POST", target, json::serialize(body), h, token);
}

std::string today(int64_t ms) { return format_date(local_date(ms, 8 * 60)); }

int64_t now_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch())
      .count();
}

class BillingChaos : public SeededProcess {};

TEST_P(BillingChaos, ThousandOrdersThroughFaultsAndKill9BalanceToTheFen) {
  const int64_t started_ms = now_ms();
  SimProcess sim({"--port", "0", "--apiv3-key-file", dir_ + "/apiv3.key", "--cert-out", dir_ + "/platform.pem",
                  "--platform-key-file", dir_ + "/platform-key.pem", "--mchid", "1900000109", "--seed", "20261128", "--retry-interval-ms",
                  "150", "--max-attempts", "60", "--delay-ms", "400", "--duplicate", "0.3", "--drop", "0.15",
                  "--replay", "0.1", "--forge", "0.05", "--refund-processing", "0.3", "--refund-settle-ms", "300"});
  ASSERT_NE(sim.port(), 0);
  auto args = serve_args();
  args.insert(args.end(), {"--payment-gateway", "wechatpay", "--wechatpay-url",
                           "http://127.0.0.1:" + std::to_string(sim.port()), "--wechatpay-platform-cert",
                           dir_ + "/platform.pem", "--wechatpay-apiv3-key-file", dir_ + "/apiv3.key",
                           "--housekeeping-seconds", "1", "--payment-window-minutes", "1",
                           "--payment-query-after-seconds", "2", "--portal-codes-per-address-per-hour", "100000"});
  auto server = std::make_unique<ServerProcess>(args);
  const uint16_t port = server->port();
  ASSERT_NE(port, 0);
  auto sign_in = [&](const std::string& user) {
    auto r = post(port, "/api/v1/auth/login", {{"username", user}, {"password", "demo1234!"}}, "");
    EXPECT_EQ(r.status, 200) << r.body;
    return std::string(r.json().at("token").as_string());
  };
  const std::string clerk = sign_in("clerk"), manager = sign_in("manager");

  // Mothers who book on their phones, with their sessions.
  struct Mother {
    int64_t id = 0;
    std::string token;
  };
  std::vector<Mother> mothers;
  const char* surnames[] = {"王", "李", "张", "刘", "陈", "杨", "赵", "黄", "周", "吴"};
  const char* given[] = {"静", "敏", "丽", "娜", "芳", "婷", "雪", "琳", "颖", "慧", "洁", "倩", "蓉", "霞", "燕"};
  for (int i = 0; i < kBookings; ++i) {
    const std::string phone = fresh_phone();
    const std::string name = std::string(surnames[i % 10]) + given[(i / 10) % 15];
    const std::string birth = format_date({1980 + i % 20, 1 + (i / 20) % 12, 10});
    auto r = post(port, "/api/v1/patients", registration(name, birth, true, i % 100, phone), clerk);
    ASSERT_EQ(r.status, 201) << r.body;
    ASSERT_EQ(post(port, "/api/v1/portal/otp", {{"phone", phone}}, "").status, 202);
    auto outbox = call(port, "GET", "/api/v1/sms-simulator/outbox?phone=" + phone, "", {}).json();
    const std::string text(outbox.at("items").at(0).at("text").as_string());
    auto login = post(port, "/api/v1/portal/login", {{"phone", phone}, {"code", text.substr(text.find("是 ") + 4, 6)}}, "");
    ASSERT_EQ(login.status, 200) << login.body;
    mothers.push_back({r.json().at("id").as_int64(), std::string(login.json().at("token").as_string())});
  }
  // Online tickets to book.
  std::vector<int64_t> tickets;
  {
    auto slots = call(port, "GET", "/api/v1/slots?channel=online&available=true", "", {}).json();
    for (const auto& s : slots.at("items").as_array())
      if (s.at("released").as_bool() && utc_ms(std::string(s.at("start").as_string())) > now_ms() + 3 * 3'600'000)
        for (int64_t n = s.at("remaining").as_int64(); n > 0; --n) tickets.push_back(s.at("id").as_int64());
  }
  ASSERT_GE(tickets.size(), static_cast<size_t>(kBookings)) << "the demo schedule should offer online tickets";

  // The killer: SIGKILL and restart on the same port, until told to stop.
  std::mutex mutex;
  std::condition_variable wake;
  bool stop_killing = false;
  int kills = 0;
  std::thread killer([&] {
    std::unique_lock lock(mutex);
    while (!wake.wait_for(lock, std::chrono::milliseconds(1000), [&] { return stop_killing; })) {
      server->signal(SIGKILL);
      EXPECT_EQ(server->wait_exit(), 128 + SIGKILL);
      server = std::make_unique<ServerProcess>(args, port);
      ++kills;
    }
  });

  // The drivers: each order gets one scenario, chosen by a seeded draw.
  std::atomic<int> next{0}, booked{0}, billed{0}, mobile{0}, mobile_and_cash{0}, late{0}, refunded_by_clerk{0},
      cash{0}, unpaid{0};
  auto sim_pay = [&](const std::string& order_no) {
    HttpClient s(sim.port());
    auto r = s.post_json("/sim/v1/pay", {{"out_trade_no", order_no}});
    EXPECT_EQ(r.status, 200) << r.body;
    return r.status;
  };
  auto drive = [&](int worker) {
    std::mt19937 rng(1000 + worker);
    std::uniform_real_distribution<double> draw(0, 1);
    for (int i = next++; i < kBookings + kWindowBills; i = next++) {
      const bool booking = i < kBookings;
      json::value order;
      std::string patient_token = clerk;
      int64_t appointment = 0;
      if (booking) {
        const Mother& m = mothers[static_cast<size_t>(i)];
        patient_token = m.token;
        HttpResult r;
        for (size_t t = static_cast<size_t>(i); t < tickets.size(); t += kBookings) {
          r = post(port, "/api/v1/appointments", {{"patient_id", m.id}, {"slot_id", tickets[t]}, {"channel", "online"}},
                   m.token, "chaos-book-" + std::to_string(i) + "-" + std::to_string(t));
          if (r.status == 201) break;
        }
        if (r.status != 201) continue;  // no ticket left for her: not an order
        ++booked;
        appointment = r.json().at("id").as_int64();
        auto list = call(port, "GET", "/api/v1/patients/" + std::to_string(m.id) + "/orders", "", {}, m.token).json();
        for (const auto& o : list.at("items").as_array())
          if (o.at("appointment_id") == json::value(appointment)) order = o;
        if (order.is_null()) {
          ADD_FAILURE() << "booking " << appointment << " has no bill";
          continue;
        }
      } else {
        const int64_t patient = 1 + (i % 300);  // demo patients
        auto r = post(port, "/api/v1/orders",
                      {{"patient_id", patient}, {"items", json::array{{{"fee_code", "EXAM-CBC"}, {"quantity", 1}}}}},
                      clerk);
        if (r.status != 201) {
          ADD_FAILURE() << "bill: " << r.status << " " << r.body;
          continue;
        }
        ++billed;
        order = r.json();
      }
      const std::string id = std::to_string(order.at("id").as_int64());
      const std::string order_no(order.at("order_no").as_string());
      const int64_t amount = order.at("total_fen").as_int64();
      const double x = draw(rng);
      auto checkout = [&] {
        auto r = post(port, "/api/v1/orders/" + id + "/checkout", json::object{}, patient_token);
        auto again = post(port, "/api/v1/orders/" + id + "/checkout", json::object{}, patient_token);  // a retry
        EXPECT_EQ(r.status, 200) << r.body;
        if (r.status == 200 && again.status == 200) {
          EXPECT_EQ(again.json().at("prepay_id"), r.json().at("prepay_id"));
        }
        return r.status == 200;
      };
      auto pay_cash = [&](const std::string& key) {
        for (int attempt = 0; attempt < 2; ++attempt)  // the clerk clicks twice
          post(port, "/api/v1/orders/" + id + "/payments", {{"method", "cash"}, {"amount_fen", amount}}, clerk, key);
      };
      if (x < 0.55) {
        if (checkout()) sim_pay(order_no);
        ++mobile;
      } else if (x < 0.65) {
        if (checkout()) sim_pay(order_no);
        pay_cash("cash-" + id);
        ++mobile_and_cash;
      } else if (x < 0.75) {
        if (booking) {
          if (checkout()) {
            post(port, "/api/v1/appointments/" + std::to_string(appointment) + "/cancel", json::object{}, patient_token);
            sim_pay(order_no);
          }
          ++late;
        } else {
          pay_cash("cash-" + id);
          for (int attempt = 0; attempt < 2; ++attempt)
            post(port, "/api/v1/orders/" + id + "/refunds", {{"amount_fen", amount}, {"reason", "not done"}}, clerk,
                 "refund-" + id);
          ++refunded_by_clerk;
        }
      } else if (x < 0.9) {
        pay_cash("cash-" + id);
        ++cash;
      } else {
        ++unpaid;
      }
    }
  };
  std::vector<std::thread> drivers;
  for (int w = 0; w < 6; ++w) drivers.emplace_back(drive, w);
  for (auto& t : drivers) t.join();
  {
    std::lock_guard lock(mutex);
    stop_killing = true;
  }
  wake.notify_all();
  killer.join();

  // Every order of every patient involved, as the server now has it.
  std::set<int64_t> patients;
  for (const auto& m : mothers) patients.insert(m.id);
  for (int i = 0; i < 300; ++i) patients.insert(1 + i);
  auto all_orders = [&] {
    std::vector<json::value> out;
    for (int64_t p : patients) {
      auto list = call(port, "GET", "/api/v1/patients/" + std::to_string(p) + "/orders", "", {}, clerk).json();
      for (const auto& o : list.at("items").as_array()) out.push_back(o);
    }
    return out;
  };
  auto refunds_pending = [](const std::vector<json::value>& orders) {
    int n = 0;
    for (const auto& o : orders)
      for (const auto& e : o.at("ledger").as_array())
        n += e.at("kind") == "refund" && e.at("refund_status") != "succeeded";
    return n;
  };
  // Converged: the gateway has nothing left to deliver, the server nothing
  // left to refund, and every payment the gateway took is in our ledger
  // (those whose notification was dropped are found by asking, within
  // payment_query_after_seconds and a sweep).
  auto gateway_payments_recorded = [&](const std::vector<json::value>& now) {
    std::set<std::string> recorded;
    for (const auto& o : now)
      for (const auto& e : o.at("ledger").as_array())
        if (e.at("kind") == "payment" && e.at("method") == "wechatpay") recorded.insert(std::string(o.at("order_no").as_string()));
    HttpClient s(sim.port());
    const auto trades = s.get("/sim/v1/trades").json();
    for (const auto& t : trades.at("trades").as_array())
      if (t.at("times_paid").as_int64() == 1 && !recorded.contains(std::string(t.at("out_trade_no").as_string())))
        return false;
    return true;
  };
  std::vector<json::value> orders;
  ASSERT_TRUE(eventually(
      [&] {
        HttpClient s(sim.port());
        if (s.get("/sim/v1/outbox").json().at("pending").as_int64() != 0) return false;
        orders = all_orders();
        return refunds_pending(orders) == 0 && gateway_payments_recorded(orders);
      },
      std::chrono::seconds(180)))
      << refunds_pending(orders) << " refunds still pending, or gateway payments not yet in the ledger";

  // Each order balances, holds at most its price, and a closed one holds nothing.
  int paid_orders = 0, auto_refunds = 0, closed = 0, payments = 0;
  int64_t our_gateway_net = 0;
  std::map<std::string, int64_t> our_net_by_order;
  std::map<std::string, const json::value*> order_by_no;
  for (const auto& o : orders) {
    order_by_no[std::string(o.at("order_no").as_string())] = &o;
    int64_t charged = 0, reversed = 0, paid = 0, refunded = 0;
    for (const auto& e : o.at("ledger").as_array()) {
      const std::string kind(e.at("kind").as_string());
      const int64_t fen = e.at("amount_fen").as_int64();
      if (kind == "charge") charged += fen;
      if (kind == "reversal") reversed += fen;
      if (kind == "payment") paid += fen, ++payments;
      if (kind == "refund") refunded += fen;
      if (kind == "refund" && (e.at("cause") == "late_payment" || e.at("cause") == "duplicate_payment")) ++auto_refunds;
      if (e.at("method") == "wechatpay") {
        const int64_t delta = kind == "payment" ? fen : kind == "refund" ? -fen : 0;
        our_gateway_net += delta;
        our_net_by_order[std::string(o.at("order_no").as_string())] += delta;
      }
    }
    const int64_t net = paid - refunded;
    EXPECT_EQ(charged, o.at("total_fen").as_int64()) << o;
    EXPECT_GE(net, 0) << o;
    EXPECT_TRUE(net == 0 || net == charged - reversed) << "paid twice or in part: " << o;
    if (reversed > 0) {
      ++closed;
      EXPECT_EQ(net, 0) << "a closed order keeps money: " << o;
    }
    if (net > 0) {
      ++paid_orders;
      if (o.at("appointment_id").is_int64()) {
        auto a = call(port, "GET", "/api/v1/appointments/" + std::to_string(o.at("appointment_id").as_int64()), "", {},
                      clerk)
                     .json();
        EXPECT_EQ(a.at("payment"), "paid") << "a paid booking not confirmed: " << a;
        EXPECT_NE(a.at("status"), "cancelled") << a;
      }
    }
  }
  // The gateway took each order's money at most once, and its books agree with ours.
  HttpClient s(sim.port());
  const auto trades = s.get("/sim/v1/trades").json();
  int64_t gateway_net = 0;
  int gateway_payments = 0, notifications = 0;
  for (const auto& t : trades.at("trades").as_array()) {
    EXPECT_LE(t.at("times_paid").as_int64(), 1) << t;
    if (t.at("times_paid").as_int64() == 1) {
      ++gateway_payments;
      const int64_t net = t.at("amount").as_int64() - t.at("refunded").as_int64();
      gateway_net += net;
      const std::string no(t.at("out_trade_no").as_string());
      if (our_net_by_order[no] != net)
        ADD_FAILURE() << "gateway and ledger differ on " << no << ": gateway " << t << "\nledger "
                      << (order_by_no.contains(no) ? json::serialize(*order_by_no[no]) : std::string("(no such order)"));
    }
    notifications += static_cast<int>(t.at("notifications").as_array().size());
  }
  EXPECT_EQ(gateway_net, our_gateway_net);
  // Reconciliation, for each day the run touched.
  std::set<std::string> days{today(started_ms), today(now_ms())};
  size_t mismatches = 0;
  for (const auto& day : days) {
    auto rec = call(port, "GET", "/api/v1/billing/reconciliation?date=" + day, "", {}, manager);
    ASSERT_EQ(rec.status, 200) << rec.body;
    mismatches += rec.json().at("mismatches").as_array().size();
    EXPECT_TRUE(rec.json().at("mismatches").as_array().empty()) << rec.body;
  }
  // The command-line reconciliation agrees (exit 0 = no mismatch), and names a bad date.
  std::vector<std::string> cli = {stork_binary(), "billing", "reconcile", "--date", today(now_ms())};
  cli.insert(cli.end(), args.begin(), args.end());
  const auto reconciled = run_command(cli);
  EXPECT_EQ(reconciled.exit_code, 0) << reconciled.output;
  EXPECT_NE(reconciled.output.find(R"("mismatches":[])"), std::string::npos) << reconciled.output;
  cli[4] = "2026-02-30";
  const auto bad = run_command(cli);
  EXPECT_EQ(bad.exit_code, 2) << bad.output;
  EXPECT_NE(bad.output.find("date"), std::string::npos) << bad.output;
  std::printf(
      "billing chaos: %zu orders (%d bookings, %d window bills), %d server kills; scenarios: %d mobile, %d mobile+cash, "
      "%d paid after cancelling, %d refunded by a clerk, %d cash, %d unpaid; ledger: %d payments, %d orders paid, "
      "%d closed, %d automatic refunds; gateway: %d payments, %d notification deliveries; net %lld fen both sides; "
      "%zu reconciliation mismatches\n",
      orders.size(), booked.load(), billed.load(), kills, mobile.load(), mobile_and_cash.load(), late.load(),
      refunded_by_clerk.load(), cash.load(), unpaid.load(), payments, paid_orders, closed, auto_refunds,
      gateway_payments, notifications, static_cast<long long>(gateway_net), mismatches);
  EXPECT_GE(kills, 3) << "the run should have crashed the server several times";
  EXPECT_GE(static_cast<int>(orders.size()), 1000);
}

INSTANTIATE_TEST_SUITE_P(Backends, BillingChaos, ::testing::ValuesIn(all_backends()),
                         [](const auto& info) { return backend_param_name(info.param); });

}  // namespace
}  // namespace stork::testing
