#pragma once
// `stork gateway-sim` in a child process, for tests that want the
// simulator as the real binary runs it. The port comes from its
// {"msg":"listening","port":N} log line, as for `stork serve`.
#include <string>
#include <vector>

#include "support/process.hpp"

namespace stork::testing {

class SimProcess : public ListeningProcess {
 public:
  // Starts `stork gateway-sim <args>` (add "--port 0").
  explicit SimProcess(std::vector<std::string> args);
};

}  // namespace stork::testing
