#pragma once
// The demo hospital: a maternity and children's hospital with the
// departments and clinics of shared/reference (Table 1 and §5.2.3), rooms,
// practitioners with titles, and one demo account per staff role
// (username = role name, password kDemoPassword). Demo only.
#include <string>
#include <vector>

#include "app/app.hpp"

namespace stork::app {

inline constexpr const char* kDemoPassword = "demo1234!";

struct SeedReport {
  bool directory_created = false;
  std::vector<std::string> accounts_created;  // usernames
};

// Idempotent: parts already present are left alone.
// Passwords are hashed with the cost the AuthService was built with.
Result<SeedReport> seed_demo(Services& services);

scheduling::Directory demo_directory();

}  // namespace stork::app
