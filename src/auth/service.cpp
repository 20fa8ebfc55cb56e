#include "auth/service.hpp"

#include <algorithm>
#include <map>

#include "auth/repo.hpp"
#include "crypto/hash.hpp"
#include "crypto/random.hpp"

namespace stork::auth {
namespace {

User user_from(const store::Row& r) {
  User u;
  u.id = r.integer(0);
  u.username = r.text(1);
  u.display_name = r.text(2);
  u.disabled = r.boolean(3);
  u.demo = r.boolean(4);
  u.failed_logins = static_cast<int>(r.integer(5));
  u.locked_until_ms = r.opt_integer(6);
  u.created_at_ms = r.integer(7);
  return u;
}

Result<std::vector<Role>> roles_of(store::Connection& c, int64_t user_id) {
  auto rows = c.query(sql::kSelectRoles, {user_id});
  if (!rows) return fail(rows.error());
  std::vector<Role> roles;
  for (const auto& r : *rows)
    if (auto role = parse_role(r.text(0))) roles.push_back(*role);
  return roles;
}

Result<User> load_user(store::Connection& c, int64_t id) {
  auto rows = c.query(sql::kSelectUserById, {id});
  if (!rows) return fail(rows.error());
  if (rows->empty()) return fail(Error::not_found("user " + std::to_string(id)));
  User u = user_from((*rows)[0]);
  auto roles = roles_of(c, id);
  if (!roles) return fail(roles.error());
  u.roles = std::move(*roles);
  return u;
}

std::string join_roles(const std::vector<Role>& roles) {
  std::string out;
  for (Role r : roles) {
    if (!out.empty()) out += ',';
    out += role_name(r);
  }
  return out.empty() ? "-" : out;
}

Status set_roles(store::Connection& c, int64_t user_id, std::vector<Role> roles) {
  std::sort(roles.begin(), roles.end());
  roles.erase(std::unique(roles.begin(), roles.end()), roles.end());
  if (auto d = c.execute(sql::kDeleteRoles, {user_id}); !d) return fail(d.error());
  for (Role r : roles) {
    if (auto i = c.execute(sql::kInsertRole, {user_id, std::string(role_name(r))}); !i)
      return fail(i.error());
  }
  return {};
}

// Counts enabled admins other than `except`, to refuse removing the last one.
Result<int> other_enabled_admins(store::Connection& c, int64_t except) {
  auto users = c.query(sql::kListUsers);
  if (!users) return fail(users.error());
  int count = 0;
  for (const auto& row : *users) {
    const User u = user_from(row);
    if (u.id == except || u.disabled) continue;
    auto roles = roles_of(c, u.id);
    if (!roles) return fail(roles.error());
    if (std::find(roles->begin(), roles->end(), Role::admin) != roles->end()) ++count;
  }
  return count;
}

}  // namespace

Status validate_username(const std::string& username) {
  if (username.size() < 3 || username.size() > 64)
    return fail(Error::invalid("username", "must be 3 to 64 characters"));
  for (unsigned char c : username) {
    if (!(std::islower(c) || std::isdigit(c) || c == '_' || c == '.' || c == '-'))
      return fail(Error::invalid("username", "may contain only a-z, 0-9, '_', '.' and '-'"));
  }
  return {};
}

Status validate_password(const std::string& password, std::string_view field) {
  // The upper bound keeps a huge password from becoming a CPU attack on argon2.
  if (password.size() < 8 || password.size() > 256)
    return fail(Error::invalid(std::string(field), "must be 8 to 256 characters"));
  return {};
}

AuthService::AuthService(store::Database& db, const Clock& clock, const AuditLog& audit,
                         AuthSettings settings)
    : db_(db), clock_(clock), audit_(audit), settings_(settings) {}

const std::string& AuthService::dummy_hash() {
  // Made on first need: hashing costs tens of milliseconds and 19 MiB, which
  // start-up and the one-shot CLI commands should not pay.
  std::call_once(dummy_once_, [this] {
    dummy_hash_ = crypto::hash_password(crypto::random_token(), settings_.argon2);
  });
  return dummy_hash_;
}

Result<LoginResult> AuthService::login(const std::string& username, const std::string& password,
                                       const RequestContext& ctx) {
  FieldErrors errors;
  if (username.empty()) errors.add("username", "is required");
  if (password.empty()) errors.add("password", "is required");
  if (password.size() > 256) errors.add("password", "is too long");
  if (auto s = errors.status(); !s) return fail(s.error());

  const AuditEntry attempt{"anonymous", "auth.login", "user", username, "", ""};
  auto audited_failure = [&](Error e, std::string outcome, std::string detail,
                             std::string entity_id) -> Result<LoginResult> {
    AuditEntry entry = attempt;
    entry.entity_id = std::move(entity_id);
    entry.outcome = std::move(outcome);
    entry.detail = std::move(detail);
    if (auto a = audit_.append(db_, entry, ctx); !a) return fail(a.error());
    return fail(std::move(e));
  };
  const Error bad_credentials{"invalid_credentials", "wrong username or password", {}};

  // Read first, hash outside any transaction: argon2 takes tens of
  // milliseconds and must not hold the writer.
  std::optional<User> user;
  std::string stored_hash;
  auto found = db_.read([&](store::Connection& c) -> Status {
    auto rows = c.query(sql::kSelectUserForLogin, {username});
    if (!rows) return fail(rows.error());
    if (rows->empty()) return {};
    user = user_from((*rows)[0]);
    stored_hash = (*rows)[0].text(8);
    return {};
  });
  if (!found) return fail(found.error());

  const int64_t now = clock_.now_ms();
  if (!user) {
    crypto::verify_password(password, dummy_hash());
    return audited_failure(bad_credentials, "failed", "unknown username", "");
  }
  if (user->locked_until_ms && *user->locked_until_ms > now) {
    return audited_failure(
        Error{"account_locked",
              "too many failed sign-ins; the account is locked until " +
                  format_utc(*user->locked_until_ms),
              {}},
        "denied", "account locked", std::to_string(user->id));
  }
  if (!crypto::verify_password(password, stored_hash)) {
    const int64_t lock_until = now + int64_t{settings_.lock_minutes} * 60'000;
    auto s = db_.write([&](store::Connection& c) -> Status {
      auto r = c.query(sql::kRecordLoginFailure,
                       {user->id, int64_t{settings_.max_failed_logins}, lock_until});
      if (!r) return fail(r.error());
      const bool locked_now = !r->empty() && (*r)[0].opt_integer(1) == lock_until;
      AuditEntry entry = attempt;
      entry.entity_id = std::to_string(user->id);
      entry.outcome = "failed";
      entry.detail = locked_now ? "wrong password; account locked" : "wrong password";
      return audit_.append(c, entry, ctx);
    });
    if (!s) return fail(s.error());
    return fail(bad_credentials);
  }
  if (user->disabled) {
    return audited_failure(Error{"account_disabled", "this account is disabled", {}}, "denied",
                           "account disabled", std::to_string(user->id));
  }

  LoginResult result;
  result.token = crypto::random_token();
  result.expires_at_ms = now + int64_t{settings_.token_ttl_minutes} * 60'000;
  auto s = db_.write([&](store::Connection& c) -> Status {
    if (auto r = c.execute(sql::kRecordLoginSuccess, {user->id}); !r) return fail(r.error());
    if (auto r = c.execute(sql::kInsertToken, {crypto::sha256_hex(result.token), std::string("staff"),
                                                user->id, now, result.expires_at_ms, ctx.ip});
        !r)
      return fail(r.error());
    auto loaded = load_user(c, user->id);
    if (!loaded) return fail(loaded.error());
    result.user = std::move(*loaded);
    return audit_.append(c, {"staff:" + user->username, "auth.login", "user",
                             std::to_string(user->id), "success", ""},
                         ctx);
  });
  if (!s) return fail(s.error());
  return result;
}

Result<Principal> AuthService::authenticate(std::string_view token) {
  if (token.empty() || token.size() > 128) return fail(Error::unauthenticated());
  return store::read_tx(db_, [&](store::Connection& c) -> Result<Principal> {
    const std::string hash = crypto::sha256_hex(token);
    auto rows = c.query(sql::kSelectStaffToken, {hash, clock_.now_ms()});
    if (!rows) return fail(rows.error());
    Principal p;
    p.token_hash = hash;
    if (rows->empty()) {
      auto patient = c.query(sql::kSelectPatientToken, {hash, clock_.now_ms()});
      if (!patient) return fail(patient.error());
      if (patient->empty())
        return fail(Error::unauthenticated("the session is unknown, expired or signed out"));
      p.kind = PrincipalKind::patient;
      p.id = (*patient)[0].integer(0);
      p.username = "account" + std::to_string(p.id);
      p.display_name = p.username;
      return p;
    }
    p.kind = PrincipalKind::staff;
    p.id = (*rows)[0].integer(0);
    p.username = (*rows)[0].text(1);
    p.display_name = (*rows)[0].text(2);
    auto roles = roles_of(c, p.id);
    if (!roles) return fail(roles.error());
    p.roles = std::move(*roles);
    return p;
  });
}

Result<std::pair<std::string, int64_t>> AuthService::issue_patient_token(store::Connection& c,
                                                                         int64_t account_id,
                                                                         const RequestContext& ctx) {
  std::string token = crypto::random_token();
  const int64_t now = clock_.now_ms();
  const int64_t expires = now + int64_t{settings_.patient_token_ttl_minutes} * 60'000;
  if (auto r = c.execute(sql::kInsertToken, {crypto::sha256_hex(token), std::string("patient"), account_id,
                                             now, expires, ctx.ip});
      !r)
    return fail(r.error());
  return std::pair{std::move(token), expires};
}

Status AuthService::logout(const Principal& who, const RequestContext& ctx) {
  return db_.write([&](store::Connection& c) -> Status {
    if (auto r = c.execute(sql::kRevokeToken, {who.token_hash, clock_.now_ms()}); !r)
      return fail(r.error());
    return audit_.append(c, {who.audit_name(), "auth.logout",
                             who.kind == PrincipalKind::staff ? "user" : "portal_account", std::to_string(who.id),
                             "success", ""},
                         ctx);
  });
}

Result<std::vector<User>> AuthService::list_users() {
  return store::read_tx(db_, [&](store::Connection& c) -> Result<std::vector<User>> {
    auto rows = c.query(sql::kListUsers);
    if (!rows) return fail(rows.error());
    auto role_rows = c.query(sql::kListAllRoles);
    if (!role_rows) return fail(role_rows.error());
    std::map<int64_t, std::vector<Role>> roles;
    for (const auto& r : *role_rows)
      if (auto role = parse_role(r.text(1))) roles[r.integer(0)].push_back(*role);
    std::vector<User> users;
    for (const auto& r : *rows) {
      User u = user_from(r);
      u.roles = roles[u.id];
      users.push_back(std::move(u));
    }
    return users;
  });
}

Result<User> AuthService::get_user(int64_t id) {
  return store::read_tx(db_, [&](store::Connection& c) { return load_user(c, id); });
}

Result<User> AuthService::create_user(const Principal& actor, const NewUser& user,
                                      const RequestContext& ctx) {
  return insert_user(actor.audit_name(), user, ctx);
}

Result<User> AuthService::create_user_as_system(const NewUser& user, const RequestContext& ctx) {
  return insert_user("system", user, ctx);
}

std::vector<FieldError> validate_new_user(const NewUser& user) {
  std::vector<FieldError> errors;
  if (auto s = validate_username(user.username); !s) errors.push_back(s.error().fields[0]);
  if (user.display_name.empty() || user.display_name.size() > 100)
    errors.push_back({"display_name", "must be 1 to 100 characters"});
  if (auto s = validate_password(user.password); !s) errors.push_back(s.error().fields[0]);
  if (user.roles.empty()) errors.push_back({"roles", "give at least one role"});
  return errors;
}

Result<User> AuthService::insert_user(const std::string& actor, const NewUser& user,
                                      const RequestContext& ctx) {
  if (auto errors = validate_new_user(user); !errors.empty()) return fail(Error::invalid(std::move(errors)));

  const std::string hash = crypto::hash_password(user.password, settings_.argon2);
  return store::write_tx(db_, [&](store::Connection& c) -> Result<User> {
    const int64_t now = clock_.now_ms();
    auto rows = c.query(sql::kInsertUser, {user.username, user.display_name, hash,
                                           int64_t{user.demo ? 1 : 0}, now});
    if (!rows) {
      if (rows.error().code == "unique_violation")
        return fail(Error{"username_taken",
                          "the username '" + user.username + "' is already taken",
                          {{"username", "is already taken"}}});
      return fail(rows.error());
    }
    const int64_t id = (*rows)[0].integer(0);
    if (auto s = set_roles(c, id, user.roles); !s) return fail(s.error());
    auto created = load_user(c, id);
    if (!created) return fail(created.error());
    auto a = audit_.append(c, {actor, "user.create", "user", std::to_string(id), "success",
                               "username=" + user.username + " roles=" + join_roles(created->roles)},
                           ctx);
    if (!a) return fail(a.error());
    return created;
  });
}

Result<User> AuthService::update_user(const Principal& actor, int64_t id, const UserPatch& patch,
                                      const RequestContext& ctx) {
  FieldErrors errors;
  if (patch.display_name && (patch.display_name->empty() || patch.display_name->size() > 100))
    errors.add("display_name", "must be 1 to 100 characters");
  if (patch.roles && patch.roles->empty()) errors.add("roles", "give at least one role");
  if (auto s = errors.status(); !s) return fail(s.error());

  return store::write_tx(db_, [&](store::Connection& c) -> Result<User> {
    auto before = load_user(c, id);
    if (!before) return fail(before.error());
    const int64_t now = clock_.now_ms();
    std::string detail;

    const bool was_admin = std::find(before->roles.begin(), before->roles.end(), Role::admin) !=
                           before->roles.end();
    const bool stays_admin =
        patch.roles ? std::find(patch.roles->begin(), patch.roles->end(), Role::admin) !=
                          patch.roles->end()
                    : was_admin;
    const bool stays_enabled = patch.disabled ? !*patch.disabled : !before->disabled;
    if (was_admin && !before->disabled && !(stays_admin && stays_enabled)) {
      auto others = other_enabled_admins(c, id);
      if (!others) return fail(others.error());
      if (*others == 0)
        return fail(Error{"last_admin",
                          "this is the last enabled administrator; appoint another one first",
                          {}});
    }

    if (patch.display_name) {
      if (auto r = c.execute(sql::kUpdateDisplayName, {id, *patch.display_name, now}); !r)
        return fail(r.error());
      detail += "display_name changed; ";
    }
    if (patch.roles) {
      if (auto s = set_roles(c, id, *patch.roles); !s) return fail(s.error());
      detail += "roles: " + join_roles(before->roles) + " -> " + join_roles(*patch.roles) + "; ";
    }
    if (patch.disabled) {
      if (auto r = c.execute(sql::kUpdateDisabled, {id, int64_t{*patch.disabled ? 1 : 0}, now}); !r)
        return fail(r.error());
      if (*patch.disabled) {
        if (auto r = c.execute(sql::kRevokeUserTokens, {id, now}); !r) return fail(r.error());
      }
      detail += *patch.disabled ? "disabled; " : "enabled; ";
    }
    auto after = load_user(c, id);
    if (!after) return fail(after.error());
    const std::string action = patch.roles ? "user.roles_change" : "user.update";
    auto a = audit_.append(c, {actor.audit_name(), action, "user", std::to_string(id), "success", detail},
                           ctx);
    if (!a) return fail(a.error());
    return after;
  });
}

Status AuthService::reset_password(const Principal& actor, int64_t id, const std::string& password,
                                   const RequestContext& ctx) {
  if (auto s = validate_password(password); !s) return s;
  const std::string hash = crypto::hash_password(password, settings_.argon2);
  return db_.write([&](store::Connection& c) -> Status {
    const int64_t now = clock_.now_ms();
    auto r = c.execute(sql::kUpdatePassword, {id, hash, now});
    if (!r) return fail(r.error());
    if (*r == 0) return fail(Error::not_found("user " + std::to_string(id)));
    if (auto t = c.execute(sql::kRevokeUserTokens, {id, now}); !t) return fail(t.error());
    return audit_.append(c, {actor.audit_name(), "user.password_reset", "user", std::to_string(id),
                             "success", "sessions revoked"},
                         ctx);
  });
}

Result<bool> AuthService::demo_accounts_exist() {
  return store::read_tx(db_, [&](store::Connection& c) -> Result<bool> {
    auto rows = c.query(sql::kCountDemoUsers);
    if (!rows) return fail(rows.error());
    return (*rows)[0].integer(0) > 0;
  });
}

}  // namespace stork::auth
