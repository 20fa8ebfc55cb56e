#include "support/ws_client.hpp"

#include <boost/asio.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/websocket.hpp>

namespace stork::testing {

namespace beast = boost::beast;
namespace websocket = boost::beast::websocket;
namespace net = boost::asio;

// One read stays outstanding across next_message calls that time out, so
// no message is lost to a cancelled read.
struct WsClient::Impl {
  net::io_context ioc;
  websocket::stream<beast::tcp_stream> ws{ioc};
  websocket::response_type response;
  bool upgraded = false;
  beast::flat_buffer buffer;
  bool reading = false;
  bool finished = false;  // the read completed
  beast::error_code read_error;
};

WsClient::WsClient(uint16_t port, const std::string& token, const std::string& topics)
    : impl_(std::make_unique<Impl>()) {
  beast::error_code ec;
  auto& tcp = beast::get_lowest_layer(impl_->ws);
  tcp.expires_after(std::chrono::seconds(30));
  tcp.connect(net::ip::tcp::endpoint(net::ip::make_address("127.0.0.1"), port), ec);
  if (ec) return;
  impl_->ws.handshake(impl_->response, "127.0.0.1",
                      "/api/v1/ws?access_token=" + token + "&topics=" + topics, ec);
  tcp.expires_never();
  impl_->upgraded = !ec;
}

WsClient::~WsClient() {
  beast::error_code ec;
  beast::get_lowest_layer(impl_->ws).socket().shutdown(net::ip::tcp::socket::shutdown_both, ec);
  beast::get_lowest_layer(impl_->ws).socket().close(ec);
}

bool WsClient::ok() const { return impl_->upgraded; }
int WsClient::status() const { return impl_->response.result_int(); }
const std::string& WsClient::refusal_body() const { return impl_->response.body(); }

std::optional<std::string> WsClient::next_message(std::chrono::milliseconds timeout) {
  if (!impl_->upgraded) return std::nullopt;
  if (!impl_->reading) {
    impl_->reading = true;
    impl_->finished = false;
    impl_->ws.async_read(impl_->buffer, [this](beast::error_code ec, size_t) {
      impl_->finished = true;
      impl_->read_error = ec;
    });
  }
  impl_->ioc.restart();
  impl_->ioc.run_for(timeout);
  if (!impl_->finished) return std::nullopt;
  impl_->reading = false;
  if (impl_->read_error) {
    impl_->upgraded = false;  // closed: nothing more will come
    return std::nullopt;
  }
  std::string text = beast::buffers_to_string(impl_->buffer.data());
  impl_->buffer.consume(impl_->buffer.size());
  return text;
}

}  // namespace stork::testing
