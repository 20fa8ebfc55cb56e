#pragma once
// The payment gateway a server or command talks to, from the
// configuration: in "simulator" mode `stork serve` runs the local gateway
// simulator (src/paysim/) in-process and writes its certificate and APIv3
// key beside the field key, so commands (`stork billing reconcile`) reach
// the same simulator; in "wechatpay" mode the adapter points at a real
// gateway with the site's certificate and key files.
#include <memory>

#include "billing/gateway.hpp"
#include "core/clock.hpp"
#include "core/config.hpp"
#include "paysim/simulator.hpp"

namespace stork::app {

struct GatewaySetup {
  std::unique_ptr<paysim::GatewaySimulator> simulator;  // simulator mode, run_simulator only
  std::unique_ptr<billing::PaymentGateway> gateway;
};

// Errors: validation_failed naming the config key; bind_failed for the simulator.
Result<GatewaySetup> make_gateway(const Config& config, const Clock& clock, bool run_simulator);

}  // namespace stork::app
