#include "store/sql_params.hpp"

#include <gtest/gtest.h>

namespace stork::store {
namespace {

TEST(SqlParams, RewritesPositionalParametersToNumberedOnes) {
  EXPECT_EQ(to_sqlite_params("SELECT name FROM users WHERE id = $1"),
            "SELECT name FROM users WHERE id = ?1");
  EXPECT_EQ(to_sqlite_params("INSERT INTO t(a, b) VALUES ($1,$2)"),
            "INSERT INTO t(a, b) VALUES (?1,?2)");
}

TEST(SqlParams, KeepsEveryDigitOfMultiDigitParameters) {
  EXPECT_EQ(to_sqlite_params("VALUES ($10, $11, $12)"), "VALUES (?10, ?11, ?12)");
  EXPECT_EQ(to_sqlite_params("x=$12"), "x=?12");
}

TEST(SqlParams, LeavesSqlWithoutParametersUnchanged) {
  const std::string sql = "SELECT count(*) FROM users WHERE disabled = 0";
  EXPECT_EQ(to_sqlite_params(sql), sql);
  EXPECT_EQ(to_sqlite_params(""), "");
}

TEST(SqlParams, LeavesDollarsInsideStringLiteralsUntouched) {
  EXPECT_EQ(to_sqlite_params("SELECT '$1 off' WHERE price = $1"),
            "SELECT '$1 off' WHERE price = ?1");
  // A doubled quote escapes itself and stays inside the literal.
  EXPECT_EQ(to_sqlite_params("SELECT 'it''s $2' , $3"), "SELECT 'it''s $2' , ?3");
}

TEST(SqlParams, LeavesDollarsInsideQuotedIdentifiersUntouched) {
  EXPECT_EQ(to_sqlite_params("SELECT \"col$1\" FROM t WHERE a = $1"),
            "SELECT \"col$1\" FROM t WHERE a = ?1");
}

TEST(SqlParams, LeavesLineCommentsUntouchedUntilTheLineEnds) {
  EXPECT_EQ(to_sqlite_params("SELECT 1 -- costs $1\nWHERE a = $1"),
            "SELECT 1 -- costs $1\nWHERE a = ?1");
  EXPECT_EQ(to_sqlite_params("SELECT $1 -- trailing $2"), "SELECT ?1 -- trailing $2");
}

TEST(SqlParams, TreatsASingleDashAsSubtraction) {
  EXPECT_EQ(to_sqlite_params("SELECT $1-$2"), "SELECT ?1-?2");
}

TEST(SqlParams, LeavesDollarsNotFollowedByADigitUntouched) {
  EXPECT_EQ(to_sqlite_params("SELECT $$body$$"), "SELECT $$body$$");
  EXPECT_EQ(to_sqlite_params("SELECT $a, $"), "SELECT $a, $");
}

TEST(SqlParams, CopiesAnUnterminatedQuoteToTheEnd) {
  EXPECT_EQ(to_sqlite_params("SELECT $1, 'open $2"), "SELECT ?1, 'open $2");
  EXPECT_EQ(to_sqlite_params("SELECT \"open $2"), "SELECT \"open $2");
}

}  // namespace
}  // namespace stork::store
