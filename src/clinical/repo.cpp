#include "clinical/repo.hpp"

#include <array>

namespace stork::clinical::sql {
namespace {

// Signing: the certificate authorities we trust (the hospital's own, or an
// external CA's imported certificate), their revocations (the CRL's
// source), every doctor's and pharmacist's credential, and the local
// time-stamping authority. Documents: one row per version; a signed row's
// signed fields never change (status columns beside them do), and its
// signatures are rows of their own.
#define STORK_CLINICAL_DDL(ID)                                                                                 \
  "CREATE TABLE signing_authorities ("                                                                        \
  " id " ID ", kind TEXT NOT NULL CHECK (kind IN ('hospital', 'external')), subject TEXT NOT NULL,"           \
  " serial TEXT NOT NULL UNIQUE, certificate_pem TEXT NOT NULL, created_at BIGINT NOT NULL);"                  \
  "CREATE TABLE signing_crls ("                                                                                \
  " authority_id BIGINT PRIMARY KEY REFERENCES signing_authorities(id), crl_pem TEXT NOT NULL,"               \
  " this_update BIGINT NOT NULL);"                                                                             \
  "CREATE TABLE signing_credentials ("                                                                         \
  " id " ID ", user_id BIGINT NOT NULL REFERENCES users(id), algorithm TEXT NOT NULL,"                         \
  " storage TEXT NOT NULL CHECK (storage IN ('pkcs11', 'keystore')), token_label TEXT NOT NULL,"             \
  " key_id TEXT NOT NULL, keystore_pem TEXT NOT NULL, certificate_pem TEXT NOT NULL,"                         \
  " serial TEXT NOT NULL UNIQUE, authority_id BIGINT NOT NULL REFERENCES signing_authorities(id),"            \
  " subject TEXT NOT NULL, not_before BIGINT NOT NULL, not_after BIGINT NOT NULL,"                            \
  " status TEXT NOT NULL CHECK (status IN ('active', 'revoked', 'replaced')), revoked_at BIGINT,"            \
  " revocation_reason TEXT NOT NULL DEFAULT '', failed_pins INTEGER NOT NULL DEFAULT 0,"                      \
  " created_at BIGINT NOT NULL);"                                                                              \
  "CREATE INDEX signing_credentials_user ON signing_credentials (user_id, created_at);"                       \
  "CREATE TABLE timestamp_authority ("                                                                          \
  " id INTEGER PRIMARY KEY CHECK (id = 1), key_sealed TEXT NOT NULL, certificate_pem TEXT NOT NULL,"          \
  " policy_oid TEXT NOT NULL);"                                                                                \
  "CREATE TABLE documents ("                                                                                   \
  " id " ID ", kind TEXT NOT NULL, patient_id BIGINT NOT NULL REFERENCES patients(id),"                        \
  " author_user_id BIGINT REFERENCES users(id), status TEXT NOT NULL CHECK (status IN ('draft', 'signed')),"  \
  " version INTEGER NOT NULL, replaces BIGINT REFERENCES documents(id), superseded_by BIGINT,"                 \
  " content TEXT NOT NULL, content_hash TEXT NOT NULL DEFAULT '', created_at BIGINT NOT NULL,"                \
  " updated_at BIGINT NOT NULL, signed_at BIGINT, signer_user_id BIGINT REFERENCES users(id),"               \
  " signer_name TEXT NOT NULL DEFAULT '', review_status TEXT NOT NULL DEFAULT 'none'"                          \
  " CHECK (review_status IN ('none', 'pending', 'approved', 'rejected')), reviewer_user_id BIGINT,"          \
  " reviewer_name TEXT NOT NULL DEFAULT '', reviewed_at BIGINT, review_reason TEXT NOT NULL DEFAULT '',"      \
  " dispensed_at BIGINT, source TEXT NOT NULL CHECK (source IN ('staff', 'hl7', 'rest')),"                    \
  " message_key TEXT UNIQUE, interpreter TEXT NOT NULL DEFAULT '', abnormal_count INTEGER NOT NULL DEFAULT 0);" \
  "CREATE INDEX documents_patient ON documents (patient_id, created_at);"                                      \
  "CREATE INDEX documents_pending ON documents (kind, status, created_at);"                                    \
  "CREATE INDEX documents_review ON documents (review_status, signed_at);"                                     \
  "CREATE TABLE document_signatures ("                                                                         \
  " id " ID ", document_id BIGINT NOT NULL REFERENCES documents(id),"                                          \
  " role TEXT NOT NULL CHECK (role IN ('author', 'reviewer')), user_id BIGINT NOT NULL REFERENCES users(id),"  \
  " signer_name TEXT NOT NULL, credential_id BIGINT NOT NULL REFERENCES signing_credentials(id),"             \
  " algorithm TEXT NOT NULL, signed_hash TEXT NOT NULL, signature TEXT NOT NULL,"                             \
  " certificate_pem TEXT NOT NULL, chain_pem TEXT NOT NULL, signed_at BIGINT NOT NULL,"                       \
  " decision TEXT NOT NULL DEFAULT '', timestamp_token TEXT NOT NULL DEFAULT '',"                             \
  " UNIQUE (document_id, role));"                                                                              \
  "CREATE TABLE document_referrals ("                                                                          \
  " id " ID ", patient_id BIGINT NOT NULL REFERENCES patients(id), from_user_id BIGINT NOT NULL,"             \
  " to_user_id BIGINT NOT NULL REFERENCES users(id), reason TEXT NOT NULL, created_at BIGINT NOT NULL);"      \
  "CREATE INDEX document_referrals_to ON document_referrals (to_user_id, patient_id);"

constexpr std::array kMigrations = {
    store::Migration{"clinical/0001_documents_and_signing", STORK_CLINICAL_DDL("INTEGER PRIMARY KEY"),
                     STORK_CLINICAL_DDL("BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY")},
};

}  // namespace

std::span<const store::Migration> migrations() { return kMigrations; }

}  // namespace stork::clinical::sql

namespace stork::clinical::sql {

Document read_document(const store::Row& r) {
  Document d;
  d.id = r.integer(0);
  d.kind = parse_kind(r.text(1)).value_or(DocumentKind::record);
  d.patient_id = r.integer(2);
  d.author_user_id = r.opt_integer(3);
  d.signed_ = r.text(4) == "signed";
  d.version = static_cast<int>(r.integer(5));
  d.replaces = r.opt_integer(6);
  d.superseded_by = r.opt_integer(7);
  d.content = r.text(8);
  d.content_hash = r.text(9);
  d.created_at_ms = r.integer(10);
  d.updated_at_ms = r.integer(11);
  d.signed_at_ms = r.opt_integer(12);
  d.signer_user_id = r.opt_integer(13);
  d.signer_name = r.text(14);
  d.review_status = r.text(15);
  d.reviewer_user_id = r.opt_integer(16);
  d.reviewer_name = r.text(17);
  d.reviewed_at_ms = r.opt_integer(18);
  d.review_reason = r.text(19);
  d.dispensed_at_ms = r.opt_integer(20);
  d.source = r.text(21);
  d.interpreter = r.text(22);
  d.abnormal_count = static_cast<int>(r.integer(23));
  return d;
}

StoredSignature read_signature(const store::Row& r) {
  StoredSignature s;
  s.id = r.integer(0);
  s.document_id = r.integer(1);
  s.role = r.text(2);
  s.user_id = r.integer(3);
  s.signer_name = r.text(4);
  s.credential_id = r.integer(5);
  s.algorithm = r.text(6);
  s.signed_hash = r.text(7);
  s.signature = r.text(8);
  s.certificate_pem = r.text(9);
  s.chain_pem = r.text(10);
  s.signed_at_ms = r.integer(11);
  s.decision = r.text(12);
  s.timestamp_token = r.text(13);
  return s;
}

Credential read_credential(const store::Row& r) {
  Credential c;
  c.id = r.integer(0);
  c.user_id = r.integer(1);
  c.algorithm = r.text(2);
  c.storage = r.text(3);
  c.token_label = r.text(4);
  c.key_id = r.text(5);
  c.keystore_pem = r.text(6);
  c.certificate_pem = r.text(7);
  c.serial = r.text(8);
  c.authority_id = r.integer(9);
  c.subject = r.text(10);
  c.not_before_ms = r.integer(11);
  c.not_after_ms = r.integer(12);
  c.status = r.text(13);
  c.revoked_at_ms = r.opt_integer(14);
  c.failed_pins = static_cast<int>(r.integer(15));
  c.created_at_ms = r.integer(16);
  return c;
}

}  // namespace stork::clinical::sql
