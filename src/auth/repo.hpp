#pragma once
// Every SQL statement of the auth module (users, roles, tokens, audit log).
#include "store/database.hpp"
#include "store/migrations.hpp"

namespace stork::auth::sql {

using store::Sql;

std::span<const store::Migration> migrations();

inline constexpr Sql kInsertUser{
    "auth_insert_user",
    "INSERT INTO users (username, display_name, password_hash, disabled, is_demo, failed_logins,"
    " created_at, updated_at) VALUES ($1, $2, $3, 0, $4, 0, $5, $5) RETURNING id"};
inline constexpr Sql kSelectUserById{
    "auth_select_user_by_id",
    "SELECT id, username, display_name, disabled, is_demo, failed_logins, locked_until, created_at"
    " FROM users WHERE id = $1"};
inline constexpr Sql kSelectUserForLogin{
    "auth_select_user_for_login",
    "SELECT id, username, display_name, disabled, is_demo, failed_logins, locked_until, created_at,"
    " password_hash FROM users WHERE username = $1"};
inline constexpr Sql kListUsers{
    "auth_list_users",
    "SELECT id, username, display_name, disabled, is_demo, failed_logins, locked_until, created_at"
    " FROM users ORDER BY id"};
inline constexpr Sql kSelectRoles{"auth_select_roles",
                                  "SELECT role FROM user_roles WHERE user_id = $1 ORDER BY role"};
inline constexpr Sql kListAllRoles{"auth_list_all_roles",
                                   "SELECT user_id, role FROM user_roles ORDER BY user_id, role"};
inline constexpr Sql kInsertRole{"auth_insert_role",
                                 "INSERT INTO user_roles (user_id, role) VALUES ($1, $2)"};
inline constexpr Sql kDeleteRoles{"auth_delete_roles", "DELETE FROM user_roles WHERE user_id = $1"};
inline constexpr Sql kUpdateDisplayName{
    "auth_update_display_name", "UPDATE users SET display_name = $2, updated_at = $3 WHERE id = $1"};
inline constexpr Sql kUpdateDisabled{
    "auth_update_disabled", "UPDATE users SET disabled = $2, updated_at = $3 WHERE id = $1"};
inline constexpr Sql kUpdatePassword{
    "auth_update_password",
    "UPDATE users SET password_hash = $2, failed_logins = 0, locked_until = NULL, updated_at = $3"
    " WHERE id = $1"};
inline constexpr Sql kRecordLoginFailure{
    "auth_record_login_failure",
    "UPDATE users SET failed_logins = failed_logins + 1,"
    " locked_until = CASE WHEN failed_logins + 1 >= $2 THEN $3 ELSE locked_until END"
    " WHERE id = $1 RETURNING failed_logins, locked_until"};
inline constexpr Sql kRecordLoginSuccess{
    "auth_record_login_success",
    "UPDATE users SET failed_logins = 0, locked_until = NULL WHERE id = $1"};
inline constexpr Sql kCountDemoUsers{"auth_count_demo_users",
                                     "SELECT COUNT(*) FROM users WHERE is_demo = 1"};

inline constexpr Sql kInsertToken{
    "auth_insert_token",
    "INSERT INTO auth_tokens (token_hash, principal_kind, principal_id, created_at, expires_at,"
    " remote_ip) VALUES ($1, $2, $3, $4, $5, $6)"};
inline constexpr Sql kSelectStaffToken{
    "auth_select_staff_token",
    "SELECT u.id, u.username, u.display_name FROM auth_tokens t JOIN users u ON u.id = t.principal_id"
    " WHERE t.token_hash = $1 AND t.principal_kind = 'staff' AND t.revoked_at IS NULL"
    " AND t.expires_at > $2 AND u.disabled = 0"};
inline constexpr Sql kSelectPatientToken{
    "auth_select_patient_token",
    "SELECT principal_id FROM auth_tokens WHERE token_hash = $1 AND principal_kind = 'patient'"
    " AND revoked_at IS NULL AND expires_at > $2"};
inline constexpr Sql kRevokeToken{
    "auth_revoke_token",
    "UPDATE auth_tokens SET revoked_at = $2 WHERE token_hash = $1 AND revoked_at IS NULL"};
inline constexpr Sql kRevokeUserTokens{
    "auth_revoke_user_tokens",
    "UPDATE auth_tokens SET revoked_at = $2 WHERE principal_kind = 'staff' AND principal_id = $1"
    " AND revoked_at IS NULL"};

inline constexpr Sql kAdvanceAuditHead{
    "audit_advance_head",
    "UPDATE audit_head SET seq = seq + 1 WHERE id = 1 RETURNING seq, last_hash"};
inline constexpr Sql kSetAuditHeadHash{"audit_set_head_hash",
                                       "UPDATE audit_head SET last_hash = $1 WHERE id = 1"};
inline constexpr Sql kSelectAuditHead{"audit_select_head",
                                      "SELECT seq, last_hash FROM audit_head WHERE id = 1"};
inline constexpr Sql kInsertAudit{
    "audit_insert",
    "INSERT INTO audit_log (id, at, actor, action, entity, entity_id, outcome, detail, ip,"
    " request_id, prev_hash, hash) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)"};
inline constexpr Sql kListAudit{
    "audit_list",
    "SELECT id, at, actor, action, entity, entity_id, outcome, detail, ip, request_id, prev_hash,"
    " hash FROM audit_log WHERE id < $1 ORDER BY id DESC LIMIT $2"};
inline constexpr Sql kScanAudit{
    "audit_scan",
    "SELECT id, at, actor, action, entity, entity_id, outcome, detail, ip, request_id, prev_hash,"
    " hash FROM audit_log WHERE id > $1 ORDER BY id LIMIT $2"};

}  // namespace stork::auth::sql
