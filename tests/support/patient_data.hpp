#pragma once
// Realistic, valid patient data for API tests: resident identity numbers
// with correct check characters, unique mobile numbers, registrations.
#include <boost/json.hpp>
#include <string>

namespace stork::testing {

// A valid 18-character resident identity number born on birth_date
// ("YYYY-MM-DD") of the given sex; seq (0..99) tells people apart.
std::string resident_id(const std::string& birth_date, bool female, int seq = 0);

// A mainland mobile number not returned before in this process.
std::string fresh_phone();

// A registration body for POST /api/v1/patients.
boost::json::object registration(const std::string& name, const std::string& birth_date, bool female,
                                 int seq = 0, const std::string& phone = "");

}  // namespace stork::testing
