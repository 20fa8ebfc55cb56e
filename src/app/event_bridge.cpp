#include "app/event_bridge.hpp"

#include "core/log.hpp"
#include "crypto/random.hpp"

namespace stork::app {
namespace {

constexpr store::Sql kNotify{"events_notify", "SELECT pg_notify($1, $2)"};
// One transaction carries up to this many NOTIFYs when events come in bursts.
constexpr size_t kBatch = 64;

}  // namespace

std::optional<std::string> encode_event(std::string_view node, std::string_view topic, std::string_view data_json) {
  if (topic.find('\n') != std::string_view::npos || node.find('\n') != std::string_view::npos) return std::nullopt;
  const size_t size = node.size() + topic.size() + data_json.size() + 2;
  if (size > kMaxNotifyPayload) return std::nullopt;
  std::string out;
  out.reserve(size);
  out.append(node).append("\n").append(topic).append("\n").append(data_json);
  return out;
}

std::optional<RemoteEvent> decode_event(std::string_view payload) {
  const size_t a = payload.find('\n');
  if (a == std::string_view::npos || a == 0) return std::nullopt;
  const size_t b = payload.find('\n', a + 1);
  if (b == std::string_view::npos || b == a + 1 || b + 1 == payload.size()) return std::nullopt;
  return RemoteEvent{std::string(payload.substr(0, a)), std::string(payload.substr(a + 1, b - a - 1)),
                     std::string(payload.substr(b + 1))};
}

EventBridge::EventBridge(http::EventHub& hub, store::Database& db, std::string conninfo, EventBridgeOptions options)
    : hub_(hub), db_(db), options_(std::move(options)), node_id_(crypto::random_hex(8)) {
  if (conninfo.empty()) return;
  listener_ = std::make_unique<store::PgListener>(
      std::move(conninfo), kEventChannel, [this](std::string_view payload) { deliver_remote(payload); },
      [this](bool reconnected) {
        // Events of other nodes sent while we were not listening are lost;
        // state is in the database, so every page here is told to re-read.
        if (!reconnected) return;
        log::warn("events from other nodes may have been missed while reconnecting; pages re-read");
        for (const auto& topic : hub_.topics()) hub_.publish(topic, R"({"kind":"changed","reason":"resync"})");
      },
      options_.listener);
}

EventBridge::~EventBridge() { stop(); }

void EventBridge::start() {
  if (!listener_) return;
  {
    std::lock_guard lock(mutex_);
    if (started_ || stopping_) return;
    started_ = true;
  }
  listener_->start();
  sender_ = std::thread([this] { send_loop(); });
}

void EventBridge::stop() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  wake_.notify_all();
  if (sender_.joinable()) sender_.join();
  if (listener_) listener_->stop();
}

void EventBridge::publish(const std::string& topic, const std::string& data_json) {
  hub_.publish(topic, data_json);
  if (!listener_) return;
  auto payload = encode_event(node_id_, topic, data_json);
  if (!payload) {
    log::warn("event not sent to other nodes: too large for NOTIFY or a bad topic",
              {{"topic", topic}, {"bytes", static_cast<unsigned long>(data_json.size())}});
    return;
  }
  {
    std::lock_guard lock(mutex_);
    if (stopping_ || !started_) return;  // before start or after stop: this node only
    if (pending_.size() >= options_.max_pending) {
      log::warn("event not sent to other nodes: too many waiting", {{"topic", topic}});
      return;
    }
    pending_.push_back(std::move(*payload));
  }
  wake_.notify_one();
}

void EventBridge::send_loop() {
  for (;;) {
    std::vector<std::string> batch;
    bool last = false;
    {
      std::unique_lock lock(mutex_);
      wake_.wait(lock, [&] { return stopping_ || !pending_.empty(); });
      while (!pending_.empty() && batch.size() < kBatch) {
        batch.push_back(std::move(pending_.front()));
        pending_.pop_front();
      }
      last = stopping_ && pending_.empty();
    }
    if (!batch.empty()) {
      auto sent = db_.write([&](store::Connection& c) -> Status {
        for (const auto& payload : batch)
          if (auto r = c.query(kNotify, {std::string(kEventChannel), payload}); !r) return fail(r.error());
        return {};
      });
      if (!sent)
        log::warn("events not sent to other nodes", {{"count", static_cast<unsigned long>(batch.size())},
                                                     {"error", sent.error().message}});
    }
    if (last) return;
  }
}

void EventBridge::deliver_remote(std::string_view payload) {
  auto event = decode_event(payload);
  if (!event) {
    log::warn("ignored a malformed event from another node", {{"bytes", static_cast<unsigned long>(payload.size())}});
    return;
  }
  if (event->node == node_id_) return;  // ours, already delivered locally
  hub_.publish(event->topic, event->data_json);
}

}  // namespace stork::app
