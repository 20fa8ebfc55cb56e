#pragma once
// The storage interface every module uses. Two backends implement it:
// store/sqlite (embedded, the default) and store/postgres (scale-out).
//
// SQL text uses PostgreSQL-style positional parameters ($1, $2, ...) on both
// backends; values are always bound, never spliced into the text. Each
// statement is a named constant (see Sql) kept in its module's repo.
//
// Thread safety: Database is safe to use from many threads at once. A
// Connection handed to a callback belongs to that callback for its duration
// and must not escape it.
#include <cstdint>
#include <functional>
#include <initializer_list>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "core/error.hpp"

namespace stork::store {

// A statement: a stable name (the prepared-statement name on PostgreSQL and
// the cache key everywhere) and its text. Define as constexpr constants.
struct Sql {
  std::string_view name;
  std::string_view text;
};

// NULL, INTEGER/BIGINT/BOOLEAN (as 0/1), REAL/DOUBLE, TEXT.
using Value = std::variant<std::monostate, int64_t, double, std::string>;
using Params = std::initializer_list<Value>;

inline Value null_if_empty(const std::string& s) { return s.empty() ? Value{} : Value{s}; }
template <class T>
Value nullable(const std::optional<T>& v) {
  return v ? Value{*v} : Value{};
}

// One result row. Accessors convert between the backends' representations;
// asking for a NULL column as a non-optional is a programming error (asserts
// in debug builds, returns 0/"" otherwise).
class Row {
 public:
  explicit Row(std::vector<Value> values) : values_(std::move(values)) {}
  size_t size() const { return values_.size(); }
  bool is_null(size_t i) const;
  int64_t integer(size_t i) const;
  double real(size_t i) const;
  std::string text(size_t i) const;
  bool boolean(size_t i) const { return integer(i) != 0; }
  std::optional<int64_t> opt_integer(size_t i) const;
  std::optional<std::string> opt_text(size_t i) const;
  const Value& value(size_t i) const { return values_.at(i); }

 private:
  std::vector<Value> values_;
};

using Rows = std::vector<Row>;

// Statement execution inside a read or write scope.
class Connection {
 public:
  virtual ~Connection() = default;
  virtual Result<Rows> query(const Sql& sql, Params params = {}) = 0;
  // Returns the number of rows changed.
  virtual Result<int64_t> execute(const Sql& sql, Params params = {}) = 0;
  // Runs several ';'-separated statements without parameters (migrations).
  virtual Status execute_script(std::string_view script) = 0;
};

enum class Backend { sqlite, postgres };
std::string_view backend_name(Backend b);

struct PoolStats {
  int connections = 0;  // open connections, readers and writers
  int in_use = 0;       // currently lent out
  int64_t waits = 0;    // times a caller waited for a free connection
  int64_t write_commits = 0;  // write transactions committed (SQLite: one per group)
  int64_t writes = 0;         // write() calls they carried
};

class Database {
 public:
  virtual ~Database() = default;
  virtual Backend backend() const = 0;

  // Runs fn in one read-write transaction: committed when fn succeeds,
  // rolled back when it returns an error or throws. A statement that fails
  // ends the transaction on PostgreSQL (SQLite only undoes that statement):
  // after an error, return it; never carry on in the same transaction. The commit is durable (synced)
  // before write() returns success. On PostgreSQL a serialization failure or
  // deadlock re-runs fn a few times, so fn must not have outside effects.
  virtual Status write(const std::function<Status(Connection&)>& fn) = 0;

  // Runs fn on a read-only connection with a consistent snapshot.
  virtual Status read(const std::function<Status(Connection&)>& fn) = 0;

  // Cheap round-trip for readiness probes.
  virtual Status ping() = 0;
  virtual PoolStats stats() const = 0;
};

// Convenience wrappers returning a value from a transaction.
template <class F>
auto write_tx(Database& db, F&& fn) -> decltype(fn(std::declval<Connection&>())) {
  using R = decltype(fn(std::declval<Connection&>()));
  std::optional<typename R::value_type> out;
  auto s = db.write([&](Connection& c) -> Status {
    auto r = fn(c);
    if (!r) return fail(r.error());
    out.emplace(std::move(*r));
    return {};
  });
  if (!s) return fail(s.error());
  return std::move(*out);
}

template <class F>
auto read_tx(Database& db, F&& fn) -> decltype(fn(std::declval<Connection&>())) {
  using R = decltype(fn(std::declval<Connection&>()));
  std::optional<typename R::value_type> out;
  auto s = db.read([&](Connection& c) -> Status {
    auto r = fn(c);
    if (!r) return fail(r.error());
    out.emplace(std::move(*r));
    return {};
  });
  if (!s) return fail(s.error());
  return std::move(*out);
}

// Error codes produced by the backends (module repos may translate them):
//   unique_violation   a UNIQUE/PRIMARY KEY constraint refused the row (409)
//   constraint_violation  other constraint (CHECK, FOREIGN KEY, NOT NULL) (409)
//   db_unavailable     the database cannot be reached (503)
//   db_busy            lock wait exceeded (503)
//   db_error           anything else (500; the message is logged, not shown)

}  // namespace stork::store
