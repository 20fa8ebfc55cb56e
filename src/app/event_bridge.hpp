#pragma once
// The EventPublisher the app hands to services: every event goes to this
// node's EventHub at once and, on PostgreSQL, to the other `stork serve`
// nodes through NOTIFY on one channel; a listener republishes what the
// other nodes sent into the local hub. On SQLite (one node) it is just the
// hub.
//
// A NOTIFY payload is "<node id>\n<topic>\n<data json>"; a node skips its
// own. Payloads of 8000 bytes or more (PostgreSQL's limit) are refused
// with a warning and reach only this node. NOTIFY is sent from a thread of
// the bridge, so publish() never waits for the database.
//
// Thread safety: publish() from any thread; start()/stop() from the owner.
#include <condition_variable>
#include <cstddef>
#include <deque>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "core/events.hpp"
#include "http/event_hub.hpp"
#include "store/database.hpp"
#include "store/postgres/pg_listener.hpp"

namespace stork::app {

inline constexpr const char* kEventChannel = "stork_events";
inline constexpr size_t kMaxNotifyPayload = 7999;  // PostgreSQL: shorter than 8000 bytes

struct RemoteEvent {
  std::string node;
  std::string topic;
  std::string data_json;
};
// Empty when the topic holds a line break or the payload is too long.
std::optional<std::string> encode_event(std::string_view node, std::string_view topic, std::string_view data_json);
// Empty for a payload not made by encode_event.
std::optional<RemoteEvent> decode_event(std::string_view payload);

struct EventBridgeOptions {
  size_t max_pending = 10'000;  // NOTIFYs waiting to be sent; more are dropped (logged)
  store::ListenerOptions listener;
};

class EventBridge {
 public:
  // conninfo: the PostgreSQL URL of db, or empty for a single node (SQLite).
  // hub and db must outlive the bridge.
  EventBridge(http::EventHub& hub, store::Database& db, std::string conninfo, EventBridgeOptions options = {});
  ~EventBridge();  // stop()
  EventBridge(const EventBridge&) = delete;
  EventBridge& operator=(const EventBridge&) = delete;

  // Starts the listener and the sender (PostgreSQL only).
  void start();
  // Sends what is already queued (one attempt), then stops both threads.
  // Later publishes reach only this node. Idempotent.
  void stop();

  // REQUIRES: data_json is a JSON object or value.
  void publish(const std::string& topic, const std::string& data_json);
  EventPublisher publisher() {
    return [this](const std::string& topic, const std::string& data_json) { publish(topic, data_json); };
  }

  bool spans_nodes() const { return listener_ != nullptr; }
  // True while this node hears the others (always true for a single node).
  bool listening() const { return !listener_ || listener_->listening(); }
  // Times this node has started listening (1 + reconnections; 0 on a single node).
  uint64_t listener_sessions() const { return listener_ ? listener_->sessions() : 0; }
  const std::string& node_id() const { return node_id_; }

 private:
  void send_loop();
  void deliver_remote(std::string_view payload);

  http::EventHub& hub_;
  store::Database& db_;
  const EventBridgeOptions options_;
  const std::string node_id_;
  std::unique_ptr<store::PgListener> listener_;  // null on a single node

  std::mutex mutex_;
  std::condition_variable wake_;
  std::deque<std::string> pending_;  // GUARDED_BY(mutex_): encoded payloads
  bool stopping_ = false;            // GUARDED_BY(mutex_)
  bool started_ = false;             // GUARDED_BY(mutex_)
  std::thread sender_;
};

}  // namespace stork::app
