#include "billing/order_state.hpp"

namespace stork::billing {

bool is_closed(const Sums& s) { return s.reversed > 0 && s.reversed >= s.charged; }

int64_t outstanding(const Sums& s) {
  if (is_closed(s)) return 0;
  const int64_t owed = s.charged - s.reversed - s.paid;
  return owed > 0 ? owed : 0;
}

std::string derive_state(const Sums& s, bool hold_expired) {
  const int64_t net_paid = s.paid - s.refunded;
  if (s.paid == 0) {
    if (is_closed(s)) return s.reversal_cause == "expired" ? "expired" : "cancelled";
    return hold_expired ? "expired" : "unpaid";
  }
  if (net_paid <= 0 || is_closed(s)) return "refunded";
  // Paid in full (a second payment refunded on its own leaves it paid).
  if (net_paid >= s.charged - s.reversed) return "paid";
  return s.refunded > 0 ? "partially_refunded" : "partially_paid";
}

}  // namespace stork::billing
