#include "billing/insurance.hpp"

#include <algorithm>

namespace stork::billing {

// Simulated insurance numbers: "YB" and 10 digits, e.g. YB3101234567.
Result<Settlement> SimulatedInsurance::settle(const std::string& insurance_no, const std::string& order_no,
                                              const std::vector<OrderItem>& items) {
  const bool well_formed = insurance_no.size() == 12 && insurance_no.starts_with("YB") &&
                           std::all_of(insurance_no.begin() + 2, insurance_no.end(), [](char c) { return c >= '0' && c <= '9'; });
  if (!well_formed) return fail(Error::invalid("insurance_no", "must be YB followed by 10 digits"));
  Settlement s{"YBS-" + order_no, 0};
  for (const auto& item : items) s.insurer_fen += item.amount_fen * item.insurance_percent / 100;
  return s;
}

Status SimulatedInsurance::reverse(const std::string&, const std::string& refund_no, int64_t) {
  std::lock_guard lock(mutex_);
  if (std::find(reversed_.begin(), reversed_.end(), refund_no) == reversed_.end()) reversed_.push_back(refund_no);
  return {};
}

}  // namespace stork::billing
