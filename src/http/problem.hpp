#pragma once
// The one place where error codes become HTTP statuses and RFC 7807
// application/problem+json bodies:
//   {"type": "/problems/<code>", "title", "status", "detail", "code",
//    "errors": [{"field", "message"}], "request_id"}
#include <string>

#include "core/error.hpp"
#include "http/request.hpp"

namespace stork::http {

int status_for(const std::string& code);
std::string title_for(int status);
// Internal errors (5xx) never leak their message: the detail is generic and
// the request id lets operators find the logged cause.
Response problem(const Error& error, const std::string& request_id);

}  // namespace stork::http
