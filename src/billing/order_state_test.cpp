#include "billing/order_state.hpp"

#include <gtest/gtest.h>

namespace stork::billing {
namespace {

Sums sums(int64_t charged, int64_t reversed, int64_t paid, int64_t refunded, std::string cause = "") {
  return Sums{charged, reversed, paid, refunded, std::move(cause)};
}

TEST(OrderState, UnpaidUntilTheHoldPasses) {
  EXPECT_EQ(derive_state(sums(2500, 0, 0, 0), false), "unpaid");
  EXPECT_EQ(derive_state(sums(2500, 0, 0, 0), true), "expired");
  EXPECT_EQ(outstanding(sums(2500, 0, 0, 0)), 2500);
}

TEST(OrderState, ClosedUnpaidIsCancelledOrExpiredByItsCause) {
  EXPECT_EQ(derive_state(sums(2500, 2500, 0, 0, "cancelled"), false), "cancelled");
  EXPECT_EQ(derive_state(sums(2500, 2500, 0, 0, "expired"), false), "expired");
  EXPECT_EQ(outstanding(sums(2500, 2500, 0, 0, "cancelled")), 0);
  EXPECT_TRUE(is_closed(sums(2500, 2500, 0, 0)));
  EXPECT_FALSE(is_closed(sums(2500, 0, 2500, 0)));
}

TEST(OrderState, PaidPartlyPaidAndRefunded) {
  EXPECT_EQ(derive_state(sums(2500, 0, 2500, 0), false), "paid");
  EXPECT_EQ(derive_state(sums(2500, 0, 2500, 0), true), "paid");  // the hold no longer matters
  EXPECT_EQ(derive_state(sums(10000, 0, 7000, 0), false), "partially_paid");
  EXPECT_EQ(outstanding(sums(10000, 0, 7000, 0)), 3000);
  EXPECT_EQ(derive_state(sums(2500, 0, 2500, 1000), false), "partially_refunded");
  EXPECT_EQ(derive_state(sums(2500, 0, 2500, 2500), false), "refunded");
  EXPECT_EQ(derive_state(sums(2500, 2500, 2500, 2500, "cancelled"), false), "refunded");
  EXPECT_EQ(outstanding(sums(2500, 0, 2500, 0)), 0);
}

TEST(OrderState, ADuplicatePaymentRefundedLeavesTheOrderPaid) {
  EXPECT_EQ(derive_state(sums(2500, 0, 5000, 2500), false), "paid");
  EXPECT_EQ(outstanding(sums(2500, 0, 5000, 2500)), 0);
}

TEST(OrderState, ALatePaymentRefundedOnAClosedOrderReadsRefunded) {
  EXPECT_EQ(derive_state(sums(2500, 2500, 2500, 2500, "expired"), true), "refunded");
}

}  // namespace
}  // namespace stork::billing
