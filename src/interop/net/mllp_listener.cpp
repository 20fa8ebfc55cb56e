#include "interop/net/mllp_listener.hpp"

#include <algorithm>
#include <array>
#include <atomic>
#include <boost/asio.hpp>
#include <deque>
#include <map>
#include <mutex>
#include <thread>
#include <utility>
#include <vector>

#include "core/log.hpp"
#include "interop/mllp.hpp"

namespace stork::interop {
namespace {

namespace net = boost::asio;
using tcp = net::ip::tcp;
using Clock = std::chrono::steady_clock;

constexpr size_t kReadChunk = 16 * 1024;

class Connection;

// What connections share with the listener. Held by shared_ptr so that a
// connection released late (by a worker finishing, or by the io_context
// destroying its handlers) never points into a destroyed listener.
struct Shared {
  MllpListenerOptions options;
  MllpHandler handler;
  net::thread_pool* workers = nullptr;  // owned by the listener, joined before it goes
  std::atomic<bool> stopping{false};

  std::atomic<uint64_t> accepted{0}, refused{0}, open{0}, messages{0};
  std::atomic<uint64_t> too_large{0}, bad_stream{0}, timeouts{0};

  std::mutex mutex;  // guards connections and next_id
  std::map<uint64_t, std::weak_ptr<Connection>> connections;
  uint64_t next_id = 1;
};

// One TCP connection from a LIS. Every member is touched only on the
// socket's strand, except close_now(), which stop() calls once no I/O
// thread runs.
class Connection : public std::enable_shared_from_this<Connection> {
 public:
  Connection(tcp::socket socket, std::shared_ptr<Shared> shared, uint64_t id)
      : socket_(std::move(socket)),
        timer_(socket_.get_executor()),
        decoder_(shared->options.max_frame_bytes),
        shared_(std::move(shared)),
        id_(id) {
    boost::system::error_code ec;
    const auto peer = socket_.remote_endpoint(ec);
    if (!ec) peer_ = peer.address().to_string() + ":" + std::to_string(peer.port());
    socket_.set_option(tcp::no_delay(true), ec);  // one small ACK per message: send it now
  }

  void start() {
    net::post(socket_.get_executor(), [self = shared_from_this()] {
      if (self->done()) return;
      self->arm(Phase::idle);
      self->do_read();
    });
  }

  void close_now() { close(); }

 private:
  // What the connection waits for; each phase but `handling` has a deadline.
  enum class Phase { idle, in_frame, handling, writing };

  bool done() const { return closed_ || shared_->stopping.load(std::memory_order_relaxed); }

  void arm(Phase phase) {
    phase_ = phase;
    const MllpListenerOptions& o = shared_->options;
    switch (phase) {
      case Phase::idle:
        timer_.expires_after(o.idle_timeout);
        break;
      case Phase::in_frame:
        timer_.expires_after(o.frame_timeout);
        break;
      case Phase::writing:
        timer_.expires_after(o.write_timeout);
        break;
      case Phase::handling:
        timer_.cancel();  // our own handler: no deadline on it
        return;
    }
    timer_.async_wait([self = shared_from_this()](boost::system::error_code ec) { self->on_timer(ec); });
  }

  void on_timer(boost::system::error_code ec) {
    // A wait that completed just before it was re-armed still runs: only
    // the current deadline, passed, closes the connection.
    if (ec || done() || phase_ == Phase::handling || timer_.expiry() > Clock::now()) return;
    shared_->timeouts.fetch_add(1, std::memory_order_relaxed);
    drop("mllp_timeout", phase_ == Phase::idle       ? "idle"
                         : phase_ == Phase::in_frame ? "message not completed in time"
                                                     : "answer not read in time");
  }

  void do_read() {
    socket_.async_read_some(net::buffer(buf_), [self = shared_from_this()](
                                                   boost::system::error_code ec, size_t n) {
      self->on_read(ec, n);
    });
  }

  void on_read(boost::system::error_code ec, size_t n) {
    if (done()) return;
    if (ec) {
      if (decoder_.in_frame())
        log::info("hl7 connection closed mid-message", {{"peer", peer_}, {"error", ec.message()}});
      close();
      return;
    }
    const bool was_in_frame = decoder_.in_frame();
    std::vector<std::string> messages;
    const Status fed = decoder_.feed(std::string_view(buf_.data(), n), messages);
    for (std::string& m : messages) pending_.push_back(std::move(m));
    if (!messages.empty()) discard_mark_ = decoder_.discarded_bytes();

    // Messages completed before a fault are still answered; then the
    // connection goes.
    if (!fed) {
      const bool too_large = fed.error().code == "mllp_frame_too_large";
      (too_large ? shared_->too_large : shared_->bad_stream).fetch_add(1, std::memory_order_relaxed);
      drop_after_ = fed.error().code;
    } else if (decoder_.discarded_bytes() - discard_mark_ > shared_->options.max_discarded_bytes) {
      shared_->bad_stream.fetch_add(1, std::memory_order_relaxed);
      drop_after_ = "mllp_garbage";
    }

    if (!pending_.empty()) return handle_next();
    if (!drop_after_.empty()) return drop(drop_after_, "");
    if (!decoder_.in_frame())
      arm(Phase::idle);
    else if (!was_in_frame || !messages.empty())
      arm(Phase::in_frame);  // a new message started: it has frame_timeout to arrive whole
    do_read();
  }

  // Original mode: the next message waits until this one's answer is written.
  void handle_next() {
    arm(Phase::handling);
    std::string message = std::move(pending_.front());
    pending_.pop_front();
    net::post(*shared_->workers, [self = shared_from_this(), message = std::move(message)] {
      if (self->shared_->stopping.load(std::memory_order_relaxed)) return;
      std::string answer;
      bool ok = true;
      try {
        answer = self->shared_->handler(message);
      } catch (...) {
        ok = false;
      }
      auto executor = self->socket_.get_executor();
      net::post(executor, [self = std::move(self), answer = std::move(answer), ok]() mutable {
        self->on_answer(ok, std::move(answer));
      });
    });
  }

  void on_answer(bool ok, std::string answer) {
    if (done()) return;
    if (!ok) return drop("mllp_handler_failed", "the message handler threw");
    shared_->messages.fetch_add(1, std::memory_order_relaxed);
    ++messages_;
    out_ = mllp_frame(answer);
    arm(Phase::writing);
    net::async_write(socket_, net::buffer(out_),
                     [self = shared_from_this()](boost::system::error_code ec, size_t) {
                       self->on_write(ec);
                     });
  }

  void on_write(boost::system::error_code ec) {
    if (done()) return;
    if (ec) return close();
    if (!pending_.empty()) return handle_next();
    if (!drop_after_.empty()) return drop(drop_after_, "");
    arm(decoder_.in_frame() ? Phase::in_frame : Phase::idle);
    do_read();
  }

  void drop(std::string_view reason, std::string_view detail) {
    log::warn("hl7 connection dropped",
              {{"reason", reason}, {"detail", detail}, {"peer", peer_}, {"messages", messages_},
               {"discarded_bytes", decoder_.discarded_bytes()}});
    close();
  }

  void close() {
    if (closed_) return;
    closed_ = true;
    boost::system::error_code ec;
    socket_.shutdown(tcp::socket::shutdown_both, ec);
    socket_.close(ec);
    timer_.cancel();
    shared_->open.fetch_sub(1, std::memory_order_relaxed);
    std::lock_guard lock(shared_->mutex);
    shared_->connections.erase(id_);
  }

  tcp::socket socket_;
  net::steady_timer timer_;
  MllpDecoder decoder_;
  std::shared_ptr<Shared> shared_;
  uint64_t id_;
  std::string peer_ = "unknown";
  std::array<char, kReadChunk> buf_{};
  std::deque<std::string> pending_;  // complete messages not yet answered
  std::string out_;                  // the framed answer being written
  uint64_t discard_mark_ = 0;        // discarded_bytes() at the last message
  std::string drop_after_;           // set: close once pending_ is answered
  uint64_t messages_ = 0;
  Phase phase_ = Phase::idle;
  bool closed_ = false;
};

}  // namespace

struct MllpListener::Impl {
  Impl(MllpListenerOptions options, MllpHandler handler)
      : shared(std::make_shared<Shared>()),
        workers(static_cast<size_t>(std::max(1, options.worker_threads))),
        acceptor(io),
        retry_timer(io) {
    shared->options = std::move(options);
    shared->handler = std::move(handler);
    shared->workers = &workers;
  }

  void do_accept() {
    acceptor.async_accept(net::make_strand(io), [this](boost::system::error_code ec, tcp::socket s) {
      on_accept(ec, std::move(s));
    });
  }

  void on_accept(boost::system::error_code ec, tcp::socket socket) {
    if (shared->stopping.load() || ec == net::error::operation_aborted) return;
    if (ec) {
      // Out of descriptors, most likely: try again shortly rather than spin.
      log::warn("hl7 accept failed", {{"error", ec.message()}});
      retry_timer.expires_after(std::chrono::milliseconds(100));
      retry_timer.async_wait([this](boost::system::error_code e) {
        if (!e && !shared->stopping.load()) do_accept();
      });
      return;
    }
    if (shared->open.load() >= static_cast<uint64_t>(std::max(0, shared->options.max_connections))) {
      shared->refused.fetch_add(1, std::memory_order_relaxed);
      boost::system::error_code ignored;
      socket.close(ignored);
      do_accept();
      return;
    }
    shared->open.fetch_add(1, std::memory_order_relaxed);
    shared->accepted.fetch_add(1, std::memory_order_relaxed);
    std::shared_ptr<Connection> connection;
    {
      std::lock_guard lock(shared->mutex);
      const uint64_t id = shared->next_id++;
      connection = std::make_shared<Connection>(std::move(socket), shared, id);
      shared->connections.emplace(id, connection);
    }
    connection->start();
    do_accept();
  }

  void run_io() {
    // A handler that throws (out of memory) must not end the listener.
    for (;;) {
      try {
        io.run();
        return;
      } catch (const std::exception& e) {
        log::error("hl7 listener handler threw", {{"error", e.what()}});
      }
    }
  }

  std::shared_ptr<Shared> shared;
  net::io_context io;
  net::thread_pool workers;  // declared after io: joined (in stop) before io goes
  tcp::acceptor acceptor;
  net::steady_timer retry_timer;
  std::vector<std::thread> io_threads;
  uint16_t port = 0;
  std::mutex stop_mutex;  // stop() from two threads at once
  bool started = false;
  bool stopped = false;
};

MllpListener::MllpListener(MllpListenerOptions options, MllpHandler handler)
    : impl_(std::make_unique<Impl>(std::move(options), std::move(handler))) {}

MllpListener::~MllpListener() { stop(); }

Status MllpListener::start() {
  Impl& m = *impl_;
  const MllpListenerOptions& o = m.shared->options;
  const auto failed = [&](const boost::system::error_code& ec) {
    return fail(Error{"mllp_bind_failed",
                      "cannot listen on " + o.address + ":" + std::to_string(o.port) + ": " + ec.message(),
                      {}});
  };
  if (m.started) return fail(Error::internal("the MLLP listener was already started"));
  boost::system::error_code ec;
  const auto address = net::ip::make_address(o.address, ec);
  if (ec) return failed(ec);
  const tcp::endpoint endpoint(address, o.port);
  m.acceptor.open(endpoint.protocol(), ec);
  if (!ec) m.acceptor.set_option(net::socket_base::reuse_address(true), ec);
  if (!ec) m.acceptor.bind(endpoint, ec);
  if (!ec) m.acceptor.listen(net::socket_base::max_listen_connections, ec);
  if (ec) {
    boost::system::error_code ignored;
    m.acceptor.close(ignored);
    return failed(ec);
  }
  m.port = m.acceptor.local_endpoint(ec).port();
  m.started = true;
  m.do_accept();
  const int threads = std::max(1, o.io_threads);
  for (int i = 0; i < threads; ++i) m.io_threads.emplace_back([&m] { m.run_io(); });
  log::info("hl7 listening", {{"address", o.address}, {"port", static_cast<int>(m.port)},
                              {"io_threads", threads}, {"worker_threads", std::max(1, o.worker_threads)}});
  return {};
}

uint16_t MllpListener::port() const { return impl_->port; }

void MllpListener::stop() {
  Impl& m = *impl_;
  std::lock_guard guard(m.stop_mutex);
  if (m.stopped) return;
  m.stopped = true;
  m.shared->stopping.store(true);
  // 1. No I/O thread runs after this, so the sockets can be closed here.
  m.io.stop();
  for (std::thread& t : m.io_threads) t.join();
  m.io_threads.clear();
  boost::system::error_code ignored;
  m.acceptor.close(ignored);
  m.retry_timer.cancel();
  std::vector<std::shared_ptr<Connection>> open;
  {
    std::lock_guard lock(m.shared->mutex);
    for (auto& [id, weak] : m.shared->connections)
      if (auto c = weak.lock()) open.push_back(std::move(c));
  }
  for (auto& c : open) c->close_now();
  open.clear();
  // 2. Handlers already running finish; queued ones see `stopping` and return.
  m.workers.join();
  // 3. Run what the closing aborted, so connections are released now rather
  //    than when the listener is destroyed. Nothing starts new work.
  m.io.restart();
  m.io.poll();
  if (m.started)
    log::info("hl7 listener stopped",
              {{"connections", static_cast<unsigned long>(m.shared->accepted.load())},
               {"messages", static_cast<unsigned long>(m.shared->messages.load())}});
}

MllpListenerStats MllpListener::stats() const {
  const Shared& s = *impl_->shared;
  return MllpListenerStats{s.accepted.load(), s.refused.load(),    s.open.load(),
                           s.messages.load(), s.too_large.load(), s.bad_stream.load(),
                           s.timeouts.load()};
}

}  // namespace stork::interop
