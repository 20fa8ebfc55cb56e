#include "core/config.hpp"

#include "core/civil_date.hpp"

#include <algorithm>
#include <charconv>
#include <fstream>
#include <functional>

namespace stork {
namespace {

std::string trim(std::string_view s) {
  const auto b = s.find_first_not_of(" \t\r");
  if (b == std::string_view::npos) return {};
  const auto e = s.find_last_not_of(" \t\r");
  return std::string(s.substr(b, e - b + 1));
}

template <class Int>
Status parse_int(const std::string& key, const std::string& text, Int& out, Int min, Int max) {
  Int v{};
  auto [p, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
  if (ec != std::errc() || p != text.data() + text.size())
    return fail(Error::invalid(key, "must be a whole number, got '" + text + "'"));
  if (v < min || v > max)
    return fail(Error::invalid(
        key, "must be between " + std::to_string(min) + " and " + std::to_string(max)));
  out = v;
  return {};
}

Status parse_bool(const std::string& key, const std::string& text, bool& out) {
  if (text == "true" || text == "1" || text == "yes" || text == "on") {
    out = true;
  } else if (text == "false" || text == "0" || text == "no" || text == "off") {
    out = false;
  } else {
    return fail(Error::invalid(key, "must be true or false, got '" + text + "'"));
  }
  return {};
}

using Setter = std::function<Status(Config&, const std::string& key, const std::string&)>;

Setter text(std::string Config::*field) {
  return [field](Config& c, const std::string&, const std::string& v) -> Status {
    c.*field = v;
    return {};
  };
}
Setter integer(int Config::*field, int min, int max) {
  return [=](Config& c, const std::string& k, const std::string& v) {
    return parse_int(k, v, c.*field, min, max);
  };
}
Setter integer64(int64_t Config::*field, int64_t min, int64_t max) {
  return [=](Config& c, const std::string& k, const std::string& v) {
    return parse_int(k, v, c.*field, min, max);
  };
}
Setter choice(std::string Config::*field, std::vector<std::string> allowed) {
  return [=](Config& c, const std::string& k, const std::string& v) -> Status {
    for (const auto& a : allowed)
      if (a == v) {
        c.*field = v;
        return {};
      }
    std::string list;
    for (const auto& a : allowed) list += (list.empty() ? "" : ", ") + a;
    return fail(Error::invalid(k, "must be one of " + list + ", got '" + v + "'"));
  };
}
Setter boolean(bool Config::*field) {
  return [=](Config& c, const std::string& k, const std::string& v) {
    return parse_bool(k, v, c.*field);
  };
}

const std::map<std::string, Setter>& setters() {
  static const std::map<std::string, Setter> table = {
      {"db", text(&Config::db)},
      {"listen", text(&Config::listen)},
      {"port", integer(&Config::port, 0, 65535)},
      {"io_threads", integer(&Config::io_threads, 0, 256)},
      {"io_model", choice(&Config::io_model, {"per_core", "shared"})},
      {"worker_threads", integer(&Config::worker_threads, 0, 1024)},
      {"web_root", text(&Config::web_root)},
      {"tls_cert", text(&Config::tls_cert)},
      {"tls_key", text(&Config::tls_key)},
      {"key_file", text(&Config::key_file)},
      {"max_connections", integer(&Config::max_connections, 1, 1000000)},
      {"max_body_bytes", integer64(&Config::max_body_bytes, 1, int64_t{1} << 32)},
      {"max_header_bytes", integer(&Config::max_header_bytes, 1024, 1 << 20)},
      {"read_timeout_ms", integer(&Config::read_timeout_ms, 10, 3600000)},
      {"idle_timeout_ms", integer(&Config::idle_timeout_ms, 10, 3600000)},
      {"token_ttl_minutes", integer(&Config::token_ttl_minutes, 1, 60 * 24 * 30)},
      {"login_max_failures", integer(&Config::login_max_failures, 1, 1000)},
      {"login_lock_minutes", integer(&Config::login_lock_minutes, 1, 60 * 24)},
      {"db_pool_size", integer(&Config::db_pool_size, 1, 256)},
      {"portal_codes_per_address_per_hour", integer(&Config::portal_codes_per_address_per_hour, 1, 1000000)},
      {"time_zone",
       [](Config& c, const std::string& k, const std::string& v) -> Status {
         if (auto offset = utc_offset_minutes(v); !offset)
           return fail(Error::invalid(k, offset.error().fields[0].message + ", got '" + v + "'"));
         c.time_zone = v;
         return {};
       }},
      {"access_log", boolean(&Config::access_log)},
      {"booking_max_per_day", integer(&Config::booking_max_per_day, 1, 50)},
      {"booking_max_per_department_per_day", integer(&Config::booking_max_per_department_per_day, 1, 50)},
      {"cancel_deadline_minutes", integer(&Config::cancel_deadline_minutes, 0, 60 * 24 * 14)},
      {"check_in_open_minutes", integer(&Config::check_in_open_minutes, 0, 60 * 24)},
      {"no_show_limit", integer(&Config::no_show_limit, 1, 100)},
      {"no_show_window_days", integer(&Config::no_show_window_days, 1, 3650)},
      {"no_show_restrict_days", integer(&Config::no_show_restrict_days, 0, 3650)},
      {"reminder_hours_before", integer(&Config::reminder_hours_before, 1, 24 * 14)},
      {"housekeeping_seconds", integer(&Config::housekeeping_seconds, 0, 24 * 3600)},
      {"special_needs_max_percent", integer(&Config::special_needs_max_percent, 0, 100)},
      {"payment_window_minutes", integer(&Config::payment_window_minutes, 1, 24 * 60)},
      {"payment_query_after_seconds", integer(&Config::payment_query_after_seconds, 1, 24 * 3600)},
      {"payment_gateway", choice(&Config::payment_gateway, {"simulator", "wechatpay"})},
      {"gateway_sim_port", integer(&Config::gateway_sim_port, 0, 65535)},
      {"wechatpay_url", text(&Config::wechatpay_url)},
      {"wechatpay_mchid", text(&Config::wechatpay_mchid)},
      {"wechatpay_platform_cert", text(&Config::wechatpay_platform_cert)},
      {"wechatpay_apiv3_key_file", text(&Config::wechatpay_apiv3_key_file)},
      {"public_url", text(&Config::public_url)},
      {"hl7_listen", text(&Config::hl7_listen)},
      {"hl7_port", integer(&Config::hl7_port, -1, 65535)},
      {"signing_pkcs11_module", text(&Config::signing_pkcs11_module)},
      {"signing_max_pin_failures", integer(&Config::signing_max_pin_failures, 1, 20)},
      {"signing_certificate_days", integer(&Config::signing_certificate_days, 1, 3650)},
  };
  return table;
}

}  // namespace

Result<ConfigLayer> read_config_file(const std::string& path) {
  std::ifstream in(path);
  if (!in) return fail(Error::invalid("config", "cannot read config file '" + path + "'"));
  ConfigLayer layer;
  std::string line;
  int number = 0;
  while (std::getline(in, line)) {
    ++number;
    const std::string t = trim(line);
    if (t.empty() || t[0] == '#') continue;
    const auto eq = t.find('=');
    if (eq == std::string::npos)
      return fail(Error::invalid("config", path + ":" + std::to_string(number) +
                                               ": expected 'key = value'"));
    std::string value = trim(std::string_view(t).substr(eq + 1));
    if (value.size() >= 2 && value.front() == '"' && value.back() == '"')
      value = value.substr(1, value.size() - 2);
    layer[trim(std::string_view(t).substr(0, eq))] = value;
  }
  return layer;
}

ConfigLayer config_from_env(char** envp) {
  ConfigLayer layer;
  for (char** e = envp; e && *e; ++e) {
    std::string_view kv(*e);
    if (!kv.starts_with("STORK_")) continue;
    const auto eq = kv.find('=');
    if (eq == std::string_view::npos) continue;
    std::string key(kv.substr(6, eq - 6));
    std::transform(key.begin(), key.end(), key.begin(), [](unsigned char c) { return std::tolower(c); });
    if (!setters().contains(key)) continue;  // other STORK_ variables belong to tools and tests
    layer[key] = std::string(kv.substr(eq + 1));
  }
  return layer;
}

Result<Config> build_config(const std::vector<ConfigLayer>& layers) {
  Config config;
  FieldErrors errors;
  for (const auto& layer : layers) {
    for (const auto& [raw_key, value] : layer) {
      std::string key = raw_key;
      std::replace(key.begin(), key.end(), '-', '_');
      const auto it = setters().find(key);
      if (it == setters().end()) {
        errors.add(key, "unknown configuration key");
        continue;
      }
      if (auto s = it->second(config, key, value); !s) {
        for (auto& f : s.error().fields) errors.add(f.field, f.message);
      }
    }
  }
  if (auto s = errors.status(); !s) return fail(s.error());
  return config;
}

std::vector<std::string> config_keys() {
  std::vector<std::string> keys;
  for (const auto& [k, _] : setters()) keys.push_back(k);
  return keys;
}

}  // namespace stork
