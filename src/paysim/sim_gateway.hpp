#pragma once
// The simulator's behaviour behind its HTTP API: the trade book, the
// faults and their seeded PRNG, and what each event sends to the outbox.
// Answers are copies, safe to use after the lock is gone.
//
// Thread safety: one mutex guards everything here; it is taken before the
// outbox's own (never the reverse).
#include <boost/json.hpp>
#include <chrono>
#include <deque>
#include <map>
#include <mutex>
#include <random>
#include <string>
#include <utility>

#include "core/civil_date.hpp"
#include "core/clock.hpp"
#include "paysim/faults.hpp"
#include "paysim/notice.hpp"
#include "paysim/outbox.hpp"
#include "paysim/trade_book.hpp"

namespace stork::paysim {

class SimGateway {
 public:
  struct Options {
    Faults faults;
    uint64_t seed = 1;
    std::chrono::milliseconds refund_settle{1000};
    std::chrono::milliseconds replay_after{15000};  // plus a random share of delay_ms
  };

  // REQUIRES: maker and outbox outlive this, and the outbox stops first.
  SimGateway(const Clock& clock, const NoticeMaker& maker, Outbox& outbox, Options options);

  Outcome<SimTrade> prepay(const PrepayParams& p);
  // The patient pays: notifications go out (faults permitting).
  Outcome<SimTrade> pay(const std::string& out_trade_no);
  Outcome<SimTrade> close(const std::string& out_trade_no);
  Outcome<SimTrade> query(const std::string& out_trade_no) const;
  Outcome<SimTrade> by_prepay(const std::string& prepay_id) const;
  // The refund and its trade.
  Outcome<std::pair<SimRefund, SimTrade>> refund(const RefundParams& p);
  Outcome<std::pair<SimRefund, SimTrade>> query_refund(const std::string& out_refund_no) const;

  // The trade bill CSV of a local date. Refusals: PARAM_ERROR (a future
  // date), NO_STATEMENT_EXIST (no trade that day).
  Outcome<std::string> trade_bill(CivilDate day) const;
  // Keeps a bill for download and returns its token (the last 64 are kept).
  std::string keep_bill(std::string csv);
  std::optional<std::string> kept_bill(const std::string& token) const;

  Faults faults() const;
  void set_faults(const Faults& f);
  // {"trades": [...]} for GET /sim/v1/trades.
  boost::json::object report() const;
  // {"pending", "delivered", "abandoned"} notification counts for GET /sim/v1/outbox.
  boost::json::object outbox_report() const;

 private:
  // REQUIRES: mutex_ held.
  void notify_payment(const SimTrade& t);
  void notify_refund(const SimRefund& r, const SimTrade& t);
  void send(OutgoingNotice base, const std::string& genuine_body, const std::string& forged_body);
  bool chance(double p);
  std::chrono::milliseconds random_delay();

  const Clock& clock_;
  const NoticeMaker& maker_;
  Outbox& outbox_;
  const Options options_;

  mutable std::mutex mutex_;
  TradeBook book_;                            // GUARDED_BY(mutex_)
  Faults faults_;                             // GUARDED_BY(mutex_)
  std::mt19937_64 rng_;                       // GUARDED_BY(mutex_)
  std::map<std::string, std::string> bills_;  // GUARDED_BY(mutex_) token -> CSV
  std::deque<std::string> bill_tokens_;       // GUARDED_BY(mutex_) oldest first
};

}  // namespace stork::paysim
