#pragma once
// Requests and responses as plain values, independent of Beast, so handlers
// and their tests never see the wire.
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "auth/model.hpp"
#include "auth/roles.hpp"

namespace stork::http {

struct Request {
  std::string method;  // "GET", "POST", ...
  std::string target;  // as received, with the query string
  std::string path;    // percent-decoded path without the query
  std::map<std::string, std::string> query;
  std::vector<std::pair<std::string, std::string>> headers;  // names lower-cased
  std::string body;
  std::string remote_ip;
  std::string request_id;

  // Filled by the dispatcher.
  std::map<std::string, std::string> path_params;
  std::optional<auth::Principal> principal;

  std::string_view header(std::string_view lower_name) const;
  std::string path_param(const std::string& name) const;
  auth::RequestContext context() const { return {remote_ip, request_id}; }
};

struct Response {
  int status = 200;
  std::string content_type = "application/json";
  std::string body;
  std::vector<std::pair<std::string, std::string>> headers;

  static Response no_content() { return Response{204, "", "", {}}; }
};

// A query parameter's value, "" when absent.
std::string query_value(const Request& req, std::string_view key);
// Splits "a=1&b=x%20y" into decoded pairs; later keys win.
std::map<std::string, std::string> parse_query(std::string_view query);
// Decodes %XX escapes ('+' stays '+' in paths). Returns nullopt on bad escapes.
std::optional<std::string> percent_decode(std::string_view s, bool plus_as_space);

}  // namespace stork::http
