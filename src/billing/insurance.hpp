#pragma once
// The medical-insurance settlement adapter: given a bill and the patient's
// insurance number, the insurer says which share it pays; the patient pays
// the rest on the same bill. A reversal gives the insurer's share back when
// the bill is refunded.
//
// The only implementation here is SimulatedInsurance: the insurer cannot be
// reached from this repository. It pays each item's configured
// insurance_percent for numbers that pass its check and refuses others, as
// a provincial settlement platform would. A site plugs its platform's
// client in behind this interface.
#include <cstdint>
#include <mutex>
#include <string>
#include <vector>

#include "billing/model.hpp"
#include "core/error.hpp"

namespace stork::billing {

struct Settlement {
  std::string settlement_id;
  int64_t insurer_fen = 0;  // may be 0: nothing on the bill is covered
};

class InsuranceGateway {
 public:
  virtual ~InsuranceGateway() = default;
  // Errors: validation_failed (insurance_no), gateway_unavailable.
  virtual Result<Settlement> settle(const std::string& insurance_no, const std::string& order_no,
                                    const std::vector<OrderItem>& items) = 0;
  // Idempotent by refund_no.
  virtual Status reverse(const std::string& settlement_id, const std::string& refund_no, int64_t amount_fen) = 0;
};

class SimulatedInsurance final : public InsuranceGateway {
 public:
  Result<Settlement> settle(const std::string& insurance_no, const std::string& order_no,
                            const std::vector<OrderItem>& items) override;
  Status reverse(const std::string& settlement_id, const std::string& refund_no, int64_t amount_fen) override;

 private:
  std::mutex mutex_;
  std::vector<std::string> reversed_;
};

}  // namespace stork::billing
