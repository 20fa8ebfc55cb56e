#include "support/sim_process.hpp"

namespace stork::testing {
namespace {
std::vector<std::string> sim_argv(const std::vector<std::string>& args) {
  std::vector<std::string> argv = {stork_binary(), "gateway-sim"};
  argv.insert(argv.end(), args.begin(), args.end());
  return argv;
}
}  // namespace

SimProcess::SimProcess(std::vector<std::string> args) : ListeningProcess(sim_argv(args)) {}

}  // namespace stork::testing
