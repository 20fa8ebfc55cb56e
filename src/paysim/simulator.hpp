#pragma once
// A local stand-in for WeChat Pay API v3 (H5 payment), faithful enough to
// test our adapter and billing against: the merchant API (prepay, query,
// close, refund, refund query, trade bill), a hosted checkout page for the
// patient's phone, signed and encrypted asynchronous notifications with
// retries, and injectable faults (delay, duplicate, drop, replay, forge,
// slow refunds). State lives in memory.
//
// Control API for tests, next to the merchant API:
//   POST /sim/v1/pay {"out_trade_no"}   the patient pays (200 transaction, or the refusal)
//   GET|PUT /sim/v1/faults {...}        read or change Faults (members as in faults.hpp)
//   GET  /sim/v1/trades                 every trade: state, times_paid, refunds, notifications
//   GET  /sim/v1/outbox                 {"pending": n, ...}
//   GET  /sim/v1/statement?date=D       the trade bill CSV for a local date
//
// Time: notification timestamps, create/success times, prepay expiry and
// "today" come from the injected Clock; retry and delay waits use steady
// time on the delivery thread.
//
// Thread safety: all members are safe from any thread after start().
#include <cstdint>
#include <memory>
#include <string>

#include "core/clock.hpp"
#include "core/error.hpp"
#include "paysim/faults.hpp"

namespace stork::paysim {

struct SimOptions {
  std::string address = "127.0.0.1";
  uint16_t port = 0;  // 0: pick a free port
  // Where the patient's browser reaches the checkout; empty: from the Host
  // header of the prepay request.
  std::string public_url;
  std::string mchid = "1900000001";
  std::string apiv3_key;          // 32 bytes; empty: random
  std::string platform_key_pem;   // empty: a fresh RSA-2048 key
  std::string platform_cert_pem;  // empty: self-signed for the platform key
  int utc_offset_minutes = 480;   // Beijing: bill dates and the times in answers
  Faults faults;
  uint64_t seed = 1;              // the PRNG behind fault decisions and delays
  int retry_interval_ms = 15000;  // attempt n failed: next one after n × this
  int max_attempts = 15;
  int refund_settle_ms = 1000;  // PROCESSING -> SUCCESS under the refund_processing fault
  int delivery_timeout_ms = 5000;
  bool access_log = false;
};

class GatewaySimulator {
 public:
  // Keys are generated or parsed here; a problem with them is reported by start().
  GatewaySimulator(const Clock& clock, SimOptions options);
  ~GatewaySimulator();  // stop()
  GatewaySimulator(const GatewaySimulator&) = delete;
  GatewaySimulator& operator=(const GatewaySimulator&) = delete;

  // Binds and starts serving and delivering. Errors: validation_failed
  // (apiv3_key, platform_key_pem, platform_cert_pem, mchid,
  // retry_interval_ms, max_attempts), bind_failed.
  Status start();
  // Stops serving and delivering; undelivered notifications are dropped. Idempotent.
  void stop();

  uint16_t port() const;
  std::string base_url() const;  // "http://127.0.0.1:<port>"
  const std::string& platform_cert_pem() const;
  const std::string& apiv3_key() const;
  const std::string& mchid() const;

  Faults faults() const;
  void set_faults(const Faults& faults);
  // Notifications neither delivered nor abandoned yet.
  size_t pending_notifications() const;

  struct Impl;

 private:
  std::unique_ptr<Impl> impl_;
};

}  // namespace stork::paysim
