#include "paysim/outbox.hpp"

#include "billing/gateway_http.hpp"
#include "core/log.hpp"

namespace stork::paysim {

Outbox::Outbox(const Clock& clock, const NoticeMaker& maker, Options options)
    : clock_(clock), maker_(maker), options_(options) {}

Outbox::~Outbox() { stop(); }

void Outbox::start() {
  std::lock_guard lock(mutex_);
  if (thread_.joinable() || stopping_) return;
  thread_ = std::thread([this] { run(); });
}

void Outbox::stop() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
    queue_.clear();
  }
  wake_.notify_all();
  if (thread_.joinable()) thread_.join();
}

int64_t Outbox::post(OutgoingNotice notice) {
  std::lock_guard lock(mutex_);
  const int64_t id = next_id_++;
  Entry e;
  e.record.id = id;
  e.record.out_trade_no = notice.out_trade_no;
  e.record.out_refund_no = notice.out_refund_no;
  e.record.event_type = notice.event_type;
  e.record.kind = notice.kind;
  const auto due = std::chrono::steady_clock::now() + notice.delay;
  e.notice = std::move(notice);
  entries_.emplace(id, std::move(e));
  schedule(due, Job{id, {}});
  return id;
}

void Outbox::at(std::chrono::milliseconds delay, std::function<void()> task) {
  std::lock_guard lock(mutex_);
  schedule(std::chrono::steady_clock::now() + delay, Job{0, std::move(task)});
}

void Outbox::schedule(SteadyTime due, Job job) {
  if (stopping_) return;
  const bool earliest = queue_.empty() || due < queue_.begin()->first;
  queue_.emplace(due, std::move(job));
  if (earliest) wake_.notify_all();
}

size_t Outbox::pending() const {
  std::lock_guard lock(mutex_);
  size_t n = 0;
  for (const auto& [id, e] : entries_) n += !e.record.delivered && !e.record.abandoned;
  return n;
}

std::vector<DeliveryRecord> Outbox::records() const {
  std::lock_guard lock(mutex_);
  std::vector<DeliveryRecord> out;
  out.reserve(entries_.size());
  for (const auto& [id, e] : entries_) out.push_back(e.record);
  return out;
}

void Outbox::run() {
  std::unique_lock lock(mutex_);
  while (!stopping_) {
    if (queue_.empty()) {
      wake_.wait(lock);
      continue;
    }
    const auto due = queue_.begin()->first;
    if (std::chrono::steady_clock::now() < due) {
      wake_.wait_until(lock, due);  // woken early by an earlier job or stop()
      continue;
    }
    Job job = std::move(queue_.begin()->second);
    queue_.erase(queue_.begin());
    lock.unlock();
    if (job.task)
      job.task();
    else
      deliver(job.delivery);
    lock.lock();
  }
}

// Runs on the delivery thread: the HTTP exchange happens without the lock.
void Outbox::deliver(int64_t id) {
  OutgoingNotice notice;
  {
    std::lock_guard lock(mutex_);
    auto it = entries_.find(id);
    if (it == entries_.end()) return;
    notice = it->second.notice;
  }
  const Envelope envelope =
      notice.verbatim ? *notice.verbatim : maker_.sign(notice.body, clock_.now_ms());
  billing::HttpCall call;
  call.method = "POST";
  call.url = notice.url;
  call.headers = envelope.headers;
  call.headers.emplace_back("Content-Type", "application/json");
  call.body = envelope.body;
  call.timeout_ms = options_.timeout_ms;
  call.max_response_bytes = 64 << 10;
  auto reply = billing::http_call(call);

  std::lock_guard lock(mutex_);
  DeliveryRecord& r = entries_.at(id).record;
  r.attempts += 1;
  r.nonces.push_back(envelope.nonce);
  r.last_status = reply ? reply->status : 0;
  r.last_error = reply ? "" : reply.error().message;
  const auto now = std::chrono::steady_clock::now();
  if (reply && (reply->status == 200 || reply->status == 204)) {
    r.delivered = true;
    if (notice.replay_after) {
      OutgoingNotice replay = notice;
      replay.kind = "replay";
      replay.verbatim = envelope;
      replay.replay_after.reset();
      const int64_t replay_id = next_id_++;
      Entry copy;
      copy.record = {replay_id, notice.out_trade_no, notice.out_refund_no, notice.event_type,
                     "replay"};
      copy.notice = std::move(replay);
      entries_.emplace(replay_id, std::move(copy));
      schedule(now + *notice.replay_after, Job{replay_id, {}});
    }
    return;
  }
  if (!notice.verbatim && r.attempts < options_.max_attempts) {
    schedule(now + options_.retry_interval * r.attempts, Job{id, {}});
    return;
  }
  r.abandoned = true;
  // Replays and forgeries are meant to be refused; only real losses are worth a warning.
  if (!notice.verbatim)
    log::warn("notification abandoned", {{"out_trade_no", r.out_trade_no},
                                         {"event_type", r.event_type},
                                         {"kind", r.kind},
                                         {"attempts", r.attempts},
                                         {"last_status", r.last_status},
                                         {"last_error", r.last_error}});
}

}  // namespace stork::paysim
