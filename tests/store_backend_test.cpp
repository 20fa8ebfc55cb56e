// The storage contract, checked identically on every backend: values
// round-trip unchanged, errors carry stable codes, transactions are atomic,
// migrations run once, and concurrent writers never overbook.
#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <limits>
#include <mutex>
#include <stdexcept>
#include <thread>
#include <vector>

#include "core/clock.hpp"
#include "core/log.hpp"
#include "store/database.hpp"
#include "store/migrations.hpp"
#include "support/test_database.hpp"

namespace stork {
namespace {

using store::Backend;
using store::Connection;
using store::Migration;
using store::Sql;
using store::Value;

// Auto-increment ids are the one place where the two dialects differ.
constexpr Migration kSchema[] = {
    {"test/0001_vals",
     "CREATE TABLE vals (id INTEGER PRIMARY KEY, i BIGINT, d DOUBLE PRECISION, t TEXT, b BOOLEAN)",
     "CREATE TABLE vals (id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,"
     " i BIGINT, d DOUBLE PRECISION, t TEXT, b BOOLEAN)"},
    {"test/0002_people",
     "CREATE TABLE people (name TEXT NOT NULL UNIQUE, age BIGINT CHECK (age >= 0))", ""},
    {"test/0003_seats",
     "CREATE TABLE seats (id BIGINT PRIMARY KEY, taken BIGINT NOT NULL, capacity BIGINT NOT NULL);"
     "CREATE TABLE bookings (seat_id BIGINT NOT NULL, who BIGINT NOT NULL)",
     ""},
};

constexpr Sql kInsertVal{"test_insert_val",
                         "INSERT INTO vals (i, d, t, b) VALUES ($1, $2, $3, $4) RETURNING id"};
constexpr Sql kSelectVal{"test_select_val", "SELECT i, d, t, b FROM vals WHERE id = $1"};
constexpr Sql kCountVals{"test_count_vals", "SELECT COUNT(*) FROM vals"};
constexpr Sql kCountTrue{"test_count_true", "SELECT COUNT(*) FROM vals WHERE b = $1"};
constexpr Sql kUpdateAllVals{"test_update_all_vals", "UPDATE vals SET i = i + 1"};
constexpr Sql kDeleteNone{"test_delete_none", "DELETE FROM vals WHERE id < 0"};
constexpr Sql kInsertPerson{"test_insert_person", "INSERT INTO people (name, age) VALUES ($1, $2)"};
constexpr Sql kCountPeople{"test_count_people", "SELECT COUNT(*) FROM people"};
constexpr Sql kBroken{"test_broken_statement", "SELEC 1"};
constexpr Sql kInsertSeat{"test_insert_seat",
                          "INSERT INTO seats (id, taken, capacity) VALUES ($1, 0, $2)"};
constexpr Sql kTakeSeat{"test_take_seat",
                        "UPDATE seats SET taken = taken + 1 WHERE id = $1 AND taken < capacity"};
constexpr Sql kBook{"test_book", "INSERT INTO bookings (seat_id, who) VALUES ($1, $2)"};
constexpr Sql kSeatTaken{"test_seat_taken", "SELECT taken FROM seats WHERE id = $1"};
constexpr Sql kCountBookings{"test_count_bookings",
                             "SELECT COUNT(*) FROM bookings WHERE seat_id = $1"};

class StoreBackend : public ::testing::TestWithParam<Backend> {
 protected:
  void SetUp() override {
    log::set_enabled(false);
    db_ = testing::fresh_database(GetParam());
    ASSERT_NE(db_, nullptr);
    auto report = store::migrate(*db_, kSchema, clock_);
    ASSERT_TRUE(report) << report.error().message;
  }

  store::Database& db() { return *db_; }

  int64_t count(const Sql& sql, store::Params params = {}) {
    auto n = read_tx(db(), [&](Connection& c) -> Result<int64_t> {
      auto rows = c.query(sql, params);
      if (!rows) return fail(rows.error());
      return rows->at(0).integer(0);
    });
    EXPECT_TRUE(n) << n.error().message;
    return n.value_or(-1);
  }

  Result<int64_t> insert_val(Value i, Value d, Value t, Value b) {
    return write_tx(db(), [&](Connection& c) -> Result<int64_t> {
      auto rows = c.query(kInsertVal, {i, d, t, b});
      if (!rows) return fail(rows.error());
      return rows->at(0).integer(0);
    });
  }

  Result<store::Row> select_val(int64_t id) {
    return read_tx(db(), [&](Connection& c) -> Result<store::Row> {
      auto rows = c.query(kSelectVal, {id});
      if (!rows) return fail(rows.error());
      if (rows->size() != 1) return fail(Error::not_found("vals row"));
      return rows->front();
    });
  }

  ManualClock clock_{1'700'000'000'000};
  std::unique_ptr<store::Database> db_;
};

TEST_P(StoreBackend, RoundTripsIntegersIncludingTheExtremes) {
  for (int64_t n : {std::numeric_limits<int64_t>::min(), std::numeric_limits<int64_t>::max(),
                    int64_t{-1}, int64_t{0}, int64_t{42}, int64_t{-9'007'199'254'740'993}}) {
    auto id = insert_val(n, Value{}, Value{}, Value{});
    ASSERT_TRUE(id) << id.error().message;
    auto row = select_val(*id);
    ASSERT_TRUE(row) << row.error().message;
    EXPECT_EQ(row->integer(0), n);
    EXPECT_TRUE(std::holds_alternative<int64_t>(row->value(0)));
  }
}

TEST_P(StoreBackend, RoundTripsDoublesExactly) {
  for (double d : {0.1, 1.0 / 3.0, -2.5e-300, 1e300, 0.0, -123456.789, 9007199254740993.0}) {
    auto id = insert_val(Value{}, d, Value{}, Value{});
    ASSERT_TRUE(id) << id.error().message;
    auto row = select_val(*id);
    ASSERT_TRUE(row) << row.error().message;
    EXPECT_EQ(row->real(1), d);
    EXPECT_TRUE(std::holds_alternative<double>(row->value(1)));
  }
}

TEST_P(StoreBackend, StoresTextThatLooksLikeSqlVerbatim) {
  const std::string texts[] = {
      "患者'); DROP TABLE vals; --",
      "O'Brien said \"hello\"; SELECT $1, ?1 -- not a parameter",
      "孕妇 王小明 / 儿童 李乐乐 ☺",
      "",
  };
  for (const auto& text : texts) {
    auto id = insert_val(Value{}, Value{}, text, Value{});
    ASSERT_TRUE(id) << id.error().message;
    auto row = select_val(*id);
    ASSERT_TRUE(row) << row.error().message;
    EXPECT_FALSE(row->is_null(2)) << "an empty string must not turn into NULL";
    EXPECT_EQ(row->text(2), text);
  }
  EXPECT_EQ(count(kCountVals), 4);
}

TEST_P(StoreBackend, RoundTripsNullInEveryColumnType) {
  auto id = insert_val(Value{}, store::nullable(std::optional<double>{}), store::null_if_empty(""),
                       Value{});
  ASSERT_TRUE(id) << id.error().message;
  auto row = select_val(*id);
  ASSERT_TRUE(row) << row.error().message;
  for (size_t i = 0; i < 4; ++i) EXPECT_TRUE(row->is_null(i)) << "column " << i;
  EXPECT_EQ(row->opt_integer(0), std::nullopt);
  EXPECT_EQ(row->opt_text(2), std::nullopt);
}

TEST_P(StoreBackend, StoresBooleansAsZeroOrOne) {
  ASSERT_TRUE(insert_val(Value{}, Value{}, Value{}, int64_t{1}));
  ASSERT_TRUE(insert_val(Value{}, Value{}, Value{}, int64_t{0}));
  auto id = insert_val(Value{}, Value{}, Value{}, int64_t{1});
  ASSERT_TRUE(id);
  auto row = select_val(*id);
  ASSERT_TRUE(row);
  EXPECT_TRUE(row->boolean(3));
  EXPECT_EQ(row->integer(3), 1);
  EXPECT_EQ(count(kCountTrue, {int64_t{1}}), 2);
  EXPECT_EQ(count(kCountTrue, {int64_t{0}}), 1);
}

TEST_P(StoreBackend, ReportsADuplicateKeyAsUniqueViolation) {
  ASSERT_TRUE(db().write([](Connection& c) -> Status {
    auto r = c.execute(kInsertPerson, {std::string("Li Lei"), int64_t{30}});
    if (!r) return fail(r.error());
    return {};
  }));
  auto s = db().write([](Connection& c) -> Status {
    auto r = c.execute(kInsertPerson, {std::string("Li Lei"), int64_t{31}});
    if (!r) return fail(r.error());
    return {};
  });
  ASSERT_FALSE(s);
  EXPECT_EQ(s.error().code, "unique_violation");
  EXPECT_NE(s.error().message.find(kInsertPerson.name), std::string::npos) << s.error().message;
  EXPECT_EQ(count(kCountPeople), 1);
}

TEST_P(StoreBackend, ReportsOtherRefusedRowsAsConstraintViolation) {
  for (const Value& age : {Value{int64_t{-1}}, Value{}}) {
    const Value name =
        std::holds_alternative<int64_t>(age) ? Value{std::string("negative age")} : Value{};
    auto s = db().write([&](Connection& c) -> Status {
      auto r = c.execute(kInsertPerson, {name, age});
      if (!r) return fail(r.error());
      return {};
    });
    ASSERT_FALSE(s);
    EXPECT_EQ(s.error().code, "constraint_violation") << s.error().message;
  }
  EXPECT_EQ(count(kCountPeople), 0);
}

TEST_P(StoreBackend, NamesTheFailingStatementInTheError) {
  auto s = db().read([](Connection& c) -> Status {
    auto r = c.query(kBroken);
    if (!r) return fail(r.error());
    return {};
  });
  ASSERT_FALSE(s);
  EXPECT_EQ(s.error().code, "db_error");
  EXPECT_NE(s.error().message.find("test_broken_statement"), std::string::npos)
      << s.error().message;
}

TEST_P(StoreBackend, RefusesTheWrongNumberOfParameters) {
  auto s = db().write([](Connection& c) -> Status {
    auto r = c.execute(kInsertPerson, {std::string("only a name")});
    if (!r) return fail(r.error());
    return {};
  });
  ASSERT_FALSE(s);
  EXPECT_EQ(s.error().code, "db_error");
  EXPECT_TRUE(db().ping()) << "the connection stays usable";
}

TEST_P(StoreBackend, ReportsTheNumberOfRowsChanged) {
  for (int i = 0; i < 3; ++i) ASSERT_TRUE(insert_val(int64_t{i}, Value{}, Value{}, Value{}));
  auto changed = write_tx(db(), [](Connection& c) -> Result<std::pair<int64_t, int64_t>> {
    auto updated = c.execute(kUpdateAllVals);
    if (!updated) return fail(updated.error());
    auto deleted = c.execute(kDeleteNone);
    if (!deleted) return fail(deleted.error());
    return std::pair{*updated, *deleted};
  });
  ASSERT_TRUE(changed) << changed.error().message;
  EXPECT_EQ(changed->first, 3);
  EXPECT_EQ(changed->second, 0);
}

TEST_P(StoreBackend, RollsBackWhenTheCallbackFails) {
  auto s = db().write([](Connection& c) -> Status {
    for (const char* name : {"first", "second"}) {
      auto r = c.execute(kInsertPerson, {std::string(name), int64_t{1}});
      if (!r) return fail(r.error());
    }
    return fail(Error::conflict("slot_full", "the callback changed its mind"));
  });
  ASSERT_FALSE(s);
  EXPECT_EQ(s.error().code, "slot_full") << "the callback's own error comes back unchanged";
  EXPECT_EQ(count(kCountPeople), 0);
}

TEST_P(StoreBackend, RollsBackWhenTheCallbackThrows) {
  EXPECT_THROW((void)db().write([](Connection& c) -> Status {
    auto r = c.execute(kInsertPerson, {std::string("thrower"), int64_t{1}});
    if (!r) return fail(r.error());
    throw std::runtime_error("bug in the callback");
  }),
               std::runtime_error);
  EXPECT_EQ(count(kCountPeople), 0);
  ASSERT_TRUE(db().write([](Connection& c) -> Status {
    auto r = c.execute(kInsertPerson, {std::string("after the throw"), int64_t{1}});
    if (!r) return fail(r.error());
    return {};
  })) << "the database stays usable";
  EXPECT_EQ(count(kCountPeople), 1);
}

// Disabled until the SQLite backend gives its connection back when a
// callback throws: today read() loses a reader each time (the fifth such
// read() on a default pool then waits forever) and write() its in_use count.
TEST_P(StoreBackend, GivesTheConnectionBackWhenTheCallbackThrows) {
  EXPECT_THROW((void)db().read([](Connection&) -> Status { throw std::runtime_error("bug"); }),
               std::runtime_error);
  EXPECT_THROW((void)db().write([](Connection&) -> Status { throw std::runtime_error("bug"); }),
               std::runtime_error);
  EXPECT_EQ(db().stats().in_use, 0);
  EXPECT_TRUE(db().ping());
}

// On PostgreSQL an error aborts the whole transaction and its COMMIT quietly
// rolls back; on SQLite only the failed statement is undone. Either way a
// write that reports success must have kept what the callback wrote.
TEST_P(StoreBackend, NeverReportsSuccessForWritesThatWereNotCommitted) {
  auto s = db().write([](Connection& c) -> Status {
    (void)c.execute(kInsertPerson, {std::string("twin"), int64_t{1}});
    (void)c.execute(kInsertPerson, {std::string("twin"), int64_t{1}});  // duplicate, ignored
    (void)c.execute(kInsertPerson, {std::string("after"), int64_t{1}});
    return {};
  });
  if (s) {
    EXPECT_EQ(count(kCountPeople), 2);
  } else {
    EXPECT_EQ(count(kCountPeople), 0);
    EXPECT_EQ(s.error().code, "unique_violation") << s.error().message;
  }
}

TEST_P(StoreBackend, ReturnsTheCallbackValueFromWriteTxAndReadTx) {
  auto id = write_tx(db(), [](Connection& c) -> Result<int64_t> {
    auto rows = c.query(kInsertVal, {int64_t{7}, 2.5, std::string("x"), int64_t{0}});
    if (!rows) return fail(rows.error());
    return rows->at(0).integer(0);
  });
  ASSERT_TRUE(id) << id.error().message;
  EXPECT_GT(*id, 0);

  auto text = read_tx(db(), [&](Connection& c) -> Result<std::string> {
    auto rows = c.query(kSelectVal, {*id});
    if (!rows) return fail(rows.error());
    return rows->at(0).text(2);
  });
  ASSERT_TRUE(text) << text.error().message;
  EXPECT_EQ(*text, "x");

  auto failed =
      write_tx(db(), [](Connection&) -> Result<int64_t> { return fail(Error::not_found("x")); });
  ASSERT_FALSE(failed);
  EXPECT_EQ(failed.error().code, Error::not_found("x").code);
}

TEST_P(StoreBackend, AppliesEachMigrationOnlyOnce) {
  auto again = store::migrate(db(), kSchema, clock_);
  ASSERT_TRUE(again) << again.error().message;
  EXPECT_TRUE(again->applied.empty());
  EXPECT_EQ(again->already_applied, 3);

  auto ids = store::applied_migrations(db());
  ASSERT_TRUE(ids) << ids.error().message;
  EXPECT_EQ(*ids,
            (std::vector<std::string>{"test/0001_vals", "test/0002_people", "test/0003_seats"}));
}

TEST_P(StoreBackend, LeavesTheEarlierSchemaIntactWhenAMigrationFails) {
  constexpr Migration kMore[] = {
      {"test/0100_extra", "CREATE TABLE extra (x BIGINT)", ""},
      {"test/0101_broken", "CREATE TABLE half (x BIGINT); CREATE TABLE broken (x BIGINT", ""},
  };
  auto report = store::migrate(db(), kMore, clock_);
  ASSERT_FALSE(report);
  EXPECT_NE(report.error().message.find("test/0101_broken"), std::string::npos)
      << report.error().message;

  constexpr Sql kInsertExtra{"test_insert_extra", "INSERT INTO extra (x) VALUES ($1)"};
  constexpr Sql kSelectHalf{"test_select_half", "SELECT x FROM half"};
  EXPECT_TRUE(db().write([&](Connection& c) -> Status {
    auto r = c.execute(kInsertExtra, {int64_t{1}});
    if (!r) return fail(r.error());
    return {};
  })) << "the migration before the broken one stays applied";
  EXPECT_FALSE(db().read([&](Connection& c) -> Status {
    auto r = c.query(kSelectHalf);
    if (!r) return fail(r.error());
    return {};
  })) << "the broken migration's first statement was rolled back";

  auto ids = store::applied_migrations(db());
  ASSERT_TRUE(ids) << ids.error().message;
  EXPECT_EQ(*ids, (std::vector<std::string>{"test/0001_vals", "test/0002_people", "test/0003_seats",
                                            "test/0100_extra"}));
}

// The "never overbook" invariant rests on this: a conditional UPDATE inside
// write() lets exactly `capacity` of many racing writers through.
TEST_P(StoreBackend, NeverOverbooksUnderConcurrentWriters) {
  constexpr int64_t kSeat = 1;
  constexpr int64_t kCapacity = 17;
  constexpr int kThreads = 8;
  constexpr int kAttempts = 50;
  ASSERT_TRUE(db().write([&](Connection& c) -> Status {
    auto r = c.execute(kInsertSeat, {kSeat, kCapacity});
    if (!r) return fail(r.error());
    return {};
  }));

  std::atomic<int> booked{0};
  std::atomic<int> errors{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int a = 0; a < kAttempts; ++a) {
        bool took = false;
        auto s = db().write([&](Connection& c) -> Status {
          took = false;
          auto changed = c.execute(kTakeSeat, {kSeat});
          if (!changed) return fail(changed.error());
          if (*changed == 0) return {};
          auto r = c.execute(kBook, {kSeat, int64_t{t * 1000 + a}});
          if (!r) return fail(r.error());
          took = true;
          return {};
        });
        if (!s)
          ++errors;
        else if (took)
          ++booked;
      }
    });
  }
  for (auto& th : threads) th.join();

  EXPECT_EQ(errors.load(), 0);
  EXPECT_EQ(booked.load(), kCapacity);
  EXPECT_EQ(count(kSeatTaken, {kSeat}), kCapacity);
  EXPECT_EQ(count(kCountBookings, {kSeat}), kCapacity);
}

// Two writers lock two rows in opposite orders. PostgreSQL breaks the
// deadlock by aborting one of them, and write() must re-run that one; SQLite
// serializes writers, so there the second simply waits its turn.
TEST_P(StoreBackend, RetriesTheTransactionThatLostADeadlock) {
  ASSERT_TRUE(db().write([&](Connection& c) -> Status {
    for (int64_t id : {1, 2}) {
      auto r = c.execute(kInsertSeat, {id, int64_t{10}});
      if (!r) return fail(r.error());
    }
    return {};
  }));

  // Both writers hold their first lock before either asks for its second.
  // On SQLite the other writer cannot start meanwhile, so the wait gives up
  // soon; on PostgreSQL it must not, or a slow machine would dodge the
  // deadlock this test is about.
  std::mutex mutex;
  std::condition_variable cv;
  int arrived = 0;
  const auto patience = GetParam() == Backend::postgres ? std::chrono::milliseconds(30'000)
                                                        : std::chrono::milliseconds(200);
  auto rendezvous = [&] {
    std::unique_lock lock(mutex);
    ++arrived;
    cv.notify_all();
    cv.wait_for(lock, patience, [&] { return arrived >= 2; });
  };

  std::atomic<int> runs{0};
  auto writer = [&](int64_t first, int64_t second) {
    bool first_run = true;
    return db().write([&](Connection& c) -> Status {
      ++runs;
      auto a = c.execute(kTakeSeat, {first});
      if (!a) return fail(a.error());
      if (first_run) {
        first_run = false;
        rendezvous();
      }
      auto b = c.execute(kTakeSeat, {second});
      if (!b) return fail(b.error());
      return {};
    });
  };
  Status s1, s2;
  std::thread t1([&] { s1 = writer(1, 2); });
  std::thread t2([&] { s2 = writer(2, 1); });
  t1.join();
  t2.join();

  EXPECT_TRUE(s1) << s1.error().message;
  EXPECT_TRUE(s2) << s2.error().message;
  EXPECT_EQ(count(kSeatTaken, {int64_t{1}}), 2);
  EXPECT_EQ(count(kSeatTaken, {int64_t{2}}), 2);
  if (GetParam() == Backend::postgres) {
    EXPECT_GE(runs.load(), 3) << "the deadlock's victim ran again";
  }
}

// Many concurrent writers, a third of which fail after writing and one in
// fifty of which throw: on SQLite they share group commits, so each must
// still roll back alone and every caller must get exactly its own answer.
TEST_P(StoreBackend, ConcurrentWritesSucceedOrFailEachOnItsOwn) {
  constexpr int kThreads = 8, kWrites = 60;
  std::atomic<int> ok{0}, refused{0}, thrown{0}, wrong{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t)
    threads.emplace_back([&, t] {
      for (int i = 0; i < kWrites; ++i) {
        const int n = t * kWrites + i;
        try {
          auto s = db().write([&](Connection& c) -> Status {
            if (auto r = c.query(kInsertVal, {int64_t{n}, 0.0, std::string("w"), int64_t{0}}); !r)
              return fail(r.error());
            if (n % 50 == 7) throw std::runtime_error("boom");
            if (n % 3 == 0) return fail(Error::invalid("n", "refused after writing"));
            return {};
          });
          if (s) ++ok;
          else if (s.error().code == "validation_failed" && n % 3 == 0) ++refused;
          else ++wrong;
        } catch (const std::runtime_error&) {
          if (n % 50 == 7) ++thrown;
          else ++wrong;
        }
      }
    });
  for (auto& th : threads) th.join();
  int expect_ok = 0, expect_refused = 0, expect_thrown = 0;
  for (int n = 0; n < kThreads * kWrites; ++n) {
    if (n % 50 == 7) ++expect_thrown;
    else if (n % 3 == 0) ++expect_refused;
    else ++expect_ok;
  }
  EXPECT_EQ(wrong.load(), 0);
  EXPECT_EQ(ok.load(), expect_ok);
  EXPECT_EQ(refused.load(), expect_refused);
  EXPECT_EQ(thrown.load(), expect_thrown);
  int64_t rows = -1;
  ASSERT_TRUE(db().read([&](Connection& c) -> Status {
    auto r = c.query(kCountVals);
    if (!r) return fail(r.error());
    rows = (*r)[0].integer(0);
    return {};
  }));
  EXPECT_EQ(rows, expect_ok);  // only the successful writes are there
}

TEST_P(StoreBackend, ReadSeesCommittedDataInOneSnapshot) {
  ASSERT_TRUE(insert_val(int64_t{1}, Value{}, Value{}, Value{}));
  int64_t before = -1, after = -1;
  auto s = db().read([&](Connection& c) -> Status {
    auto first = c.query(kCountVals);
    if (!first) return fail(first.error());
    before = first->at(0).integer(0);
    // Another connection commits while this read is open.
    if (auto w = insert_val(int64_t{2}, Value{}, Value{}, Value{}); !w) return fail(w.error());
    auto second = c.query(kCountVals);
    if (!second) return fail(second.error());
    after = second->at(0).integer(0);
    return {};
  });
  ASSERT_TRUE(s) << s.error().message;
  EXPECT_EQ(before, 1);
  EXPECT_EQ(after, 1) << "a read keeps the snapshot it started with";
  EXPECT_EQ(count(kCountVals), 2) << "a new read sees the later commit";
}

TEST_P(StoreBackend, RefusesToWriteInsideRead) {
  auto s = db().read([](Connection& c) -> Status {
    auto r = c.execute(kInsertPerson, {std::string("sneaky"), int64_t{1}});
    if (!r) return fail(r.error());
    return {};
  });
  EXPECT_FALSE(s);
  EXPECT_EQ(count(kCountPeople), 0);
}

TEST_P(StoreBackend, ReportsPoolStatistics) {
  EXPECT_GT(db().stats().connections, 0);
  EXPECT_EQ(db().stats().in_use, 0);
  ASSERT_TRUE(db().read([&](Connection&) -> Status {
    EXPECT_GE(db().stats().in_use, 1);
    return {};
  }));
  EXPECT_EQ(db().stats().in_use, 0);
}

TEST_P(StoreBackend, AnswersPing) { EXPECT_TRUE(db().ping()); }

INSTANTIATE_TEST_SUITE_P(Backends, StoreBackend, ::testing::ValuesIn(testing::all_backends()),
                         [](const ::testing::TestParamInfo<Backend>& info) {
                           return testing::backend_param_name(info.param);
                         });

}  // namespace
}  // namespace stork
