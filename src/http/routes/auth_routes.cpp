// Sign-in, staff accounts and the audit trail.
#include "core/clock.hpp"
#include "http/json.hpp"
#include "http/problem.hpp"
#include "http/routes/routes.hpp"

namespace stork::http {
namespace {

using auth::Role;
namespace json = boost::json;

json::array roles_json(const std::vector<Role>& roles) {
  json::array out;
  for (Role r : roles) out.emplace_back(std::string(auth::role_name(r)));
  return out;
}

json::object user_json(const auth::User& u) {
  json::object o{{"id", u.id},
                 {"username", u.username},
                 {"display_name", u.display_name},
                 {"roles", roles_json(u.roles)},
                 {"disabled", u.disabled},
                 {"demo", u.demo},
                 {"created_at", format_utc(u.created_at_ms)}};
  o["locked_until"] = u.locked_until_ms ? json::value(format_utc(*u.locked_until_ms)) : json::value();
  return o;
}

// Parses a "roles" array; unknown names are reported by index.
std::optional<std::vector<Role>> read_roles(JsonReader& r, std::string_view key) {
  auto names = r.optional_string_array(key, 20);
  if (!names) return std::nullopt;
  std::vector<Role> roles;
  for (size_t i = 0; i < names->size(); ++i) {
    if (auto role = auth::parse_role((*names)[i])) roles.push_back(*role);
    else r.add_error(std::string(key) + "[" + std::to_string(i) + "]", "unknown role '" + (*names)[i] + "'");
  }
  return roles;
}



}  // namespace

void add_auth_routes(Router& router, AuthDeps deps) {
  auto& svc = deps.auth;
  const auto admin = Access::only({Role::admin});
  const auto audit_readers = Access::only({Role::admin, Role::auditor});

  router.add({.method = "POST", .pattern = "/api/v1/auth/login", .access = Access::anyone(),
              .body = Body::json, .handler = [&svc](Request& req) {
                STORK_JSON_BODY(body, req);
                JsonReader r(body);
                const std::string username = r.required_string("username", 64);
                const std::string password = r.required_string("password", 256);
                if (auto s = r.status(); !s) return problem(s.error(), req.request_id);
                auto result = svc.login(username, password, req.context());
                if (!result) return problem(result.error(), req.request_id);
                return json_response(200, {{"token", result->token},
                                           {"expires_at", format_utc(result->expires_at_ms)},
                                           {"user", user_json(result->user)}});
              }});

  router.add({.method = "POST", .pattern = "/api/v1/auth/logout",
              .access = Access::any_staff().and_patients(),
              .handler = [&svc](Request& req) {
                if (auto s = svc.logout(*req.principal, req.context()); !s)
                  return problem(s.error(), req.request_id);
                return Response::no_content();
              }});

  router.add({.method = "GET", .pattern = "/api/v1/auth/me", .access = Access::any_staff(),
              .handler = [](Request& req) {
                const auto& p = *req.principal;
                return json_response(200, {{"id", p.id},
                                           {"username", p.username},
                                           {"display_name", p.display_name},
                                           {"roles", roles_json(p.roles)}});
              }});

  router.add({.method = "GET", .pattern = "/api/v1/roles", .access = Access::any_staff(),
              .handler = [](Request&) {
                json::array items;
                for (Role r : auth::all_roles()) items.emplace_back(std::string(auth::role_name(r)));
                return json_response(200, {{"items", items}});
              }});

  router.add({.method = "GET", .pattern = "/api/v1/users", .access = admin,
              .handler = [&svc](Request& req) {
                auto users = svc.list_users();
                if (!users) return problem(users.error(), req.request_id);
                json::array items;
                for (const auto& u : *users) items.push_back(user_json(u));
                return json_response(200, {{"items", items}});
              }});

  router.add({.method = "GET", .pattern = "/api/v1/users/{id}", .access = admin,
              .handler = [&svc](Request& req) {
                auto id = parse_id(req.path_param("id"), "id");
                if (!id) return problem(id.error(), req.request_id);
                auto user = svc.get_user(*id);
                if (!user) return problem(user.error(), req.request_id);
                return json_response(200, user_json(*user));
              }});

  router.add({.method = "POST", .pattern = "/api/v1/users", .access = admin, .body = Body::json,
              .handler = [&svc](Request& req) {
                STORK_JSON_BODY(body, req);
                JsonReader r(body);
                auth::NewUser u;
                u.username = r.required_string("username", 64);
                u.display_name = r.required_string("display_name", 100);
                u.password = r.required_string("password", 256);
                auto roles = read_roles(r, "roles");
                if (!roles && !body.contains("roles")) r.add_error("roles", "is required");
                u.roles = roles.value_or(std::vector<Role>{});
                if (auto s = r.status(); !s) {
                  // Report the account rules too, so the form shows every problem at once.
                  for (auto& f : auth::validate_new_user(u))
                    if (!r.has_error(f.field)) r.add_error(f.field, f.message);
                  return problem(r.status().error(), req.request_id);
                }
                auto created = svc.create_user(*req.principal, u, req.context());
                if (!created) return problem(created.error(), req.request_id);
                auto res = json_response(201, user_json(*created));
                res.headers.emplace_back("Location", "/api/v1/users/" + std::to_string(created->id));
                return res;
              }});

  router.add({.method = "PATCH", .pattern = "/api/v1/users/{id}", .access = admin,
              .body = Body::json, .handler = [&svc](Request& req) {
                auto id = parse_id(req.path_param("id"), "id");
                if (!id) return problem(id.error(), req.request_id);
                STORK_JSON_BODY(body, req);
                JsonReader r(body);
                auth::UserPatch patch;
                patch.display_name = r.optional_string("display_name", 100);
                patch.roles = read_roles(r, "roles");
                patch.disabled = r.optional_bool("disabled");
                for (const auto& [key, _] : body)
                  if (key != "display_name" && key != "roles" && key != "disabled")
                    r.add_error(std::string(key), "cannot be changed here");
                if (auto s = r.status(); !s) return problem(s.error(), req.request_id);
                auto updated = svc.update_user(*req.principal, *id, patch, req.context());
                if (!updated) return problem(updated.error(), req.request_id);
                return json_response(200, user_json(*updated));
              }});

  router.add({.method = "POST", .pattern = "/api/v1/users/{id}/password", .access = admin,
              .body = Body::json, .handler = [&svc](Request& req) {
                auto id = parse_id(req.path_param("id"), "id");
                if (!id) return problem(id.error(), req.request_id);
                STORK_JSON_BODY(body, req);
                JsonReader r(body);
                const std::string password = r.required_string("password", 256);
                if (auto s = r.status(); !s) return problem(s.error(), req.request_id);
                if (auto s = svc.reset_password(*req.principal, *id, password, req.context()); !s)
                  return problem(s.error(), req.request_id);
                return Response::no_content();
              }});

  router.add({.method = "GET", .pattern = "/api/v1/audit", .access = audit_readers,
              .handler = [&audit = deps.audit, &db = deps.db](Request& req) {
                int64_t limit = 50;
                std::optional<int64_t> before;
                FieldErrors errors;
                if (auto it = req.query.find("limit"); it != req.query.end()) {
                  auto v = parse_id(it->second, "limit");
                  if (!v || *v > 500) errors.add("limit", "must be between 1 and 500");
                  else limit = *v;
                }
                if (auto it = req.query.find("before_id"); it != req.query.end()) {
                  auto v = parse_id(it->second, "before_id");
                  if (!v) errors.add("before_id", "must be a positive whole number");
                  else before = *v;
                }
                if (auto s = errors.status(); !s) return problem(s.error(), req.request_id);
                auto records = audit.list(db, static_cast<int>(limit), before);
                if (!records) return problem(records.error(), req.request_id);
                json::array items;
                for (const auto& a : *records)
                  items.push_back({{"id", a.id},
                                   {"at", format_utc(a.at_ms)},
                                   {"actor", a.entry.actor},
                                   {"action", a.entry.action},
                                   {"entity", a.entry.entity},
                                   {"entity_id", a.entry.entity_id},
                                   {"outcome", a.entry.outcome},
                                   {"detail", a.entry.detail},
                                   {"ip", a.ip},
                                   {"request_id", a.request_id},
                                   {"hash", a.hash}});
                return json_response(200, {{"items", items}});
              }});

  router.add({.method = "GET", .pattern = "/api/v1/audit/verify", .access = audit_readers,
              .handler = [&audit = deps.audit, &db = deps.db](Request& req) {
                auto report = audit.verify(db);
                if (!report) return problem(report.error(), req.request_id);
                json::object o{{"ok", report->ok}, {"checked", report->checked}};
                if (report->first_broken_id) {
                  o["first_broken_id"] = *report->first_broken_id;
                  o["reason"] = report->reason;
                }
                return json_response(200, o);
              }});
}

}  // namespace stork::http
