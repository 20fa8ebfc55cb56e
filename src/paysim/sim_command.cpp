#include "paysim/sim_command.hpp"

#include <sys/stat.h>

#include <charconv>
#include <csignal>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "core/civil_date.hpp"
#include "core/log.hpp"
#include "crypto/field_cipher.hpp"
#include "crypto/rsa.hpp"

namespace stork::paysim {

const char* const kGatewaySimFlags = R"(
Runs a local WeChat-Pay-v3-style payment gateway for development and tests.

  --listen ADDR                address to bind (default 127.0.0.1)
  --port N                     port (default 9100; 0 picks a free one)
  --public-url URL             base of checkout links for browsers (default: the Host the merchant used)
  --mchid ID                   merchant number (default 1900000001)
  --apiv3-key-file PATH        APIv3 key as 64 hex characters, created (mode 0600) if missing
                               (default var/gateway-sim/apiv3.key)
  --platform-key-file PATH     platform private key PEM, created (mode 0600) if missing
                               (default var/gateway-sim/platform_key.pem)
  --cert-out PATH              platform certificate PEM, written for the merchant to trust
                               (default var/gateway-sim/platform_cert.pem)
  --time-zone TZ               the gateway's zone for bills and times (default Asia/Shanghai)
  --seed N                     seed of the fault PRNG (default 1)
  --retry-interval-ms N        failed notification n is retried after n × N ms (default 15000)
  --max-attempts N             notification attempts before giving up (default 15)
  --refund-settle-ms N         a PROCESSING refund succeeds after N ms (default 1000)
  --access-log true|false      one JSON line per request (default false)

Faults (probabilities 0..1, drawn per notification; drop per trade):
  --delay-ms N                 first delivery after a random 0..N ms (reorders notifications)
  --duplicate P                an extra, independently signed copy
  --drop P                     never notify the trade: the merchant must query
  --replay P                   re-send a delivered notification byte for byte, later
  --forge P                    an extra copy claiming another amount, with a failing signature
  --refund-processing P        refunds answer PROCESSING and succeed later
Change faults at run time with PUT /sim/v1/faults.
)";

namespace {

std::string normalized(std::string key) {
  for (char& c : key)
    if (c == '-') c = '_';
  return key;
}

template <class T>
Result<T> number(const std::string& flag, const std::string& text, T min, T max) {
  T v{};
  auto [p, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
  if (ec != std::errc() || p != text.data() + text.size() || v < min || v > max)
    return fail(Error::invalid("--" + flag, "must be a number from " + std::to_string(min) +
                                                " to " + std::to_string(max)));
  return v;
}

Result<std::string> read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return fail(Error::invalid(path, "cannot be read"));
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

Status write_file(const std::string& path, const std::string& text, bool secret) {
  std::error_code ec;
  const auto dir = std::filesystem::path(path).parent_path();
  if (!dir.empty()) std::filesystem::create_directories(dir, ec);
  const mode_t old = umask(secret ? 077 : 022);
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out << text;
  out.close();
  umask(old);
  if (!out) return fail(Error::invalid(path, "cannot be written"));
  return {};
}

// The platform key persists across runs so the merchant's trusted
// certificate stays valid; the certificate is reused while it matches.
Status load_platform_identity(SimCommand& cmd) {
  std::error_code ec;
  if (!std::filesystem::exists(cmd.platform_key_file, ec)) {
    auto fresh = crypto::RsaPrivateKey::generate();
    if (auto s = write_file(cmd.platform_key_file, fresh.pem(), true); !s) return s;
  }
  auto key_pem = read_file(cmd.platform_key_file);
  if (!key_pem) return fail(key_pem.error());
  auto key = crypto::RsaPrivateKey::from_pem(*key_pem);
  if (!key)
    return fail(
        Error::invalid("--platform-key-file", cmd.platform_key_file + " holds no usable RSA key"));
  cmd.options.platform_key_pem = *key_pem;
  if (auto old = read_file(cmd.cert_out)) {
    auto cert = crypto::Certificate::from_pem(*old);
    if (cert && cert->verify("probe", key->sign("probe"))) {
      cmd.options.platform_cert_pem = cert->pem();
      return {};
    }
  }
  const auto cert = crypto::Certificate::self_signed(*key, "Stork gateway simulator");
  cmd.options.platform_cert_pem = cert.pem();
  return write_file(cmd.cert_out, cert.pem(), false);
}

}  // namespace

Result<SimCommand> parse_sim_flags(const std::map<std::string, std::string>& flags) {
  SimCommand cmd;
  cmd.options.port = 9100;
  for (const auto& flag : flags) {
    const std::string& raw = flag.first;
    const std::string& value = flag.second;
    const std::string key = normalized(raw);
    auto set_probability = [&](const std::string& fault) -> Status {
      auto v = number<double>(raw, value, 0.0, 1.0);
      if (!v) return fail(v.error());
      return set_fault(cmd.options.faults, fault, *v);
    };
    Status s;
    if (key == "listen") {
      cmd.options.address = value;
    } else if (key == "port") {
      auto v = number<int>(raw, value, 0, 65535);
      if (v)
        cmd.options.port = static_cast<uint16_t>(*v);
      else
        s = fail(v.error());
    } else if (key == "public_url") {
      cmd.options.public_url = value;
    } else if (key == "mchid") {
      cmd.options.mchid = value;
    } else if (key == "apiv3_key_file") {
      cmd.apiv3_key_file = value;
    } else if (key == "platform_key_file") {
      cmd.platform_key_file = value;
    } else if (key == "cert_out") {
      cmd.cert_out = value;
    } else if (key == "time_zone") {
      auto offset = utc_offset_minutes(value);
      if (offset)
        cmd.options.utc_offset_minutes = *offset;
      else
        s = fail(Error::invalid("--" + raw, offset.error().message));
    } else if (key == "seed") {
      auto v = number<uint64_t>(raw, value, 0, UINT64_MAX);
      if (v)
        cmd.options.seed = *v;
      else
        s = fail(v.error());
    } else if (key == "retry_interval_ms" || key == "max_attempts" || key == "refund_settle_ms") {
      auto v = number<int>(raw, value, 1, 86400000);
      if (!v)
        s = fail(v.error());
      else if (key == "retry_interval_ms")
        cmd.options.retry_interval_ms = *v;
      else if (key == "max_attempts")
        cmd.options.max_attempts = *v;
      else
        cmd.options.refund_settle_ms = *v;
    } else if (key == "access_log") {
      if (value != "true" && value != "false")
        s = fail(Error::invalid("--" + raw, "must be true or false"));
      cmd.options.access_log = value == "true";
    } else if (key == "delay_ms") {
      auto v = number<int>(raw, value, 0, 600000);
      if (v)
        cmd.options.faults.delay_ms = *v;
      else
        s = fail(v.error());
    } else if (key == "duplicate" || key == "drop" || key == "replay" || key == "forge" ||
               key == "refund_processing") {
      s = set_probability(key);
    } else {
      s = fail(
          Error::invalid("--" + raw, "is not a gateway-sim flag (see stork gateway-sim --help)"));
    }
    if (!s) return fail(s.error());
  }
  return cmd;
}

int run_gateway_sim(const std::map<std::string, std::string>& flags) {
  auto cmd = parse_sim_flags(flags);
  if (!cmd) {
    std::fprintf(stderr, "stork gateway-sim: %s\n", cmd.error().message.c_str());
    return 2;
  }
  auto key = crypto::load_or_create_key(cmd->apiv3_key_file);
  if (!key) {
    std::fprintf(stderr, "stork gateway-sim: %s\n", key.error().message.c_str());
    return 1;
  }
  cmd->options.apiv3_key = *key;
  if (auto s = load_platform_identity(*cmd); !s) {
    std::fprintf(stderr, "stork gateway-sim: %s\n", s.error().message.c_str());
    return 1;
  }

  // As in `stork serve`: block the stop signals before any thread starts so
  // only sigwait below receives them.
  sigset_t stop_signals;
  sigemptyset(&stop_signals);
  sigaddset(&stop_signals, SIGTERM);
  sigaddset(&stop_signals, SIGINT);
  pthread_sigmask(SIG_BLOCK, &stop_signals, nullptr);

  SystemClock clock;
  GatewaySimulator sim(clock, cmd->options);
  if (auto s = sim.start(); !s) {
    log::error("cannot start", {{"code", s.error().code}, {"error", s.error().message}});
    return 1;
  }
  log::info("listening", {{"address", cmd->options.address},
                          {"port", static_cast<int>(sim.port())},
                          {"base_url", sim.base_url()},
                          {"mchid", sim.mchid()},
                          {"cert", cmd->cert_out},
                          {"apiv3_key_file", cmd->apiv3_key_file},
                          {"seed", std::to_string(cmd->options.seed)}});
  int signal = 0;
  sigwait(&stop_signals, &signal);
  log::info("stopping", {{"signal", signal}});
  sim.stop();
  log::info("stopped");
  return 0;
}

}  // namespace stork::paysim
