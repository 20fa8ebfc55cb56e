#include "store/postgres/postgres_database.hpp"

#include <libpq-fe.h>

#include <charconv>
#include <chrono>
#include <condition_variable>
#include <mutex>
#include <optional>
#include <random>
#include <string_view>
#include <thread>
#include <unordered_map>

namespace stork::store {
namespace {

// Type OIDs from pg_type (catalog/pg_type_d.h is a server header, not part of
// libpq-dev); they are fixed for every PostgreSQL release.
constexpr Oid kBoolOid = 16;
constexpr Oid kInt8Oid = 20;
constexpr Oid kInt2Oid = 21;
constexpr Oid kInt4Oid = 23;
constexpr Oid kOidOid = 26;
constexpr Oid kFloat4Oid = 700;
constexpr Oid kFloat8Oid = 701;
constexpr Oid kNumericOid = 1700;

// A serialization failure or deadlock aborts one transaction so that others
// can proceed; re-running it from BEGIN is the documented remedy.
constexpr int kMaxRetries = 5;

struct ResultDeleter {
  void operator()(PGresult* r) const { PQclear(r); }
};
using PgResult = std::unique_ptr<PGresult, ResultDeleter>;

bool retryable(std::string_view sqlstate) { return sqlstate == "40001" || sqlstate == "40P01"; }

// libpq's messages span several lines; logs want one.
std::string one_line(const char* s) {
  std::string out;
  for (const char* p = s ? s : ""; *p; ++p) {
    const char c = (*p == '\n' || *p == '\t') ? ' ' : *p;
    if (c != ' ' || (!out.empty() && out.back() != ' ')) out += c;
  }
  while (!out.empty() && out.back() == ' ') out.pop_back();
  return out;
}

// Only the primary message goes into the Error: PostgreSQL's DETAIL line
// repeats the offending row ("Key (id_number)=(...)"), and these messages
// end up in logs, where identity numbers must never appear.
Error pg_error(PGconn* conn, const PGresult* res, std::string_view context) {
  const char* state = res ? PQresultErrorField(res, PG_DIAG_SQLSTATE) : nullptr;
  const char* primary = res ? PQresultErrorField(res, PG_DIAG_MESSAGE_PRIMARY) : nullptr;
  const std::string_view code_text = state ? state : "";
  std::string detail =
      std::string(context) + ": " + one_line(primary ? primary : PQerrorMessage(conn));
  if (state) detail += " (SQLSTATE " + std::string(code_text) + ")";

  std::string code = "db_error";
  if (PQstatus(conn) != CONNECTION_OK || code_text.starts_with("08"))
    code = "db_unavailable";
  else if (code_text == "23505")
    code = "unique_violation";
  else if (code_text.starts_with("23"))
    code = "constraint_violation";
  else if (code_text == "55P03" || code_text == "57014" || retryable(code_text))
    code = "db_busy";
  return Error{code, detail, {}};
}

void ignore_notice(void*, const char*) {}

// One libpq connection with its prepared-statement cache. Used by one thread
// at a time (the pool guarantees it). Remembers the first failure of the
// current transaction, because PostgreSQL aborts the whole transaction on
// any error and write() must know whether that failure is worth a retry.
class PgConnection final : public Connection {
 public:
  explicit PgConnection(PGconn* conn) : conn_(conn) {}
  ~PgConnection() override { PQfinish(conn_); }
  PgConnection(const PgConnection&) = delete;
  PgConnection& operator=(const PgConnection&) = delete;

  Result<Rows> query(const Sql& sql, Params params) override {
    auto res = exec_prepared(sql, params);
    if (!res) return fail(res.error());
    PGresult* r = res->get();
    const int rows = PQntuples(r);
    const int columns = PQnfields(r);
    Rows out;
    out.reserve(static_cast<size_t>(rows));
    for (int i = 0; i < rows; ++i) {
      std::vector<Value> values;
      values.reserve(static_cast<size_t>(columns));
      for (int j = 0; j < columns; ++j) values.push_back(column(r, i, j));
      out.emplace_back(std::move(values));
    }
    return out;
  }

  Result<int64_t> execute(const Sql& sql, Params params) override {
    auto res = exec_prepared(sql, params);
    if (!res) return fail(res.error());
    const char* tuples = PQcmdTuples(res->get());  // "" for commands that change no rows
    int64_t changed = 0;
    std::from_chars(tuples, tuples + std::char_traits<char>::length(tuples), changed);
    return changed;
  }

  // PQexec (the simple-query protocol) accepts several ';'-separated
  // statements and stops at the first error.
  Status execute_script(std::string_view script) override {
    return exec_simple(std::string(script).c_str(), "script");
  }

  Status exec_simple(const char* command, std::string_view context) {
    PgResult res(PQexec(conn_, command));
    const ExecStatusType st = res ? PQresultStatus(res.get()) : PGRES_FATAL_ERROR;
    if (st == PGRES_COMMAND_OK || st == PGRES_TUPLES_OK || st == PGRES_EMPTY_QUERY) return {};
    return fail(remember(pg_error(conn_, res.get(), context), res.get()));
  }

  // COMMIT of a transaction that an earlier error aborted "succeeds" with the
  // command tag ROLLBACK; that must surface as the earlier error, or a
  // callback that ignored a failed statement would report a write that never
  // happened.
  Status commit() {
    PgResult res(PQexec(conn_, "COMMIT"));
    if (!res || PQresultStatus(res.get()) != PGRES_COMMAND_OK)
      return fail(remember(pg_error(conn_, res.get(), "COMMIT"), res.get()));
    if (std::string_view(PQcmdStatus(res.get())) != "COMMIT") {
      if (first_error_) return fail(*first_error_);
      return fail(Error{"db_error", "COMMIT: the transaction was aborted and rolled back", {}});
    }
    return {};
  }

  void forget_failures() {
    first_error_.reset();
    first_sqlstate_.clear();
  }
  const std::string& first_sqlstate() const { return first_sqlstate_; }

  bool healthy() const { return PQstatus(conn_) == CONNECTION_OK; }

  // Reconnects with the original parameters. Prepared statements, session
  // settings and failures belong to the old server session, so all go.
  Status reset() {
    prepared_.clear();
    forget_failures();
    PQreset(conn_);
    if (!healthy())
      return fail(Error{"db_unavailable", "reconnect: " + one_line(PQerrorMessage(conn_)), {}});
    return configure();
  }

  // Session setup, on connect and after every reset. NOTICEs (e.g. "relation
  // already exists, skipping") would otherwise go to stderr in every process.
  Status configure() {
    PQsetNoticeProcessor(conn_, ignore_notice, nullptr);
    return exec_simple("SET client_min_messages = warning", "configure");
  }

 private:
  struct Prepared {
    std::string text;  // to catch two statements sharing one name
    int params = 0;
  };

  Result<PgResult> exec_prepared(const Sql& sql, Params params) {
    const std::string name(sql.name);
    auto it = prepared_.find(name);
    if (it == prepared_.end()) {
      auto p = prepare(name, sql);
      if (!p) return fail(p.error());
      it = prepared_.emplace(name, std::move(*p)).first;
    } else if (it->second.text != sql.text) {
      return fail(Error{"db_error", name + ": statement name already used for different SQL", {}});
    }
    // Checked here because the server answers a wrong count with a protocol
    // violation (SQLSTATE 08P01), which would read as an outage.
    if (static_cast<int>(params.size()) != it->second.params)
      return fail(Error{"db_error",
                        name + ": expected " + std::to_string(it->second.params) +
                            " parameters, got " + std::to_string(params.size()),
                        {}});

    // Text format with unspecified types lets the server infer each type from
    // context, so one int64 binds to BIGINT, INTEGER or BOOLEAN ("0"/"1").
    std::vector<std::string> storage;
    storage.reserve(params.size());
    std::vector<const char*> values;
    values.reserve(params.size());
    for (const Value& v : params) {
      if (auto s = std::get_if<std::string>(&v)) {
        values.push_back(s->c_str());
      } else if (std::holds_alternative<std::monostate>(v)) {
        values.push_back(nullptr);
      } else {
        char buf[32];
        // to_chars, unlike printf("%.17g"), ignores the C locale's decimal point.
        const auto r = std::holds_alternative<int64_t>(v)
                           ? std::to_chars(buf, buf + sizeof buf, std::get<int64_t>(v))
                           : std::to_chars(buf, buf + sizeof buf, std::get<double>(v),
                                           std::chars_format::general, 17);
        storage.emplace_back(buf, r.ptr);
        values.push_back(storage.back().c_str());
      }
    }
    PgResult res(PQexecPrepared(conn_, name.c_str(), static_cast<int>(values.size()), values.data(),
                                nullptr, nullptr, 0));
    const ExecStatusType st = res ? PQresultStatus(res.get()) : PGRES_FATAL_ERROR;
    if (st != PGRES_TUPLES_OK && st != PGRES_COMMAND_OK && st != PGRES_EMPTY_QUERY)
      return fail(remember(pg_error(conn_, res.get(), sql.name), res.get()));
    return res;
  }

  // Prepared once per connection and name; the description gives the
  // parameter count for the check above (one extra round trip, once).
  Result<Prepared> prepare(const std::string& name, const Sql& sql) {
    Prepared p{std::string(sql.text), 0};
    PgResult res(PQprepare(conn_, name.c_str(), p.text.c_str(), 0, nullptr));
    if (!res || PQresultStatus(res.get()) != PGRES_COMMAND_OK)
      return fail(remember(pg_error(conn_, res.get(), sql.name), res.get()));
    PgResult desc(PQdescribePrepared(conn_, name.c_str()));
    if (!desc || PQresultStatus(desc.get()) != PGRES_COMMAND_OK)
      return fail(remember(pg_error(conn_, desc.get(), sql.name), desc.get()));
    p.params = PQnparams(desc.get());
    return p;
  }

  static Value column(const PGresult* r, int row, int col) {
    if (PQgetisnull(r, row, col)) return std::monostate{};
    const char* s = PQgetvalue(r, row, col);
    const size_t n = static_cast<size_t>(PQgetlength(r, row, col));
    switch (PQftype(r, col)) {
      case kInt2Oid:
      case kInt4Oid:
      case kInt8Oid:
      case kOidOid: {
        int64_t i = 0;
        std::from_chars(s, s + n, i);
        return i;
      }
      case kBoolOid:
        return static_cast<int64_t>(n > 0 && s[0] == 't');
      case kFloat4Oid:
      case kFloat8Oid:
      case kNumericOid: {
        // from_chars reads "NaN", "Infinity" and "-Infinity" as well.
        double d = 0;
        std::from_chars(s, s + n, d);
        return d;
      }
      default:
        return std::string(s, n);
    }
  }

  Error remember(Error e, const PGresult* res) {
    if (!first_error_) {
      first_error_ = e;
      const char* state = res ? PQresultErrorField(res, PG_DIAG_SQLSTATE) : nullptr;
      first_sqlstate_ = state ? state : "";
    }
    return e;
  }

  PGconn* conn_;
  std::unordered_map<std::string, Prepared> prepared_;
  std::optional<Error> first_error_;
  std::string first_sqlstate_;
};

Result<std::unique_ptr<PgConnection>> connect(const std::string& conninfo,
                                              const PostgresOptions& options) {
  // Keywords before "dbname" are defaults that the URL may override.
  const std::string timeout = std::to_string(options.connect_timeout_s);
  const char* keywords[] = {"connect_timeout", "application_name", "dbname", nullptr};
  const char* values[] = {timeout.c_str(), "stork", conninfo.c_str(), nullptr};
  PGconn* raw = PQconnectdbParams(keywords, values, /*expand_dbname=*/1);
  if (!raw) return fail(Error{"db_unavailable", "connect: out of memory", {}});
  auto conn = std::make_unique<PgConnection>(raw);
  // The message names host and port but never the password.
  if (!conn->healthy())
    return fail(Error{"db_unavailable", "connect: " + one_line(PQerrorMessage(raw)), {}});
  if (auto s = conn->configure(); !s) return fail(s.error());
  return conn;
}

class PostgresDatabase final : public Database {
 public:
  explicit PostgresDatabase(std::vector<std::unique_ptr<PgConnection>> connections)
      : all_(std::move(connections)) {
    for (auto& c : all_) free_.push_back(c.get());
  }

  Backend backend() const override { return Backend::postgres; }

  // READ COMMITTED: a conditional UPDATE re-checks its WHERE clause on the
  // latest committed row after waiting for a lock, which is what keeps a
  // "taken < capacity" guard exact under concurrency.
  Status write(const std::function<Status(Connection&)>& fn) override {
    Lease lease(*this);
    for (int attempt = 0;; ++attempt) {
      auto s = in_transaction(lease.conn(), "BEGIN", fn);
      if (s || attempt == kMaxRetries || !retryable(lease.conn().first_sqlstate())) return s;
      backoff(attempt);
    }
  }

  Status read(const std::function<Status(Connection&)>& fn) override {
    Lease lease(*this);
    return in_transaction(lease.conn(), "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY", fn);
  }

  Status ping() override {
    Lease lease(*this);
    return with_reconnect(lease.conn(), "SELECT 1");
  }

  PoolStats stats() const override {
    std::lock_guard lock(mutex_);
    PoolStats s;
    s.connections = static_cast<int>(all_.size());
    s.in_use = static_cast<int>(all_.size() - free_.size());
    s.waits = waits_;
    return s;
  }

 private:
  // Borrows a connection for one scope and gives it back even when the
  // callback throws.
  class Lease {
   public:
    explicit Lease(PostgresDatabase& db) : db_(db), conn_(db.acquire()) {}
    ~Lease() { db_.release(conn_); }
    Lease(const Lease&) = delete;
    Lease& operator=(const Lease&) = delete;
    PgConnection& conn() { return *conn_; }

   private:
    PostgresDatabase& db_;
    PgConnection* conn_;
  };

  PgConnection* acquire() {
    std::unique_lock lock(mutex_);
    if (free_.empty()) {
      ++waits_;
      available_.wait(lock, [&] { return !free_.empty(); });
    }
    PgConnection* c = free_.back();
    free_.pop_back();
    return c;
  }

  void release(PgConnection* c) {
    {
      std::lock_guard lock(mutex_);
      free_.push_back(c);
    }
    available_.notify_one();
  }

  // An immediate retry can take its first row lock again before the
  // transaction it deadlocked with has woken up, and deadlock with it once
  // more; a short random pause, doubling each time, lets the winner finish.
  static void backoff(int attempt) {
    thread_local std::minstd_rand random{std::random_device{}()};
    const int ms =
        (1 << attempt) + static_cast<int>(random() % static_cast<unsigned>(1 << attempt));
    std::this_thread::sleep_for(std::chrono::milliseconds(ms));
  }

  // Runs a statement that starts a scope. A connection broken earlier, or one
  // whose server restarted since its last use (libpq only notices on the next
  // round trip), is reconnected once: nothing has run yet, so it is safe.
  static Status with_reconnect(PgConnection& conn, const char* command) {
    if (!conn.healthy()) {
      if (auto r = conn.reset(); !r) return r;
    }
    auto s = conn.exec_simple(command, command);
    if (s || conn.healthy()) return s;
    if (auto r = conn.reset(); !r) return r;
    return conn.exec_simple(command, command);
  }

  static Status in_transaction(PgConnection& conn, const char* begin,
                               const std::function<Status(Connection&)>& fn) {
    conn.forget_failures();
    if (auto s = with_reconnect(conn, begin); !s) return s;
    Status result;
    try {
      result = fn(conn);
    } catch (...) {
      (void)conn.exec_simple("ROLLBACK", "ROLLBACK");
      throw;
    }
    if (!result) {
      (void)conn.exec_simple("ROLLBACK", "ROLLBACK");
      return result;
    }
    if (auto s = conn.commit(); !s) {
      (void)conn.exec_simple("ROLLBACK", "ROLLBACK");  // no-op unless COMMIT never arrived
      return s;
    }
    return {};
  }

  mutable std::mutex mutex_;  // guards free_ and waits_
  std::condition_variable available_;
  std::vector<std::unique_ptr<PgConnection>> all_;
  std::vector<PgConnection*> free_;
  int64_t waits_ = 0;
};

}  // namespace

Result<std::unique_ptr<Database>> open_postgres(const std::string& conninfo,
                                                PostgresOptions options) {
  if (options.pool_size < 1) return fail(Error{"db_error", "pool_size must be at least 1", {}});
  std::vector<std::unique_ptr<PgConnection>> connections;
  for (int i = 0; i < options.pool_size; ++i) {
    auto c = connect(conninfo, options);
    if (!c) return fail(c.error());
    connections.push_back(std::move(*c));
  }
  return std::unique_ptr<Database>(new PostgresDatabase(std::move(connections)));
}

}  // namespace stork::store
