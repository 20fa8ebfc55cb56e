#include "billing/reconcile.hpp"

#include <gtest/gtest.h>

namespace stork::billing {
namespace {

StatementLine paid(std::string txn, std::string order, int64_t fen) {
  StatementLine l;
  l.kind = "payment";
  l.transaction_id = std::move(txn);
  l.out_trade_no = std::move(order);
  l.amount_fen = fen;
  l.state = "SUCCESS";
  return l;
}

StatementLine refunded(std::string no, std::string order, int64_t fen, std::string state = "SUCCESS") {
  StatementLine l;
  l.kind = "refund";
  l.out_refund_no = std::move(no);
  l.out_trade_no = std::move(order);
  l.amount_fen = fen;
  l.state = std::move(state);
  return l;
}

TEST(Reconcile, MatchingSidesHaveNoMismatch) {
  auto r = reconcile_lines("2026-11-18",
                           {{"payment", "T1", "SO1", 2500, "SUCCESS"}, {"refund", "R1", "SO1", 1000, "SUCCESS"}},
                           {paid("T1", "SO1", 2500), refunded("R1", "SO1", 1000)});
  EXPECT_TRUE(r.mismatches.empty());
  EXPECT_EQ(r.ledger_net_fen, 1500);
  EXPECT_EQ(r.statement_net_fen, 1500);
  EXPECT_EQ(r.ledger_payments, 1);
  EXPECT_EQ(r.statement_refunds, 1);
}

TEST(Reconcile, NamesEachKindOfMismatch) {
  auto r = reconcile_lines("2026-11-18",
                           {{"payment", "T1", "SO1", 2500, "SUCCESS"},
                            {"payment", "T2", "SO2", 2500, "SUCCESS"},
                            {"refund", "R3", "SO3", 500, "PENDING"}},
                           {paid("T1", "SO1", 2400), refunded("R3", "SO3", 500, "SUCCESS"), paid("T9", "SO9", 100)});
  ASSERT_EQ(r.mismatches.size(), 4u);
  EXPECT_EQ(r.mismatches[0].type, "amount_differs");
  EXPECT_EQ(r.mismatches[0].ledger_fen, 2500);
  EXPECT_EQ(r.mismatches[0].statement_fen, 2400);
  EXPECT_EQ(r.mismatches[1].type, "missing_in_statement");
  EXPECT_EQ(r.mismatches[1].reference, "T2");
  EXPECT_EQ(r.mismatches[2].type, "state_differs");
  EXPECT_EQ(r.mismatches[2].order_no, "SO3");
  EXPECT_EQ(r.mismatches[3].type, "missing_in_ledger");
  EXPECT_EQ(r.mismatches[3].order_no, "SO9");
}

}  // namespace
}  // namespace stork::billing
