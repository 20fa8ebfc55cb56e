#pragma once
// Staff accounts, sign-in and sessions.
//
// Tokens are 256-bit random strings given to the client once; the database
// keeps only their SHA-256. Failed sign-ins are counted per account and lock
// it for a while after too many. Every sign-in, sign-out and account change
// is audited in the same transaction as the change.
//
// Thread-safe: no state outside the database. argon2 is slow on purpose:
// call from worker threads, never from I/O threads.
#include <cstdint>
#include <mutex>
#include <string>
#include <vector>

#include "auth/audit.hpp"
#include "auth/model.hpp"
#include "core/clock.hpp"
#include "crypto/password.hpp"
#include "store/database.hpp"

namespace stork::auth {

struct AuthSettings {
  int token_ttl_minutes = 480;
  int patient_token_ttl_minutes = 60 * 24 * 7;  // a phone stays signed in for a week
  int max_failed_logins = 5;
  int lock_minutes = 15;
  crypto::Argon2Params argon2;
};

class AuthService {
 public:
  AuthService(store::Database& db, const Clock& clock, const AuditLog& audit, AuthSettings settings);

  // Errors: invalid_credentials (wrong user or password, indistinguishable),
  // account_locked, account_disabled, validation_failed.
  Result<LoginResult> login(const std::string& username, const std::string& password,
                            const RequestContext& ctx);
  // Errors: unauthenticated (unknown, expired, revoked token or disabled user).
  Result<Principal> authenticate(std::string_view token);
  Status logout(const Principal& who, const RequestContext& ctx);

  // A session for a patient portal account, inside the caller's transaction
  // (the portal verifies the one-time code first). Returns the token, shown
  // once, and its expiry.
  Result<std::pair<std::string, int64_t>> issue_patient_token(store::Connection& c, int64_t account_id,
                                                              const RequestContext& ctx);

  Result<std::vector<User>> list_users();
  Result<User> get_user(int64_t id);
  // Errors: validation_failed, username_taken.
  Result<User> create_user(const Principal& actor, const NewUser& user, const RequestContext& ctx);
  // Seeding path: no actor, audited as "system".
  Result<User> create_user_as_system(const NewUser& user, const RequestContext& ctx);
  // Errors: not_found, validation_failed, last_admin (an admin cannot remove
  // the last enabled admin, or lock themselves out).
  Result<User> update_user(const Principal& actor, int64_t id, const UserPatch& patch,
                           const RequestContext& ctx);
  // Also revokes the user's open sessions.
  Status reset_password(const Principal& actor, int64_t id, const std::string& password,
                        const RequestContext& ctx);

  // True when accounts with the published demo password exist.
  Result<bool> demo_accounts_exist();

  const AuditLog& audit() const { return audit_; }

 private:
  Result<User> insert_user(const std::string& actor, const NewUser& user, const RequestContext& ctx);

  store::Database& db_;
  const Clock& clock_;
  const AuditLog& audit_;
  AuthSettings settings_;
  const std::string& dummy_hash();
  std::once_flag dummy_once_;
  std::string dummy_hash_;  // verified against for unknown users: equal timing
};

// Rules shared by the service and its tests.
Status validate_username(const std::string& username);
Status validate_password(const std::string& password, std::string_view field = "password");
// Every rule a new account breaks, so callers can report them all at once.
std::vector<FieldError> validate_new_user(const NewUser& user);

}  // namespace stork::auth
