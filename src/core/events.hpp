#pragma once
// Live updates leave a service through this function, so no module below
// http/ knows about WebSockets. The app wires it to the in-process event hub
// and, on PostgreSQL, to the LISTEN/NOTIFY bridge that reaches other nodes.
// Called after the change has committed; data_json is a JSON object.
#include <functional>
#include <string>

namespace stork {

using EventPublisher = std::function<void(const std::string& topic, const std::string& data_json)>;

}  // namespace stork
