#pragma once
// The one place that turns a --db URL into a backend.
#include <memory>
#include <string>

#include "store/database.hpp"

namespace stork::app {

// "sqlite:PATH" (or a bare path ending in .db) opens SQLite;
// "postgresql://..." or "postgres://..." opens PostgreSQL.
Result<std::unique_ptr<store::Database>> open_database(const std::string& url, int pool_size);

}  // namespace stork::app
