// Slow and silent clients are dropped without hurting others; the
// connection cap answers 503; the WebSocket event stream delivers events.
#include <gtest/gtest.h>

#include <boost/asio.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/websocket.hpp>
#include <thread>

#include "support/test_database.hpp"
#include "support/test_server.hpp"

namespace stork::testing {
namespace {

namespace net = boost::asio;
using tcp = net::ip::tcp;

tcp::socket connect_raw(net::io_context& ioc, uint16_t port) {
  tcp::socket s(ioc);
  s.connect(tcp::endpoint(net::ip::make_address("127.0.0.1"), port));
  return s;
}

// Blocks until the server closes the socket; returns how long that took.
std::chrono::milliseconds wait_for_close(tcp::socket& s) {
  const auto start = std::chrono::steady_clock::now();
  char buf[1024];
  boost::system::error_code ec;
  while (!ec) s.read_some(net::buffer(buf), ec);
  return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - start);
}

TEST(ConnectionLimits, ASlowClientIsDroppedWhileOthersAreServed) {
  TestServer server(store::Backend::sqlite, {{"read_timeout_ms", "300"}});
  net::io_context ioc;
  auto slow = connect_raw(ioc, server.port());
  // Half a request, then silence: the classic slowloris.
  net::write(slow, net::buffer(std::string("GET /healthz HTTP/1.1\r\nHost: x\r\n")));

  auto other = server.client();
  for (int i = 0; i < 3; ++i) EXPECT_EQ(other.get("/healthz").status, 200);

  const auto took = wait_for_close(slow);
  EXPECT_GE(took.count(), 100);  // not before its deadline...
  EXPECT_LT(took.count(), 5000);  // ...and not long after it
  EXPECT_EQ(other.get("/healthz").status, 200);
}

TEST(ConnectionLimits, ASilentConnectionIsClosedAtTheIdleDeadline) {
  TestServer server(store::Backend::sqlite, {{"idle_timeout_ms", "300"}});
  net::io_context ioc;
  auto silent = connect_raw(ioc, server.port());
  const auto took = wait_for_close(silent);
  EXPECT_LT(took.count(), 5000);
}

TEST(ConnectionLimits, ConnectionsBeyondTheCapGet503) {
  TestServer server(store::Backend::sqlite, {{"max_connections", "2"}});
  auto a = server.client();
  auto b = server.client();
  ASSERT_EQ(a.get("/healthz").status, 200);
  ASSERT_EQ(b.get("/healthz").status, 200);
  net::io_context ioc;
  auto third = connect_raw(ioc, server.port());
  std::string reply;
  boost::system::error_code ec;
  char buf[1024];
  size_t n;
  while ((n = third.read_some(net::buffer(buf), ec)) > 0 || !ec) reply.append(buf, n);
  EXPECT_NE(reply.find("503"), std::string::npos) << reply;
  EXPECT_NE(reply.find("too_many_connections"), std::string::npos) << reply;
  EXPECT_EQ(a.get("/healthz").status, 200);  // the served ones are unaffected
}

TEST(EventStream, ASignedInClientReceivesEventsOfItsTopics) {
  TestServer server(store::Backend::sqlite);
  const std::string token = server.login("triage_nurse");
  namespace websocket = boost::beast::websocket;
  net::io_context ioc;
  websocket::stream<tcp::socket> ws(connect_raw(ioc, server.port()));
  ws.handshake("127.0.0.1", "/api/v1/ws?topics=queue.1,display.OB&access_token=" + token);

  // The subscription is made just after the handshake; wait for it.
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  while (server.app().hub().subscribers() == 0 && std::chrono::steady_clock::now() < deadline)
    std::this_thread::yield();
  ASSERT_EQ(server.app().hub().subscribers(), 1u);

  server.app().hub().publish("queue.2", "{\"n\":0}");
  server.app().hub().publish("queue.1", "{\"n\":1}");
  boost::beast::flat_buffer buffer;
  ws.read(buffer);
  EXPECT_EQ(boost::beast::buffers_to_string(buffer.data()), "{\"topic\":\"queue.1\",\"data\":{\"n\":1}}");
}

TEST(EventStream, AnUpgradeWithoutAValidTokenIsRefused) {
  TestServer server(store::Backend::sqlite);
  namespace websocket = boost::beast::websocket;
  net::io_context ioc;
  websocket::stream<tcp::socket> ws(connect_raw(ioc, server.port()));
  websocket::response_type res;
  boost::system::error_code ec;
  ws.handshake(res, "127.0.0.1", "/api/v1/ws?topics=queue.1&access_token=forged", ec);
  EXPECT_TRUE(ec);
  EXPECT_EQ(res.result_int(), 401);
}

}  // namespace
}  // namespace stork::testing
