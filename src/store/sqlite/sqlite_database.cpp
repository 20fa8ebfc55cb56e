#include "store/sqlite/sqlite_database.hpp"

#include <sqlite3.h>

#include <condition_variable>
#include <exception>
#include <filesystem>
#include <mutex>
#include <unordered_map>

#include "core/log.hpp"
#include "store/sql_params.hpp"

namespace stork::store {
namespace {

// Runs a function when the scope ends, however it ends.
template <class F>
class ScopeExit {
 public:
  explicit ScopeExit(F f) : f_(std::move(f)) {}
  ~ScopeExit() { f_(); }
  ScopeExit(const ScopeExit&) = delete;
  ScopeExit& operator=(const ScopeExit&) = delete;

 private:
  F f_;
};

Error sqlite_error(sqlite3* db, int rc, std::string_view context) {
  const int ext = db ? sqlite3_extended_errcode(db) : rc;
  std::string detail = std::string(context) + ": " + (db ? sqlite3_errmsg(db) : sqlite3_errstr(rc));
  if (ext == SQLITE_CONSTRAINT_UNIQUE || ext == SQLITE_CONSTRAINT_PRIMARYKEY)
    return Error{"unique_violation", detail, {}};
  if ((rc & 0xff) == SQLITE_CONSTRAINT) return Error{"constraint_violation", detail, {}};
  if ((rc & 0xff) == SQLITE_BUSY || (rc & 0xff) == SQLITE_LOCKED) return Error{"db_busy", detail, {}};
  if ((rc & 0xff) == SQLITE_CANTOPEN) return Error{"db_unavailable", detail, {}};
  return Error{"db_error", detail, {}};
}

// One sqlite3 handle with its prepared-statement cache. Used by one thread at
// a time (the pool guarantees it).
class SqliteConnection final : public Connection {
 public:
  explicit SqliteConnection(sqlite3* db) : db_(db) {}
  // False once SQLite has rolled the transaction back on its own (I/O
  // error, disk full): statements would then run outside any transaction.
  bool in_transaction() const { return sqlite3_get_autocommit(db_) == 0; }
  ~SqliteConnection() override {
    for (auto& [_, stmt] : cache_) sqlite3_finalize(stmt);
    sqlite3_close_v2(db_);
  }
  SqliteConnection(const SqliteConnection&) = delete;
  SqliteConnection& operator=(const SqliteConnection&) = delete;

  Result<Rows> query(const Sql& sql, Params params) override {
    auto stmt = prepare(sql, params);
    if (!stmt) return fail(stmt.error());
    Rows rows;
    const int columns = sqlite3_column_count(*stmt);
    for (;;) {
      const int rc = sqlite3_step(*stmt);
      if (rc == SQLITE_DONE) break;
      if (rc != SQLITE_ROW) {
        auto e = sqlite_error(db_, rc, sql.name);
        sqlite3_reset(*stmt);
        return fail(e);
      }
      std::vector<Value> values;
      values.reserve(columns);
      for (int i = 0; i < columns; ++i) values.push_back(column(*stmt, i));
      rows.emplace_back(std::move(values));
    }
    sqlite3_reset(*stmt);
    return rows;
  }

  Result<int64_t> execute(const Sql& sql, Params params) override {
    auto stmt = prepare(sql, params);
    if (!stmt) return fail(stmt.error());
    int rc;
    while ((rc = sqlite3_step(*stmt)) == SQLITE_ROW) {
    }
    if (rc != SQLITE_DONE) {
      auto e = sqlite_error(db_, rc, sql.name);
      sqlite3_reset(*stmt);
      return fail(e);
    }
    sqlite3_reset(*stmt);
    return static_cast<int64_t>(sqlite3_changes64(db_));
  }

  Status execute_script(std::string_view script) override {
    char* message = nullptr;
    const std::string text(script);
    const int rc = sqlite3_exec(db_, text.c_str(), nullptr, nullptr, &message);
    if (rc != SQLITE_OK) {
      Error e = sqlite_error(db_, rc, "script");
      if (message) sqlite3_free(message);
      return fail(e);
    }
    return {};
  }

  sqlite3* handle() { return db_; }

 private:
  Result<sqlite3_stmt*> prepare(const Sql& sql, Params params) {
    sqlite3_stmt* stmt = nullptr;
    const std::string key(sql.name);
    if (auto it = cache_.find(key); it != cache_.end()) {
      stmt = it->second;
    } else {
      const std::string text = to_sqlite_params(sql.text);
      const int rc = sqlite3_prepare_v3(db_, text.c_str(), static_cast<int>(text.size()),
                                        SQLITE_PREPARE_PERSISTENT, &stmt, nullptr);
      if (rc != SQLITE_OK) return fail(sqlite_error(db_, rc, sql.name));
      cache_.emplace(key, stmt);
    }
    sqlite3_clear_bindings(stmt);
    if (static_cast<int>(params.size()) != sqlite3_bind_parameter_count(stmt))
      return fail(Error{"db_error",
                        std::string(sql.name) + ": expected " +
                            std::to_string(sqlite3_bind_parameter_count(stmt)) + " parameters, got " +
                            std::to_string(params.size()),
                        {}});
    int index = 1;
    for (const Value& v : params) {
      int rc = SQLITE_OK;
      if (auto i = std::get_if<int64_t>(&v)) rc = sqlite3_bind_int64(stmt, index, *i);
      else if (auto d = std::get_if<double>(&v)) rc = sqlite3_bind_double(stmt, index, *d);
      else if (auto s = std::get_if<std::string>(&v))
        rc = sqlite3_bind_text(stmt, index, s->data(), static_cast<int>(s->size()), SQLITE_TRANSIENT);
      else rc = sqlite3_bind_null(stmt, index);
      if (rc != SQLITE_OK) return fail(sqlite_error(db_, rc, sql.name));
      ++index;
    }
    return stmt;
  }

  static Value column(sqlite3_stmt* stmt, int i) {
    switch (sqlite3_column_type(stmt, i)) {
      case SQLITE_INTEGER: return static_cast<int64_t>(sqlite3_column_int64(stmt, i));
      case SQLITE_FLOAT: return sqlite3_column_double(stmt, i);
      case SQLITE_NULL: return std::monostate{};
      default: {
        const auto* p = reinterpret_cast<const char*>(sqlite3_column_text(stmt, i));
        return std::string(p, static_cast<size_t>(sqlite3_column_bytes(stmt, i)));
      }
    }
  }

  sqlite3* db_;
  std::unordered_map<std::string, sqlite3_stmt*> cache_;
};

Result<std::unique_ptr<SqliteConnection>> connect(const std::string& path, bool writer,
                                                  const SqliteOptions& options) {
  sqlite3* db = nullptr;
  const int flags = SQLITE_OPEN_FULLMUTEX | (writer ? SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE
                                                    : SQLITE_OPEN_READONLY);
  const int rc = sqlite3_open_v2(path.c_str(), &db, flags, nullptr);
  if (rc != SQLITE_OK) {
    Error e = sqlite_error(db, rc, "open " + path);
    e.code = "db_unavailable";
    sqlite3_close_v2(db);
    return fail(e);
  }
  auto conn = std::make_unique<SqliteConnection>(db);
  sqlite3_busy_timeout(db, options.busy_timeout_ms);
  std::string pragmas = "PRAGMA foreign_keys=ON;";
  if (writer) pragmas += "PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL;";
  if (auto s = conn->execute_script(pragmas); !s) return fail(s.error());
  return conn;
}

class SqliteDatabase final : public Database {
 public:
  SqliteDatabase(std::unique_ptr<SqliteConnection> writer,
                 std::vector<std::unique_ptr<SqliteConnection>> readers)
      : writer_(std::move(writer)), all_readers_(std::move(readers)) {
    for (auto& r : all_readers_) free_readers_.push_back(r.get());
  }

  Backend backend() const override { return Backend::sqlite; }

  // Group commit: a caller queues its work, then whoever holds the writer
  // runs every queued piece in one transaction, each in its own savepoint
  // (a failing piece rolls back alone), and commits once. While one commit
  // waits for the disk the next batch gathers, so under load many writes
  // share one fsync; alone, a write commits at once. Each caller returns
  // only after the commit that holds its work is durable.
  Status write(const std::function<Status(Connection&)>& fn) override {
    PendingWrite me{&fn};
    {
      std::lock_guard lock(queue_mutex_);
      queue_.push_back(&me);
    }
    std::unique_lock lock(writer_mutex_);
    {
      std::lock_guard q(queue_mutex_);
      if (me.done) return finish(me);
    }
    ++writers_in_use_;
    ScopeExit done([&] { --writers_in_use_; });
    std::vector<PendingWrite*> batch;
    {
      std::lock_guard q(queue_mutex_);
      batch.swap(queue_);
    }
    // Every piece of the batch is answered, even if running it throws
    // (pieces' own exceptions are caught inside; this is for the rest).
    ScopeExit answered([&] {
      std::lock_guard q(queue_mutex_);
      for (auto* p : batch)
        if (!p->done) {
          if (!p->thrown && p->result && !p->ran)
            p->result = fail(Error{"db_error", "the write batch failed before this write ran", {}});
          p->done = true;
        }
    });
    run_batch(batch);
    batches_.fetch_add(1);
    batched_writes_.fetch_add(static_cast<int64_t>(batch.size()));
    return finish(me);
  }

  Status read(const std::function<Status(Connection&)>& fn) override {
    SqliteConnection* conn = nullptr;
    {
      std::unique_lock lock(readers_mutex_);
      if (free_readers_.empty()) {
        ++waits_;
        readers_free_.wait(lock, [&] { return !free_readers_.empty(); });
      }
      conn = free_readers_.back();
      free_readers_.pop_back();
    }
    ScopeExit give_back([&] {  // also when fn throws
      {
        std::lock_guard lock(readers_mutex_);
        free_readers_.push_back(conn);
      }
      readers_free_.notify_one();
    });
    return in_transaction(*conn, "BEGIN", fn);
  }

  Status ping() override {
    return read([](Connection& c) -> Status {
      static constexpr Sql kPing{"ping", "SELECT 1"};
      auto r = c.query(kPing);
      if (!r) return fail(r.error());
      return {};
    });
  }

  PoolStats stats() const override {
    std::lock_guard lock(readers_mutex_);
    PoolStats s;
    s.connections = static_cast<int>(all_readers_.size()) + 1;
    s.in_use = static_cast<int>(all_readers_.size() - free_readers_.size()) + writers_in_use_.load();
    s.waits = waits_;
    s.write_commits = batches_.load();
    s.writes = batched_writes_.load();
    return s;
  }

 private:
  static Status in_transaction(SqliteConnection& conn, const char* begin,
                               const std::function<Status(Connection&)>& fn) {
    if (auto s = conn.execute_script(begin); !s) return s;
    Status result;
    try {
      result = fn(conn);
    } catch (...) {
      (void)conn.execute_script("ROLLBACK");
      throw;
    }
    if (!result) {
      (void)conn.execute_script("ROLLBACK");
      return result;
    }
    if (auto s = conn.execute_script("COMMIT"); !s) {
      (void)conn.execute_script("ROLLBACK");
      return s;
    }
    return {};
  }

  struct PendingWrite {
    const std::function<Status(Connection&)>* fn;
    Status result;
    std::exception_ptr thrown;
    bool ran = false;   // its function was called
    bool done = false;  // guarded by queue_mutex_
  };

  static Status finish(PendingWrite& p) {
    if (p.thrown) std::rethrow_exception(p.thrown);
    return p.result;
  }

  // Runs the batch in as few transactions as possible. A piece that fails
  // is rolled back to its savepoint; if SQLite drops the whole transaction
  // (an I/O error), the pieces already run in it fail too and the rest
  // continue in a new one.
  void run_batch(const std::vector<PendingWrite*>& batch) {
    size_t next = 0;
    while (next < batch.size()) {
      const size_t first = next;
      if (auto s = writer_->execute_script("BEGIN IMMEDIATE"); !s) {
        for (size_t i = next; i < batch.size(); ++i) batch[i]->result = s;
        return;
      }
      bool lost = false;
      for (; next < batch.size() && !lost; ++next) {
        PendingWrite& p = *batch[next];
        if (auto s = writer_->execute_script("SAVEPOINT piece"); !s) {
          p.result = s;
          lost = !writer_->in_transaction();
          continue;
        }
        p.ran = true;
        try {
          p.result = (*p.fn)(*writer_);
        } catch (...) {
          p.thrown = std::current_exception();
          p.result = fail(Error{"db_error", "the write threw", {}});
        }
        if (!writer_->in_transaction()) {
          lost = true;
        } else if (p.result) {
          (void)writer_->execute_script("RELEASE piece");
        } else {
          (void)writer_->execute_script("ROLLBACK TO piece; RELEASE piece");
        }
      }
      if (lost) {
        const Error e{"db_error", "the transaction was rolled back by the database; retry", {}};
        for (size_t i = first; i < next; ++i)
          if (batch[i]->result) batch[i]->result = fail(e);
        (void)writer_->execute_script("ROLLBACK");
        continue;
      }
      if (auto s = writer_->execute_script("COMMIT"); !s) {
        (void)writer_->execute_script("ROLLBACK");
        for (size_t i = first; i < next; ++i)
          if (batch[i]->result) batch[i]->result = s;
      }
    }
  }

  std::mutex queue_mutex_;  // guards queue_ and PendingWrite::done
  std::vector<PendingWrite*> queue_;
  std::atomic<int64_t> batches_{0}, batched_writes_{0};
  std::mutex writer_mutex_;  // held by the leader running a batch on writer_
  std::unique_ptr<SqliteConnection> writer_;
  std::atomic<int> writers_in_use_{0};

  mutable std::mutex readers_mutex_;  // guards free_readers_ and waits_
  std::condition_variable readers_free_;
  std::vector<std::unique_ptr<SqliteConnection>> all_readers_;
  std::vector<SqliteConnection*> free_readers_;
  int64_t waits_ = 0;
};

}  // namespace

Result<std::unique_ptr<Database>> open_sqlite(const std::string& path, SqliteOptions options) {
  const auto dir = std::filesystem::path(path).parent_path();
  std::error_code ec;
  if (!dir.empty()) std::filesystem::create_directories(dir, ec);
  auto writer = connect(path, true, options);
  if (!writer) return fail(writer.error());
  std::vector<std::unique_ptr<SqliteConnection>> readers;
  for (int i = 0; i < options.readers; ++i) {
    auto r = connect(path, false, options);
    if (!r) return fail(r.error());
    readers.push_back(std::move(*r));
  }
  return std::unique_ptr<Database>(new SqliteDatabase(std::move(*writer), std::move(readers)));
}

}  // namespace stork::store
