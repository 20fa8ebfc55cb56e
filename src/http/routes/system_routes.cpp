// Health, readiness and metrics: for load balancers and Prometheus.
#include "http/json.hpp"
#include "http/problem.hpp"
#include "http/routes/routes.hpp"

namespace stork::http {

void add_system_routes(Router& router, SystemDeps deps) {
  // Liveness: the process answers; never touches the database.
  router.add({.method = "GET",
              .pattern = "/healthz",
              .access = Access::anyone(),
              .handler = [version = deps.version](Request&) {
                return json_response(200, {{"status", "ok"}, {"version", version}});
              },
              .inline_ok = true});

  router.add({.method = "GET",
              .pattern = "/readyz",
              .access = Access::anyone(),
              .handler = [&db = deps.db](Request& req) {
                if (auto s = db.ping(); !s) {
                  return problem(Error::unavailable("database unreachable"), req.request_id);
                }
                return json_response(200, {{"status", "ready"},
                                           {"database", std::string(store::backend_name(db.backend()))}});
              }});

  router.add({.method = "GET",
              .pattern = "/metrics",
              .access = Access::anyone(),
              .handler = [&db = deps.db, &metrics = deps.metrics](Request&) {
                return Response{200, "text/plain; version=0.0.4", metrics.render(db.stats()), {}};
              },
              .inline_ok = true});
}

}  // namespace stork::http
