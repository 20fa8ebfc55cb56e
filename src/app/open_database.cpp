#include "app/open_database.hpp"

#include "store/postgres/postgres_database.hpp"
#include "store/sqlite/sqlite_database.hpp"

namespace stork::app {

Result<std::unique_ptr<store::Database>> open_database(const std::string& url, int pool_size) {
  if (url.starts_with("postgresql://") || url.starts_with("postgres://")) {
    return store::open_postgres(url, {.pool_size = pool_size});
  }
  std::string path = url;
  if (path.starts_with("sqlite:")) path = path.substr(7);
  if (path.starts_with("//")) path = path.substr(2);  // sqlite://relative/path
  if (path.empty()) return fail(Error::invalid("db", "sqlite: needs a file path, e.g. sqlite:var/stork.db"));
  if (path.find("://") != std::string::npos)
    return fail(Error::invalid("db", "unknown database URL; use sqlite:PATH or postgresql://..."));
  return store::open_sqlite(path, {.readers = pool_size});
}

}  // namespace stork::app
