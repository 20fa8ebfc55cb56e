#include "app/event_bridge.hpp"

#include <gtest/gtest.h>

namespace stork::app {
namespace {

TEST(EventPayload, RoundTripsNodeTopicAndData) {
  auto p = encode_event("a1b2", "display.OB", R"({"kind":"call","name":"张*丽"})");
  ASSERT_TRUE(p);
  auto e = decode_event(*p);
  ASSERT_TRUE(e);
  EXPECT_EQ(e->node, "a1b2");
  EXPECT_EQ(e->topic, "display.OB");
  EXPECT_EQ(e->data_json, R"({"kind":"call","name":"张*丽"})");
}

TEST(EventPayload, DataMayHoldLineBreaks) {
  auto e = decode_event(*encode_event("n", "queue.3", "{\n\"a\": 1\n}"));
  ASSERT_TRUE(e);
  EXPECT_EQ(e->data_json, "{\n\"a\": 1\n}");
}

TEST(EventPayload, RefusesWhatNotifyCannotCarry) {
  EXPECT_FALSE(encode_event("n", "queue.\n3", "{}"));
  const std::string big = "\"" + std::string(kMaxNotifyPayload, 'x') + "\"";
  EXPECT_FALSE(encode_event("n", "queue.3", big));
  const std::string fits(kMaxNotifyPayload - std::string("n\nqueue.3\n").size(), '1');
  auto p = encode_event("n", "queue.3", fits);
  ASSERT_TRUE(p);
  EXPECT_EQ(p->size(), kMaxNotifyPayload);
}

TEST(EventPayload, IgnoresForeignPayloads) {
  for (const char* p : {"", "hello", "node\ntopic", "\ntopic\n{}", "node\n\n{}", "node\ntopic\n"})
    EXPECT_FALSE(decode_event(p)) << p;
}

}  // namespace
}  // namespace stork::app
