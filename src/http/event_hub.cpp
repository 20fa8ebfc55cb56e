#include "http/event_hub.hpp"

#include "core/log.hpp"

namespace stork::http {

int64_t EventHub::subscribe(std::set<std::string> topics, Sink sink) {
  std::lock_guard lock(mutex_);
  const int64_t id = next_id_++;
  subscriptions_.emplace(id, Subscription{std::move(topics), std::move(sink)});
  return id;
}

void EventHub::unsubscribe(int64_t id) {
  std::lock_guard lock(mutex_);
  subscriptions_.erase(id);
}

void EventHub::publish(const std::string& topic, const std::string& data_json) {
  std::string text = "{\"topic\":";
  log::append_json_string(text, topic);
  text += ",\"data\":" + data_json + "}";
  auto message = std::make_shared<const std::string>(std::move(text));
  std::vector<Sink> sinks;
  {
    std::lock_guard lock(mutex_);
    for (const auto& [_, s] : subscriptions_)
      if (s.topics.contains(topic)) sinks.push_back(s.sink);
  }
  for (const auto& sink : sinks) sink(message);  // outside the lock: sinks may take their own
}

std::set<std::string> EventHub::topics() const {
  std::lock_guard lock(mutex_);
  std::set<std::string> out;
  for (const auto& [_, s] : subscriptions_) out.insert(s.topics.begin(), s.topics.end());
  return out;
}

size_t EventHub::subscribers() const {
  std::lock_guard lock(mutex_);
  return subscriptions_.size();
}

}  // namespace stork::http
