#include "http/router.hpp"

#include <gtest/gtest.h>

#include <stdexcept>
#include <string>
#include <vector>

namespace stork::http {
namespace {

using auth::Principal;
using auth::PrincipalKind;
using auth::Role;

// A route whose handler answers with its own name, so tests can tell which matched.
Route route(std::string method, std::string pattern, Access access = Access::any_staff()) {
  const std::string name = method + " " + pattern;
  return Route{std::move(method), std::move(pattern), std::move(access), Body::none,
               [name](Request&) { return Response{200, "text/plain", name, {}}; }};
}

std::string run(const RouteMatch& m) {
  Request req;
  return m.route->handler(req).body;
}

Principal staff(std::vector<Role> roles) {
  Principal p;
  p.kind = PrincipalKind::staff;
  p.id = 7;
  p.username = "wang";
  p.roles = std::move(roles);
  return p;
}

Principal patient() {
  Principal p;
  p.kind = PrincipalKind::patient;
  p.id = 9;
  p.username = "13812345678";
  return p;
}

TEST(Router, ExtractsPathParameters) {
  Router router;
  router.add(route("GET", "/api/v1/users/{id}"));
  router.add(route("GET", "/api/v1/departments/{dept}/doctors/{doctor}"));

  const RouteMatch user = router.match("GET", "/api/v1/users/42");
  ASSERT_NE(user.route, nullptr);
  EXPECT_EQ(user.route->pattern, "/api/v1/users/{id}");
  EXPECT_EQ(user.params, (std::map<std::string, std::string>{{"id", "42"}}));

  const RouteMatch doctor = router.match("GET", "/api/v1/departments/cardiology/doctors/17");
  ASSERT_NE(doctor.route, nullptr);
  EXPECT_EQ(doctor.params,
            (std::map<std::string, std::string>{{"dept", "cardiology"}, {"doctor", "17"}}));
  EXPECT_TRUE(doctor.allowed_methods.empty());
}

TEST(Router, MatchesLiteralSegmentsExactly) {
  Router router;
  router.add(route("GET", "/api/v1/users"));
  EXPECT_EQ(router.match("GET", "/api/v1/Users").route, nullptr);
  EXPECT_EQ(router.match("GET", "/api/v1/user").route, nullptr);
  EXPECT_EQ(router.match("GET", "/api/v1/users/extra").route, nullptr);
  EXPECT_EQ(router.match("GET", "/api/v1").route, nullptr);
  EXPECT_TRUE(router.match("GET", "/api/v1/Users").allowed_methods.empty());
}

TEST(Router, IgnoresTrailingAndRepeatedSlashes) {
  Router router;
  router.add(route("GET", "/api/v1/users/{id}"));
  for (const char* path : {"/api/v1/users/5/", "//api//v1/users/5", "api/v1/users/5",
                           "/api/v1/users//5//"}) {
    const RouteMatch m = router.match("GET", path);
    ASSERT_NE(m.route, nullptr) << path;
    EXPECT_EQ(m.params.at("id"), "5") << path;
  }
}

TEST(Router, DoesNotLetAnEmptySegmentFillAParameter) {
  Router router;
  router.add(route("GET", "/api/v1/users/{id}"));
  EXPECT_EQ(router.match("GET", "/api/v1/users/").route, nullptr);
  EXPECT_EQ(router.match("GET", "/api/v1/users//").route, nullptr);
}

TEST(Router, MatchesTheRootPath) {
  Router router;
  router.add(route("GET", "/"));
  EXPECT_NE(router.match("GET", "/").route, nullptr);
  EXPECT_NE(router.match("GET", "").route, nullptr);
  EXPECT_EQ(router.match("GET", "/x").route, nullptr);
}

TEST(Router, PrefersTheRouteRegisteredFirst) {
  Router router;
  router.add(route("GET", "/api/v1/users/me"));
  router.add(route("GET", "/api/v1/users/{id}"));
  EXPECT_EQ(run(router.match("GET", "/api/v1/users/me")), "GET /api/v1/users/me");
  EXPECT_EQ(run(router.match("GET", "/api/v1/users/3")), "GET /api/v1/users/{id}");
}

TEST(Router, ListsAllowedMethodsWhenThePathExistsForOthers) {
  Router router;
  router.add(route("GET", "/api/v1/users/{id}"));
  router.add(route("PATCH", "/api/v1/users/{id}"));
  router.add(route("POST", "/api/v1/users"));
  const RouteMatch m = router.match("DELETE", "/api/v1/users/3");
  EXPECT_EQ(m.route, nullptr);
  EXPECT_EQ(m.allowed_methods, (std::vector<std::string>{"GET", "PATCH"}));
}

TEST(Router, ReportsNoAllowedMethodsForAnUnknownPath) {
  Router router;
  router.add(route("GET", "/api/v1/users"));
  const RouteMatch m = router.match("GET", "/api/v1/nothing");
  EXPECT_EQ(m.route, nullptr);
  EXPECT_TRUE(m.allowed_methods.empty());
}

TEST(Router, PicksTheRouteForTheRequestedMethod) {
  Router router;
  router.add(route("GET", "/api/v1/users"));
  router.add(route("POST", "/api/v1/users"));
  EXPECT_EQ(run(router.match("POST", "/api/v1/users")), "POST /api/v1/users");
  EXPECT_EQ(run(router.match("GET", "/api/v1/users")), "GET /api/v1/users");
}

TEST(Router, AnswersHeadWithTheGetRoute) {
  Router router;
  router.add(route("GET", "/api/v1/health", Access::anyone()));
  const RouteMatch m = router.match("HEAD", "/api/v1/health");
  ASSERT_NE(m.route, nullptr);
  EXPECT_EQ(m.route->method, "GET");
}

TEST(Router, DoesNotAnswerHeadWithAPostRoute) {
  Router router;
  router.add(route("POST", "/api/v1/login", Access::anyone()));
  const RouteMatch m = router.match("HEAD", "/api/v1/login");
  EXPECT_EQ(m.route, nullptr);
  EXPECT_EQ(m.allowed_methods, (std::vector<std::string>{"POST"}));
}

TEST(Router, RefusesTheSameRouteTwice) {
  Router router;
  router.add(route("GET", "/api/v1/users/{id}"));
  EXPECT_THROW(router.add(route("GET", "/api/v1/users/{id}")), std::logic_error);
  EXPECT_NO_THROW(router.add(route("DELETE", "/api/v1/users/{id}")));
  EXPECT_EQ(router.routes().size(), 2u);
}

TEST(Router, RefusesARolesRuleWithoutRoles) {
  Router router;
  EXPECT_THROW(router.add(route("GET", "/api/v1/audit", Access::only({}))), std::logic_error);
  EXPECT_TRUE(router.routes().empty());
  EXPECT_EQ(router.match("GET", "/api/v1/audit").route, nullptr);
}

TEST(Access, LetsAnyoneInWithoutSigningIn) {
  EXPECT_FALSE(Access::anyone().requires_sign_in());
  EXPECT_TRUE(Access::any_staff().requires_sign_in());
  EXPECT_TRUE(Access::only({Role::admin}).requires_sign_in());
  EXPECT_TRUE(Access::anyone().allows(staff({})));
}

// An "anyone" route is public: a signed-in patient is someone too.
TEST(Access, LetsAPatientCallAPublicRoute) { EXPECT_TRUE(Access::anyone().allows(patient())); }

TEST(Access, LetsAnyStaffMemberInWhateverTheirRoles) {
  EXPECT_TRUE(Access::any_staff().allows(staff({})));
  EXPECT_TRUE(Access::any_staff().allows(staff({Role::auditor})));
}

TEST(Access, KeepsPatientsOutOfStaffRoutes) {
  EXPECT_FALSE(Access::any_staff().allows(patient()));
  EXPECT_FALSE(Access::only({Role::doctor, Role::clerk}).allows(patient()));
}

TEST(Access, LetsPatientsInWhereTheRuleSaysSo) {
  Access access = Access::only({Role::clerk});
  access.patients = true;
  EXPECT_TRUE(access.allows(patient()));
  EXPECT_TRUE(access.allows(staff({Role::clerk})));
  EXPECT_FALSE(access.allows(staff({Role::doctor})));
}

TEST(Access, AllowsStaffHoldingAnyListedRole) {
  const Access access = Access::only({Role::doctor, Role::triage_nurse});
  EXPECT_TRUE(access.allows(staff({Role::doctor})));
  EXPECT_TRUE(access.allows(staff({Role::clerk, Role::triage_nurse})));
  EXPECT_FALSE(access.allows(staff({Role::clerk, Role::pharmacist})));
  EXPECT_FALSE(access.allows(staff({})));
}

TEST(Access, DoesNotGiveAdminsRolesTheyWereNotListedFor) {
  EXPECT_FALSE(Access::only({Role::auditor}).allows(staff({Role::admin})));
}

TEST(Access, JudgesAPatientByKindNotByRoles) {
  Principal p = patient();
  p.roles = {Role::admin};
  EXPECT_FALSE(Access::only({Role::admin}).allows(p));
}

}  // namespace
}  // namespace stork::http
