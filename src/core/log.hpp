#pragma once
// One-line JSON logs on stderr. Each line is a complete JSON object so log
// shippers can parse it; writes are serialized so lines never interleave.
#include <initializer_list>
#include <string>
#include <string_view>
#include <utility>

namespace stork::log {

// A value already rendered as JSON (a number, true/false) or a string to quote.
struct Field {
  std::string_view key;
  std::string value;
  bool quoted;
  Field(std::string_view k, std::string_view v) : key(k), value(v), quoted(true) {}
  Field(std::string_view k, const char* v) : key(k), value(v), quoted(true) {}
  Field(std::string_view k, const std::string& v) : key(k), value(v), quoted(true) {}
  Field(std::string_view k, long long v) : key(k), value(std::to_string(v)), quoted(false) {}
  Field(std::string_view k, int v) : key(k), value(std::to_string(v)), quoted(false) {}
  Field(std::string_view k, unsigned v) : key(k), value(std::to_string(v)), quoted(false) {}
  Field(std::string_view k, long v) : key(k), value(std::to_string(v)), quoted(false) {}
  Field(std::string_view k, unsigned long v) : key(k), value(std::to_string(v)), quoted(false) {}
  Field(std::string_view k, double v) : key(k), value(std::to_string(v)), quoted(false) {}
};

void write(std::string_view level, std::string_view msg, std::initializer_list<Field> fields = {});
inline void info(std::string_view msg, std::initializer_list<Field> f = {}) { write("info", msg, f); }
inline void warn(std::string_view msg, std::initializer_list<Field> f = {}) { write("warn", msg, f); }
inline void error(std::string_view msg, std::initializer_list<Field> f = {}) { write("error", msg, f); }

// Appends s to out as a JSON string literal (with quotes).
void append_json_string(std::string& out, std::string_view s);

// Silences logging (tests set this to keep output readable).
void set_enabled(bool enabled);

}  // namespace stork::log
