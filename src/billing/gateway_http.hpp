#pragma once
// A small blocking HTTP client (libcurl) for talking to payment gateways and
// for the gateway simulator's notification deliveries. One easy handle per
// call; libcurl's global state is initialized on first use.
//
// Thread safety: safe from any thread; calls share nothing.
#include <cstddef>
#include <map>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/error.hpp"

namespace stork::billing {

struct HttpCall {
  std::string method = "GET";
  std::string url;  // http:// or https:// only
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;
  int timeout_ms = 5000;  // the whole exchange, connect included
  size_t max_response_bytes = 16u << 20;
};

struct HttpReply {
  int status = 0;
  std::map<std::string, std::string> headers;  // names lower-cased; the last of repeats wins
  std::string body;
};

// Any HTTP status is a reply. Errors: gateway_unavailable when no complete
// answer arrives (name resolution, connection refused, timeout, reset, or a
// body over max_response_bytes).
Result<HttpReply> http_call(const HttpCall& call);

// Percent-encodes everything but RFC 3986 unreserved characters.
std::string url_encode(std::string_view s);

}  // namespace stork::billing
