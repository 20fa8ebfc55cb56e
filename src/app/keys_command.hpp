#pragma once
// `stork keys ...` (the hospital CA, doctors' signing keys, revocation) and
// `stork verify FILE --ca CA.pem` (an exported signed document, offline).
#include <map>
#include <string>
#include <vector>

#include "core/config.hpp"

namespace stork::app {

extern const char* const kKeysUsage;

// The command's own flags, taken out before the rest is configuration.
using KeysArgs = std::map<std::string, std::string>;
KeysArgs take_keys_args(std::map<std::string, std::string>& flags);

int cmd_keys(const Config& config, const std::vector<std::string>& command, const KeysArgs& args);
int cmd_verify(const std::vector<std::string>& command, const std::map<std::string, std::string>& flags);

}  // namespace stork::app
