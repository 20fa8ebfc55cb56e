#pragma once
// Text messages to patients' phones, behind one adapter interface.
//
// A production site plugs in its SMS provider's HTTP API here. Stork ships
// the simulator: it "delivers" a message by writing it to the sms_outbox
// table, which tests and the demo read (GET /api/v1/sms-simulator/outbox,
// only served while the simulator is the configured gateway).
#include <cstdint>
#include <string>
#include <vector>

#include "core/clock.hpp"
#include "core/error.hpp"
#include "crypto/field_cipher.hpp"
#include "store/database.hpp"
#include "store/migrations.hpp"

namespace stork::notify {

class SmsGateway {
 public:
  virtual ~SmsGateway() = default;
  // phone: normalized (digits, or + and digits for foreign numbers).
  virtual Status send(const std::string& phone, const std::string& text) = 0;
};

struct SmsMessage {
  int64_t id = 0;
  std::string phone_masked;
  std::string text;
  int64_t sent_at_ms = 0;
};

class SimulatedSmsGateway final : public SmsGateway {
 public:
  SimulatedSmsGateway(store::Database& db, const Clock& clock, const crypto::FieldCipher& cipher)
      : db_(db), clock_(clock), cipher_(cipher) {}
  Status send(const std::string& phone, const std::string& text) override;
  // The newest messages sent to phone, newest first.
  Result<std::vector<SmsMessage>> inbox(const std::string& phone, int limit = 10);

 private:
  store::Database& db_;
  const Clock& clock_;
  const crypto::FieldCipher& cipher_;
};

std::span<const store::Migration> migrations();

}  // namespace stork::notify
