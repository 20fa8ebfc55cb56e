#pragma once
// The simulator's HTTP surface: WeChat Pay v3's merchant API (answers
// signed with the platform key, refusals as {code, message}), the hosted
// checkout page, and the /sim/v1 control API for tests. Every route is
// open (Access::anyone): the simulator has no users.
#include <string>

#include "core/clock.hpp"
#include "http/router.hpp"
#include "paysim/notice.hpp"
#include "paysim/sim_gateway.hpp"

namespace stork::paysim {

struct RouteDeps {
  SimGateway& gateway;
  const NoticeMaker& maker;
  const Clock& clock;
  std::string public_url;  // empty: from each request's Host header
};

// REQUIRES: deps' referents outlive the router.
void add_sim_routes(http::Router& router, RouteDeps deps);

}  // namespace stork::paysim
