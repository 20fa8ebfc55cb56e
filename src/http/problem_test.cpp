#include "http/problem.hpp"

#include <gtest/gtest.h>

#include <boost/json.hpp>
#include <string>

namespace stork::http {
namespace {

namespace json = boost::json;

json::object body_of(const Response& res) { return json::parse(res.body).as_object(); }

TEST(Problem, MapsErrorCodesToHttpStatuses) {
  EXPECT_EQ(status_for("validation_failed"), 400);
  EXPECT_EQ(status_for("malformed_json"), 400);
  EXPECT_EQ(status_for("unauthenticated"), 401);
  EXPECT_EQ(status_for("invalid_credentials"), 401);
  EXPECT_EQ(status_for("forbidden"), 403);
  EXPECT_EQ(status_for("not_found"), 404);
  EXPECT_EQ(status_for("method_not_allowed"), 405);
  EXPECT_EQ(status_for("username_taken"), 409);
  EXPECT_EQ(status_for("payload_too_large"), 413);
  EXPECT_EQ(status_for("unsupported_media_type"), 415);
  EXPECT_EQ(status_for("account_locked"), 429);
  EXPECT_EQ(status_for("db_unavailable"), 503);
  EXPECT_EQ(status_for("internal"), 500);
  EXPECT_EQ(status_for("db_error"), 500);
  EXPECT_EQ(status_for("no_such_code_anywhere"), 500);
  EXPECT_EQ(status_for(""), 500);
}

TEST(Problem, AnswersWithProblemJson) {
  const Response res = problem(Error::not_found("user 7"), "req-1");
  EXPECT_EQ(res.status, 404);
  EXPECT_EQ(res.content_type, "application/problem+json");
}

TEST(Problem, SetsTheResponseStatusFromTheCode) {
  const struct {
    const char* code;
    int status;
  } cases[] = {{"validation_failed", 400}, {"unauthenticated", 401}, {"forbidden", 403},
               {"not_found", 404},         {"payload_too_large", 413},
               {"unsupported_media_type", 415}, {"account_locked", 429},
               {"something_new", 500}};
  for (const auto& c : cases) {
    const Response res = problem(Error{c.code, "message", {}}, "req-2");
    EXPECT_EQ(res.status, c.status) << c.code;
    EXPECT_EQ(body_of(res).at("status").as_int64(), c.status) << c.code;
  }
}

TEST(Problem, DescribesAValidationFailureWithEveryField) {
  const Error error = Error::invalid({{"username", "is required"}, {"roles[1]", "must be a string"}});
  const Response res = problem(error, "req-abc");
  ASSERT_EQ(res.status, 400);
  const json::object body = body_of(res);
  EXPECT_EQ(body.at("type").as_string(), "/problems/validation_failed");
  EXPECT_EQ(body.at("title").as_string(), "Bad request");
  EXPECT_EQ(body.at("status").as_int64(), 400);
  EXPECT_EQ(body.at("detail").as_string(), error.message);
  EXPECT_EQ(body.at("code").as_string(), "validation_failed");
  EXPECT_EQ(body.at("request_id").as_string(), "req-abc");
  const json::array& errors = body.at("errors").as_array();
  ASSERT_EQ(errors.size(), 2u);
  EXPECT_EQ(errors[0].at("field").as_string(), "username");
  EXPECT_EQ(errors[0].at("message").as_string(), "is required");
  EXPECT_EQ(errors[1].at("field").as_string(), "roles[1]");
  EXPECT_EQ(errors[1].at("message").as_string(), "must be a string");
}

TEST(Problem, LeavesOutTheErrorListWhenNoFieldIsAtFault) {
  const json::object body = body_of(problem(Error::forbidden(), "req-3"));
  EXPECT_FALSE(body.contains("errors"));
  EXPECT_EQ(body.at("title").as_string(), "Forbidden");
  EXPECT_EQ(body.at("detail").as_string(), "your role does not allow this");
}

TEST(Problem, TitlesEachStatus) {
  EXPECT_EQ(title_for(401), "Sign-in required");
  EXPECT_EQ(title_for(413), "Payload too large");
  EXPECT_EQ(title_for(415), "Unsupported media type");
  EXPECT_EQ(title_for(429), "Too many requests");
  EXPECT_EQ(title_for(500), "Internal server error");
  EXPECT_EQ(title_for(502), "Bad gateway");
  EXPECT_EQ(title_for(504), "Internal server error");
  EXPECT_EQ(title_for(418), "Error");
}

TEST(Problem, NeverShowsTheInternalMessageOfA500) {
  const std::string secret = "SQLITE_CORRUPT in /var/lib/stork/secret-path.db";
  const Response res = problem(Error::internal(secret), "req-5f3a");
  EXPECT_EQ(res.status, 500);
  EXPECT_EQ(res.body.find("SQLITE_CORRUPT"), std::string::npos) << res.body;
  EXPECT_EQ(res.body.find("secret-path"), std::string::npos) << res.body;
  const json::object body = body_of(res);
  EXPECT_EQ(body.at("code").as_string(), "internal");
  EXPECT_EQ(body.at("type").as_string(), "/problems/internal");
  EXPECT_EQ(body.at("title").as_string(), "Internal server error");
  EXPECT_EQ(body.at("request_id").as_string(), "req-5f3a");
  EXPECT_NE(body.at("detail").as_string().find("req-5f3a"), std::string::npos);
}

TEST(Problem, HidesAnUnknownCodeBehindInternal) {
  const Response res = problem(Error{"db_error", "UNIQUE constraint failed: users.secret_col", {}},
                               "req-6");
  EXPECT_EQ(res.status, 500);
  EXPECT_EQ(res.body.find("db_error"), std::string::npos) << res.body;
  EXPECT_EQ(res.body.find("secret_col"), std::string::npos) << res.body;
  EXPECT_EQ(body_of(res).at("code").as_string(), "internal");
}

TEST(Problem, ShowsTheReasonWhenTheServiceIsUnavailable) {
  const Response res = problem(Error::unavailable("database unreachable"), "req-7");
  EXPECT_EQ(res.status, 503);
  const json::object body = body_of(res);
  EXPECT_EQ(body.at("code").as_string(), "unavailable");
  EXPECT_EQ(body.at("detail").as_string(), "database unreachable");
}

TEST(Problem, EscapesTextSoTheBodyStaysValidJson) {
  const Response res = problem(Error::invalid("name", "bad \"quote\" and \\ and\nnewline 张"), "r\"8");
  const json::object body = body_of(res);
  EXPECT_EQ(body.at("errors").as_array()[0].at("message").as_string(),
            "bad \"quote\" and \\ and\nnewline 张");
  EXPECT_EQ(body.at("request_id").as_string(), "r\"8");
}

}  // namespace
}  // namespace stork::http
