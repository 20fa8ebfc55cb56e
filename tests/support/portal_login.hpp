#pragma once
// Signing in on the phone portal as a patient, through the SMS simulator.
#include <string>

#include "support/test_server.hpp"

namespace stork::testing {

// Requests a code for phone, reads it from the SMS simulator's outbox and
// signs in; returns the patient token (empty, with a test failure, if not).
std::string patient_token(TestServer& server, const std::string& phone);

}  // namespace stork::testing
