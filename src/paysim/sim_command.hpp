#pragma once
// `stork gateway-sim`: runs the payment-gateway simulator until SIGTERM or
// SIGINT. It takes its own flags (below), not the server's configuration,
// and logs one JSON line {"msg":"listening","port":N,...} once serving.
#include <map>
#include <string>

#include "core/error.hpp"
#include "paysim/simulator.hpp"

namespace stork::paysim {

extern const char* const kGatewaySimFlags;  // for --help

// What the flags ask for, beyond SimOptions.
struct SimCommand {
  SimOptions options;
  std::string apiv3_key_file = "var/gateway-sim/apiv3.key";
  std::string platform_key_file = "var/gateway-sim/platform_key.pem";
  std::string cert_out = "var/gateway-sim/platform_cert.pem";
};

// Flags as parsed by app/cli ("--retry-interval-ms 20" -> {"retry-interval-ms", "20"}).
// Errors: validation_failed naming the flag (unknown flags included).
Result<SimCommand> parse_sim_flags(const std::map<std::string, std::string>& flags);

// Reads or creates the key files, writes the certificate, serves. Returns
// the process exit code (2 for bad flags, 1 when it cannot start).
int run_gateway_sim(const std::map<std::string, std::string>& flags);

}  // namespace stork::paysim
