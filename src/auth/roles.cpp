#include "auth/roles.hpp"

#include <algorithm>
#include <array>

namespace stork::auth {
namespace {
constexpr std::array kRoles = {Role::admin,           Role::clerk,      Role::triage_nurse,
                               Role::doctor,          Role::pharmacist, Role::mdt_coordinator,
                               Role::dispatcher,      Role::manager,    Role::auditor,
                               Role::display, Role::interface};
constexpr std::array<std::string_view, kRoles.size()> kNames = {
    "admin", "clerk", "triage_nurse", "doctor", "pharmacist",
    "mdt_coordinator", "dispatcher", "manager", "auditor", "display", "interface"};
}  // namespace

std::span<const Role> all_roles() { return kRoles; }

std::string_view role_name(Role r) { return kNames[static_cast<size_t>(r)]; }

std::optional<Role> parse_role(std::string_view name) {
  for (size_t i = 0; i < kNames.size(); ++i)
    if (kNames[i] == name) return kRoles[i];
  return std::nullopt;
}

bool Principal::has_role(Role r) const {
  return std::find(roles.begin(), roles.end(), r) != roles.end();
}

std::string Principal::audit_name() const {
  return (kind == PrincipalKind::staff ? "staff:" : "patient:") + username;
}

}  // namespace stork::auth
