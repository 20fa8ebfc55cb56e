#include "http/dispatcher.hpp"

#include <exception>

#include "core/log.hpp"
#include "http/problem.hpp"

namespace stork::http {

Dispatcher::Dispatcher(const Router& router, Authenticator& auth, Fallback fallback)
    : router_(router), auth_(auth), fallback_(std::move(fallback)) {}

std::string Dispatcher::bearer_token(const Request& req) {
  const std::string_view h = req.header("authorization");
  if (h.size() > 7 && (h.starts_with("Bearer ") || h.starts_with("bearer ")))
    return std::string(h.substr(7));
  if (auto it = req.query.find("access_token"); it != req.query.end()) return it->second;
  return {};
}

Dispatched Dispatcher::dispatch(Request& req, const RouteMatch& m) const {
  Dispatched out;
  if (!m.route) {
    if (!m.allowed_methods.empty()) {
      out.route = "(unmatched)";
      std::string allow;
      for (const auto& method : m.allowed_methods) allow += (allow.empty() ? "" : ", ") + method;
      out.response = problem({"method_not_allowed", req.method + " is not allowed here; use " + allow, {}},
                             req.request_id);
      out.response.headers.emplace_back("Allow", allow);
      return out;
    }
    if (!req.path.starts_with("/api/") && (req.method == "GET" || req.method == "HEAD") && fallback_) {
      if (auto r = fallback_(req)) {
        out.route = "(static)";
        out.response = std::move(*r);
        return out;
      }
    }
    out.route = "(unmatched)";
    out.response = problem({"route_not_found", "no such endpoint: " + req.path, {}}, req.request_id);
    return out;
  }

  const Route& route = *m.route;
  out.route = route.pattern;
  req.path_params = m.params;

  if (route.access.requires_sign_in()) {
    const std::string token = bearer_token(req);
    if (token.empty()) {
      out.response = problem(Error::unauthenticated("sign in first: send Authorization: Bearer <token>"),
                             req.request_id);
      out.response.headers.emplace_back("WWW-Authenticate", "Bearer");
      return out;
    }
    auto who = auth_.authenticate(token);
    if (!who) {
      out.response = problem(who.error(), req.request_id);
      if (out.response.status == 401) out.response.headers.emplace_back("WWW-Authenticate", "Bearer");
      return out;
    }
    out.user = who->audit_name();
    if (!route.access.allows(*who)) {
      auth_.record_denied(*who, req);
      out.response = problem(Error::forbidden("your role does not allow " + req.method + " " + route.pattern),
                             req.request_id);
      return out;
    }
    req.principal = std::move(*who);
  }

  if (route.body == Body::json) {
    const std::string_view type = req.header("content-type");
    const std::string_view media = type.substr(0, type.find(';'));
    if (media != "application/json") {
      out.response = problem({"unsupported_media_type",
                              "send the body as application/json (got '" + std::string(media) + "')",
                              {{"Content-Type", "must be application/json"}}},
                             req.request_id);
      return out;
    }
  }

  try {
    out.response = route.handler(req);
  } catch (const std::exception& e) {
    log::error("handler threw", {{"request_id", req.request_id}, {"route", route.pattern},
                                 {"what", e.what()}});
    out.response = problem(Error::internal(e.what()), req.request_id);
  }
  return out;
}

}  // namespace stork::http
