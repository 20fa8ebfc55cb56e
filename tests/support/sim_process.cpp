#include "support/sim_process.hpp"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <poll.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <regex>

#include "support/process.hpp"

namespace stork::testing {

SimProcess::SimProcess(std::vector<std::string> args) {
  std::vector<std::string> argv = {stork_binary(), "gateway-sim"};
  argv.insert(argv.end(), args.begin(), args.end());
  int fds[2];
  if (pipe(fds) != 0) {
    ADD_FAILURE() << "pipe failed";
    return;
  }
  pid_ = fork();
  if (pid_ == 0) {
    dup2(fds[1], 2);
    close(fds[0]);
    std::vector<char*> c;
    for (auto& a : argv) c.push_back(a.data());
    c.push_back(nullptr);
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
      fcntl(stderr_fd_, F_SETFL, O_NONBLOCK);  // keep draining later without blocking
      return;
    }
  }
  ADD_FAILURE() << "stork gateway-sim did not start; it said:\n" << seen_;
}

SimProcess::~SimProcess() {
  if (pid_ > 0 && !exited_) {
    ::kill(pid_, SIGKILL);
    waitpid(pid_, nullptr, 0);
  }
  if (stderr_fd_ >= 0) close(stderr_fd_);
}

void SimProcess::signal(int sig) {
  if (pid_ > 0) ::kill(pid_, sig);
}

int SimProcess::wait_exit(std::chrono::seconds limit) {
  const auto deadline = std::chrono::steady_clock::now() + limit;
  int status = 0;
  while (std::chrono::steady_clock::now() < deadline) {
    char buf[4096];
    ssize_t n;
    while ((n = read(stderr_fd_, buf, sizeof buf)) > 0) seen_.append(buf, static_cast<size_t>(n));
    const pid_t r = waitpid(pid_, &status, WNOHANG);
    if (r == pid_) {
      exited_ = true;
      return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
    }
    pollfd p{stderr_fd_, POLLIN, 0};
    poll(&p, 1, 100);  // wakes on output, or re-checks waitpid after 100 ms
  }
  ADD_FAILURE() << "gateway-sim did not exit in time";
  return -1;
}

}  // namespace stork::testing
