#include "billing/reconcile.hpp"

#include <map>

namespace stork::billing {

Reconciliation reconcile_lines(const std::string& date, const std::vector<LedgerMovement>& ledger,
                               const std::vector<StatementLine>& statement) {
  Reconciliation out;
  out.date = date;
  std::map<std::pair<std::string, std::string>, const StatementLine*> on_statement;
  for (const auto& line : statement) {
    const bool refund = line.kind == "refund";
    (refund ? out.statement_refunds : out.statement_payments)++;
    if (line.state == kTradeSuccess || line.state == kRefundSuccess)
      out.statement_net_fen += refund ? -line.amount_fen : line.amount_fen;
    on_statement[{line.kind, refund ? line.out_refund_no : line.transaction_id}] = &line;
  }
  std::map<std::pair<std::string, std::string>, bool> in_ledger;
  for (const auto& m : ledger) {
    const bool refund = m.kind == "refund";
    (refund ? out.ledger_refunds : out.ledger_payments)++;
    out.ledger_net_fen += refund ? -m.amount_fen : m.amount_fen;
    in_ledger[{m.kind, m.reference}] = true;
    auto it = on_statement.find({m.kind, m.reference});
    if (it == on_statement.end()) {
      out.mismatches.push_back({"missing_in_statement", m.kind, m.reference, m.order_no, m.amount_fen, 0, m.state, ""});
      continue;
    }
    const StatementLine& line = *it->second;
    if (line.amount_fen != m.amount_fen)
      out.mismatches.push_back(
          {"amount_differs", m.kind, m.reference, m.order_no, m.amount_fen, line.amount_fen, m.state, line.state});
    else if (line.state != m.state)
      out.mismatches.push_back(
          {"state_differs", m.kind, m.reference, m.order_no, m.amount_fen, line.amount_fen, m.state, line.state});
  }
  for (const auto& line : statement) {
    const bool refund = line.kind == "refund";
    const std::string& ref = refund ? line.out_refund_no : line.transaction_id;
    if (!in_ledger.contains({line.kind, ref}))
      out.mismatches.push_back(
          {"missing_in_ledger", line.kind, ref, line.out_trade_no, 0, line.amount_fen, "", line.state});
  }
  return out;
}

}  // namespace stork::billing
