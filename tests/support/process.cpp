#include "support/process.hpp"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <poll.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <regex>

namespace stork::testing {
namespace {

std::vector<char*> c_args(std::vector<std::string>& argv) {
  std::vector<char*> out;
  for (auto& a : argv) out.push_back(a.data());
  out.push_back(nullptr);
  return out;
}

}  // namespace

std::string stork_binary() { return STORK_BINARY; }

CommandResult run_command(const std::vector<std::string>& argv_in) {
  std::vector<std::string> argv = argv_in;
  int fds[2];
  if (pipe(fds) != 0) return {};
  const pid_t pid = fork();
  if (pid == 0) {
    dup2(fds[1], 1);
    dup2(fds[1], 2);
    close(fds[0]);
    auto args = c_args(argv);
    execv(args[0], args.data());
    _exit(127);
  }
  close(fds[1]);
  CommandResult result;
  char buf[4096];
  ssize_t n;
  while ((n = read(fds[0], buf, sizeof buf)) > 0) result.output.append(buf, static_cast<size_t>(n));
  close(fds[0]);
  int status = 0;
  waitpid(pid, &status, 0);
  result.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  return result;
}

namespace {
std::vector<std::string> serve_argv(const std::vector<std::string>& args, uint16_t port) {
  std::vector<std::string> argv = {stork_binary(), "serve"};
  argv.insert(argv.end(), args.begin(), args.end());
  argv.insert(argv.end(), {"--port", std::to_string(port), "--gateway-sim-port", "0", "--hl7-port", "0",
                          "--access-log", "false"});
  return argv;
}
}  // namespace

ServerProcess::ServerProcess(std::vector<std::string> args, uint16_t port)
    : ListeningProcess(serve_argv(args, port)) {}

ListeningProcess::ListeningProcess(std::vector<std::string> argv) {
  int fds[2];
  if (pipe(fds) != 0) {
    ADD_FAILURE() << "pipe failed";
    return;
  }
  pid_ = fork();
  if (pid_ == 0) {
    dup2(fds[1], 2);
    close(fds[0]);
    auto c = c_args(argv);
    execv(c[0], c.data());
    _exit(127);
  }
  close(fds[1]);
  stderr_fd_ = fds[0];
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(30);
  const std::regex listening(R"re("msg":"listening".*"port":(\d+))re");
  while (std::chrono::steady_clock::now() < deadline) {
    pollfd p{stderr_fd_, POLLIN, 0};
    if (poll(&p, 1, 1000) <= 0) continue;
    char buf[4096];
    const ssize_t n = read(stderr_fd_, buf, sizeof buf);
    if (n <= 0) break;  // the child exited before listening
    seen_.append(buf, static_cast<size_t>(n));
    std::smatch m;
    if (std::regex_search(seen_, m, listening)) {
      port_ = static_cast<uint16_t>(std::stoi(m[1]));
      fcntl(stderr_fd_, F_SETFL, O_NONBLOCK);
      return;
    }
  }
  ADD_FAILURE() << argv[0] << " " << argv[1] << " did not start; it said:\n" << seen_;
}

ListeningProcess::~ListeningProcess() {
  if (pid_ > 0 && !exited_) {
    ::kill(pid_, SIGKILL);
    waitpid(pid_, nullptr, 0);
  }
  if (stderr_fd_ >= 0) close(stderr_fd_);
}

void ListeningProcess::signal(int sig) {
  if (pid_ > 0) ::kill(pid_, sig);
}

int ListeningProcess::wait_exit(std::chrono::seconds limit) {
  const auto deadline = std::chrono::steady_clock::now() + limit;
  int status = 0;
  while (std::chrono::steady_clock::now() < deadline) {
    // Drain the log pipe while waiting so the child can finish writing.
    char buf[4096];
    ssize_t n;
    while ((n = read(stderr_fd_, buf, sizeof buf)) > 0) seen_.append(buf, static_cast<size_t>(n));
    const pid_t r = waitpid(pid_, &status, WNOHANG);
    if (r == pid_) {
      exited_ = true;
      return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
    }
    pollfd p{stderr_fd_, POLLIN, 0};
    poll(&p, 1, 100);  // wakes on log output or after 100 ms to re-check waitpid
  }
  ADD_FAILURE() << "the child did not exit in time";
  return -1;
}

}  // namespace stork::testing
