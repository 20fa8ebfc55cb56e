#include "http/request.hpp"

#include <gtest/gtest.h>

#include <map>
#include <string>

namespace stork::http {
namespace {

using Query = std::map<std::string, std::string>;

TEST(ParseQuery, SplitsAndDecodesPairs) {
  EXPECT_EQ(parse_query("a=1&b=x%20y"), (Query{{"a", "1"}, {"b", "x y"}}));
  EXPECT_EQ(parse_query("name=%E5%BC%A0%E5%B0%8F%E4%B8%BD"), (Query{{"name", "张小丽"}}));
  EXPECT_EQ(parse_query("path=%2Fapi%2Fv1"), (Query{{"path", "/api/v1"}}));
}

TEST(ParseQuery, DecodesPlusAsSpaceInKeysAndValues) {
  EXPECT_EQ(parse_query("q=wang+fang&full+name=a+b"),
            (Query{{"q", "wang fang"}, {"full name", "a b"}}));
  EXPECT_EQ(parse_query("q=1%2B1"), (Query{{"q", "1+1"}}));
}

TEST(ParseQuery, SkipsEmptyPairs) {
  EXPECT_EQ(parse_query(""), Query{});
  EXPECT_EQ(parse_query("&&a=1&&b=2&"), (Query{{"a", "1"}, {"b", "2"}}));
}

TEST(ParseQuery, GivesKeysWithoutEqualsAnEmptyValue) {
  EXPECT_EQ(parse_query("flag&a="), (Query{{"flag", ""}, {"a", ""}}));
}

TEST(ParseQuery, KeepsEqualsSignsAfterTheFirstInTheValue) {
  EXPECT_EQ(parse_query("filter=a=b"), (Query{{"filter", "a=b"}}));
}

TEST(ParseQuery, LetsTheLaterKeyWin) {
  EXPECT_EQ(parse_query("page=1&size=20&page=3"), (Query{{"page", "3"}, {"size", "20"}}));
}

TEST(ParseQuery, DropsPairsWithBadEscapes) {
  EXPECT_EQ(parse_query("a=%zz&b=2&c%=3&d=%4"), (Query{{"b", "2"}}));
  // A bad later duplicate does not erase the good earlier value.
  EXPECT_EQ(parse_query("page=2&page=%G1"), (Query{{"page", "2"}}));
}

TEST(PercentDecode, DecodesEscapesInEitherCase) {
  EXPECT_EQ(percent_decode("%2F", false), "/");
  EXPECT_EQ(percent_decode("%2f", false), "/");
  EXPECT_EQ(percent_decode("a%20b%41", false), "a bA");
  EXPECT_EQ(percent_decode("%E7%8E%8B", false), "王");
  EXPECT_EQ(percent_decode("", false), "");
}

TEST(PercentDecode, DecodesPlusOnlyWhenAsked) {
  EXPECT_EQ(percent_decode("a+b", false), "a+b");
  EXPECT_EQ(percent_decode("a+b", true), "a b");
  EXPECT_EQ(percent_decode("a%2Bb", true), "a+b");
}

TEST(PercentDecode, DecodesAnEscapedPercentOnlyOnce) {
  EXPECT_EQ(percent_decode("%2541", false), "%41");
}

TEST(PercentDecode, RefusesBadEscapes) {
  EXPECT_EQ(percent_decode("%zz", false), std::nullopt);
  EXPECT_EQ(percent_decode("%G0", false), std::nullopt);
  EXPECT_EQ(percent_decode("%0G", false), std::nullopt);
  EXPECT_EQ(percent_decode("100% sure", false), std::nullopt);
}

TEST(PercentDecode, RefusesTruncatedEscapes) {
  EXPECT_EQ(percent_decode("%", false), std::nullopt);
  EXPECT_EQ(percent_decode("%2", false), std::nullopt);
  EXPECT_EQ(percent_decode("abc%", false), std::nullopt);
  EXPECT_EQ(percent_decode("abc%4", false), std::nullopt);
}

TEST(Request, FindsHeadersAndPathParams) {
  Request req;
  req.headers = {{"content-type", "application/json"}, {"x-request-id", "r1"}};
  req.path_params = {{"id", "42"}};
  EXPECT_EQ(req.header("content-type"), "application/json");
  EXPECT_EQ(req.header("authorization"), "");
  EXPECT_EQ(req.path_param("id"), "42");
  EXPECT_EQ(req.path_param("other"), "");
}

}  // namespace
}  // namespace stork::http
