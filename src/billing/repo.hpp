#pragma once
// Every SQL statement of the billing module.
#include <span>

#include "store/database.hpp"
#include "store/migrations.hpp"

namespace stork::billing::sql {

using store::Sql;

std::span<const store::Migration> migrations();

// Fee catalogue.
#define STORK_FEE_COLUMNS                                                                                  \
  "id, code, kind, name_zh, name_en, clinic_type, clinic_code, doctor_title, amount_fen, insurance_percent," \
  " valid_from, valid_to"
inline constexpr Sql kInsertFee{
    "bill_insert_fee",
    "INSERT INTO fee_items (code, kind, name_zh, name_en, clinic_type, clinic_code, doctor_title, amount_fen,"
    " insurance_percent, valid_from, valid_to, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)"
    " RETURNING id"};
inline constexpr Sql kListFees{"bill_list_fees", "SELECT " STORK_FEE_COLUMNS " FROM fee_items ORDER BY code, valid_from"};
inline constexpr Sql kFeesOn{
    "bill_fees_on",
    "SELECT " STORK_FEE_COLUMNS " FROM fee_items WHERE valid_from <= $1 AND valid_to >= $1 ORDER BY kind, code"};
inline constexpr Sql kFeeByCode{
    "bill_fee_by_code",
    "SELECT " STORK_FEE_COLUMNS " FROM fee_items WHERE code = $1 AND valid_from <= $2 AND valid_to >= $2"};
inline constexpr Sql kOverlappingFee{
    "bill_overlapping_fee",
    "SELECT id FROM fee_items WHERE code = $1 AND valid_from <= $3 AND valid_to >= $2"};
// The registration fee of a visit: a clinic's own fee, else its type and
// the doctor's title, else its type alone.
inline constexpr Sql kRegistrationFee{
    "bill_registration_fee",
    "SELECT " STORK_FEE_COLUMNS " FROM fee_items WHERE kind IN ('registration', 'exam')"
    " AND valid_from <= $4 AND valid_to >= $4"
    " AND (clinic_code = $1 OR (clinic_code = '' AND clinic_type = $2 AND doctor_title IN ($3, '')))"
    " ORDER BY CASE WHEN clinic_code <> '' THEN 0 WHEN doctor_title <> '' THEN 1 ELSE 2 END LIMIT 1"};

// Orders.
#define STORK_ORDER_COLUMNS \
  "o.id, o.order_no, o.patient_id, o.appointment_id, o.description, o.total_fen, o.hold_until, o.created_by, o.created_at"
inline constexpr Sql kInsertOrder{
    "bill_insert_order",
    "INSERT INTO orders (order_no, patient_id, appointment_id, description, total_fen, hold_until, created_by,"
    " created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id"};
inline constexpr Sql kInsertOrderItem{
    "bill_insert_order_item",
    "INSERT INTO order_items (order_id, line, fee_code, name_zh, name_en, quantity, unit_fen, amount_fen,"
    " insurance_percent) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)"};
inline constexpr Sql kSelectOrder{"bill_select_order", "SELECT " STORK_ORDER_COLUMNS " FROM orders o WHERE o.id = $1"};
inline constexpr Sql kSelectOrderByNo{
    "bill_select_order_by_no", "SELECT " STORK_ORDER_COLUMNS " FROM orders o WHERE o.order_no = $1"};
inline constexpr Sql kOrderOfAppointment{
    "bill_order_of_appointment",
    "SELECT " STORK_ORDER_COLUMNS " FROM orders o WHERE o.appointment_id = $1 ORDER BY o.id DESC LIMIT 1"};
inline constexpr Sql kOrdersOfPatient{
    "bill_orders_of_patient",
    "SELECT " STORK_ORDER_COLUMNS " FROM orders o WHERE o.patient_id = $1 ORDER BY o.id DESC LIMIT 200"};
// Serializes every money movement of one order (a row lock on PostgreSQL;
// SQLite has one writer anyway).
inline constexpr Sql kLockOrder{"bill_lock_order", "UPDATE orders SET version = version + 1 WHERE id = $1"};
inline constexpr Sql kMoveOrder{"bill_move_order", "UPDATE orders SET appointment_id = $2 WHERE appointment_id = $1"};
inline constexpr Sql kOrderItems{
    "bill_order_items",
    "SELECT fee_code, name_zh, name_en, quantity, unit_fen, amount_fen, insurance_percent FROM order_items"
    " WHERE order_id = $1 ORDER BY line"};
inline constexpr Sql kMoveOrdersOfPatient{"bill_move_orders_of_patient",
                                          "UPDATE orders SET patient_id = $2 WHERE patient_id = $1"};
inline constexpr Sql kMoveReceiptsOfPatient{"bill_move_receipts_of_patient",
                                            "UPDATE receipts SET patient_id = $2 WHERE patient_id = $1"};

// The ledger.
#define STORK_LEDGER_COLUMNS                                                                                  \
  "l.id, l.order_id, l.kind, l.amount_fen, l.method, l.reference, l.cause, l.refund_of, l.reason, l.actor,"  \
  " l.occurred_at, l.recorded_at, COALESCE(r.receipt_no, ''), COALESCE(j.status, '')"
#define STORK_LEDGER_FROM                                                                                     \
  " FROM ledger_entries l LEFT JOIN receipts r ON r.ledger_id = l.id LEFT JOIN refund_jobs j ON j.ledger_id = l.id"
inline constexpr Sql kAppendLedger{
    "bill_append_ledger",
    "INSERT INTO ledger_entries (order_id, kind, amount_fen, method, reference, cause, refund_of, reason, actor,"
    " occurred_at, recorded_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11) RETURNING id"};
inline constexpr Sql kLedgerOfOrder{
    "bill_ledger_of_order", "SELECT " STORK_LEDGER_COLUMNS STORK_LEDGER_FROM " WHERE l.order_id = $1 ORDER BY l.id"};
inline constexpr Sql kPaymentByReference{
    "bill_payment_by_reference",
    "SELECT id, order_id FROM ledger_entries WHERE kind = 'payment' AND method = $1 AND reference = $2"};
inline constexpr Sql kInsertReceipt{
    "bill_insert_receipt",
    "INSERT INTO receipts (receipt_no, ledger_id, order_id, patient_id, kind, method, amount_fen, issued_at, reverses)"
    " VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)"};
#define STORK_RECEIPT_COLUMNS                                                                                 \
  "r.receipt_no, r.ledger_id, r.order_id, r.patient_id, r.kind, r.method, r.amount_fen, r.issued_at,"        \
  " r.reverses, o.order_no, o.description"
inline constexpr Sql kSelectReceipt{
    "bill_select_receipt",
    "SELECT " STORK_RECEIPT_COLUMNS " FROM receipts r JOIN orders o ON o.id = r.order_id WHERE r.receipt_no = $1"};
inline constexpr Sql kReceiptOfLedger{
    "bill_receipt_of_ledger",
    "SELECT " STORK_RECEIPT_COLUMNS " FROM receipts r JOIN orders o ON o.id = r.order_id WHERE r.ledger_id = $1"};
inline constexpr Sql kReceiptsOfPatient{
    "bill_receipts_of_patient",
    "SELECT " STORK_RECEIPT_COLUMNS " FROM receipts r JOIN orders o ON o.id = r.order_id WHERE r.patient_id = $1"
    " ORDER BY r.issued_at DESC LIMIT 200"};

// Mobile checkout.
inline constexpr Sql kSelectPrepay{
    "bill_select_prepay", "SELECT prepay_id, pay_url, expires_at, closed_at FROM prepays WHERE order_id = $1"};
inline constexpr Sql kPrepayAmount{"bill_prepay_amount", "SELECT amount_fen FROM prepays WHERE order_id = $1"};
inline constexpr Sql kInsertPrepay{
    "bill_insert_prepay",
    "INSERT INTO prepays (order_id, gateway, prepay_id, pay_url, amount_fen, expires_at, created_at)"
    " VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT (order_id) DO NOTHING"};
inline constexpr Sql kClosePrepay{"bill_close_prepay",
                                  "UPDATE prepays SET closed_at = $2 WHERE order_id = $1 AND closed_at IS NULL"};
// Checkouts whose payment we have not heard of after a while: asked for.
inline constexpr Sql kSilentPrepays{
    "bill_silent_prepays",
    "SELECT o.order_no FROM prepays p JOIN orders o ON o.id = p.order_id WHERE p.closed_at IS NULL"
    " AND p.created_at <= $1 AND NOT EXISTS (SELECT 1 FROM ledger_entries l WHERE l.order_id = p.order_id"
    " AND l.kind IN ('payment', 'reversal') AND l.method IN ('wechatpay', ''))"
    " ORDER BY p.created_at LIMIT 200"};
// Checkouts of orders closed without a mobile payment: closed at the gateway too.
inline constexpr Sql kPrepaysToClose{
    "bill_prepays_to_close",
    "SELECT o.order_no, o.id FROM prepays p JOIN orders o ON o.id = p.order_id WHERE p.closed_at IS NULL"
    " AND (EXISTS (SELECT 1 FROM ledger_entries l WHERE l.order_id = p.order_id AND l.kind = 'reversal')"
    "  OR EXISTS (SELECT 1 FROM ledger_entries l WHERE l.order_id = p.order_id AND l.kind = 'payment'"
    "  AND l.method <> 'wechatpay' AND l.method <> 'insurance'))"
    " LIMIT 200"};
// Online holds whose window has passed with nothing paid.
inline constexpr Sql kExpiredHolds{
    "bill_expired_holds",
    "SELECT o.id, o.order_no, o.appointment_id FROM orders o WHERE o.hold_until IS NOT NULL AND o.hold_until < $1"
    " AND NOT EXISTS (SELECT 1 FROM ledger_entries l WHERE l.order_id = o.id AND l.kind IN ('payment', 'reversal'))"
    " ORDER BY o.hold_until LIMIT 200"};

// Refunds to carry out at the gateway, the till or the insurer.
inline constexpr Sql kInsertRefundJob{
    "bill_insert_refund_job",
    "INSERT INTO refund_jobs (ledger_id, order_id, method, out_refund_no, payment_reference, amount_fen,"
    " payment_fen, status, created_at, succeeded_at, refund_id)"
    " VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)"};
inline constexpr Sql kPendingRefundJobs{
    "bill_pending_refund_jobs",
    "SELECT j.ledger_id, j.method, j.out_refund_no, j.payment_reference, j.amount_fen, j.payment_fen,"
    " o.order_no FROM refund_jobs j JOIN orders o ON o.id = j.order_id WHERE j.status = 'pending'"
    " ORDER BY j.ledger_id LIMIT 200"};
inline constexpr Sql kRefundSucceeded{
    "bill_refund_succeeded",
    "UPDATE refund_jobs SET status = 'succeeded', refund_id = $2, succeeded_at = $3, attempts = attempts + 1"
    " WHERE out_refund_no = $1 AND status = 'pending'"};
inline constexpr Sql kRefundJobByLedger{
    "bill_refund_job_by_ledger",
    "SELECT order_id, method, status, out_refund_no FROM refund_jobs WHERE ledger_id = $1"};
inline constexpr Sql kRefundAttemptFailed{
    "bill_refund_attempt_failed",
    "UPDATE refund_jobs SET attempts = attempts + 1, last_error = $2 WHERE out_refund_no = $1"};

// Notifications: a nonce is accepted once.
inline constexpr Sql kInsertNonce{"bill_insert_nonce", "INSERT INTO gateway_nonces (nonce, seen_at) VALUES ($1, $2) ON CONFLICT (nonce) DO NOTHING"};
inline constexpr Sql kPruneNonces{"bill_prune_nonces", "DELETE FROM gateway_nonces WHERE seen_at < $1"};

// Idempotent window payments and refunds.
inline constexpr Sql kSelectIdempotency{
    "bill_select_idempotency",
    "SELECT request_hash, ledger_id FROM billing_idempotency WHERE scope = $1 AND idem_key = $2"};
inline constexpr Sql kInsertIdempotency{
    "bill_insert_idempotency",
    "INSERT INTO billing_idempotency (scope, idem_key, request_hash, ledger_id, created_at)"
    " VALUES ($1, $2, $3, $4, $5)"};

// Reports.
inline constexpr Sql kMoneyBetween{
    "bill_money_between",
    "SELECT " STORK_LEDGER_COLUMNS STORK_LEDGER_FROM
    " WHERE l.kind IN ('payment', 'refund') AND l.occurred_at >= $1 AND l.occurred_at < $2 ORDER BY l.id"};
// Gateway refunds, by when the gateway carried them out (or, pending, when asked).
inline constexpr Sql kGatewayRefundsBetween{
    "bill_gateway_refunds_between",
    "SELECT j.out_refund_no, j.payment_reference, j.amount_fen, j.status, o.order_no, j.refund_id"
    " FROM refund_jobs j JOIN orders o ON o.id = j.order_id"
    " WHERE j.method = 'wechatpay' AND COALESCE(j.succeeded_at, j.created_at) >= $1"
    " AND COALESCE(j.succeeded_at, j.created_at) < $2"};
inline constexpr Sql kGatewayPaymentsBetween{
    "bill_gateway_payments_between",
    "SELECT l.reference, l.amount_fen, o.order_no, l.order_id FROM ledger_entries l JOIN orders o ON o.id = l.order_id"
    " WHERE l.kind = 'payment' AND l.method = 'wechatpay' AND l.occurred_at >= $1 AND l.occurred_at < $2"};
inline constexpr Sql kLedgerEntryByReference{
    "bill_ledger_entry_by_reference",
    "SELECT l.amount_fen, o.order_no FROM ledger_entries l JOIN orders o ON o.id = l.order_id"
    " WHERE l.kind = $1 AND l.method = 'wechatpay' AND l.reference = $2"};
inline constexpr Sql kRefundJobByNo{
    "bill_refund_job_by_no",
    "SELECT j.amount_fen, j.status, o.order_no FROM refund_jobs j JOIN orders o ON o.id = j.order_id"
    " WHERE j.out_refund_no = $1"};
inline constexpr Sql kOrdersCreatedBetween{
    "bill_orders_created_between", "SELECT id FROM orders WHERE created_at >= $1 AND created_at < $2"};

}  // namespace stork::billing::sql
