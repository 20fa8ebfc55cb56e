// Walks every registered route with no token and with every role, and checks
// the answer against the Access rule declared beside the route. A route
// cannot ship without a rule, and no rule can be silently bypassed.
#include <gtest/gtest.h>

#include <regex>

#include "support/test_database.hpp"
#include "support/test_server.hpp"

namespace stork::testing {
namespace {

class RouteAccess : public ::testing::TestWithParam<store::Backend> {};

std::string concrete_path(const std::string& pattern) {
  return std::regex_replace(pattern, std::regex(R"(\{[a-z_]+\})"), "1");
}

TEST_P(RouteAccess, EveryRouteAnswersEachRoleAsItsRuleDeclares) {
  TestServer server(GetParam());
  const auto& routes = server.app().router().routes();
  ASSERT_GT(routes.size(), 10u);
  auto client = server.client();
  int checked = 0;
  for (const auto& route : routes) {
    const std::string path = concrete_path(route.pattern);
    const std::string body = route.body == http::Body::json ? "{}" : "";
    std::map<std::string, std::string> headers;
    if (!body.empty()) headers["Content-Type"] = "application/json";

    // The gateway's notification route signs in by its own signature:
    // there, 401 means the signature was refused, which it is here.
    const bool signed_by_sender = route.pattern == "/api/v1/billing/notify/wechatpay";
    auto anonymous = client.request(route.method, path, body, headers);
    if (signed_by_sender) {
      EXPECT_EQ(anonymous.status, 401) << route.pattern;
      EXPECT_EQ(anonymous.json().at("code"), "bad_signature") << anonymous.body;
    } else if (route.access.requires_sign_in()) {
      EXPECT_EQ(anonymous.status, 401) << route.method << " " << route.pattern << " without a token";
    } else {
      EXPECT_NE(anonymous.status, 401) << route.method << " " << route.pattern;
      EXPECT_NE(anonymous.status, 403) << route.method << " " << route.pattern;
    }

    for (auth::Role role : auth::all_roles()) {
      // A fresh session per call: some routes (logout) end the session they use.
      const std::string token = server.login(std::string(auth::role_name(role)));
      auth::Principal who;
      who.roles = {role};
      auto h = headers;
      h["Authorization"] = "Bearer " + token;
      auto r = client.request(route.method, path, body, h);
      const std::string what = route.method + " " + route.pattern + " as " + std::string(auth::role_name(role));
      if (signed_by_sender) {
        EXPECT_EQ(r.status, 401) << what << ": a staff token is no gateway signature";
      } else if (route.access.allows(who)) {
        EXPECT_NE(r.status, 401) << what << ": " << r.body;
        EXPECT_NE(r.status, 403) << what << ": " << r.body;
      } else {
        EXPECT_EQ(r.status, 403) << what << ": " << r.body;
      }
      ++checked;
    }
  }
  EXPECT_EQ(checked, static_cast<int>(routes.size() * auth::all_roles().size()));
}

TEST(RouteAccess, AStaffRouteRefusesAPatientUnlessItSaysSo) {
  auth::Principal patient;
  patient.kind = auth::PrincipalKind::patient;
  EXPECT_FALSE(http::Access::any_staff().allows(patient));
  EXPECT_FALSE(http::Access::only({auth::Role::clerk}).allows(patient));
  auto both = http::Access::only({auth::Role::clerk});
  both.patients = true;
  EXPECT_TRUE(both.allows(patient));
}

INSTANTIATE_TEST_SUITE_P(Backends, RouteAccess, ::testing::ValuesIn(all_backends()),
                         [](const auto& info) { return backend_param_name(info.param); });

}  // namespace
}  // namespace stork::testing
