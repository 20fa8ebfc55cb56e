#include "support/test_database.hpp"

#include <gtest/gtest.h>
// Spelled with Debian's directory because stork_tests does not get libpq's
// include path from stork_store (it links libpq privately); once
// tests/CMakeLists.txt links PkgConfig::LIBPQ, plain <libpq-fe.h> works too.
#include <libpq-fe.h>
#include <stdlib.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <mutex>
#include <random>

#include "store/postgres/postgres_database.hpp"
#include "store/sqlite/sqlite_database.hpp"

namespace stork::testing {
namespace {

constexpr const char* kPgUrlVariable = "STORK_TEST_PG_URL";

// What this process created, removed when it exits (set STORK_TEST_KEEP=1 to
// keep it for a post-mortem). Cleanup waits for exit rather than for the
// Database to go away because tests reopen a database by its URL to check
// what survived a restart.
class Registry {
 public:
  ~Registry() {
    if (const char* keep = std::getenv("STORK_TEST_KEEP"); keep && *keep && *keep != '0') return;
    std::error_code ec;
    for (const auto& dir : dirs_) std::filesystem::remove_all(dir, ec);
    if (databases_.empty()) return;
    // Best effort: the cluster that scripts/with-postgres started is thrown
    // away anyway, but a developer's own cluster should not fill up.
    PGconn* admin = PQconnectdb(admin_url_.c_str());
    if (PQstatus(admin) == CONNECTION_OK) {
      for (const auto& name : databases_)
        PQclear(PQexec(admin, ("DROP DATABASE IF EXISTS " + name + " WITH (FORCE)").c_str()));
    }
    PQfinish(admin);
  }

  void add_dir(std::filesystem::path dir, std::string url) {
    std::lock_guard lock(mutex_);
    dirs_.push_back(std::move(dir));
    last_sqlite_url_ = std::move(url);
  }

  void add_database(std::string admin_url, std::string name, std::string url) {
    std::lock_guard lock(mutex_);
    admin_url_ = std::move(admin_url);
    databases_.push_back(std::move(name));
    last_postgres_url_ = std::move(url);
  }

  std::string last_url(store::Backend backend) const {
    std::lock_guard lock(mutex_);
    return backend == store::Backend::sqlite ? last_sqlite_url_ : last_postgres_url_;
  }

 private:
  mutable std::mutex mutex_;  // guards everything below
  std::vector<std::filesystem::path> dirs_;
  std::vector<std::string> databases_;
  std::string admin_url_;
  std::string last_sqlite_url_;
  std::string last_postgres_url_;
};

Registry& registry() {
  static Registry r;
  return r;
}

// Unique across the test processes that ctest runs in parallel against one
// cluster: the pid separates processes, the counter databases within one.
std::string unique_database_name() {
  static std::atomic<int> counter{0};
  std::random_device random;
  return "stork_test_" + std::to_string(::getpid()) + "_" + std::to_string(counter++) + "_" +
         std::to_string(random() % 1000000);
}

// The admin URL with its database path replaced:
// postgresql://stork@127.0.0.1:5432/postgres?x=y -> .../NAME?x=y
std::string with_database(const std::string& url, const std::string& name) {
  const size_t authority = url.find("://") + 3;
  const size_t query = url.find('?', authority);
  const size_t path = url.find('/', authority);
  const size_t authority_end = std::min(path, query);
  std::string out = url.substr(0, authority_end == std::string::npos ? url.size() : authority_end);
  out += "/" + name;
  if (query != std::string::npos) out += url.substr(query);
  return out;
}

std::unique_ptr<store::Database> fresh_sqlite() {
  std::string pattern = (std::filesystem::temp_directory_path() / "stork-test-XXXXXX").string();
  if (!::mkdtemp(pattern.data())) {
    ADD_FAILURE() << "mkdtemp(" << pattern << ") failed: " << std::strerror(errno);
    return nullptr;
  }
  const std::string path = pattern + "/test.db";
  registry().add_dir(pattern, "sqlite:" + path);
  auto db = store::open_sqlite(path);
  if (!db) {
    ADD_FAILURE() << "open_sqlite(" << path << "): " << db.error().code << ": "
                  << db.error().message;
    return nullptr;
  }
  return std::move(*db);
}

std::unique_ptr<store::Database> fresh_postgres() {
  const char* admin_url = std::getenv(kPgUrlVariable);
  if (!admin_url || !*admin_url) {
    ADD_FAILURE() << kPgUrlVariable
                  << " is not set: run the tests through scripts/with-postgres (make test does)";
    return nullptr;
  }
  const std::string admin(admin_url);
  if (!admin.starts_with("postgresql://") && !admin.starts_with("postgres://")) {
    ADD_FAILURE() << kPgUrlVariable << " must be a postgresql:// URL, got " << admin;
    return nullptr;
  }

  const std::string name = unique_database_name();
  {
    PGconn* conn = PQconnectdb(admin.c_str());
    std::string problem;
    if (PQstatus(conn) != CONNECTION_OK) {
      problem = std::string("cannot connect: ") + PQerrorMessage(conn);
    } else {
      PGresult* res = PQexec(conn, ("CREATE DATABASE " + name).c_str());
      if (PQresultStatus(res) != PGRES_COMMAND_OK) problem = PQresultErrorMessage(res);
      PQclear(res);
    }
    PQfinish(conn);
    if (!problem.empty()) {
      ADD_FAILURE() << "CREATE DATABASE " << name << " via " << kPgUrlVariable << "=" << admin
                    << ": " << problem;
      return nullptr;
    }
  }

  const std::string url = with_database(admin, name);
  registry().add_database(admin, name, url);
  auto db = store::open_postgres(url, {.pool_size = 4});
  if (!db) {
    ADD_FAILURE() << "open_postgres(" << url << "): " << db.error().code << ": "
                  << db.error().message;
    return nullptr;
  }
  return std::move(*db);
}

}  // namespace

std::vector<store::Backend> all_backends() {
  return {store::Backend::sqlite, store::Backend::postgres};
}

std::unique_ptr<store::Database> fresh_database(store::Backend backend) {
  return backend == store::Backend::sqlite ? fresh_sqlite() : fresh_postgres();
}

std::string last_database_url(store::Backend backend) { return registry().last_url(backend); }

std::string backend_param_name(store::Backend backend) {
  return std::string(store::backend_name(backend));
}

}  // namespace stork::testing
