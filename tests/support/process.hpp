#pragma once
// Runs the real `stork` binary for tests that need a separate process:
// signals, kill -9, and the command-line tools.
#include <sys/types.h>

#include <chrono>
#include <string>
#include <vector>

namespace stork::testing {

struct CommandResult {
  int exit_code = -1;
  std::string output;  // stdout and stderr together
};

// Runs argv to completion.
CommandResult run_command(const std::vector<std::string>& argv);

// `stork serve` in a child process; its stderr is read for the port.
class ServerProcess {
 public:
  // Starts `stork serve <args> --port 0` and waits (bounded) for the
  // "listening" log line. Fails the test when it does not come.
  // port: 0 picks a free one; a restart after kill -9 passes the old one.
  explicit ServerProcess(std::vector<std::string> args, uint16_t port = 0);
  ~ServerProcess();
  uint16_t port() const { return port_; }
  pid_t pid() const { return pid_; }
  void signal(int sig);
  // Waits for exit; returns the exit code, or 128+signal when killed.
  int wait_exit(std::chrono::seconds limit = std::chrono::seconds(60));

 private:
  pid_t pid_ = -1;
  int stderr_fd_ = -1;
  uint16_t port_ = 0;
  bool exited_ = false;
};

std::string stork_binary();

}  // namespace stork::testing
