#include "app/app.hpp"

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <thread>

#include "core/civil_date.hpp"

#include "app/housekeeping.hpp"
#include "app/key_check.hpp"
#include "app/open_database.hpp"
#include "app/payment_gateway.hpp"
#include "auth/repo.hpp"
#include "billing/offline_gateway.hpp"
#include "billing/repo.hpp"
#include "clinical/hl7_sink.hpp"
#include "clinical/repo.hpp"
#include "interop/hl7_endpoint.hpp"
#include "interop/net/mllp_listener.hpp"
#include "core/log.hpp"
#include "crypto/hash.hpp"
#include "http/dispatcher.hpp"
#include "http/routes/routes.hpp"
#include "http/server.hpp"
#include "http/static_files.hpp"
#include "notify/notifications.hpp"
#include "patients/repo.hpp"
#include "scheduling/repo.hpp"
#include "scheduling/schedule_repo.hpp"
#include "triage/queue_repo.hpp"
#include "triage/screening_repo.hpp"

namespace stork::app {
namespace {

// Sign-in for the dispatcher, with refusals written to the audit trail.
class ServiceAuthenticator final : public http::Authenticator {
 public:
  ServiceAuthenticator(Services& s, store::Database& db) : s_(s), db_(db) {}
  Result<auth::Principal> authenticate(std::string_view token) override {
    return s_.auth.authenticate(token);
  }
  void record_denied(const auth::Principal& who, const http::Request& req) override {
    auto s = s_.audit.append(db_, {who.audit_name(), "access.denied", "route", req.method + " " + req.path,
                                   "denied", "role not allowed"},
                             req.context());
    if (!s) log::error("audit append failed", {{"error", s.error().message}});
  }

 private:
  Services& s_;
  store::Database& db_;
};

int cores() { return std::max(1, static_cast<int>(std::thread::hardware_concurrency())); }

}  // namespace

std::vector<store::Migration> all_migrations() {
  std::vector<store::Migration> all;
  for (auto span : {key_check_migrations(), auth::sql::migrations(), scheduling::sql::migrations(),
                    patients::sql::migrations(), notify::migrations(), notify::notification_migrations(),
                    scheduling::sql::booking_migrations(), billing::sql::migrations(),
                    triage::sql::screening_migrations(), triage::sql::queue_migrations(), clinical::sql::migrations()})
    all.insert(all.end(), span.begin(), span.end());
  return all;
}

namespace {
auth::AuthSettings auth_settings_with(const Config& config, crypto::Argon2Params argon2) {
  auto s = auth_settings(config);
  s.argon2 = argon2;
  return s;
}
patients::PatientSettings patient_settings(const Config& config) {
  patients::PatientSettings s;
  s.utc_offset_minutes = utc_offset_minutes(config.time_zone).value_or(8 * 60);
  return s;
}
scheduling::BookingSettings booking_settings(const Config& config) {
  scheduling::BookingSettings s;
  s.max_per_patient_per_day = config.booking_max_per_day;
  s.max_per_department_per_day = config.booking_max_per_department_per_day;
  s.cancel_deadline_minutes = config.cancel_deadline_minutes;
  s.check_in_open_minutes = config.check_in_open_minutes;
  s.no_show_limit = config.no_show_limit;
  s.no_show_window_days = config.no_show_window_days;
  s.no_show_restrict_days = config.no_show_restrict_days;
  s.reminder_hours_before = config.reminder_hours_before;
  s.utc_offset_minutes = utc_offset_minutes(config.time_zone).value_or(8 * 60);
  return s;
}
billing::BillingSettings billing_settings(const Config& config) {
  billing::BillingSettings s;
  s.payment_window_minutes = config.payment_window_minutes;
  s.query_after_seconds = config.payment_query_after_seconds;
  s.utc_offset_minutes = utc_offset_minutes(config.time_zone).value_or(8 * 60);
  return s;  // the URLs are set once the server has its port (App::start)
}
patients::PortalSettings portal_settings(const Config& config) {
  patients::PortalSettings s;
  s.per_address_per_hour = config.portal_codes_per_address_per_hour;
  return s;
}
}  // namespace

std::string public_url(const Config& config, uint16_t port) {
  if (!config.public_url.empty()) return config.public_url;
  const std::string host = config.listen == "0.0.0.0" || config.listen == "::" ? "127.0.0.1" : config.listen;
  return (config.tls_cert.empty() ? "http://" : "https://") + host + ":" + std::to_string(port);
}

namespace {

// SoftHSM2 reads its token directory from SOFTHSM2_CONF when it loads.
// Without one, the system default (/var/lib/softhsm) is root's; Stork then
// keeps its tokens beside the key file (var/softhsm/), which suits the demo
// and development. A vendor's UKEY module needs none of this.
void default_softhsm_conf(const Config& config) {
  namespace fs = std::filesystem;
  if (config.signing_pkcs11_module.find("softhsm") == std::string::npos || std::getenv("SOFTHSM2_CONF")) return;
  fs::path dir = fs::absolute(fs::path(config.key_file).parent_path()) / "softhsm";
  std::error_code ec;
  fs::create_directories(dir / "tokens", ec);
  fs::permissions(dir, fs::perms::owner_all, ec);
  fs::path conf = dir / "softhsm2.conf";
  if (!fs::exists(conf)) {
    std::ofstream out(conf);
    out << "directories.tokendir = " << (dir / "tokens").string() << "\nobjectstore.backend = file\nlog.level = ERROR\n";
  }
  ::setenv("SOFTHSM2_CONF", conf.c_str(), 0);
}

std::shared_ptr<crypto::Pkcs11Module> load_pkcs11(const Config& config) {
  if (config.signing_pkcs11_module.empty()) return nullptr;
  default_softhsm_conf(config);
  auto module = crypto::Pkcs11Module::load(config.signing_pkcs11_module);
  if (!module) {
    log::warn("PKCS#11 module not loaded: token signing is off",
              {{"module", config.signing_pkcs11_module}, {"error", module.error().message}});
    return nullptr;
  }
  return *module;
}

}  // namespace

Services::Services(store::Database& db, const Clock& clock, const Config& config, std::string_view master_key,
                   crypto::Argon2Params argon2, std::unique_ptr<billing::PaymentGateway> payment_gateway)
    : clock(clock),
      cipher(master_key),
      audit(clock),
      auth(db, clock, audit, auth_settings_with(config, argon2)),
      directory(db),
      sms(db, clock, cipher),
      patients(db, clock, audit, cipher, patients::CardTokenSigner(patients::derive_card_key(master_key)),
               patient_settings(config)),
      portal(db, clock, audit, cipher, auth, sms, portal_settings(config)),
      schedules(db, clock, audit, utc_offset_minutes(config.time_zone).value_or(8 * 60),
                config.special_needs_max_percent),
      booking(db, clock, audit, patients, booking_settings(config)),
      gateway(payment_gateway ? std::move(payment_gateway) : std::make_unique<billing::OfflineGateway>()),
      billing(db, clock, audit, patients, booking, *gateway, insurance, billing_settings(config)),
      screening(db, clock, audit, patients, {utc_offset_minutes(config.time_zone).value_or(8 * 60)}),
      queues(db, clock, audit, patients, booking, directory, {utc_offset_minutes(config.time_zone).value_or(8 * 60)}),
      assessments(db, clock, audit, patients, booking, queues, utc_offset_minutes(config.time_zone).value_or(8 * 60)),
      pkcs11(load_pkcs11(config)),
      signing(db, clock, {config.signing_max_pin_failures, config.signing_certificate_days}, pkcs11),
      documents(db, clock, audit, patients, booking, directory, signing,
                {crypto::hmac_sha256(master_key, "stork document verify codes"), config.public_url,
                 utc_offset_minutes(config.time_zone).value_or(8 * 60)}) {
  if (auto tsa = signing.timestamp_authority(cipher)) documents.set_timestamp_authority(*tsa);
  else log::warn("time-stamping authority not loaded", {{"error", tsa.error().message}});
  patients.add_merge_step(booking.merge_step());
  patients.add_merge_step(screening.merge_step());
  patients.add_merge_step(triage::QueueService::merge_step());
  billing.attach();
  queues.attach();
}

Result<std::unique_ptr<Services>> make_services(store::Database& db, const Clock& clock, const Config& config,
                                                crypto::Argon2Params argon2,
                                                std::unique_ptr<billing::PaymentGateway> gateway) {
  auto key = crypto::load_or_create_key(config.key_file);
  if (!key) return fail(key.error());
  if (auto s = check_field_key(db, *key, clock.now_ms()); !s) return fail(s.error());
  return std::make_unique<Services>(db, clock, config, *key, argon2, std::move(gateway));
}

auth::AuthSettings auth_settings(const Config& config) {
  auth::AuthSettings s;
  s.token_ttl_minutes = config.token_ttl_minutes;
  s.max_failed_logins = config.login_max_failures;
  s.lock_minutes = config.login_lock_minutes;
  return s;
}

struct App::Runtime {
  Runtime(App& app, const Config& config)
      : authenticator(*app.services_, *app.db_),
        files(config.web_root),
        dispatcher(app.router_, authenticator,
                   [this](const http::Request& r) { return files.serve(r); }),
        server(
            http::ServerOptions{
                .address = config.listen,
                .port = static_cast<uint16_t>(config.port),
                .io_threads = config.io_threads > 0 ? config.io_threads : cores(),
                .io_model = config.io_model == "shared" ? http::IoModel::shared : http::IoModel::per_core,
                .worker_threads = config.worker_threads > 0 ? config.worker_threads : 4 * cores(),
                .max_connections = config.max_connections,
                .max_body_bytes = static_cast<uint64_t>(config.max_body_bytes),
                .max_header_bytes = static_cast<uint32_t>(config.max_header_bytes),
                .read_timeout = std::chrono::milliseconds(config.read_timeout_ms),
                .idle_timeout = std::chrono::milliseconds(config.idle_timeout_ms),
                .tls_cert = config.tls_cert,
                .tls_key = config.tls_key,
                .access_log = config.access_log,
            },
            dispatcher, authenticator, app.metrics_, app.hub_),
        housekeeping_enabled(config.housekeeping_seconds > 0),
        housekeeping(std::chrono::seconds(std::max(1, config.housekeeping_seconds)), [&services = *app.services_] {
          auto swept = services.booking.sweep_no_shows({"", "housekeeping"});
          if (!swept) log::warn("no-show sweep failed", {{"error", swept.error().message}});
          else if (*swept > 0) log::info("no-shows marked", {{"count", *swept}});
          auto reminded = services.booking.send_reminders({"", "housekeeping"});
          if (!reminded) log::warn("reminders failed", {{"error", reminded.error().message}});
          else if (*reminded > 0) log::info("reminders sent", {{"count", *reminded}});
          auto billed = services.billing.sweep({"", "housekeeping"});
          if (!billed) log::warn("billing sweep failed", {{"error", billed.error().message}});
          else if (billed->expired + billed->payments_found + billed->refunds_done + billed->prepays_closed +
                       billed->failures >
                   0)
            log::info("billing sweep", {{"holds_expired", billed->expired},
                                        {"payments_found", billed->payments_found},
                                        {"refunds_done", billed->refunds_done},
                                        {"checkouts_closed", billed->prepays_closed},
                                        {"skipped", billed->failures}});
        }) {}

  ServiceAuthenticator authenticator;
  http::StaticFiles files;
  http::Dispatcher dispatcher;
  http::Server server;
  bool housekeeping_enabled;
  Housekeeping housekeeping;
};

struct App::Hl7 {
  Hl7(Services& services, const Config& config)
      : sink(services.documents),
        endpoint(sink, [&clock = services.clock] { return clock.now_ms(); },
                 {.utc_offset_minutes = utc_offset_minutes(config.time_zone).value_or(8 * 60)}),
        listener({.address = config.hl7_listen, .port = static_cast<uint16_t>(config.hl7_port)},
                 [this](std::string_view message) { return endpoint.answer(message); }) {}

  clinical::Hl7ReportSink sink;
  interop::Hl7Endpoint endpoint;
  interop::MllpListener listener;
};

Result<std::unique_ptr<App>> App::create(const Config& config, const Clock& clock,
                                         std::unique_ptr<store::Database> db,
                                         crypto::Argon2Params argon2) {
  std::unique_ptr<App> app(new App());
  app->config_ = config;
  if (!db) {
    auto opened = open_database(config.db, config.db_pool_size);
    if (!opened) return fail(opened.error());
    db = std::move(*opened);
  }
  app->db_ = std::move(db);
  // Other nodes are reached through the database named by the config; a
  // PostgreSQL handed in without its URL serves this node only.
  const bool pg_url = config.db.starts_with("postgresql://") || config.db.starts_with("postgres://");
  const bool spans_nodes = app->db_->backend() == store::Backend::postgres && pg_url;
  if (app->db_->backend() == store::Backend::postgres && !pg_url)
    log::warn("live events reach this node only: the PostgreSQL URL is not in the db setting");
  app->events_ = std::make_unique<EventBridge>(app->hub_, *app->db_, spans_nodes ? config.db : std::string());
  const auto migrations = all_migrations();
  if (auto m = store::migrate(*app->db_, migrations, clock); !m) return fail(m.error());

  auto gateway = make_gateway(config, clock, true);
  if (!gateway) return fail(gateway.error());
  app->simulator_ = std::move(gateway->simulator);
  auto services = make_services(*app->db_, clock, config, argon2, std::move(gateway->gateway));
  if (!services) return fail(services.error());
  app->services_ = std::move(*services);

  http::add_system_routes(app->router_, {*app->db_, app->metrics_, kVersion});
  http::add_auth_routes(app->router_, {app->services_->auth, app->services_->audit, *app->db_});
  http::add_directory_routes(app->router_, app->services_->directory);
  http::add_patient_routes(app->router_, app->services_->patients);
  http::add_scheduling_routes(app->router_,
                              {app->services_->schedules, app->services_->booking, app->services_->billing});
  http::add_portal_routes(app->router_, {app->services_->portal, app->services_->patients, app->services_->sms});
  http::add_billing_routes(app->router_, app->services_->billing);
  http::add_screening_routes(app->router_, app->services_->screening);
  http::add_triage_routes(app->router_, {app->services_->queues, app->services_->assessments});
  http::add_document_routes(app->router_, {app->services_->documents, app->services_->signing,
                                            config.signing_max_pin_failures});
  app->services_->queues.set_publisher(app->publisher());
  if (config.hl7_port >= 0) app->hl7_ = std::make_unique<Hl7>(*app->services_, config);

  app->runtime_ = std::make_unique<Runtime>(*app, config);
  return app;
}

App::~App() {
  if (hl7_) hl7_->listener.stop();
  if (runtime_) {
    runtime_->server.stop(std::chrono::milliseconds(0));
    runtime_->server.wait();
  }
  if (events_) events_->stop();
}

Status App::start() {
  services_->billing.set_public_url(public_url(config_, static_cast<uint16_t>(config_.port)));
  events_->start();
  if (auto s = runtime_->server.start(); !s) return s;
  if (config_.port == 0) services_->billing.set_public_url(public_url(config_, runtime_->server.port()));
  services_->documents.set_public_url(public_url(config_, runtime_->server.port()));
  if (hl7_) {
    if (auto s = hl7_->listener.start(); !s) return s;
    log::info("HL7 MLLP listener", {{"address", config_.hl7_listen}, {"port", int64_t{hl7_->listener.port()}}});
  }
  if (runtime_->housekeeping_enabled) runtime_->housekeeping.start();
  return {};
}
uint16_t App::port() const { return runtime_->server.port(); }
uint16_t App::hl7_port() const { return hl7_ ? hl7_->listener.port() : 0; }
void App::stop(std::chrono::milliseconds drain) {
  if (hl7_) hl7_->listener.stop();
  runtime_->housekeeping.stop();
  runtime_->server.stop(drain);
  events_->stop();
}
void App::wait() { runtime_->server.wait(); }

}  // namespace stork::app
