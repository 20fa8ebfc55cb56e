#pragma once
// Fresh, empty databases for tests on every backend. PostgreSQL tests use
// the throwaway cluster that scripts/with-postgres starts and announces in
// STORK_TEST_PG_URL; without it they fail with a message saying so.
#include <memory>
#include <string>
#include <vector>

#include "store/database.hpp"

namespace stork::testing {

std::vector<store::Backend> all_backends();

// A new empty database (a new SQLite file in a temporary directory, or a new
// PostgreSQL database in the test cluster). Fails the current test and
// returns nullptr when the backend is unreachable.
std::unique_ptr<store::Database> fresh_database(store::Backend backend);

// The URL of the database most recently made by fresh_database for this
// backend, for tests that start the `stork` binary against it.
std::string last_database_url(store::Backend backend);

// For gtest parameter names: "sqlite", "postgresql".
std::string backend_param_name(store::Backend backend);

}  // namespace stork::testing
