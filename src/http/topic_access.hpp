#pragma once
// Who may subscribe to which live-update topic on the WebSocket. A pure
// function of the principal and the topic names, so the rule is tested
// without sockets (http/server.cpp applies it on every upgrade).
//
//   queue.<session id>      any signed-in principal, patients included: the
//                           message says only that the queue changed
//   display.<department>    staff with the display, triage_nurse, doctor or
//                           admin role: calls show (masked) patient names
//   anything else           refused
#include <set>
#include <string>
#include <string_view>

#include "auth/roles.hpp"
#include "core/error.hpp"

namespace stork::http {

// At most this many topics per connection.
inline constexpr size_t kMaxTopicsPerConnection = 32;

bool may_subscribe(const auth::Principal& who, std::string_view topic);

// OK when every topic is allowed; otherwise `forbidden` naming `topics` and
// the refused ones, or `validation_failed` when there are no topics or too
// many.
Status check_topic_access(const auth::Principal& who, const std::set<std::string>& topics);

}  // namespace stork::http
