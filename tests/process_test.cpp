// The real binary: graceful SIGTERM, durability after kill -9, the CLI's
// migrate and audit verify, on both backends where a database is involved.
#include <gtest/gtest.h>
#include <signal.h>

#include <boost/asio.hpp>
#include <filesystem>

#include "app/app.hpp"
#include "store/postgres/postgres_database.hpp"
#include "store/sqlite/sqlite_database.hpp"
#include "support/process.hpp"
#include "support/seeded_process.hpp"
#include "support/test_database.hpp"
#include "support/test_server.hpp"

namespace stork::testing {
namespace {

namespace net = boost::asio;
using tcp = net::ip::tcp;

using Process = SeededProcess;

TEST_P(Process, MigrateTwiceAppliesNothingTheSecondTime) {
  auto again = run_command({stork_binary(), "migrate", "--db", url_});
  ASSERT_EQ(again.exit_code, 0) << again.output;
  EXPECT_NE(again.output.find("0 applied, " + std::to_string(app::all_migrations().size()) + " already applied"),
            std::string::npos)
      << again.output;
}

TEST_P(Process, SigtermFinishesTheRequestInFlightThenExitsZero) {
  ServerProcess server(serve_args());
  ASSERT_NE(server.port(), 0);
  net::io_context ioc;
  tcp::socket s(ioc);
  s.connect(tcp::endpoint(net::ip::make_address("127.0.0.1"), server.port()));
  // A first request on the connection makes sure the server has accepted it.
  const std::string health = "GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n";
  net::write(s, net::buffer(health));
  std::string first;
  while (first.find("\"ok\"") == std::string::npos) {
    char b[1024];
    first.append(b, s.read_some(net::buffer(b)));
  }
  const std::string body = R"({"username":"admin","password":"demo1234!"})";
  const std::string head = "POST /api/v1/auth/login HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
                           "Content-Length: " + std::to_string(body.size()) + "\r\n\r\n";
  net::write(s, net::buffer(head + body.substr(0, 10)));  // the request is now in flight

  server.signal(SIGTERM);
  // Wait until the server has stopped accepting: new connections are refused.
  bool refused = false;
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  while (!refused && std::chrono::steady_clock::now() < deadline) {
    tcp::socket probe(ioc);
    boost::system::error_code ec;
    probe.connect(tcp::endpoint(net::ip::make_address("127.0.0.1"), server.port()), ec);
    refused = static_cast<bool>(ec);
  }
  EXPECT_TRUE(refused);

  net::write(s, net::buffer(body.substr(10)));
  std::string reply;
  char buf[4096];
  boost::system::error_code ec;
  while (!ec) {
    const size_t n = s.read_some(net::buffer(buf), ec);
    reply.append(buf, n);
  }
  EXPECT_NE(reply.find("HTTP/1.1 200 OK"), std::string::npos) << reply;
  EXPECT_NE(reply.find("\"token\""), std::string::npos) << reply;
  EXPECT_NE(reply.find("Connection: close"), std::string::npos) << reply;
  EXPECT_EQ(server.wait_exit(), 0);
}

TEST_P(Process, AnAcknowledgedWriteSurvivesKill9) {
  std::string username = "survivor";
  {
    ServerProcess server(serve_args());
    ASSERT_NE(server.port(), 0);
    HttpClient c(server.port());
    auto login = c.post_json("/api/v1/auth/login", {{"username", "admin"}, {"password", "demo1234!"}});
    ASSERT_EQ(login.status, 200) << login.body;
    const std::string token(login.json().at("token").as_string());
    auto created = c.post_json("/api/v1/users",
                               {{"username", username}, {"display_name", "幸存者"}, {"password", "still-here-1"},
                                {"roles", boost::json::array{"clerk"}}},
                               token);
    ASSERT_EQ(created.status, 201) << created.body;
    server.signal(SIGKILL);  // no chance to flush anything more
    EXPECT_EQ(server.wait_exit(), 128 + SIGKILL);
  }
  ServerProcess restarted(serve_args());
  ASSERT_NE(restarted.port(), 0);
  HttpClient c(restarted.port());
  auto login = c.post_json("/api/v1/auth/login", {{"username", username}, {"password", "still-here-1"}});
  EXPECT_EQ(login.status, 200) << login.body;
  auto verify = run_command({stork_binary(), "audit", "verify", "--db", url_});
  EXPECT_EQ(verify.exit_code, 0) << verify.output;
}

TEST_P(Process, AuditVerifyNamesTheFirstTamperedEntry) {
  auto intact = run_command({stork_binary(), "audit", "verify", "--db", url_});
  ASSERT_EQ(intact.exit_code, 0) << intact.output;
  EXPECT_NE(intact.output.find("intact"), std::string::npos);

  auto handle = [&]() -> std::unique_ptr<store::Database> {
    auto r = GetParam() == store::Backend::sqlite
                 ? store::open_sqlite(url_.substr(7), {.readers = 1})
                 : store::open_postgres(url_, {.pool_size = 1});
    return r ? std::move(*r) : nullptr;
  }();
  ASSERT_NE(handle, nullptr);

  // The database itself refuses to rewrite history...
  auto refused = handle->write([](store::Connection& c) {
    return c.execute_script("UPDATE audit_log SET detail = 'nothing happened' WHERE id = 3");
  });
  EXPECT_FALSE(refused.has_value());

  // ...and whoever disables that protection is caught by the hash chain.
  const std::string tamper = GetParam() == store::Backend::sqlite
                                 ? "DROP TRIGGER audit_log_no_update;"
                                   "UPDATE audit_log SET detail = 'nothing happened' WHERE id = 3"
                                 : "ALTER TABLE audit_log DISABLE TRIGGER audit_log_no_update;"
                                   "UPDATE audit_log SET detail = 'nothing happened' WHERE id = 3";
  ASSERT_TRUE(handle->write([&](store::Connection& c) { return c.execute_script(tamper); }));
  handle.reset();

  auto broken = run_command({stork_binary(), "audit", "verify", "--db", url_});
  EXPECT_EQ(broken.exit_code, 1) << broken.output;
  EXPECT_NE(broken.output.find("BROKEN at entry 3"), std::string::npos) << broken.output;
}

INSTANTIATE_TEST_SUITE_P(Backends, Process, ::testing::ValuesIn(all_backends()),
                         [](const auto& info) { return backend_param_name(info.param); });

TEST(Cli, HelpListsTheCommandsAndUnknownCommandsFail) {
  auto help = run_command({stork_binary(), "--help"});
  EXPECT_EQ(help.exit_code, 0);
  for (const char* cmd : {"serve", "migrate", "seed-demo", "audit verify"})
    EXPECT_NE(help.output.find(cmd), std::string::npos) << cmd;
  auto serve_help = run_command({stork_binary(), "serve", "--help"});
  EXPECT_EQ(serve_help.exit_code, 0);
  EXPECT_NE(serve_help.output.find("--max-body-bytes"), std::string::npos);
  EXPECT_EQ(run_command({stork_binary(), "frobnicate"}).exit_code, 2);
  auto bad_flag = run_command({stork_binary(), "migrate", "--no-such-key=1"});
  EXPECT_EQ(bad_flag.exit_code, 2);
  EXPECT_NE(bad_flag.output.find("no_such_key"), std::string::npos) << bad_flag.output;
}

}  // namespace
}  // namespace stork::testing

namespace stork::testing {
namespace {

// TLS by configuration, checked with a real third-party client (curl).
TEST(Tls, ServesHttpsWithTheConfiguredCertificate) {
  char tmpl[] = "/tmp/stork-tls-XXXXXX";
  const std::string dir = mkdtemp(tmpl);
  auto cert = run_command({"/usr/bin/openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt",
                           "ec_paramgen_curve:prime256v1", "-nodes", "-days", "1", "-subj", "/CN=127.0.0.1",
                           "-keyout", dir + "/key.pem", "-out", dir + "/cert.pem"});
  ASSERT_EQ(cert.exit_code, 0) << cert.output;
  {
    ServerProcess server({"--db", "sqlite:" + dir + "/t.db", "--key-file", dir + "/key", "--tls-cert",
                          dir + "/cert.pem", "--tls-key", dir + "/key.pem"});
    ASSERT_NE(server.port(), 0);
    const std::string url = "https://127.0.0.1:" + std::to_string(server.port()) + "/healthz";
    auto ok = run_command({"/usr/bin/curl", "-sS", "--cacert", dir + "/cert.pem", url});
    EXPECT_EQ(ok.exit_code, 0) << ok.output;
    EXPECT_NE(ok.output.find("\"status\":\"ok\""), std::string::npos) << ok.output;
    // Plain HTTP on the TLS port gets no answer.
    auto plain = run_command({"/usr/bin/curl", "-sS", "--max-time", "5",
                              "http://127.0.0.1:" + std::to_string(server.port()) + "/healthz"});
    EXPECT_NE(plain.exit_code, 0) << plain.output;
  }
  auto bad = run_command({stork_binary(), "serve", "--db", "sqlite:" + dir + "/t.db", "--key-file",
                          dir + "/key", "--port", "0", "--tls-cert", dir + "/missing.pem", "--tls-key",
                          dir + "/key.pem"});
  EXPECT_EQ(bad.exit_code, 1);
  EXPECT_NE(bad.output.find("TLS"), std::string::npos) << bad.output;
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace stork::testing
