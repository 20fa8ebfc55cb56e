#include "http/topic_access.hpp"

#include <gtest/gtest.h>

namespace stork::http {
namespace {

using auth::Principal;
using auth::PrincipalKind;
using auth::Role;

Principal staff(std::vector<Role> roles) {
  Principal p;
  p.kind = PrincipalKind::staff;
  p.username = "someone";
  p.roles = std::move(roles);
  return p;
}

Principal patient() {
  Principal p;
  p.kind = PrincipalKind::patient;
  p.username = "13800000000";
  return p;
}

TEST(TopicAccess, AnyoneSignedInMayFollowAQueueIncludingPatients) {
  EXPECT_TRUE(may_subscribe(patient(), "queue.3"));
  EXPECT_TRUE(may_subscribe(staff({Role::clerk}), "queue.42"));
  EXPECT_TRUE(may_subscribe(staff({}), "queue.9007199254740993"));
}

TEST(TopicAccess, AQueueTopicNeedsASessionNumber) {
  EXPECT_FALSE(may_subscribe(patient(), "queue."));
  EXPECT_FALSE(may_subscribe(patient(), "queue.OB-R1"));
  EXPECT_FALSE(may_subscribe(patient(), "queue.3.extra"));
  EXPECT_FALSE(may_subscribe(patient(), "queue.-3"));
  EXPECT_FALSE(may_subscribe(patient(), "queue.1234567890123456789"));  // longer than any id
}

TEST(TopicAccess, DisplaysAreForDisplayNurseDoctorAndAdmin) {
  for (auto role : {Role::display, Role::triage_nurse, Role::doctor, Role::admin})
    EXPECT_TRUE(may_subscribe(staff({role}), "display.OB")) << role_name(role);
  EXPECT_TRUE(may_subscribe(staff({Role::clerk, Role::doctor}), "display.PED-CV"));
  for (auto role : {Role::clerk, Role::pharmacist, Role::mdt_coordinator, Role::dispatcher, Role::manager,
                    Role::auditor})
    EXPECT_FALSE(may_subscribe(staff({role}), "display.OB")) << role_name(role);
}

TEST(TopicAccess, APatientNeverSeesADisplay) {
  Principal p = patient();
  p.roles = {Role::admin};  // even if roles were set on a patient principal
  EXPECT_FALSE(may_subscribe(p, "display.OB"));
}

TEST(TopicAccess, ADisplayTopicNeedsAPlainDepartmentCode) {
  const auto nurse = staff({Role::triage_nurse});
  EXPECT_FALSE(may_subscribe(nurse, "display."));
  EXPECT_FALSE(may_subscribe(nurse, "display.OB R1"));
  EXPECT_FALSE(may_subscribe(nurse, "display.OB/1"));
  EXPECT_FALSE(may_subscribe(nurse, "display." + std::string(33, 'A')));
}

TEST(TopicAccess, OtherTopicsAreRefusedToEveryone) {
  const auto admin = staff({Role::admin});
  for (const char* topic : {"", "other", "queue", "display", "Queue.3", "dashboard.ops", "audit.all"})
    EXPECT_FALSE(may_subscribe(admin, topic)) << topic;
}

TEST(TopicAccess, ARefusalNamesTopicsAndEveryRefusedTopic) {
  auto s = check_topic_access(patient(), {"queue.3", "display.OB", "other"});
  ASSERT_FALSE(s);
  EXPECT_EQ(s.error().code, "forbidden");
  ASSERT_EQ(s.error().fields.size(), 1u);
  EXPECT_EQ(s.error().fields[0].field, "topics");
  EXPECT_NE(s.error().fields[0].message.find("display.OB"), std::string::npos);
  EXPECT_NE(s.error().fields[0].message.find("other"), std::string::npos);
  EXPECT_EQ(s.error().fields[0].message.find("queue.3"), std::string::npos);
}

TEST(TopicAccess, AllowedTopicsPass) {
  EXPECT_TRUE(check_topic_access(staff({Role::display}), {"queue.3", "display.OB", "display.PED"}));
}

TEST(TopicAccess, NoTopicsOrTooManyIsABadRequestNamingTopics) {
  auto none = check_topic_access(patient(), {});
  ASSERT_FALSE(none);
  EXPECT_EQ(none.error().code, "validation_failed");
  EXPECT_EQ(none.error().fields.at(0).field, "topics");
  std::set<std::string> many;
  for (size_t i = 0; i <= kMaxTopicsPerConnection; ++i) many.insert("queue." + std::to_string(i));
  auto over = check_topic_access(patient(), many);
  ASSERT_FALSE(over);
  EXPECT_EQ(over.error().fields.at(0).field, "topics");
}

}  // namespace
}  // namespace stork::http
