#pragma once
// PostgreSQL backend through libpq: a fixed pool of connections, each
// statement prepared once per connection under its Sql::name, parameters
// sent in text format. Commits are durable (synchronous_commit stays on).
#include <memory>
#include <string>

#include "store/database.hpp"

namespace stork::store {

struct PostgresOptions {
  int pool_size = 8;
  int connect_timeout_s = 5;
};

// conninfo: a postgresql:// URL or a libpq key=value string.
Result<std::unique_ptr<Database>> open_postgres(const std::string& conninfo,
                                                PostgresOptions options = {});

}  // namespace stork::store
