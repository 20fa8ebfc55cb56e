#pragma once
// Versioned schema migrations. Each module contributes an ordered list; the
// app concatenates them. A migration is identified by its id
// ("auth/0001_users"), recorded in schema_migrations when applied, and
// never runs twice. Each runs in its own transaction, so a failure leaves the
// schema as the previous migration left it.
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "core/clock.hpp"
#include "store/database.hpp"

namespace stork::store {

struct Migration {
  std::string_view id;        // "<module>/<NNNN>_<what>", unique and stable
  std::string_view sqlite;    // script for SQLite
  std::string_view postgres;  // script for PostgreSQL; empty: same as sqlite
};

struct MigrationReport {
  std::vector<std::string> applied;  // ids applied by this call, in order
  int already_applied = 0;
};

// Applies pending migrations in order. Safe to call from several nodes at
// once on PostgreSQL (an advisory lock serializes them).
Result<MigrationReport> migrate(Database& db, std::span<const Migration> migrations, const Clock& clock);

// Ids already applied, in the order they were applied.
Result<std::vector<std::string>> applied_migrations(Database& db);

}  // namespace stork::store
