#pragma once
// Command-line parsing for the `stork` binary: a subcommand, then flags
// (--key=value or --key value). Flags become the last configuration layer.
#include <string>
#include <vector>

#include "core/config.hpp"

namespace stork::app {

struct CommandLine {
  std::vector<std::string> command;  // e.g. {"audit", "verify"}
  ConfigLayer flags;                 // without "config" and "help"
  std::string config_file;           // --config, else STORK_CONFIG
  bool help = false;
};

Result<CommandLine> parse_command_line(int argc, char** argv);

// File (if any), then environment, then flags.
Result<Config> load_config(const CommandLine& cli, char** envp);

}  // namespace stork::app
