#pragma once
// Assertions on API answers shared by the API test suites.
#include <gtest/gtest.h>

#include <string>

#include "support/test_server.hpp"

namespace stork::testing {

// A problem+json answer with this status and code, a request id matching
// the header, and (when given) the offending field named in `errors`.
void expect_problem(const HttpResult& r, int status, const std::string& code, const std::string& field = "");

}  // namespace stork::testing
