#include "store/migrations.hpp"

#include <set>

#include "core/log.hpp"

namespace stork::store {
namespace {

constexpr std::string_view kCreateTableSqlite =
    "CREATE TABLE IF NOT EXISTS schema_migrations ("
    " id TEXT PRIMARY KEY, applied_at BIGINT NOT NULL)";
constexpr Sql kLockPostgres{"migrations_lock", "SELECT pg_advisory_xact_lock(7472632101)"};
constexpr Sql kIsApplied{"migrations_is_applied", "SELECT 1 FROM schema_migrations WHERE id = $1"};
constexpr Sql kRecord{"migrations_record",
                      "INSERT INTO schema_migrations (id, applied_at) VALUES ($1, $2)"};
constexpr Sql kList{"migrations_list",
                    "SELECT id FROM schema_migrations ORDER BY applied_at, id"};

Status lock(Connection& c, Backend backend) {
  if (backend != Backend::postgres) return {};  // SQLite has one writer already
  auto r = c.query(kLockPostgres);
  if (!r) return fail(r.error());
  return {};
}

}  // namespace

Result<MigrationReport> migrate(Database& db, std::span<const Migration> migrations,
                                const Clock& clock) {
  MigrationReport report;
  auto created = db.write([&](Connection& c) -> Status {
    if (auto s = lock(c, db.backend()); !s) return s;
    return c.execute_script(kCreateTableSqlite);
  });
  if (!created) return fail(created.error());

  for (const auto& m : migrations) {
    bool ran = false;
    auto s = db.write([&](Connection& c) -> Status {
      ran = false;
      if (auto l = lock(c, db.backend()); !l) return l;
      auto seen = c.query(kIsApplied, {std::string(m.id)});
      if (!seen) return fail(seen.error());
      if (!seen->empty()) return {};
      const std::string_view script =
          db.backend() == Backend::postgres && !m.postgres.empty() ? m.postgres : m.sqlite;
      if (auto e = c.execute_script(script); !e) {
        Error err = e.error();
        err.message = "migration " + std::string(m.id) + " failed: " + err.message;
        return fail(err);
      }
      auto rec = c.execute(kRecord, {std::string(m.id), clock.now_ms()});
      if (!rec) return fail(rec.error());
      ran = true;
      return {};
    });
    if (!s) return fail(s.error());
    if (ran) {
      report.applied.emplace_back(m.id);
      log::info("migration applied", {{"id", m.id}});
    } else {
      ++report.already_applied;
    }
  }
  return report;
}

Result<std::vector<std::string>> applied_migrations(Database& db) {
  return read_tx(db, [](Connection& c) -> Result<std::vector<std::string>> {
    auto rows = c.query(kList);
    if (!rows) return fail(rows.error());
    std::vector<std::string> ids;
    for (const auto& r : *rows) ids.push_back(r.text(0));
    return ids;
  });
}

}  // namespace stork::store
