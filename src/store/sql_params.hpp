#pragma once
// Rewrites PostgreSQL-style positional parameters ($1) into SQLite's
// numbered form (?1), leaving string literals, quoted identifiers and
// comments untouched.
#include <string>
#include <string_view>

namespace stork::store {

std::string to_sqlite_params(std::string_view sql);

}  // namespace stork::store
