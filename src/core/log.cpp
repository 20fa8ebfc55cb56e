#include "core/log.hpp"

#include <atomic>
#include <cstdio>
#include <mutex>

#include "core/clock.hpp"

namespace stork::log {
namespace {
std::mutex g_mutex;  // guards stderr so lines never interleave
std::atomic<bool> g_enabled{true};
}  // namespace

void set_enabled(bool enabled) { g_enabled = enabled; }

void append_json_string(std::string& out, std::string_view s) {
  out += '"';
  for (unsigned char c : s) {
    switch (c) {
      case '"': out += "\\\""; break;
      case '\\': out += "\\\\"; break;
      case '\n': out += "\\n"; break;
      case '\r': out += "\\r"; break;
      case '\t': out += "\\t"; break;
      default:
        if (c < 0x20) {
          char buf[8];
          std::snprintf(buf, sizeof buf, "\\u%04x", c);
          out += buf;
        } else {
          out += static_cast<char>(c);
        }
    }
  }
  out += '"';
}

void write(std::string_view level, std::string_view msg, std::initializer_list<Field> fields) {
  if (!g_enabled) return;
  std::string line = "{\"ts\":";
  append_json_string(line, format_utc(SystemClock().now_ms()));
  line += ",\"level\":";
  append_json_string(line, level);
  line += ",\"msg\":";
  append_json_string(line, msg);
  for (const auto& f : fields) {
    line += ',';
    append_json_string(line, f.key);
    line += ':';
    if (f.quoted) append_json_string(line, f.value);
    else line += f.value;
  }
  line += "}\n";
  std::lock_guard lock(g_mutex);
  std::fwrite(line.data(), 1, line.size(), stderr);
}

}  // namespace stork::log
