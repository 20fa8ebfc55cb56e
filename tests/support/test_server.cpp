#include "support/test_server.hpp"

#include <gtest/gtest.h>
#include <stdlib.h>

#include <boost/asio.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <filesystem>

#include "app/seed_demo.hpp"
#include "core/log.hpp"
#include "support/test_database.hpp"

namespace stork::testing {

namespace beast = boost::beast;
namespace bhttp = boost::beast::http;
namespace net = boost::asio;

boost::json::value HttpResult::json() const {
  boost::system::error_code ec;
  auto v = boost::json::parse(body, ec);
  return ec ? boost::json::value() : v;
}

std::string HttpResult::header(const std::string& lower_name) const {
  auto it = headers.find(lower_name);
  return it == headers.end() ? std::string() : it->second;
}

struct HttpClient::Impl {
  net::io_context ioc;
  beast::tcp_stream stream{ioc};
  beast::flat_buffer buffer;
  uint16_t port;
  void connect() {
    stream.connect(net::ip::tcp::endpoint(net::ip::make_address("127.0.0.1"), port));
  }
};

HttpClient::HttpClient(uint16_t port) : impl_(std::make_unique<Impl>()) {
  impl_->port = port;
  impl_->connect();
}

HttpClient::~HttpClient() {
  beast::error_code ec;
  impl_->stream.socket().shutdown(net::ip::tcp::socket::shutdown_both, ec);
}

HttpResult HttpClient::request(const std::string& method, const std::string& target,
                               const std::string& body,
                               const std::map<std::string, std::string>& headers) {
  bhttp::request<bhttp::string_body> req{bhttp::string_to_verb(method), target, 11};
  req.set(bhttp::field::host, "127.0.0.1");
  for (const auto& [k, v] : headers) req.set(k, v);
  req.body() = body;
  if (!body.empty() || method == "POST" || method == "PATCH" || method == "PUT") req.prepare_payload();
  impl_->stream.expires_after(std::chrono::seconds(30));
  beast::error_code ec;
  bhttp::write(impl_->stream, req, ec);
  HttpResult out;
  if (ec) {
    out.status = -1;
    return out;
  }
  bhttp::response_parser<bhttp::string_body> parser;
  parser.body_limit(64 << 20);
  if (method == "HEAD") parser.skip(true);
  bhttp::read(impl_->stream, impl_->buffer, parser, ec);
  if (ec) {
    out.status = -1;
    return out;
  }
  auto res = parser.release();
  out.status = res.result_int();
  for (const auto& f : res) {
    std::string name(f.name_string());
    for (auto& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    out.headers[name] = std::string(f.value());
  }
  out.body = res.body();
  if (!res.keep_alive()) {  // the server closed: reconnect for the next call
    beast::error_code ignored;
    impl_->stream.socket().close(ignored);
    impl_->buffer.clear();
    impl_->connect();
  }
  return out;
}

namespace {
std::map<std::string, std::string> auth_headers(const std::string& token, bool json) {
  std::map<std::string, std::string> h;
  if (!token.empty()) h["Authorization"] = "Bearer " + token;
  if (json) h["Content-Type"] = "application/json";
  return h;
}
}  // namespace

HttpResult HttpClient::get(const std::string& target, const std::string& token) {
  return request("GET", target, "", auth_headers(token, false));
}

HttpResult HttpClient::post_json(const std::string& target, const boost::json::value& body,
                                 const std::string& token) {
  return request("POST", target, boost::json::serialize(body), auth_headers(token, true));
}

HttpResult HttpClient::patch_json(const std::string& target, const boost::json::value& body,
                                  const std::string& token) {
  return request("PATCH", target, boost::json::serialize(body), auth_headers(token, true));
}

TestServer::TestServer(store::Backend backend, ConfigLayer overrides)
    : clock_(1'795'000'000'000) {  // 2026-11-18: tests own the time
  log::set_enabled(false);
  char tmpl[] = "/tmp/stork-server-XXXXXX";
  dir_ = mkdtemp(tmpl);
  ConfigLayer base = {{"port", "0"},
                      {"access_log", "false"},
                      {"key_file", dir_ + "/key"},
                      {"web_root", dir_ + "/web"},
                      {"io_threads", "2"},
                      {"worker_threads", "4"},
                      {"gateway_sim_port", "0"},
                      {"hl7_port", "0"},                 // any free port: tests run side by side
                      {"signing_pkcs11_module", ""},     // tests that use a token load SoftHSM2 themselves
                      {"housekeeping_seconds", "0"}};  // tests run sweeps themselves
  auto config = build_config({base, overrides});
  if (!config) throw std::runtime_error(config.error().message);
  auto db = fresh_database(backend);
  if (!db) throw std::runtime_error("no database for backend");
  auto app = app::App::create(*config, clock_, std::move(db), crypto::kTestArgon2);
  if (!app) throw std::runtime_error(app.error().message);
  app_ = std::move(*app);
  // Demo staff and hospital only: each test registers the patients and
  // schedules it needs.
  if (auto s = app::seed_demo(app_->services(), {.families = 0, .schedules = false, .fees = false}); !s) throw std::runtime_error(s.error().message);
  if (auto s = app_->start(); !s) throw std::runtime_error(s.error().message);
}

TestServer::~TestServer() {
  app_.reset();
  std::error_code ec;
  std::filesystem::remove_all(dir_, ec);
}

std::string staff_token(uint16_t port, const std::string& username) {
  HttpClient c(port);
  auto r = c.post_json("/api/v1/auth/login", {{"username", username}, {"password", "demo1234!"}});
  if (r.status != 200) {
    ADD_FAILURE() << "login as " << username << " failed: " << r.status << " " << r.body;
    return {};
  }
  return std::string(r.json().at("token").as_string());
}

std::string TestServer::login(const std::string& username, const std::string& password) {
  auto r = client().post_json("/api/v1/auth/login", {{"username", username}, {"password", password}});
  if (r.status != 200) {
    ADD_FAILURE() << "login as " << username << " failed: " << r.status << " " << r.body;
    return {};
  }
  return std::string(r.json().at("token").as_string());
}

}  // namespace stork::testing
