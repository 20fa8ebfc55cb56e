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

// A `stork` command in a child process that logs a JSON "listening" line
// with its port (`serve`, `gateway-sim`); its stderr is read for the port
// and drained afterwards so it never blocks on a full pipe.
class ListeningProcess {
 public:
  // Starts argv and waits (bounded) for the listening line. Fails the test
  // when it does not come.
  explicit ListeningProcess(std::vector<std::string> argv);
  ~ListeningProcess();  // SIGKILL if still running
  ListeningProcess(const ListeningProcess&) = delete;
  ListeningProcess& operator=(const ListeningProcess&) = delete;
  uint16_t port() const { return port_; }
  pid_t pid() const { return pid_; }
  const std::string& log() const { return seen_; }  // stderr read so far
  void signal(int sig);
  // Waits for exit; returns the exit code, or 128+signal when killed.
  int wait_exit(std::chrono::seconds limit = std::chrono::seconds(60));

 private:
  pid_t pid_ = -1;
  int stderr_fd_ = -1;
  uint16_t port_ = 0;
  bool exited_ = false;
  std::string seen_;
};

// `stork serve <args> --port N` (0: a free one; a restart after kill -9
// passes the old one) with the gateway simulator on a free port.
class ServerProcess : public ListeningProcess {
 public:
  explicit ServerProcess(std::vector<std::string> args, uint16_t port = 0);
};

std::string stork_binary();

}  // namespace stork::testing
