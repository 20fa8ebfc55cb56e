#pragma once
// An order's state is derived from its ledger, never stored: the ledger is
// the only truth about money.
#include <string>

#include "billing/model.hpp"

namespace stork::billing {

// unpaid | expired (hold passed, nothing paid) | partially_paid | paid |
// partially_refunded | refunded | cancelled (closed unpaid).
std::string derive_state(const Sums& sums, bool hold_expired);
// What the patient still owes; 0 once the order is closed.
int64_t outstanding(const Sums& sums);
// True when the order can take no payment any more.
bool is_closed(const Sums& sums);

}  // namespace stork::billing
