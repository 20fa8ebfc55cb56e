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
  int patients_created = 0;
  int schedule_templates_created = 0;
  int fees_created = 0;
  bool signing_created = false;
};

struct SeedOptions {
  // Mothers registered with their children and newborns (about 2.3
  // patients each); 0 for none. Mother 0 has the phone kDemoMotherPhone.
  int families = 160;
  // Weekly templates for the demo doctors and two weeks of sessions.
  bool schedules = true;
  // The fee catalogue (registration, exam and service fees).
  bool fees = true;
  // Signing keys and a report awaiting signature; needs the key file's directory.
  std::string clinical_key_file;
};

// The demo mother: sign in on the phone portal with this number; the code
// is in the SMS simulator's outbox.
inline constexpr const char* kDemoMotherPhone = "13800138000";

// Idempotent: parts already present are left alone.
// Passwords are hashed with the cost the AuthService was built with.
Result<SeedReport> seed_demo(Services& services, SeedOptions options = {});

// Deterministic demo patients (fixed random seed): realistic names, valid
// resident identity numbers, mainland mobile numbers.
Result<int> seed_demo_patients(Services& services, int families, const Clock& clock);

// Demo schedule templates, and sessions for today and the next 14 days.
Result<int> seed_demo_schedules(Services& services, const Clock& clock);

// The demo fee catalogue, when the catalogue is empty.
Result<int> seed_demo_fees(Services& services);

scheduling::Directory demo_directory();
// The demo CA's key file PIN: a demo only; a hospital's CA PIN is secret.
inline constexpr const char* kDemoCaPin = "demo-ca-pin";
// A CA (key beside key_file), a time-stamping authority, signing keys for
// the demo doctor and pharmacist (PIN 123456) and a lab report waiting for
// signature. False when signing was already set up.
Result<bool> seed_demo_clinical(Services& services, const std::string& key_file);

}  // namespace stork::app
