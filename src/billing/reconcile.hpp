#pragma once
// Reconciliation: the ledger's gateway payments and refunds for a day
// against the gateway's statement, matched by the gateway's transaction id
// and our refund number. A pure function, so every kind of mismatch is
// unit-tested.
#include <cstdint>
#include <string>
#include <vector>

#include "billing/gateway.hpp"

namespace stork::billing {

// A money movement as our ledger has it.
struct LedgerMovement {
  std::string kind;       // payment | refund
  std::string reference;  // transaction_id for payments, out_refund_no for refunds
  std::string order_no;
  int64_t amount_fen = 0;
  std::string state;  // payments: SUCCESS; refunds: SUCCESS once the gateway confirmed, else PENDING
};

struct Mismatch {
  std::string type;  // missing_in_ledger | missing_in_statement | amount_differs | state_differs
  std::string kind;  // payment | refund
  std::string reference, order_no;
  int64_t ledger_fen = 0, statement_fen = 0;
  std::string ledger_state, statement_state;
};

struct Reconciliation {
  std::string date;
  int ledger_payments = 0, ledger_refunds = 0, statement_payments = 0, statement_refunds = 0;
  int64_t ledger_net_fen = 0, statement_net_fen = 0;
  std::vector<Mismatch> mismatches;
};

Reconciliation reconcile_lines(const std::string& date, const std::vector<LedgerMovement>& ledger,
                               const std::vector<StatementLine>& statement);

}  // namespace stork::billing
