#include "support/api_assert.hpp"

namespace stork::testing {

void expect_problem(const HttpResult& r, int status, const std::string& code, const std::string& field) {
  EXPECT_EQ(r.status, status) << r.body;
  EXPECT_EQ(r.header("content-type"), "application/problem+json") << r.body;
  const auto body = r.json();
  ASSERT_TRUE(body.is_object()) << r.body;
  EXPECT_EQ(body.at("code").as_string(), code) << r.body;
  EXPECT_EQ(body.at("status").as_int64(), status);
  EXPECT_FALSE(body.at("title").as_string().empty());
  EXPECT_FALSE(body.at("detail").as_string().empty());
  EXPECT_EQ(body.at("request_id").as_string(), r.header("x-request-id"));
  if (!field.empty()) {
    bool named = false;
    if (const auto* errors = body.as_object().if_contains("errors"))
      for (const auto& e : errors->as_array()) named |= e.at("field").as_string() == field;
    EXPECT_TRUE(named) << "field " << field << " not named in " << r.body;
  }
}

}  // namespace stork::testing
