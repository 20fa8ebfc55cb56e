#include "app/payment_gateway.hpp"

#include <sys/stat.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "billing/wechatpay.hpp"
#include "core/civil_date.hpp"
#include "crypto/field_cipher.hpp"
#include "crypto/rsa.hpp"

namespace stork::app {
namespace {

std::string beside_key(const Config& config, const char* name) {
  const auto dir = std::filesystem::path(config.key_file).parent_path();
  return (dir.empty() ? std::filesystem::path(name) : dir / name).string();
}

Result<std::string> read_file(const std::string& path, const std::string& key) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return fail(Error::invalid(key, "cannot read " + path));
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

Status write_file(const std::string& path, const std::string& text, mode_t mode) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out << text;
  if (!out.flush()) return fail(Error::internal("cannot write " + path));
  ::chmod(path.c_str(), mode);
  return {};
}

}  // namespace

Result<GatewaySetup> make_gateway(const Config& config, const Clock& clock, bool run_simulator) {
  GatewaySetup setup;
  billing::WechatPayOptions options;
  options.mchid = config.wechatpay_mchid;
  options.utc_offset_minutes = utc_offset_minutes(config.time_zone).value_or(8 * 60);
  if (config.payment_gateway == "simulator") {
    // The simulator keeps its platform key between restarts, so a running
    // server and a command agree on its certificate.
    const std::string key_path = beside_key(config, "paysim-platform-key.pem");
    const std::string cert_path = beside_key(config, "paysim-platform-cert.pem");
    const std::string apiv3_path = beside_key(config, "paysim-apiv3.key");
    if (run_simulator) {
      paysim::SimOptions sim;
      sim.port = static_cast<uint16_t>(config.gateway_sim_port);
      sim.mchid = config.wechatpay_mchid;
      sim.utc_offset_minutes = options.utc_offset_minutes;
      auto apiv3 = crypto::load_or_create_key(apiv3_path);
      if (!apiv3) return fail(apiv3.error());
      sim.apiv3_key = *apiv3;
      if (std::filesystem::exists(key_path)) {
        auto key = read_file(key_path, "gateway_sim_port");
        if (!key) return fail(key.error());
        sim.platform_key_pem = *key;
      } else {
        sim.platform_key_pem = crypto::RsaPrivateKey::generate().pem();
        if (auto s = write_file(key_path, sim.platform_key_pem, 0600); !s) return fail(s.error());
      }
      setup.simulator = std::make_unique<paysim::GatewaySimulator>(clock, sim);
      if (auto s = setup.simulator->start(); !s) return fail(s.error());
      // The certificate is public: commands read it to verify the simulator.
      if (auto s = write_file(cert_path, setup.simulator->platform_cert_pem(), 0644); !s) return fail(s.error());
      options.base_url = setup.simulator->base_url();
      options.apiv3_key = setup.simulator->apiv3_key();
      options.platform_cert_pem = setup.simulator->platform_cert_pem();
    } else {
      options.base_url = "http://127.0.0.1:" + std::to_string(config.gateway_sim_port);
      auto apiv3 = crypto::load_or_create_key(apiv3_path);
      if (!apiv3) return fail(apiv3.error());
      options.apiv3_key = *apiv3;
      auto cert = read_file(cert_path, "payment_gateway");
      if (!cert) return fail(Error::invalid("payment_gateway", "the simulator's certificate " + cert_path +
                                                                   " is missing: start `stork serve` first"));
      options.platform_cert_pem = *cert;
    }
  } else {
    if (config.wechatpay_url.empty()) return fail(Error::invalid("wechatpay_url", "is required for payment_gateway = wechatpay"));
    options.base_url = config.wechatpay_url;
    auto cert = read_file(config.wechatpay_platform_cert, "wechatpay_platform_cert");
    if (!cert) return fail(cert.error());
    options.platform_cert_pem = *cert;
    if (!std::filesystem::exists(config.wechatpay_apiv3_key_file))
      return fail(Error::invalid("wechatpay_apiv3_key_file", "the APIv3 key file is missing"));
    auto key = crypto::load_or_create_key(config.wechatpay_apiv3_key_file);
    if (!key) return fail(Error::invalid("wechatpay_apiv3_key_file", key.error().message));
    options.apiv3_key = *key;
  }
  auto gateway = billing::WechatPayGateway::create(options);
  if (!gateway) return fail(gateway.error());
  setup.gateway = std::move(*gateway);
  return setup;
}

}  // namespace stork::app
