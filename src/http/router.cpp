#include "http/router.hpp"

#include <algorithm>
#include <stdexcept>

namespace stork::http {

bool Access::allows(const auth::Principal& p) const {
  if (kind == Kind::anyone) return true;
  if (p.kind == auth::PrincipalKind::patient) return patients;
  switch (kind) {
    case Kind::anyone:
    case Kind::any_staff: return true;
    case Kind::roles:
      return std::any_of(roles.begin(), roles.end(), [&](auth::Role r) { return p.has_role(r); });
  }
  return false;
}

std::vector<std::string> Router::split(std::string_view path) {
  std::vector<std::string> out;
  size_t i = 0;
  while (i < path.size()) {
    if (path[i] == '/') {
      ++i;
      continue;
    }
    const size_t end = std::min(path.find('/', i), path.size());
    out.emplace_back(path.substr(i, end - i));
    i = end;
  }
  return out;
}

void Router::add(Route route) {
  // A route without a rule, or registered twice, is a programming error.
  if (route.access.kind == Access::Kind::roles && route.access.roles.empty() && !route.access.patients)
    throw std::logic_error("route " + route.pattern + " allows no role");
  for (const auto& r : routes_)
    if (r.method == route.method && r.pattern == route.pattern)
      throw std::logic_error("route registered twice: " + route.method + " " + route.pattern);
  segments_.push_back(split(route.pattern));
  routes_.push_back(std::move(route));
}

RouteMatch Router::match(const std::string& method, const std::string& path) const {
  RouteMatch result;
  const auto parts = split(path);
  for (size_t i = 0; i < routes_.size(); ++i) {
    const auto& segs = segments_[i];
    if (segs.size() != parts.size()) continue;
    std::map<std::string, std::string> params;
    bool ok = true;
    for (size_t j = 0; j < segs.size() && ok; ++j) {
      if (segs[j].size() > 2 && segs[j].front() == '{' && segs[j].back() == '}')
        params[segs[j].substr(1, segs[j].size() - 2)] = parts[j];
      else
        ok = segs[j] == parts[j];
    }
    if (!ok) continue;
    if (routes_[i].method == method || (method == "HEAD" && routes_[i].method == "GET")) {
      result.route = &routes_[i];
      result.params = std::move(params);
      return result;
    }
    result.allowed_methods.push_back(routes_[i].method);
  }
  return result;
}

}  // namespace stork::http
