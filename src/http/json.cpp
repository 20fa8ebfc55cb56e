#include "http/json.hpp"

#include <algorithm>

#include <charconv>

namespace stork::http {

Result<boost::json::object> parse_json_object(std::string_view body) {
  boost::json::stream_parser parser;
  boost::system::error_code ec;
  const size_t consumed = parser.write_some(body.data(), body.size(), ec);
  if (!ec) parser.finish(ec);
  if (ec) {
    // Locate the failure for people: line and column of the byte.
    const size_t at = std::min(consumed, body.size());
    size_t line = 1, column = 1;
    for (size_t i = 0; i < at; ++i) {
      if (body[i] == '\n') {
        ++line;
        column = 1;
      } else {
        ++column;
      }
    }
    std::string where = "at byte " + std::to_string(at) + " (line " + std::to_string(line) +
                        ", column " + std::to_string(column) + ")";
    return fail(Error{"malformed_json", "the body is not valid JSON: " + ec.message() + " " + where,
                      {{"body", "malformed JSON " + where}}});
  }
  boost::json::value v = parser.release();
  if (!v.is_object())
    return fail(Error{"validation_failed", "the body must be a JSON object",
                      {{"body", "must be a JSON object"}}});
  return std::move(v.as_object());
}

Response json_response(int status, const boost::json::value& v) {
  return Response{status, "application/json", boost::json::serialize(v), {}};
}

std::string JsonReader::required_string(std::string_view key, size_t max_len) {
  auto v = optional_string(key, max_len);
  const auto it = obj_.find(key);
  if (!v && (it == obj_.end() || it->value().is_null())) errors_.add(std::string(key), "is required");
  return v.value_or("");
}

std::optional<std::string> JsonReader::optional_string(std::string_view key, size_t max_len) {
  auto it = obj_.find(key);
  if (it == obj_.end() || it->value().is_null()) return std::nullopt;
  if (!it->value().is_string()) {
    errors_.add(std::string(key), "must be a string");
    return std::nullopt;
  }
  const auto& s = it->value().get_string();
  if (s.size() > max_len) {
    errors_.add(std::string(key), "must be at most " + std::to_string(max_len) + " bytes");
    return std::nullopt;
  }
  return std::string(s);
}

std::optional<bool> JsonReader::optional_bool(std::string_view key) {
  auto it = obj_.find(key);
  if (it == obj_.end() || it->value().is_null()) return std::nullopt;
  if (!it->value().is_bool()) {
    errors_.add(std::string(key), "must be true or false");
    return std::nullopt;
  }
  return it->value().get_bool();
}

std::optional<std::vector<std::string>> JsonReader::optional_string_array(std::string_view key,
                                                                          size_t max_items) {
  auto it = obj_.find(key);
  if (it == obj_.end() || it->value().is_null()) return std::nullopt;
  if (!it->value().is_array()) {
    errors_.add(std::string(key), "must be an array of strings");
    return std::nullopt;
  }
  const auto& arr = it->value().get_array();
  if (arr.size() > max_items) {
    errors_.add(std::string(key), "must have at most " + std::to_string(max_items) + " items");
    return std::nullopt;
  }
  std::vector<std::string> out;
  for (size_t i = 0; i < arr.size(); ++i) {
    if (!arr[i].is_string()) {
      errors_.add(std::string(key) + "[" + std::to_string(i) + "]", "must be a string");
      return std::nullopt;
    }
    out.emplace_back(arr[i].get_string());
  }
  return out;
}

std::optional<int64_t> JsonReader::optional_id(std::string_view key) {
  auto it = obj_.find(key);
  if (it == obj_.end() || it->value().is_null()) return std::nullopt;
  const auto& v = it->value();
  if (v.is_int64() && v.get_int64() > 0) return v.get_int64();
  if (v.is_uint64() && v.get_uint64() <= static_cast<uint64_t>(INT64_MAX) && v.get_uint64() > 0)
    return static_cast<int64_t>(v.get_uint64());
  errors_.add(std::string(key), "must be a positive whole number");
  return std::nullopt;
}

int64_t JsonReader::required_id(std::string_view key) {
  auto v = optional_id(key);
  const auto it = obj_.find(key);
  if (!v && (it == obj_.end() || it->value().is_null())) errors_.add(std::string(key), "is required");
  return v.value_or(0);
}

int64_t JsonReader::required_fen(std::string_view key) {
  auto it = obj_.find(key);
  if (it == obj_.end() || it->value().is_null()) {
    errors_.add(std::string(key), "is required: a whole number of fen (2500 for 25.00 yuan)");
    return 0;
  }
  const auto& v = it->value();
  if (v.is_int64() && v.get_int64() > 0) return v.get_int64();
  if (v.is_uint64() && v.get_uint64() <= static_cast<uint64_t>(INT64_MAX)) return static_cast<int64_t>(v.get_uint64());
  errors_.add(std::string(key), "must be a positive whole number of fen (2500 for 25.00 yuan)");
  return 0;
}

void JsonReader::allow_only(std::initializer_list<std::string_view> keys) {
  for (const auto& [key, _] : obj_)
    if (std::find(keys.begin(), keys.end(), std::string_view(key)) == keys.end())
      errors_.add(std::string(key), "is not a known field");
}

Result<int64_t> parse_id(const std::string& text, std::string_view field) {
  int64_t v = 0;
  auto [p, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
  if (ec != std::errc() || p != text.data() + text.size() || v <= 0)
    return fail(Error::invalid(std::string(field), "must be a positive whole number"));
  return v;
}

}  // namespace stork::http
