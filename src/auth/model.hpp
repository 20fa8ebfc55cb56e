#pragma once
// Plain data of the auth module.
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "auth/roles.hpp"

namespace stork::auth {

struct User {
  int64_t id = 0;
  std::string username;
  std::string display_name;
  std::vector<Role> roles;
  bool disabled = false;
  bool demo = false;  // created by seed-demo with the published password
  int failed_logins = 0;
  std::optional<int64_t> locked_until_ms;
  int64_t created_at_ms = 0;
};

struct NewUser {
  std::string username;
  std::string display_name;
  std::string password;
  std::vector<Role> roles;
  bool demo = false;
};

struct UserPatch {
  std::optional<std::string> display_name;
  std::optional<std::vector<Role>> roles;
  std::optional<bool> disabled;
};

struct LoginResult {
  std::string token;  // shown once; only its hash is stored
  int64_t expires_at_ms = 0;
  User user;
};

// Where a request came from, for the audit trail.
struct RequestContext {
  std::string ip;
  std::string request_id;
};

}  // namespace stork::auth
