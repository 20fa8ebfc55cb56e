#include "billing/repo.hpp"

#include <array>

namespace stork::billing::sql {
namespace {

// The ledger is append-only (triggers refuse UPDATE and DELETE): an order's
// state is derived from it. Exactly-once comes from unique keys: one entry
// per gateway transaction or refund number, one charge and at most one
// reversal per order, one receipt per money entry.
#define STORK_BILLING_DDL(ID)                                                                             \
  "CREATE TABLE fee_items ("                                                                              \
  " id " ID ", code TEXT NOT NULL, kind TEXT NOT NULL"                                                    \
  " CHECK (kind IN ('registration', 'exam', 'service', 'drug')),"                                         \
  " name_zh TEXT NOT NULL, name_en TEXT NOT NULL, clinic_type TEXT NOT NULL DEFAULT '',"                  \
  " clinic_code TEXT NOT NULL DEFAULT '', doctor_title TEXT NOT NULL DEFAULT '',"                         \
  " amount_fen BIGINT NOT NULL CHECK (amount_fen > 0),"                                                   \
  " insurance_percent INTEGER NOT NULL DEFAULT 0 CHECK (insurance_percent BETWEEN 0 AND 100),"            \
  " valid_from TEXT NOT NULL, valid_to TEXT NOT NULL, created_at BIGINT NOT NULL,"                        \
  " UNIQUE (code, valid_from));"                                                                          \
  "CREATE TABLE orders ("                                                                                 \
  " id " ID ", order_no TEXT NOT NULL UNIQUE, patient_id BIGINT NOT NULL REFERENCES patients(id),"        \
  " appointment_id BIGINT REFERENCES appointments(id), description TEXT NOT NULL,"                        \
  " total_fen BIGINT NOT NULL CHECK (total_fen > 0), hold_until BIGINT, created_by TEXT NOT NULL,"        \
  " created_at BIGINT NOT NULL, version BIGINT NOT NULL DEFAULT 0);"                                      \
  "CREATE INDEX orders_patient ON orders (patient_id, created_at);"                                       \
  "CREATE INDEX orders_appointment ON orders (appointment_id);"                                           \
  "CREATE INDEX orders_hold ON orders (hold_until) WHERE hold_until IS NOT NULL;"                         \
  "CREATE TABLE order_items ("                                                                            \
  " order_id BIGINT NOT NULL REFERENCES orders(id), line INTEGER NOT NULL, fee_code TEXT NOT NULL,"       \
  " name_zh TEXT NOT NULL, name_en TEXT NOT NULL, quantity INTEGER NOT NULL CHECK (quantity > 0),"       \
  " unit_fen BIGINT NOT NULL, amount_fen BIGINT NOT NULL, insurance_percent INTEGER NOT NULL,"           \
  " PRIMARY KEY (order_id, line));"                                                                       \
  "CREATE TABLE ledger_entries ("                                                                         \
  " id " ID ", order_id BIGINT NOT NULL REFERENCES orders(id),"                                           \
  " kind TEXT NOT NULL CHECK (kind IN ('charge', 'payment', 'refund', 'reversal')),"                      \
  " amount_fen BIGINT NOT NULL CHECK (amount_fen > 0), method TEXT NOT NULL, reference TEXT NOT NULL,"    \
  " cause TEXT NOT NULL, refund_of BIGINT REFERENCES ledger_entries(id), reason TEXT NOT NULL,"           \
  " actor TEXT NOT NULL, occurred_at BIGINT NOT NULL, recorded_at BIGINT NOT NULL);"                      \
  "CREATE INDEX ledger_order ON ledger_entries (order_id);"                                               \
  "CREATE INDEX ledger_occurred ON ledger_entries (occurred_at);"                                         \
  "CREATE UNIQUE INDEX ledger_reference ON ledger_entries (kind, method, reference) WHERE reference <> '';" \
  "CREATE UNIQUE INDEX ledger_one_charge ON ledger_entries (order_id) WHERE kind = 'charge';"             \
  "CREATE UNIQUE INDEX ledger_one_reversal ON ledger_entries (order_id) WHERE kind = 'reversal';"         \
  "CREATE TABLE receipts ("                                                                               \
  " receipt_no TEXT PRIMARY KEY, ledger_id BIGINT NOT NULL UNIQUE REFERENCES ledger_entries(id),"         \
  " order_id BIGINT NOT NULL, patient_id BIGINT NOT NULL, kind TEXT NOT NULL, method TEXT NOT NULL,"     \
  " amount_fen BIGINT NOT NULL, issued_at BIGINT NOT NULL, reverses TEXT NOT NULL DEFAULT '');"           \
  "CREATE INDEX receipts_patient ON receipts (patient_id);"                                               \
  "CREATE TABLE prepays ("                                                                                \
  " order_id BIGINT PRIMARY KEY REFERENCES orders(id), gateway TEXT NOT NULL, prepay_id TEXT NOT NULL,"   \
  " pay_url TEXT NOT NULL, amount_fen BIGINT NOT NULL, expires_at BIGINT NOT NULL,"                      \
  " created_at BIGINT NOT NULL, closed_at BIGINT);"                                                       \
  "CREATE TABLE refund_jobs ("                                                                            \
  " ledger_id BIGINT PRIMARY KEY REFERENCES ledger_entries(id), order_id BIGINT NOT NULL,"               \
  " method TEXT NOT NULL, out_refund_no TEXT NOT NULL UNIQUE, payment_reference TEXT NOT NULL,"           \
  " amount_fen BIGINT NOT NULL, payment_fen BIGINT NOT NULL,"                                            \
  " status TEXT NOT NULL CHECK (status IN ('pending', 'succeeded', 'failed')),"                          \
  " attempts INTEGER NOT NULL DEFAULT 0, last_error TEXT NOT NULL DEFAULT '', refund_id TEXT NOT NULL DEFAULT '',"  \
  " succeeded_at BIGINT, created_at BIGINT NOT NULL);"                                                    \
  "CREATE INDEX refund_jobs_status ON refund_jobs (status);"                                              \
  "CREATE TABLE gateway_nonces (nonce TEXT PRIMARY KEY, seen_at BIGINT NOT NULL);"                       \
  "CREATE TABLE billing_idempotency ("                                                                    \
  " scope TEXT NOT NULL, idem_key TEXT NOT NULL, request_hash TEXT NOT NULL, ledger_id BIGINT NOT NULL,"  \
  " created_at BIGINT NOT NULL, PRIMARY KEY (scope, idem_key));"

constexpr const char* kLedgerGuardSqlite =
    "CREATE TRIGGER ledger_no_update BEFORE UPDATE ON ledger_entries"
    " BEGIN SELECT RAISE(ABORT, 'ledger_entries is append-only'); END;"
    "CREATE TRIGGER ledger_no_delete BEFORE DELETE ON ledger_entries"
    " BEGIN SELECT RAISE(ABORT, 'ledger_entries is append-only'); END;";
constexpr const char* kLedgerGuardPostgres =
    "CREATE FUNCTION ledger_append_only() RETURNS trigger LANGUAGE plpgsql AS $$"
    " BEGIN RAISE EXCEPTION 'ledger_entries is append-only'; END $$;"
    "CREATE TRIGGER ledger_no_update BEFORE UPDATE OR DELETE ON ledger_entries"
    " FOR EACH ROW EXECUTE FUNCTION ledger_append_only();";

constexpr std::array kMigrations = {
    store::Migration{"billing/0001_ledger", STORK_BILLING_DDL("INTEGER PRIMARY KEY"),
                     STORK_BILLING_DDL("BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY")},
    store::Migration{"billing/0002_ledger_append_only", kLedgerGuardSqlite, kLedgerGuardPostgres},
};

}  // namespace

std::span<const store::Migration> migrations() { return kMigrations; }

}  // namespace stork::billing::sql
