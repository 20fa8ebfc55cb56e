#pragma once
// Turns a parsed Request into a Response: route match (404/405), sign-in
// (401), role rules (403), body checks (415/400), then the handler. No I/O
// of its own beyond what the handler and the authenticator do, so it is
// tested without sockets.
#include <functional>
#include <optional>
#include <string>

#include "auth/roles.hpp"
#include "core/error.hpp"
#include "http/request.hpp"
#include "http/router.hpp"

namespace stork::http {

// How the dispatcher learns who is calling, and reports refusals to the
// audit log. Implemented in app/ over AuthService and AuditLog.
class Authenticator {
 public:
  virtual ~Authenticator() = default;
  virtual Result<auth::Principal> authenticate(std::string_view token) = 0;
  virtual void record_denied(const auth::Principal& who, const Request& req) = 0;
};

struct Dispatched {
  Response response;
  std::string route;  // the pattern, or "(static)", "(unmatched)"; a metrics label
  std::string user;   // for the access log
};

// Thread-safe once constructed (the router is read-only while serving).
class Dispatcher {
 public:
  // fallback serves GET/HEAD for paths outside /api/ (the web app).
  using Fallback = std::function<std::optional<Response>(const Request&)>;
  Dispatcher(const Router& router, Authenticator& auth, Fallback fallback);

  RouteMatch match(const Request& req) const { return router_.match(req.method, req.path); }
  // REQUIRES: m came from match(req).
  Dispatched dispatch(Request& req, const RouteMatch& m) const;
  // Bearer token from the Authorization header, or "access_token" in the
  // query (browsers cannot set headers on WebSocket upgrades).
  static std::string bearer_token(const Request& req);

 private:
  const Router& router_;
  Authenticator& auth_;
  Fallback fallback_;
};

}  // namespace stork::http
