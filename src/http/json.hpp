#pragma once
// JSON in and out of handlers (Boost.JSON).
#include <boost/json.hpp>
#include <cstdint>
#include <initializer_list>
#include <optional>
#include <string>
#include <vector>

#include "core/error.hpp"
#include "http/problem.hpp"
#include "http/request.hpp"

namespace stork::http {

// Parses the body as a JSON object. Malformed JSON names the byte, line and
// column where parsing stopped.
Result<boost::json::object> parse_json_object(std::string_view body);

Response json_response(int status, const boost::json::value& v);

// Reads typed fields from a JSON object, collecting every problem so the
// client learns about all bad fields at once.
class JsonReader {
 public:
  explicit JsonReader(const boost::json::object& obj) : obj_(obj) {}

  std::string required_string(std::string_view key, size_t max_len = 1000);
  std::optional<std::string> optional_string(std::string_view key, size_t max_len = 1000);
  std::optional<bool> optional_bool(std::string_view key);
  // Positive whole numbers (ids).
  std::optional<int64_t> optional_id(std::string_view key);
  int64_t required_id(std::string_view key);
  // Money: a positive whole number of fen (no fractions, no strings).
  int64_t required_fen(std::string_view key);
  // Reports every member not in keys: a misspelt field is an error, not ignored.
  void allow_only(std::initializer_list<std::string_view> keys);
  std::optional<std::vector<std::string>> optional_string_array(std::string_view key,
                                                                size_t max_items = 100);
  Status status() const { return errors_.status(); }
  bool has_error(std::string_view field) const { return errors_.has(field); }
  void add_error(std::string field, std::string message) {
    errors_.add(std::move(field), std::move(message));
  }

 private:
  const boost::json::object& obj_;
  FieldErrors errors_;
};

// In a handler: decodes the JSON body into `obj` or returns the problem.
#define STORK_JSON_BODY(obj, req)                                   \
  auto obj##_parsed = parse_json_object((req).body);                \
  if (!obj##_parsed) return problem(obj##_parsed.error(), (req).request_id); \
  const boost::json::object& obj = *obj##_parsed

// Parses a positive integer path or query parameter; errors name the field.
Result<int64_t> parse_id(const std::string& text, std::string_view field);

}  // namespace stork::http
