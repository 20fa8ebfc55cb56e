#pragma once
// `stork gateway-sim` in a child process, for tests that want the
// simulator as the real binary runs it. The port comes from its
// {"msg":"listening","port":N} log line, as for `stork serve`.
#include <sys/types.h>

#include <chrono>
#include <string>
#include <vector>

namespace stork::testing {

class SimProcess {
 public:
  // Starts `stork gateway-sim <args>` (add "--port 0") and waits, bounded,
  // for the listening line. Fails the test when it does not come.
  explicit SimProcess(std::vector<std::string> args);
  ~SimProcess();  // SIGKILL if still running
  uint16_t port() const { return port_; }
  pid_t pid() const { return pid_; }
  const std::string& log() const { return seen_; }  // stderr read so far
  void signal(int sig);
  // Waits for exit; the exit code, or 128+signal when killed.
  int wait_exit(std::chrono::seconds limit = std::chrono::seconds(30));

 private:
  pid_t pid_ = -1;
  int stderr_fd_ = -1;
  uint16_t port_ = 0;
  bool exited_ = false;
  std::string seen_;
};

}  // namespace stork::testing
