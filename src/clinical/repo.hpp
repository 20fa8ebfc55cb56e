#pragma once
// Every SQL statement of the clinical module, and the readers that turn its
// rows into model structs.
#include <span>

#include "clinical/model.hpp"
#include "store/database.hpp"
#include "store/migrations.hpp"

namespace stork::clinical::sql {

using store::Sql;

std::span<const store::Migration> migrations();

#define STORK_DOCUMENT_COLUMNS                                                                           \
  "id, kind, patient_id, author_user_id, status, version, replaces, superseded_by, content, content_hash," \
  " created_at, updated_at, signed_at, signer_user_id, signer_name, review_status, reviewer_user_id,"     \
  " reviewer_name, reviewed_at, review_reason, dispensed_at, source, interpreter, abnormal_count"

Document read_document(const store::Row& row);
StoredSignature read_signature(const store::Row& row);
Credential read_credential(const store::Row& row);

inline constexpr Sql kInsertDocument{
    "doc_insert",
    "INSERT INTO documents (kind, patient_id, author_user_id, status, version, replaces, content, created_at,"
    " updated_at, source, message_key, interpreter, abnormal_count)"
    " VALUES ($1, $2, $3, 'draft', $4, $5, $6, $7, $7, $8, $9, $10, $11) RETURNING id"};
inline constexpr Sql kSelectDocument{"doc_select", "SELECT " STORK_DOCUMENT_COLUMNS " FROM documents WHERE id = $1"};
inline constexpr Sql kSelectDocumentByMessage{"doc_select_by_message",
                                              "SELECT id FROM documents WHERE message_key = $1"};
inline constexpr Sql kUpdateDraft{
    "doc_update_draft",
    "UPDATE documents SET content = $2, updated_at = $3, abnormal_count = $4 WHERE id = $1 AND status = 'draft'"};
inline constexpr Sql kDeleteDraft{"doc_delete_draft", "DELETE FROM documents WHERE id = $1 AND status = 'draft'"};
// Signing claims the draft: a second signer finds no draft row.
inline constexpr Sql kMarkSigned{
    "doc_mark_signed",
    "UPDATE documents SET status = 'signed', content_hash = $2, signed_at = $3, signer_user_id = $4,"
    " signer_name = $5, updated_at = $3, review_status = $6, author_user_id = COALESCE(author_user_id, $4)"
    " WHERE id = $1 AND status = 'draft'"};
inline constexpr Sql kMarkSuperseded{"doc_mark_superseded",
                                     "UPDATE documents SET superseded_by = $2 WHERE id = $1 AND superseded_by IS NULL"};
inline constexpr Sql kSetReview{
    "doc_set_review",
    "UPDATE documents SET review_status = $2, reviewer_user_id = $3, reviewer_name = $4, reviewed_at = $5,"
    " review_reason = $6, updated_at = $5 WHERE id = $1 AND review_status = 'pending'"};
inline constexpr Sql kSetDispensed{
    "doc_set_dispensed",
    "UPDATE documents SET dispensed_at = $2, updated_at = $2 WHERE id = $1 AND review_status = 'approved'"
    " AND dispensed_at IS NULL"};
inline constexpr Sql kDraftReplacing{"doc_draft_replacing",
                                     "SELECT id FROM documents WHERE replaces = $1 AND status = 'draft'"};
inline constexpr Sql kSelectPatientDocuments{
    "doc_select_patient",
    "SELECT " STORK_DOCUMENT_COLUMNS " FROM documents WHERE patient_id = $1 ORDER BY created_at DESC, id DESC"
    " LIMIT 200"};
inline constexpr Sql kSelectPendingReports{
    "doc_select_pending_reports",
    "SELECT " STORK_DOCUMENT_COLUMNS " FROM documents WHERE kind IN ('lab_report', 'exam_report')"
    " AND status = 'draft' ORDER BY created_at, id LIMIT 200"};
inline constexpr Sql kSelectReviewQueue{
    "doc_select_review_queue",
    "SELECT " STORK_DOCUMENT_COLUMNS " FROM documents WHERE review_status = 'pending'"
    " ORDER BY signed_at, id LIMIT 200"};

// Who may read: an encounter is any appointment of the patient with the
// doctor as practitioner that was not cancelled; a referral names her.
inline constexpr Sql kHasReferral{
    "doc_has_referral", "SELECT 1 FROM document_referrals WHERE to_user_id = $1 AND patient_id = $2 LIMIT 1"};
inline constexpr Sql kHasAuthored{
    "doc_has_authored",
    "SELECT 1 FROM documents WHERE patient_id = $2 AND (author_user_id = $1 OR signer_user_id = $1) LIMIT 1"};
inline constexpr Sql kInsertReferral{
    "doc_insert_referral",
    "INSERT INTO document_referrals (patient_id, from_user_id, to_user_id, reason, created_at)"
    " VALUES ($1, $2, $3, $4, $5) RETURNING id"};

#define STORK_SIGNATURE_COLUMNS                                                                        \
  "id, document_id, role, user_id, signer_name, credential_id, algorithm, signed_hash, signature,"    \
  " certificate_pem, chain_pem, signed_at, decision, timestamp_token"
inline constexpr Sql kInsertSignature{
    "doc_insert_signature",
    "INSERT INTO document_signatures (document_id, role, user_id, signer_name, credential_id, algorithm,"
    " signed_hash, signature, certificate_pem, chain_pem, signed_at, decision, timestamp_token)"
    " VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)"};
inline constexpr Sql kSelectSignatures{
    "doc_select_signatures",
    "SELECT " STORK_SIGNATURE_COLUMNS " FROM document_signatures WHERE document_id = $1 ORDER BY id"};

#define STORK_CREDENTIAL_COLUMNS                                                                          \
  "id, user_id, algorithm, storage, token_label, key_id, keystore_pem, certificate_pem, serial,"         \
  " authority_id, subject, not_before, not_after, status, revoked_at, failed_pins, created_at"
inline constexpr Sql kInsertCredential{
    "sig_insert_credential",
    "INSERT INTO signing_credentials (user_id, algorithm, storage, token_label, key_id, keystore_pem,"
    " certificate_pem, serial, authority_id, subject, not_before, not_after, status, created_at)"
    " VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, 'active', $13) RETURNING id"};
inline constexpr Sql kReplaceActiveCredentials{
    "sig_replace_active",
    "UPDATE signing_credentials SET status = 'replaced' WHERE user_id = $1 AND status = 'active'"};
// The newest credential decides: revoked means no signing until renewal.
inline constexpr Sql kSelectLatestCredential{
    "sig_select_latest",
    "SELECT " STORK_CREDENTIAL_COLUMNS " FROM signing_credentials WHERE user_id = $1"
    " ORDER BY created_at DESC, id DESC LIMIT 1"};
inline constexpr Sql kSelectCredentials{
    "sig_select_all", "SELECT " STORK_CREDENTIAL_COLUMNS " FROM signing_credentials ORDER BY user_id, id"};
inline constexpr Sql kSelectCredentialBySerial{
    "sig_select_by_serial", "SELECT " STORK_CREDENTIAL_COLUMNS " FROM signing_credentials WHERE serial = $1"};
inline constexpr Sql kCountFailedPin{
    "sig_count_failed_pin",
    "UPDATE signing_credentials SET failed_pins = failed_pins + 1 WHERE id = $1 RETURNING failed_pins"};
inline constexpr Sql kResetFailedPins{"sig_reset_failed_pins",
                                      "UPDATE signing_credentials SET failed_pins = 0 WHERE id = $1"};
inline constexpr Sql kRevokeCredential{
    "sig_revoke",
    "UPDATE signing_credentials SET status = 'revoked', revoked_at = $2, revocation_reason = $3"
    " WHERE id = $1 AND status <> 'revoked'"};
inline constexpr Sql kSelectRevocations{
    "sig_select_revocations",
    "SELECT serial, revoked_at FROM signing_credentials WHERE authority_id = $1 AND status = 'revoked'"
    " ORDER BY revoked_at"};

inline constexpr Sql kInsertAuthority{
    "sig_insert_authority",
    "INSERT INTO signing_authorities (kind, subject, serial, certificate_pem, created_at)"
    " VALUES ($1, $2, $3, $4, $5) RETURNING id"};
inline constexpr Sql kSelectAuthorities{
    "sig_select_authorities",
    "SELECT a.id, a.kind, a.subject, a.serial, a.certificate_pem, COALESCE(c.crl_pem, '')"
    " FROM signing_authorities a LEFT JOIN signing_crls c ON c.authority_id = a.id ORDER BY a.id"};
inline constexpr Sql kUpsertCrl{
    "sig_upsert_crl",
    "INSERT INTO signing_crls (authority_id, crl_pem, this_update) VALUES ($1, $2, $3)"
    " ON CONFLICT (authority_id) DO UPDATE SET crl_pem = excluded.crl_pem, this_update = excluded.this_update"};

inline constexpr Sql kSelectTsa{"sig_select_tsa",
                                "SELECT key_sealed, certificate_pem, policy_oid FROM timestamp_authority WHERE id = 1"};
inline constexpr Sql kUpsertTsa{
    "sig_upsert_tsa",
    "INSERT INTO timestamp_authority (id, key_sealed, certificate_pem, policy_oid) VALUES (1, $1, $2, $3)"
    " ON CONFLICT (id) DO UPDATE SET key_sealed = excluded.key_sealed, certificate_pem = excluded.certificate_pem,"
    " policy_oid = excluded.policy_oid"};

}  // namespace stork::clinical::sql
