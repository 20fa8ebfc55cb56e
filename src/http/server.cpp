// The only translation unit that includes Beast: sessions, WebSocket,
// accept loop and graceful shutdown. Modelled on Beast's
// advanced_server_flex example: one strand per connection, do_x/on_x pairs,
// a deadline on every read and write.
#include "http/server.hpp"

#include <boost/asio.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>
#include <boost/beast/websocket.hpp>
#include <boost/beast/websocket/ssl.hpp>
#include <condition_variable>
#include <deque>
#include <map>
#include <optional>
#include <sstream>
#include <thread>

#include "core/log.hpp"
#include "crypto/random.hpp"
#include "http/problem.hpp"
#include "http/topic_access.hpp"

namespace stork::http {
namespace {

namespace beast = boost::beast;
namespace bhttp = boost::beast::http;
namespace websocket = boost::beast::websocket;
namespace net = boost::asio;
namespace ssl = boost::asio::ssl;
using tcp = net::ip::tcp;
using Clock = std::chrono::steady_clock;

// Accepts a client-supplied request id only when it is short and plain, so
// it cannot inject into logs.
std::string request_id_from(std::string_view incoming) {
  if (!incoming.empty() && incoming.size() <= 64 &&
      incoming.find_first_not_of("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_.") ==
          std::string_view::npos)
    return std::string(incoming);
  return crypto::random_hex(8);
}

std::set<std::string> split_topics(const std::string& list) {
  std::set<std::string> topics;
  std::stringstream in(list);
  std::string t;
  while (std::getline(in, t, ','))
    if (!t.empty() && t.size() <= 100) topics.insert(t);
  return topics;
}

}  // namespace

// Anything the server can ask to close when draining.
class SessionBase {
 public:
  virtual ~SessionBase() = default;
  virtual void close_if_idle() = 0;
};

struct Server::Impl {
  Impl(ServerOptions o, const Dispatcher& d, Authenticator& a, Metrics& m, EventHub& h)
      : opt(std::move(o)),
        dispatcher(d),
        auth(a),
        metrics(m),
        hub(h),
        contexts(make_contexts(opt)),
        workers(static_cast<size_t>(std::max(1, opt.worker_threads))),
        acceptor(net::make_strand(*contexts[0])) {}

  // shared: one io_context run by every I/O thread; per_core: one
  // single-threaded io_context per thread, connections dealt round-robin.
  static std::vector<std::unique_ptr<net::io_context>> make_contexts(const ServerOptions& o) {
    const int threads = std::max(1, o.io_threads);
    std::vector<std::unique_ptr<net::io_context>> out;
    if (o.io_model == IoModel::per_core) {
      for (int i = 0; i < threads; ++i) out.push_back(std::make_unique<net::io_context>(1));
    } else {
      out.push_back(std::make_unique<net::io_context>(threads));
    }
    return out;
  }

  net::io_context& next_context() { return *contexts[next_context_index++ % contexts.size()]; }

  void do_accept();
  void on_accept(beast::error_code ec, tcp::socket socket);
  void serve_socket(tcp::socket socket);
  void session_started(const std::shared_ptr<SessionBase>& s, uint64_t& id_out);
  void session_ended(uint64_t id);

  ServerOptions opt;
  const Dispatcher& dispatcher;
  Authenticator& auth;
  Metrics& metrics;
  EventHub& hub;
  std::atomic<bool> draining{false};
  std::atomic<int> active{0};  // connections being served, for the limit and the drain

  std::mutex sessions_mutex;  // guards sessions, next_session_id, stopped
  std::condition_variable sessions_done;
  std::map<uint64_t, std::weak_ptr<SessionBase>> sessions;
  uint64_t next_session_id = 1;
  bool stopped = false;

  // Declared last so they are destroyed first: destroying them destroys
  // pending handlers and with them sessions, which still report to the
  // registry above. The TLS context outlives the streams that use it.
  std::optional<ssl::context> tls;
  std::vector<std::unique_ptr<net::io_context>> contexts;
  size_t next_context_index = 0;  // only touched by the accept handler
  net::thread_pool workers;  // blocking handlers run here, never on ioc threads
  tcp::acceptor acceptor;
  // Keeps the I/O threads running while a worker holds the last request
  // (once the acceptor is closed nothing else counts as pending work).
  std::vector<net::executor_work_guard<net::io_context::executor_type>> work;
  std::vector<std::thread> threads;
};

void Server::Impl::session_started(const std::shared_ptr<SessionBase>& s, uint64_t& id_out) {
  std::lock_guard lock(sessions_mutex);
  id_out = next_session_id++;
  sessions[id_out] = s;
}

void Server::Impl::session_ended(uint64_t id) {
  std::lock_guard lock(sessions_mutex);
  sessions.erase(id);
  sessions_done.notify_all();
}

namespace {

// Counts a connection for the limit, the metrics and the drain.
class ConnectionTicket {
 public:
  explicit ConnectionTicket(Server::Impl& s) : s_(s) {
    ++s_.active;
    s_.metrics.connection_opened();
  }
  ~ConnectionTicket() {
    --s_.active;
    s_.metrics.connection_closed();
    std::lock_guard lock(s_.sessions_mutex);
    s_.sessions_done.notify_all();
  }
  ConnectionTicket(const ConnectionTicket&) = delete;
  ConnectionTicket& operator=(const ConnectionTicket&) = delete;

 private:
  Server::Impl& s_;
};

// ---------------------------------------------------------------- WebSocket

template <class NextLayer>
class WebSocketSession : public SessionBase,
                         public std::enable_shared_from_this<WebSocketSession<NextLayer>> {
 public:
  WebSocketSession(NextLayer&& stream, Server::Impl& server, std::unique_ptr<ConnectionTicket> ticket)
      : ws_(std::move(stream)), server_(server), ticket_(std::move(ticket)) {}

  ~WebSocketSession() override {
    if (subscription_) server_.hub.unsubscribe(subscription_);
    if (session_id_) server_.session_ended(session_id_);
  }

  void run(bhttp::request<bhttp::string_body> req, std::set<std::string> topics) {
    server_.session_started(this->shared_from_this(), session_id_);
    beast::get_lowest_layer(ws_).expires_never();  // the websocket stream keeps its own timeouts
    // Displays only listen: pings keep a quiet connection open (and find
    // dead ones) instead of the idle timeout closing it every few minutes.
    auto timeouts = websocket::stream_base::timeout::suggested(beast::role_type::server);
    timeouts.keep_alive_pings = true;
    ws_.set_option(timeouts);
    ws_.read_message_max(64 * 1024);
    ws_.async_accept(req, beast::bind_front_handler(&WebSocketSession::on_accept,
                                                    this->shared_from_this(), std::move(topics)));
  }

  void close_if_idle() override {
    net::post(ws_.get_executor(), [self = this->shared_from_this()] {
      if (self->ws_.is_open())
        self->ws_.async_close(websocket::close_code::going_away, [self](beast::error_code) {});
    });
  }

 private:
  void on_accept(std::set<std::string> topics, beast::error_code ec) {
    if (ec) return;
    std::weak_ptr<WebSocketSession> weak = this->shared_from_this();
    subscription_ = server_.hub.subscribe(std::move(topics), [weak](const EventHub::Message& m) {
      if (auto self = weak.lock())
        net::post(self->ws_.get_executor(), [self, m] { self->enqueue(m); });
    });
    do_read();
  }

  void do_read() {
    ws_.async_read(buffer_, beast::bind_front_handler(&WebSocketSession::on_read,
                                                      this->shared_from_this()));
  }

  void on_read(beast::error_code ec, size_t) {
    if (ec) return;  // closed by either side; the destructor unsubscribes
    buffer_.consume(buffer_.size());  // clients only listen; what they send is ignored
    do_read();
  }

  void enqueue(const EventHub::Message& m) {
    // A display that cannot keep up is dropped rather than growing memory.
    if (queue_.size() >= 1000) {
      beast::get_lowest_layer(ws_).close();
      return;
    }
    queue_.push_back(m);
    if (queue_.size() == 1) do_write();
  }

  void do_write() {
    ws_.text(true);
    ws_.async_write(net::buffer(*queue_.front()),
                    beast::bind_front_handler(&WebSocketSession::on_write, this->shared_from_this()));
  }

  void on_write(beast::error_code ec, size_t) {
    if (ec) return;
    queue_.pop_front();
    if (!queue_.empty()) do_write();
  }

  websocket::stream<NextLayer> ws_;
  Server::Impl& server_;
  std::unique_ptr<ConnectionTicket> ticket_;
  beast::flat_buffer buffer_;
  std::deque<EventHub::Message> queue_;
  int64_t subscription_ = 0;
  uint64_t session_id_ = 0;
};

// ---------------------------------------------------------------- HTTP

// Shared by plain and TLS sessions (CRTP: Derived provides stream(),
// release_stream() and do_close()).
template <class Derived>
class HttpSession : public SessionBase {
 public:
  HttpSession(Server::Impl& server, std::string remote_ip)
      : server_(server), ticket_(std::make_unique<ConnectionTicket>(server)),
        remote_ip_(std::move(remote_ip)) {}
  ~HttpSession() override {
    if (session_id_) server_.session_ended(session_id_);
  }

  void close_if_idle() override {
    net::post(derived().stream().get_executor(), [self = derived().shared_from_this()] {
      // Cancel rather than close: a read that already took the first bytes
      // of a request completes normally and the request is served. Bytes
      // still waiting in the socket are a request in flight too.
      beast::error_code ec;
      if (self->idle_ && !self->bytes_waiting())
        beast::get_lowest_layer(self->stream()).socket().cancel(ec);
    });
  }

 protected:
  Derived& derived() { return static_cast<Derived&>(*this); }

  bool bytes_waiting() {
    beast::error_code ec;
    return beast::get_lowest_layer(derived().stream()).socket().available(ec) > 0;
  }

  void register_session() { server_.session_started(derived().shared_from_this(), session_id_); }

  // Waits for the first byte of the next request under the idle deadline,
  // then reads the whole request under the (shorter) read deadline.
  void do_read() {
    idle_ = true;
    if (buffer_.size() > 0) return start_request();
    if (server_.draining && !bytes_waiting()) return derived().do_close();
    beast::get_lowest_layer(derived().stream()).expires_after(server_.opt.idle_timeout);
    derived().stream().async_read_some(
        buffer_.prepare(4096),
        beast::bind_front_handler(&HttpSession::on_first_bytes, derived().shared_from_this()));
  }

  void on_first_bytes(beast::error_code ec, size_t n) {
    if (ec) return;  // idle timeout, peer closed, or server draining
    buffer_.commit(n);
    start_request();
  }

  void start_request() {
    idle_ = false;
    parser_.emplace();
    parser_->header_limit(server_.opt.max_header_bytes);
    parser_->body_limit(server_.opt.max_body_bytes);
    beast::get_lowest_layer(derived().stream()).expires_after(server_.opt.read_timeout);
    bhttp::async_read(derived().stream(), buffer_, *parser_,
                      beast::bind_front_handler(&HttpSession::on_read, derived().shared_from_this()));
  }

  void on_read(beast::error_code ec, size_t) {
    started_ = Clock::now();
    if (ec == bhttp::error::end_of_stream) return derived().do_close();
    if (ec == bhttp::error::body_limit)
      return send_error({"payload_too_large",
                         "the body is larger than " + std::to_string(server_.opt.max_body_bytes) +
                             " bytes",
                         {{"body", "too large"}}});
    if (ec == bhttp::error::header_limit)
      return send_error({"headers_too_large", "the request headers are too large", {}});
    if (ec && ec.category() == bhttp::make_error_code(bhttp::error::bad_target).category())
      return send_error({"bad_request", "malformed HTTP request: " + ec.message(), {}});
    if (ec) return;  // timeout (slow client), reset, or shutdown: drop the connection

    auto msg = parser_->release();
    if (websocket::is_upgrade(msg)) return upgrade(std::move(msg));

    version_ = msg.version();
    keep_alive_ = msg.keep_alive();
    auto req = std::make_shared<Request>();
    req->method = std::string(msg.method_string());
    req->target = std::string(msg.target());
    const auto q = req->target.find('?');
    auto path = percent_decode(std::string_view(req->target).substr(0, q), false);
    if (!path || path->empty() || (*path)[0] != '/')
      return send_error({"bad_request", "malformed request target", {{"path", "is not a valid path"}}});
    req->path = std::move(*path);
    if (q != std::string::npos) req->query = parse_query(std::string_view(req->target).substr(q + 1));
    for (const auto& field : msg) {
      std::string name(field.name_string());
      for (auto& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
      req->headers.emplace_back(std::move(name), std::string(field.value()));
    }
    req->body = std::move(msg.body());
    req->remote_ip = remote_ip_;
    req->request_id = request_id_from(req->header("x-request-id"));

    auto match = std::make_shared<RouteMatch>(server_.dispatcher.match(*req));
    if (!match->route || match->route->inline_ok) {
      return send(server_.dispatcher.dispatch(*req, *match), *req);
    }
    net::post(server_.workers, [self = derived().shared_from_this(), req, match] {
      auto done = std::make_shared<Dispatched>(self->server_.dispatcher.dispatch(*req, *match));
      net::post(self->stream().get_executor(), [self, req, done] { self->send(std::move(*done), *req); });
    });
  }

  void upgrade(bhttp::request<bhttp::string_body> msg) {
    const std::string target(msg.target());
    const auto q = target.find('?');
    if (target.substr(0, q) != server_.opt.websocket_path)
      return send_error({"route_not_found", "no WebSocket endpoint at " + target.substr(0, q), {}});
    Request probe;
    if (q != std::string::npos) probe.query = parse_query(std::string_view(target).substr(q + 1));
    const std::string token = Dispatcher::bearer_token(probe);
    const std::string topics = probe.query["topics"];
    // Authentication reads the database: do it on a worker.
    net::post(server_.workers, [self = derived().shared_from_this(), token, topics = split_topics(topics),
                                msg = std::move(msg)]() mutable {
      auto who = self->server_.auth.authenticate(token);
      // Who may hear what (http/topic_access.hpp): refused before the upgrade.
      Status allowed = who ? check_topic_access(*who, topics)
                           : fail(Error::unauthenticated("pass access_token=<token> to open the event stream"));
      if (who && !allowed && allowed.error().code == "forbidden") {
        Request denied;  // for the audit trail, like a refused route
        denied.method = "GET";
        denied.path = self->server_.opt.websocket_path;
        denied.remote_ip = self->remote_ip_;
        denied.request_id = crypto::random_hex(8);
        self->server_.auth.record_denied(*who, denied);
      }
      net::post(self->stream().get_executor(), [self, allowed = std::move(allowed), topics = std::move(topics),
                                                msg = std::move(msg)]() mutable {
        if (!allowed) {
          self->version_ = msg.version();
          return self->send_error(allowed.error());
        }
        using Stream = std::decay_t<decltype(self->release_stream())>;
        auto ws = std::make_shared<WebSocketSession<Stream>>(self->release_stream(), self->server_,
                                                             std::move(self->ticket_));
        ws->run(std::move(msg), std::move(topics));
      });
    });
  }

  void send_error(const Error& e) {
    keep_alive_ = false;  // the stream may hold the rest of a bad request
    Request req;
    req.method = "-";
    req.request_id = crypto::random_hex(8);
    Dispatched d{problem(e, req.request_id), "(rejected)", ""};
    send(std::move(d), req);
  }

  void send(Dispatched d, const Request& req) {
    auto res = std::make_shared<bhttp::response<bhttp::string_body>>(
        static_cast<bhttp::status>(d.response.status), version_ ? version_ : 11);
    if (!d.response.content_type.empty()) res->set(bhttp::field::content_type, d.response.content_type);
    bool has_cache_control = false;
    for (auto& [k, v] : d.response.headers) {
      has_cache_control |= k == "Cache-Control";
      res->set(k, v);
    }
    if (!has_cache_control) res->set(bhttp::field::cache_control, "no-store");
    res->set("X-Request-Id", req.request_id);
    res->set("X-Content-Type-Options", "nosniff");
    res->keep_alive(keep_alive_ && !server_.draining);
    res->body() = std::move(d.response.body);
    res->prepare_payload();
    if (req.method == "HEAD") res->body().clear();

    const double ms = std::chrono::duration<double, std::milli>(Clock::now() - started_).count();
    server_.metrics.record(req.method, d.route, d.response.status, ms);
    if (server_.opt.access_log) {
      log::info("request", {{"request_id", req.request_id}, {"method", req.method},
                            {"path", req.path}, {"route", d.route}, {"status", d.response.status},
                            {"ms", ms}, {"remote", remote_ip_}, {"user", d.user}});
    }
    res_ = res;
    beast::get_lowest_layer(derived().stream()).expires_after(server_.opt.read_timeout);
    bhttp::async_write(derived().stream(), *res_,
                       beast::bind_front_handler(&HttpSession::on_write,
                                                 derived().shared_from_this(), res_->keep_alive()));
  }

  void on_write(bool keep_alive, beast::error_code ec, size_t) {
    res_.reset();
    if (ec) return;
    if (!keep_alive) return derived().do_close();
    do_read();
  }

  Server::Impl& server_;
  std::unique_ptr<ConnectionTicket> ticket_;
  std::string remote_ip_;
  beast::flat_buffer buffer_;
  std::optional<bhttp::request_parser<bhttp::string_body>> parser_;
  std::shared_ptr<bhttp::response<bhttp::string_body>> res_;
  Clock::time_point started_ = Clock::now();
  unsigned version_ = 11;
  bool keep_alive_ = true;
  bool idle_ = true;
  uint64_t session_id_ = 0;
};

class PlainSession : public HttpSession<PlainSession>,
                     public std::enable_shared_from_this<PlainSession> {
 public:
  PlainSession(tcp::socket&& socket, Server::Impl& server, std::string ip)
      : HttpSession(server, std::move(ip)), stream_(std::move(socket)) {}
  void run() {
    register_session();
    net::dispatch(stream_.get_executor(),
                  beast::bind_front_handler(&PlainSession::do_read, shared_from_this()));
  }
  beast::tcp_stream& stream() { return stream_; }
  beast::tcp_stream release_stream() { return std::move(stream_); }
  // Half-closes, then reads and discards what the client still sends (say,
  // the rest of a refused body) so the kernel does not reset the connection
  // before the client has read our answer.
  void do_close() {
    beast::error_code ec;
    stream_.socket().shutdown(tcp::socket::shutdown_send, ec);
    stream_.expires_after(std::chrono::seconds(2));
    drain();
  }

 private:
  void drain() {
    buffer_.clear();
    stream_.async_read_some(buffer_.prepare(16384), [self = shared_from_this()](beast::error_code ec, size_t) {
      if (!ec) self->drain();
    });
  }

  beast::tcp_stream stream_;
};

class TlsSession : public HttpSession<TlsSession>, public std::enable_shared_from_this<TlsSession> {
 public:
  TlsSession(tcp::socket&& socket, ssl::context& ctx, Server::Impl& server, std::string ip)
      : HttpSession(server, std::move(ip)), stream_(std::move(socket), ctx) {}
  void run() {
    register_session();
    net::dispatch(stream_.get_executor(), [self = shared_from_this()] {
      beast::get_lowest_layer(self->stream_).expires_after(self->server_.opt.read_timeout);
      self->stream_.async_handshake(ssl::stream_base::server,
                                    beast::bind_front_handler(&TlsSession::on_handshake, self));
    });
  }
  beast::ssl_stream<beast::tcp_stream>& stream() { return stream_; }
  beast::ssl_stream<beast::tcp_stream> release_stream() { return std::move(stream_); }
  void do_close() {
    beast::get_lowest_layer(stream_).expires_after(std::chrono::seconds(5));
    stream_.async_shutdown([self = shared_from_this()](beast::error_code) {});
  }

 private:
  void on_handshake(beast::error_code ec) {
    if (ec) return;
    do_read();
  }
  beast::ssl_stream<beast::tcp_stream> stream_;
};

}  // namespace

void Server::Impl::do_accept() {
  acceptor.async_accept(net::make_strand(next_context()),
                        beast::bind_front_handler(&Impl::on_accept, this));
}

void Server::Impl::on_accept(beast::error_code ec, tcp::socket socket) {
  if (!acceptor.is_open() || draining) return;
  if (ec) {
    log::warn("accept failed", {{"error", ec.message()}});
    return do_accept();
  }
  serve_socket(std::move(socket));
  // Take every connection already waiting: one accept per turn of the event
  // loop starves new clients while busy connections keep the loop full.
  for (int i = 0; i < 256; ++i) {
    tcp::socket next(net::make_strand(next_context()));
    acceptor.accept(next, ec);  // the acceptor is non-blocking: would_block ends the batch
    if (ec) break;
    serve_socket(std::move(next));
  }
  do_accept();
}

void Server::Impl::serve_socket(tcp::socket socket) {
  beast::error_code ignored;
  const auto endpoint = socket.remote_endpoint(ignored);
  const std::string ip = ignored ? std::string("?") : endpoint.address().to_string();
  if (active.load() >= opt.max_connections) {
    // Answer without a session: a short best-effort 503, then close.
    metrics.connection_rejected();
    static constexpr std::string_view kBusy =
        "HTTP/1.1 503 Service Unavailable\r\nContent-Type: application/problem+json\r\n"
        "Connection: close\r\nContent-Length: 125\r\n\r\n"
        "{\"type\":\"/problems/too_many_connections\",\"title\":\"Service unavailable\","
        "\"status\":503,\"code\":\"too_many_connections\"}         ";
    socket.non_blocking(true, ignored);
    socket.write_some(net::buffer(kBusy), ignored);
    socket.close(ignored);
    return;
  }
  if (tls) std::make_shared<TlsSession>(std::move(socket), *tls, *this, ip)->run();
  else std::make_shared<PlainSession>(std::move(socket), *this, ip)->run();
}

Server::Server(ServerOptions options, const Dispatcher& dispatcher, Authenticator& auth,
               Metrics& metrics, EventHub& hub)
    : impl_(std::make_unique<Impl>(std::move(options), dispatcher, auth, metrics, hub)) {}

Server::~Server() {
  stop(std::chrono::milliseconds(0));
  wait();
}

Status Server::start() {
  auto& s = *impl_;
  if (!s.opt.tls_cert.empty() || !s.opt.tls_key.empty()) {
    s.tls.emplace(ssl::context::tls_server);
    s.tls->set_options(ssl::context::default_workarounds | ssl::context::no_sslv2 |
                       ssl::context::no_sslv3 | ssl::context::no_tlsv1 | ssl::context::no_tlsv1_1);
    beast::error_code ec;
    s.tls->use_certificate_chain_file(s.opt.tls_cert, ec);
    if (!ec) s.tls->use_private_key_file(s.opt.tls_key, ssl::context::pem, ec);
    if (ec)
      return fail(Error::invalid("tls_cert", "cannot load TLS certificate/key: " + ec.message()));
  }
  beast::error_code ec;
  const auto address = net::ip::make_address(s.opt.address, ec);
  if (ec) return fail(Error::invalid("listen", "not an IP address: " + s.opt.address));
  const tcp::endpoint endpoint(address, s.opt.port);
  s.acceptor.open(endpoint.protocol(), ec);
  if (!ec) s.acceptor.set_option(net::socket_base::reuse_address(true), ec);
  if (!ec) s.acceptor.bind(endpoint, ec);
  if (!ec) s.acceptor.listen(net::socket_base::max_listen_connections, ec);
  if (!ec) s.acceptor.non_blocking(true, ec);
  if (ec)
    return fail(Error{"bind_failed",
                      "cannot listen on " + s.opt.address + ":" + std::to_string(s.opt.port) + ": " +
                          ec.message(),
                      {{"port", ec.message()}}});
  s.do_accept();
  for (auto& ctx : s.contexts) s.work.emplace_back(ctx->get_executor());
  for (int i = 0; i < std::max(1, s.opt.io_threads); ++i) {
    net::io_context& ctx = *s.contexts[static_cast<size_t>(i) % s.contexts.size()];
    s.threads.emplace_back([&ctx] { ctx.run(); });
  }
  return {};
}

uint16_t Server::port() const {
  beast::error_code ec;
  return impl_->acceptor.local_endpoint(ec).port();
}

void Server::stop(std::chrono::milliseconds drain) {
  auto& s = *impl_;
  if (s.draining.exchange(true)) return;
  net::post(s.acceptor.get_executor(), [&s] {
    beast::error_code ec;
    s.acceptor.close(ec);
  });
  std::vector<std::shared_ptr<SessionBase>> live;
  {
    std::lock_guard lock(s.sessions_mutex);
    for (auto& [_, weak] : s.sessions)
      if (auto p = weak.lock()) live.push_back(std::move(p));
  }
  for (auto& p : live) p->close_if_idle();
  live.clear();
  {
    std::unique_lock lock(s.sessions_mutex);
    s.sessions_done.wait_for(lock, drain, [&] { return s.active.load() == 0; });
  }
  s.work.clear();
  for (auto& ctx : s.contexts) ctx->stop();
  for (auto& t : s.threads)
    if (t.joinable()) t.join();
  s.workers.join();
  {
    std::lock_guard lock(s.sessions_mutex);
    s.stopped = true;
  }
  s.sessions_done.notify_all();
}

void Server::wait() {
  auto& s = *impl_;
  std::unique_lock lock(s.sessions_mutex);
  s.sessions_done.wait(lock, [&] { return s.stopped || s.threads.empty(); });
}

}  // namespace stork::http
