#include "paysim/simulator.hpp"

#include <mutex>
#include <optional>

#include "crypto/aead.hpp"
#include "crypto/random.hpp"
#include "crypto/rsa.hpp"
#include "http/dispatcher.hpp"
#include "http/event_hub.hpp"
#include "http/metrics.hpp"
#include "http/router.hpp"
#include "http/server.hpp"
#include "paysim/notice.hpp"
#include "paysim/outbox.hpp"
#include "paysim/routes.hpp"
#include "paysim/sim_gateway.hpp"

namespace stork::paysim {
namespace {

// Every simulator route is open; nobody ever signs in.
class OpenDoor final : public http::Authenticator {
 public:
  Result<auth::Principal> authenticate(std::string_view) override {
    return fail(Error::unauthenticated("the gateway simulator has no accounts"));
  }
  void record_denied(const auth::Principal&, const http::Request&) override {}
};

// The platform key and certificate from the options, or fresh ones.
Result<NoticeMaker> make_signer(const SimOptions& o, std::string apiv3_key) {
  FieldErrors errors;
  if (apiv3_key.size() != crypto::kAeadKeyBytes) errors.add("apiv3_key", "must be 32 bytes");
  if (o.mchid.empty()) errors.add("mchid", "is required");
  if (o.retry_interval_ms <= 0) errors.add("retry_interval_ms", "must be positive");
  if (o.max_attempts < 1) errors.add("max_attempts", "must be at least 1");
  if (auto s = errors.status(); !s) return fail(s.error());
  auto key = o.platform_key_pem.empty()
                 ? Result<crypto::RsaPrivateKey>(crypto::RsaPrivateKey::generate())
                 : crypto::RsaPrivateKey::from_pem(o.platform_key_pem);
  if (!key) return fail(Error::invalid("platform_key_pem", key.error().message));
  auto cert = o.platform_cert_pem.empty()
                  ? Result<crypto::Certificate>(
                        crypto::Certificate::self_signed(*key, "Stork gateway simulator"))
                  : crypto::Certificate::from_pem(o.platform_cert_pem);
  if (!cert) return fail(Error::invalid("platform_cert_pem", cert.error().message));
  if (!cert->verify("probe", key->sign("probe")))
    return fail(Error::invalid("platform_cert_pem", "is not the certificate of platform_key_pem"));
  return NoticeMaker(std::move(*key), std::move(*cert), std::move(apiv3_key), o.mchid,
                     o.utc_offset_minutes);
}

}  // namespace

struct GatewaySimulator::Impl {
  Impl(const Clock& c, SimOptions o) : clock(c), options(std::move(o)) {
    apiv3_key =
        options.apiv3_key.empty() ? crypto::random_bytes(crypto::kAeadKeyBytes) : options.apiv3_key;
    auto signer = make_signer(options, apiv3_key);
    if (!signer) {
      setup = fail(signer.error());
      return;
    }
    maker.emplace(std::move(*signer));
    outbox = std::make_unique<Outbox>(
        clock, *maker,
        Outbox::Options{std::chrono::milliseconds(options.retry_interval_ms), options.max_attempts,
                        options.delivery_timeout_ms});
    gateway = std::make_unique<SimGateway>(
        clock, *maker, *outbox,
        SimGateway::Options{options.faults, options.seed,
                            std::chrono::milliseconds(options.refund_settle_ms),
                            std::chrono::milliseconds(options.retry_interval_ms)});
    add_sim_routes(router, RouteDeps{*gateway, *maker, clock, options.public_url});
    dispatcher = std::make_unique<http::Dispatcher>(router, door, nullptr);
    server = std::make_unique<http::Server>(
        http::ServerOptions{
            .address = options.address,
            .port = options.port,
            .io_threads = 1,
            .io_model = http::IoModel::shared,
            .worker_threads = 2,
            .max_connections = 1000,
            .access_log = options.access_log,
        },
        *dispatcher, door, metrics, hub);
  }

  const Clock& clock;
  const SimOptions options;
  Status setup;  // what was wrong with the options, for start()
  std::string apiv3_key;
  // Destroyed bottom-up: the server before the gateway it calls, the
  // gateway before the outbox and signer it uses.
  std::optional<NoticeMaker> maker;
  std::unique_ptr<Outbox> outbox;
  std::unique_ptr<SimGateway> gateway;
  http::Router router;
  OpenDoor door;
  http::Metrics metrics;
  http::EventHub hub;
  std::unique_ptr<http::Dispatcher> dispatcher;
  std::unique_ptr<http::Server> server;

  std::mutex lifecycle;  // start() and stop()
  bool started = false;
  bool stopped = false;
};

GatewaySimulator::GatewaySimulator(const Clock& clock, SimOptions options)
    : impl_(std::make_unique<Impl>(clock, std::move(options))) {}

GatewaySimulator::~GatewaySimulator() { stop(); }

Status GatewaySimulator::start() {
  Impl& s = *impl_;
  if (!s.setup) return s.setup;
  std::lock_guard lock(s.lifecycle);
  if (s.started || s.stopped)
    return fail(Error::conflict("invalid_state", "the simulator was started before"));
  if (auto st = s.server->start(); !st) return st;
  s.outbox->start();
  s.started = true;
  return {};
}

void GatewaySimulator::stop() {
  Impl& s = *impl_;
  std::lock_guard lock(s.lifecycle);
  if (s.stopped || !s.setup) return;
  s.stopped = true;
  // Requests first (they post to the outbox), then the delivery thread.
  s.server->stop(std::chrono::seconds(2));
  s.outbox->stop();
}

uint16_t GatewaySimulator::port() const { return impl_->server ? impl_->server->port() : 0; }

std::string GatewaySimulator::base_url() const {
  std::string host = impl_->options.address;
  if (host == "0.0.0.0" || host.empty()) host = "127.0.0.1";
  if (host == "::") host = "::1";
  if (host.find(':') != std::string::npos) host = "[" + host + "]";
  return "http://" + host + ":" + std::to_string(port());
}

const std::string& GatewaySimulator::platform_cert_pem() const {
  static const std::string kNone;
  return impl_->maker ? impl_->maker->certificate().pem() : kNone;
}

const std::string& GatewaySimulator::apiv3_key() const { return impl_->apiv3_key; }

const std::string& GatewaySimulator::mchid() const { return impl_->options.mchid; }

Faults GatewaySimulator::faults() const {
  return impl_->gateway ? impl_->gateway->faults() : Faults{};
}

void GatewaySimulator::set_faults(const Faults& faults) {
  if (impl_->gateway) impl_->gateway->set_faults(faults);
}

size_t GatewaySimulator::pending_notifications() const {
  return impl_->outbox ? impl_->outbox->pending() : 0;
}

}  // namespace stork::paysim
