#pragma once
// SQLite backend: one file in WAL mode, foreign keys on, a busy timeout, one
// writer connection (SQLite allows one writer at a time anyway) and a pool of
// reader connections that see committed snapshots while the writer works.
// synchronous=FULL: a commit is on disk before write() returns.
#include <memory>
#include <string>

#include "store/database.hpp"

namespace stork::store {

struct SqliteOptions {
  int readers = 4;
  int busy_timeout_ms = 5000;
};

// Creates the file (and its directory) if missing.
Result<std::unique_ptr<Database>> open_sqlite(const std::string& path, SqliteOptions options = {});

}  // namespace stork::store
