#pragma once
// In-process publish/subscribe for live updates (queue displays,
// dashboards). WebSocket sessions subscribe to topics; services publish.
// On PostgreSQL, a LISTEN/NOTIFY bridge republishes events from other nodes.
//
// Thread-safe. Sinks are called on the publishing thread and must only hand
// the message off (the WebSocket session posts it to its own strand).
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <set>
#include <string>
#include <vector>

namespace stork::http {

class EventHub {
 public:
  using Message = std::shared_ptr<const std::string>;
  using Sink = std::function<void(const Message&)>;

  // An empty topic list subscribes to nothing.
  int64_t subscribe(std::set<std::string> topics, Sink sink);
  void unsubscribe(int64_t id);
  // Sends {"topic": topic, "data": <data_json>} to the topic's subscribers.
  // REQUIRES: data_json is valid JSON.
  void publish(const std::string& topic, const std::string& data_json);
  size_t subscribers() const;
  // The topics somebody is subscribed to now.
  std::set<std::string> topics() const;

 private:
  struct Subscription {
    std::set<std::string> topics;
    Sink sink;
  };
  mutable std::mutex mutex_;
  std::map<int64_t, Subscription> subscriptions_;  // GUARDED_BY(mutex_)
  int64_t next_id_ = 1;                            // GUARDED_BY(mutex_)
};

}  // namespace stork::http
