#pragma once
// Every SQL statement of the patients module: the master patient index,
// guardianship links, portal accounts and their one-time codes.
#include "store/database.hpp"
#include "store/migrations.hpp"

namespace stork::patients::sql {

using store::Sql;

std::span<const store::Migration> migrations();

#define STORK_PATIENT_COLUMNS                                                                       \
  "p.id, p.card_no, p.card_version, p.name, p.sex, p.birth_date, p.birth_time, p.id_type,"          \
  " p.id_number_enc, p.phone_enc, p.phone_foreign, p.address, p.ethnicity, p.allergies,"            \
  " p.temporary_identity, p.merged_into, p.created_at, p.updated_at"

inline constexpr Sql kInsertPatient{
    "patients_insert",
    "INSERT INTO patients (name, name_key, sex, birth_date, birth_time, id_type, id_number_enc,"
    " id_number_index, phone_enc, phone_index, phone_foreign, address, ethnicity, allergies,"
    " temporary_identity, card_version, created_at, updated_at)"
    " VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, 1, $16, $16) RETURNING id"};
inline constexpr Sql kSetCardNo{"patients_set_card_no", "UPDATE patients SET card_no = $2 WHERE id = $1"};
inline constexpr Sql kSelectById{"patients_select_by_id",
                                 "SELECT " STORK_PATIENT_COLUMNS " FROM patients p WHERE p.id = $1"};
inline constexpr Sql kSelectByCard{"patients_select_by_card",
                                   "SELECT " STORK_PATIENT_COLUMNS " FROM patients p WHERE p.card_no = $1"};
inline constexpr Sql kSelectByDocument{
    "patients_select_by_document",
    "SELECT " STORK_PATIENT_COLUMNS " FROM patients p WHERE p.id_number_index = $1"};
inline constexpr Sql kSelectByPhone{
    "patients_select_by_phone",
    "SELECT " STORK_PATIENT_COLUMNS " FROM patients p WHERE p.phone_index = $1 AND p.merged_into IS NULL"
    " ORDER BY p.id LIMIT $2"};
// Prefix search as a range on name_key ("张" <= key < "张\U0010FFFF"), so
// the index serves it on both backends.
inline constexpr Sql kSelectByNameRange{
    "patients_select_by_name_range",
    "SELECT " STORK_PATIENT_COLUMNS " FROM patients p WHERE p.name_key >= $1 AND p.name_key < $2"
    " AND p.merged_into IS NULL ORDER BY p.name_key, p.id LIMIT $3"};
inline constexpr Sql kSelectByName{
    "patients_select_by_name",
    "SELECT " STORK_PATIENT_COLUMNS " FROM patients p WHERE p.name_key = $1 AND p.merged_into IS NULL"
    " ORDER BY p.id LIMIT $2"};
inline constexpr Sql kSelectLikelyDuplicates{
    "patients_select_likely_duplicates",
    "SELECT " STORK_PATIENT_COLUMNS " FROM patients p WHERE p.name_key = $1 AND p.merged_into IS NULL"
    " AND (p.birth_date = $2 OR p.phone_index = $3) ORDER BY p.id LIMIT 10"};
inline constexpr Sql kUpdatePatient{
    "patients_update",
    "UPDATE patients SET name = $2, name_key = $3, phone_enc = $4, phone_index = $5, phone_foreign = $6,"
    " address = $7, ethnicity = $8, allergies = $9, updated_at = $10 WHERE id = $1"};
inline constexpr Sql kSetDocument{
    "patients_set_document",
    "UPDATE patients SET id_type = $2, id_number_enc = $3, id_number_index = $4, name = $5, name_key = $6,"
    " temporary_identity = 0, updated_at = $7 WHERE id = $1"};
inline constexpr Sql kTakeDocument{
    "patients_take_document",
    "UPDATE patients SET id_type = $2, id_number_enc = $3, id_number_index = $4, temporary_identity = 0,"
    " updated_at = $5 WHERE id = $1"};
inline constexpr Sql kSelectDocumentOf{
    "patients_select_document_of",
    "SELECT id_type, id_number_enc, id_number_index FROM patients WHERE id = $1"};
inline constexpr Sql kClearDocument{
    "patients_clear_document",
    "UPDATE patients SET id_number_index = NULL, updated_at = $2 WHERE id = $1"};
inline constexpr Sql kBumpCardVersion{
    "patients_bump_card_version",
    "UPDATE patients SET card_version = card_version + 1, updated_at = $2 WHERE id = $1"
    " RETURNING card_version"};
inline constexpr Sql kSetMergedInto{
    "patients_set_merged_into",
    "UPDATE patients SET merged_into = $2, card_version = card_version + 1, updated_at = $3 WHERE id = $1"};
inline constexpr Sql kSelectBasics{"patients_select_basics",
                                   "SELECT name, sex, birth_date FROM patients WHERE id = $1"};
inline constexpr Sql kCountPatients{"patients_count", "SELECT COUNT(*) FROM patients"};

inline constexpr Sql kInsertGuardian{
    "patients_insert_guardian",
    "INSERT INTO patient_guardians (guardian_id, child_id, relationship, created_at) VALUES ($1, $2, $3, $4)"};
inline constexpr Sql kDeleteGuardian{
    "patients_delete_guardian", "DELETE FROM patient_guardians WHERE guardian_id = $1 AND child_id = $2"};
inline constexpr Sql kSelectChildren{
    "patients_select_children",
    "SELECT g.relationship, " STORK_PATIENT_COLUMNS " FROM patient_guardians g"
    " JOIN patients p ON p.id = g.child_id WHERE g.guardian_id = $1 ORDER BY p.birth_date, p.id"};
inline constexpr Sql kSelectGuardians{
    "patients_select_guardians",
    "SELECT g.relationship, " STORK_PATIENT_COLUMNS " FROM patient_guardians g"
    " JOIN patients p ON p.id = g.guardian_id WHERE g.child_id = $1 ORDER BY p.id"};
inline constexpr Sql kSelectGuardianIds{"patients_select_guardian_ids",
                                        "SELECT guardian_id FROM patient_guardians WHERE child_id = $1"};
inline constexpr Sql kSelectChildIds{"patients_select_child_ids",
                                     "SELECT child_id FROM patient_guardians WHERE guardian_id = $1"};
// Merge: the survivor takes over the merged record's links it does not
// already have; links between the two are dropped.
inline constexpr Sql kCopyChildLinks{
    "patients_copy_child_links",
    "INSERT INTO patient_guardians (guardian_id, child_id, relationship, created_at)"
    " SELECT CAST($2 AS BIGINT), g.child_id, g.relationship, g.created_at FROM patient_guardians g"
    " WHERE g.guardian_id = $1 AND g.child_id <> $2 AND NOT EXISTS (SELECT 1 FROM patient_guardians s"
    " WHERE s.guardian_id = $2 AND s.child_id = g.child_id)"};
inline constexpr Sql kCopyGuardianLinks{
    "patients_copy_guardian_links",
    "INSERT INTO patient_guardians (guardian_id, child_id, relationship, created_at)"
    " SELECT g.guardian_id, CAST($2 AS BIGINT), g.relationship, g.created_at FROM patient_guardians g"
    " WHERE g.child_id = $1 AND g.guardian_id <> $2 AND NOT EXISTS (SELECT 1 FROM patient_guardians s"
    " WHERE s.child_id = $2 AND s.guardian_id = g.guardian_id)"};
inline constexpr Sql kDeleteLinksOf{
    "patients_delete_links_of", "DELETE FROM patient_guardians WHERE guardian_id = $1 OR child_id = $1"};

inline constexpr Sql kSelectAccountByPhone{
    "portal_select_account_by_phone", "SELECT id, patient_id FROM portal_accounts WHERE phone_index = $1"};
inline constexpr Sql kSelectAccount{"portal_select_account",
                                    "SELECT id, patient_id, phone_enc FROM portal_accounts WHERE id = $1"};
inline constexpr Sql kInsertAccount{
    "portal_insert_account",
    "INSERT INTO portal_accounts (phone_index, phone_enc, patient_id, created_at, last_login_at)"
    " VALUES ($1, $2, NULL, $3, $3) RETURNING id"};
inline constexpr Sql kBindAccount{"portal_bind_account",
                                  "UPDATE portal_accounts SET patient_id = $2 WHERE id = $1"};
inline constexpr Sql kTouchAccount{"portal_touch_account",
                                   "UPDATE portal_accounts SET last_login_at = $2 WHERE id = $1"};
inline constexpr Sql kMoveAccounts{"portal_move_accounts",
                                   "UPDATE portal_accounts SET patient_id = $2 WHERE patient_id = $1"};
// The record a phone's owner most likely is: registered with that phone, not
// anyone's child, oldest first.
inline constexpr Sql kSelectSelfCandidate{
    "portal_select_self_candidate",
    "SELECT p.id FROM patients p WHERE p.phone_index = $1 AND p.merged_into IS NULL"
    " AND NOT EXISTS (SELECT 1 FROM patient_guardians g WHERE g.child_id = p.id)"
    " ORDER BY p.birth_date, p.id LIMIT 1"};

inline constexpr Sql kInsertOtp{
    "portal_insert_otp",
    "INSERT INTO portal_otps (phone_index, code_hash, ip, created_at, expires_at, attempts)"
    " VALUES ($1, $2, $3, $4, $5, 0)"};
inline constexpr Sql kCountOtpsByPhoneSince{
    "portal_count_otps_by_phone",
    "SELECT COUNT(*), MAX(created_at) FROM portal_otps WHERE phone_index = $1 AND created_at > $2"};
inline constexpr Sql kCountOtpsByIpSince{
    "portal_count_otps_by_ip", "SELECT COUNT(*) FROM portal_otps WHERE ip = $1 AND created_at > $2"};
inline constexpr Sql kLatestOtp{
    "portal_latest_otp",
    "SELECT id, code_hash, expires_at, attempts, consumed_at FROM portal_otps WHERE phone_index = $1"
    " ORDER BY id DESC LIMIT 1"};
inline constexpr Sql kOtpFailedAttempt{
    "portal_otp_failed_attempt",
    "UPDATE portal_otps SET attempts = attempts + 1 WHERE id = $1 RETURNING attempts"};
inline constexpr Sql kConsumeOtp{"portal_consume_otp",
                                 "UPDATE portal_otps SET consumed_at = $2 WHERE id = $1 AND consumed_at IS NULL"};

}  // namespace stork::patients::sql
