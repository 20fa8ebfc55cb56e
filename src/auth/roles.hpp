#pragma once
// Staff roles (DESIGN.md §1) and the principal a request acts as.
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace stork::auth {

enum class Role {
  admin,
  clerk,            // one-stop service window
  triage_nurse,
  doctor,
  pharmacist,
  mdt_coordinator,
  dispatcher,       // emergency team
  manager,          // operations statistics
  auditor,
  display,          // a waiting-area display screen (device account)
  interface,        // a LIS or PACS posting reports (system account)
};

std::span<const Role> all_roles();
std::string_view role_name(Role r);
std::optional<Role> parse_role(std::string_view name);

// Who a request acts as. Staff sign in with a username; patients (coming
// with the patients module) sign in with their phone and see only
// themselves and their children.
enum class PrincipalKind { staff, patient };

struct Principal {
  PrincipalKind kind = PrincipalKind::staff;
  int64_t id = 0;
  std::string username;
  std::string display_name;
  std::vector<Role> roles;
  std::string token_hash;  // identifies the session for logout

  bool has_role(Role r) const;
  // "clerk:wang" for audit entries.
  std::string audit_name() const;
};

}  // namespace stork::auth
