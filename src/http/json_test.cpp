#include "http/json.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <cstdint>
#include <string>
#include <vector>

namespace stork::http {
namespace {

namespace json = boost::json;

const FieldError* find_field(const Error& e, const std::string& field) {
  const auto it = std::find_if(e.fields.begin(), e.fields.end(),
                               [&](const FieldError& f) { return f.field == field; });
  return it == e.fields.end() ? nullptr : &*it;
}

json::object object_of(std::string_view text) { return json::parse(text).as_object(); }

TEST(ParseJsonObject, ParsesAnObject) {
  auto obj = parse_json_object(R"({"username": "wang", "roles": ["clerk"], "n": 3})");
  ASSERT_TRUE(obj.has_value()) << obj.error().message;
  EXPECT_EQ(obj->at("username").as_string(), "wang");
  EXPECT_EQ(obj->at("n").as_int64(), 3);
}

TEST(ParseJsonObject, NamesByteLineAndColumnOfMalformedJson) {
  const std::string body = "{\n \"a\": 1,\n \"b\": x\n}";
  auto obj = parse_json_object(body);
  ASSERT_FALSE(obj.has_value());
  EXPECT_EQ(obj.error().code, "malformed_json");
  ASSERT_EQ(obj.error().fields.size(), 1u);
  EXPECT_EQ(obj.error().fields[0].field, "body");
  EXPECT_EQ(obj.error().fields[0].message, "malformed JSON at byte 17 (line 3, column 7)");
  EXPECT_NE(obj.error().message.find("line 3, column 7"), std::string::npos)
      << obj.error().message;
}

TEST(ParseJsonObject, PointsAtTheFirstLineForSingleLineErrors) {
  auto obj = parse_json_object(R"({"a": 1,, "b": 2})");
  ASSERT_FALSE(obj.has_value());
  EXPECT_EQ(obj.error().code, "malformed_json");
  EXPECT_EQ(obj.error().fields.at(0).message, "malformed JSON at byte 8 (line 1, column 9)");
}

TEST(ParseJsonObject, ReportsTruncatedJsonAtTheEnd) {
  const std::string body = "{\"a\":\n";
  auto obj = parse_json_object(body);
  ASSERT_FALSE(obj.has_value());
  EXPECT_EQ(obj.error().code, "malformed_json");
  EXPECT_EQ(obj.error().fields.at(0).field, "body");
  EXPECT_NE(obj.error().fields.at(0).message.find("line 2, column 1"), std::string::npos)
      << obj.error().fields.at(0).message;
}

TEST(ParseJsonObject, RejectsAnEmptyBodyAsMalformed) {
  auto obj = parse_json_object("");
  ASSERT_FALSE(obj.has_value());
  EXPECT_EQ(obj.error().code, "malformed_json");
  EXPECT_EQ(obj.error().fields.at(0).message, "malformed JSON at byte 0 (line 1, column 1)");
}

TEST(ParseJsonObject, RejectsTrailingDataAfterTheObject) {
  for (const char* body : {R"({"a": 1} x)", R"({"a": 1}{"b": 2})"}) {
    auto obj = parse_json_object(body);
    ASSERT_FALSE(obj.has_value()) << body;
    EXPECT_EQ(obj.error().code, "malformed_json") << body;
  }
}

TEST(ParseJsonObject, RejectsValidJsonThatIsNotAnObject) {
  for (const char* body : {"[1, 2]", "\"text\"", "42", "null", "true"}) {
    auto obj = parse_json_object(body);
    ASSERT_FALSE(obj.has_value()) << body;
    EXPECT_EQ(obj.error().code, "validation_failed") << body;
    ASSERT_EQ(obj.error().fields.size(), 1u) << body;
    EXPECT_EQ(obj.error().fields[0].field, "body");
    EXPECT_EQ(obj.error().fields[0].message, "must be a JSON object");
  }
}

TEST(JsonResponse, SerializesWithTheGivenStatus) {
  const Response res = json_response(201, json::object{{"id", 5}});
  EXPECT_EQ(res.status, 201);
  EXPECT_EQ(res.content_type, "application/json");
  EXPECT_EQ(res.body, R"({"id":5})");
}

TEST(JsonReader, ReadsWellTypedFieldsWithoutErrors) {
  const json::object obj = object_of(
      R"({"username": "wang", "note": "急诊", "active": false, "roles": ["clerk", "doctor"]})");
  JsonReader r(obj);
  EXPECT_EQ(r.required_string("username"), "wang");
  EXPECT_EQ(r.optional_string("note"), "急诊");
  EXPECT_EQ(r.optional_bool("active"), false);
  EXPECT_EQ(r.optional_string_array("roles"), (std::vector<std::string>{"clerk", "doctor"}));
  EXPECT_TRUE(r.status().has_value());
}

TEST(JsonReader, TreatsAbsentAndNullOptionalFieldsAsMissingWithoutErrors) {
  const json::object obj = object_of(R"({"note": null, "active": null, "roles": null})");
  JsonReader r(obj);
  EXPECT_EQ(r.optional_string("note"), std::nullopt);
  EXPECT_EQ(r.optional_string("other"), std::nullopt);
  EXPECT_EQ(r.optional_bool("active"), std::nullopt);
  EXPECT_EQ(r.optional_string_array("roles"), std::nullopt);
  EXPECT_EQ(r.optional_string_array("more"), std::nullopt);
  EXPECT_TRUE(r.status().has_value());
}

TEST(JsonReader, CollectsEveryFieldErrorAtOnce) {
  const json::object obj = object_of(R"({
    "display_name": 42,
    "password": "0123456789abcdef",
    "active": "yes",
    "roles": ["clerk", 7, "doctor"],
    "tags": "clerk"
  })");
  JsonReader r(obj);
  EXPECT_EQ(r.required_string("username"), "");
  EXPECT_EQ(r.required_string("display_name"), "");
  EXPECT_EQ(r.required_string("password", 8), "");
  EXPECT_EQ(r.optional_bool("active"), std::nullopt);
  EXPECT_EQ(r.optional_string_array("roles"), std::nullopt);
  EXPECT_EQ(r.optional_string_array("tags"), std::nullopt);

  auto s = r.status();
  ASSERT_FALSE(s.has_value());
  const Error& e = s.error();
  EXPECT_EQ(e.code, "validation_failed");
  EXPECT_EQ(e.fields.size(), 6u);
  ASSERT_NE(find_field(e, "username"), nullptr);
  EXPECT_EQ(find_field(e, "username")->message, "is required");
  ASSERT_NE(find_field(e, "display_name"), nullptr);
  EXPECT_EQ(find_field(e, "display_name")->message, "must be a string");
  ASSERT_NE(find_field(e, "password"), nullptr);
  EXPECT_EQ(find_field(e, "password")->message, "must be at most 8 bytes");
  ASSERT_NE(find_field(e, "active"), nullptr);
  EXPECT_EQ(find_field(e, "active")->message, "must be true or false");
  ASSERT_NE(find_field(e, "roles[1]"), nullptr);
  EXPECT_EQ(find_field(e, "roles[1]")->message, "must be a string");
  EXPECT_EQ(find_field(e, "roles"), nullptr);
  ASSERT_NE(find_field(e, "tags"), nullptr);
  EXPECT_EQ(find_field(e, "tags")->message, "must be an array of strings");
}

TEST(JsonReader, MeasuresLengthInBytes) {
  const json::object obj = object_of(R"({"name": "张小丽"})");  // 9 bytes
  JsonReader ok(obj);
  EXPECT_EQ(ok.required_string("name", 9), "张小丽");
  EXPECT_TRUE(ok.status().has_value());
  JsonReader too_long(obj);
  too_long.required_string("name", 8);
  EXPECT_FALSE(too_long.status().has_value());
}

TEST(JsonReader, RejectsAnArrayWithTooManyItems) {
  const json::object obj = object_of(R"({"roles": ["a", "b", "c"]})");
  JsonReader r(obj);
  EXPECT_EQ(r.optional_string_array("roles", 2), std::nullopt);
  ASSERT_FALSE(r.status().has_value());
  EXPECT_EQ(r.status().error().fields.at(0).field, "roles");
  EXPECT_EQ(r.status().error().fields.at(0).message, "must have at most 2 items");
}

// Regression: a required field sent as null passed as "" with no error.
TEST(JsonReader, TreatsANullRequiredFieldAsMissing) {
  const json::object obj = object_of(R"({"username": null})");
  JsonReader r(obj);
  EXPECT_EQ(r.required_string("username"), "");
  auto s = r.status();
  ASSERT_FALSE(s.has_value());
  ASSERT_EQ(s.error().fields.size(), 1u);
  EXPECT_EQ(s.error().fields[0].field, "username");
  EXPECT_EQ(s.error().fields[0].message, "is required");
}

TEST(JsonReader, AddsCallerErrorsToTheSameList) {
  const json::object obj = object_of(R"({})");
  JsonReader r(obj);
  r.required_string("username");
  r.add_error("roles", "is required");
  ASSERT_FALSE(r.status().has_value());
  EXPECT_EQ(r.status().error().fields.size(), 2u);
}

TEST(ParseId, AcceptsPositiveWholeNumbers) {
  EXPECT_EQ(parse_id("1", "id"), 1);
  EXPECT_EQ(parse_id("42", "id"), 42);
  EXPECT_EQ(parse_id("9223372036854775807", "id"), INT64_MAX);
}

TEST(ParseId, RejectsAnythingElseNamingTheField) {
  for (const char* bad :
       {"0", "-1", "-42", "12abc", "", "abc", " 12", "12 ", "+12", "1.5", "9223372036854775808"}) {
    auto id = parse_id(bad, "user_id");
    ASSERT_FALSE(id.has_value()) << "'" << bad << "'";
    EXPECT_EQ(id.error().code, "validation_failed");
    ASSERT_EQ(id.error().fields.size(), 1u);
    EXPECT_EQ(id.error().fields[0].field, "user_id");
    EXPECT_EQ(id.error().fields[0].message, "must be a positive whole number");
  }
}

}  // namespace
}  // namespace stork::http
