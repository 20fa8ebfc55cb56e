#pragma once
// Routes with path parameters ("/api/v1/users/{id}") and, next to each, the
// rule of who may call it. A route cannot be registered without an Access
// rule; tests walk every route with every role against these rules.
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "auth/roles.hpp"
#include "http/request.hpp"

namespace stork::http {

// Who may call a route.
struct Access {
  enum class Kind { anyone, any_staff, roles };
  Kind kind = Kind::roles;
  std::vector<auth::Role> roles;  // for Kind::roles
  bool patients = false;          // patients may call it too (their own data only)

  static Access anyone() { return {Kind::anyone, {}, false}; }
  static Access any_staff() { return {Kind::any_staff, {}, false}; }
  static Access only(std::vector<auth::Role> roles) { return {Kind::roles, std::move(roles), false}; }
  // Patient tokens only (the portal).
  static Access patients_only() { return {Kind::roles, {}, true}; }

  // The same rule, also open to patient tokens (their own data only).
  Access and_patients() const {
    Access a = *this;
    a.patients = true;
    return a;
  }

  bool requires_sign_in() const { return kind != Kind::anyone; }
  bool allows(const auth::Principal& p) const;
};

// What the route accepts as a body.
enum class Body { none, json };

using Handler = std::function<Response(Request&)>;

struct Route {
  std::string method;
  std::string pattern;  // "/api/v1/users/{id}"
  Access access;
  Body body = Body::none;
  Handler handler;
  // Runs on the I/O thread: only for handlers that never block (health, metrics).
  bool inline_ok = false;
};

struct RouteMatch {
  const Route* route = nullptr;  // null: no route for this method
  std::map<std::string, std::string> params;
  std::vector<std::string> allowed_methods;  // when the path exists for other methods
};

// Not thread-safe to modify; match() is safe from any thread once serving.
class Router {
 public:
  void add(Route route);
  RouteMatch match(const std::string& method, const std::string& path) const;
  const std::vector<Route>& routes() const { return routes_; }

 private:
  static std::vector<std::string> split(std::string_view path);
  std::vector<Route> routes_;
  std::vector<std::vector<std::string>> segments_;  // parallel to routes_
};

}  // namespace stork::http
