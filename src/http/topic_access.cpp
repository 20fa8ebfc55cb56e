#include "http/topic_access.hpp"

#include <algorithm>

namespace stork::http {
namespace {

bool all_digits(std::string_view s) {
  return !s.empty() && s.size() <= 18 && std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; });
}

// Department codes are short: "OB", "PED-CV".
bool department_code(std::string_view s) {
  return !s.empty() && s.size() <= 32 && std::all_of(s.begin(), s.end(), [](char c) {
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '_';
  });
}

bool sees_displays(const auth::Principal& who) {
  if (who.kind != auth::PrincipalKind::staff) return false;
  for (auto role : {auth::Role::display, auth::Role::triage_nurse, auth::Role::doctor, auth::Role::admin})
    if (who.has_role(role)) return true;
  return false;
}

}  // namespace

bool may_subscribe(const auth::Principal& who, std::string_view topic) {
  if (topic.starts_with("queue.")) return all_digits(topic.substr(6));
  if (topic.starts_with("display.")) return department_code(topic.substr(8)) && sees_displays(who);
  return false;
}

Status check_topic_access(const auth::Principal& who, const std::set<std::string>& topics) {
  if (topics.empty()) return fail(Error::invalid("topics", "name at least one topic, e.g. topics=queue.3"));
  if (topics.size() > kMaxTopicsPerConnection)
    return fail(Error::invalid("topics", "at most " + std::to_string(kMaxTopicsPerConnection) + " topics"));
  std::string refused;
  for (const auto& t : topics) {
    if (may_subscribe(who, t)) continue;
    if (!refused.empty()) refused += ", ";
    refused += t;
  }
  if (refused.empty()) return {};
  Error e = Error::forbidden("you may not subscribe to " + refused);
  e.fields.push_back({"topics", "not allowed: " + refused});
  return fail(std::move(e));
}

}  // namespace stork::http
