#include "app/cli.hpp"

#include <cstdlib>

namespace stork::app {

Result<CommandLine> parse_command_line(int argc, char** argv) {
  CommandLine cli;
  for (int i = 1; i < argc; ++i) {
    std::string arg = argv[i];
    if (arg == "--help" || arg == "-h") {
      cli.help = true;
    } else if (arg.starts_with("--")) {
      std::string key = arg.substr(2), value;
      if (auto eq = key.find('='); eq != std::string::npos) {
        value = key.substr(eq + 1);
        key = key.substr(0, eq);
      } else if (i + 1 < argc) {
        value = argv[++i];
      } else {
        return fail(Error::invalid(key, "needs a value: --" + key + "=VALUE"));
      }
      if (key.empty()) return fail(Error::invalid(arg, "empty flag name"));
      if (key == "config") cli.config_file = value;
      else cli.flags[key] = value;
    } else {
      cli.command.push_back(arg);
    }
  }
  if (cli.config_file.empty())
    if (const char* env = std::getenv("STORK_CONFIG")) cli.config_file = env;
  return cli;
}

Result<Config> load_config(const CommandLine& cli, char** envp) {
  std::vector<ConfigLayer> layers;
  if (!cli.config_file.empty()) {
    auto file = read_config_file(cli.config_file);
    if (!file) return fail(file.error());
    layers.push_back(std::move(*file));
  }
  layers.push_back(config_from_env(envp));
  layers.push_back(cli.flags);
  return build_config(layers);
}

}  // namespace stork::app
