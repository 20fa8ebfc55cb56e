#pragma once
// Wiring: the database, the module services, the router and the server.
// `stork serve` and the API tests both build the server through App, so
// tests exercise exactly what runs in production.
#include <chrono>
#include <memory>
#include <vector>

#include "app/event_bridge.hpp"
#include "auth/audit.hpp"
#include "auth/service.hpp"
#include "billing/gateway.hpp"
#include "billing/insurance.hpp"
#include "billing/service.hpp"
#include "clinical/service.hpp"
#include "clinical/signing_keys.hpp"
#include "core/clock.hpp"
#include "core/config.hpp"
#include "crypto/field_cipher.hpp"
#include "http/event_hub.hpp"
#include "http/metrics.hpp"
#include "http/router.hpp"
#include "notify/sms.hpp"
#include "paysim/simulator.hpp"
#include "patients/portal.hpp"
#include "patients/service.hpp"
#include "scheduling/booking.hpp"
#include "scheduling/directory.hpp"
#include "scheduling/schedules.hpp"
#include "store/database.hpp"
#include "store/migrations.hpp"
#include "triage/assessment.hpp"
#include "triage/queue_service.hpp"
#include "triage/screening_service.hpp"

namespace stork::app {

inline constexpr const char* kVersion = "0.1.0";

// Every module's migrations, in dependency order.
std::vector<store::Migration> all_migrations();

// The module services over one database. Lives as long as the database.
struct Services {
  // master_key: the 32-byte field-encryption key (crypto::load_or_create_key).
  // gateway: the payment gateway adapter (null: an offline one that refuses).
  Services(store::Database& db, const Clock& clock, const Config& config, std::string_view master_key,
           crypto::Argon2Params argon2 = {}, std::unique_ptr<billing::PaymentGateway> gateway = nullptr);
  const Clock& clock;
  crypto::FieldCipher cipher;
  auth::AuditLog audit;
  auth::AuthService auth;
  scheduling::DirectoryService directory;
  notify::SimulatedSmsGateway sms;  // the only SMS adapter shipped; see notify/sms.hpp
  patients::PatientService patients;
  patients::PortalService portal;
  scheduling::ScheduleService schedules;
  scheduling::BookingService booking;
  std::unique_ptr<billing::PaymentGateway> gateway;
  billing::SimulatedInsurance insurance;  // the only insurance adapter shipped; see billing/insurance.hpp
  billing::BillingService billing;
  triage::ScreeningService screening;
  triage::QueueService queues;  // publishes through set_publisher (App wires it)
  triage::AssessmentService assessments;
  std::shared_ptr<crypto::Pkcs11Module> pkcs11;  // null when no module is configured or it did not load
  clinical::SigningKeys signing;
  clinical::DocumentService documents;
};

// Loads the field key named by the config and builds the services.
Result<std::unique_ptr<Services>> make_services(store::Database& db, const Clock& clock, const Config& config,
                                                crypto::Argon2Params argon2 = {},
                                                std::unique_ptr<billing::PaymentGateway> gateway = nullptr);

// This server's public base URL (config public_url, else http://listen:port).
std::string public_url(const Config& config, uint16_t port);

auth::AuthSettings auth_settings(const Config& config);

class App {
 public:
  // Opens (when db is null) and migrates the database, loads the field key,
  // registers every route. argon2 is the cost for new password hashes.
  static Result<std::unique_ptr<App>> create(const Config& config, const Clock& clock,
                                             std::unique_ptr<store::Database> db = nullptr,
                                             crypto::Argon2Params argon2 = {});
  ~App();

  Status start();
  uint16_t port() const;
  void stop(std::chrono::milliseconds drain = std::chrono::seconds(30));
  void wait();

  store::Database& db() { return *db_; }
  Services& services() { return *services_; }
  http::EventHub& hub() { return hub_; }
  // What services publish live updates through: this node's hub and, on
  // PostgreSQL, every other node (see app/event_bridge.hpp).
  EventPublisher publisher() { return events_->publisher(); }
  EventBridge& events() { return *events_; }
  // The in-process gateway simulator, when the configuration runs one.
  paysim::GatewaySimulator* simulator() { return simulator_.get(); }
  const http::Router& router() const { return router_; }

 private:
  App() = default;
  struct Runtime;  // server and its helpers
  struct Hl7;      // the MLLP listener and its endpoint

  Config config_;
  std::unique_ptr<paysim::GatewaySimulator> simulator_;  // payment_gateway = simulator; outlives the services
  std::unique_ptr<store::Database> db_;
  std::unique_ptr<Services> services_;
  http::Router router_;
  http::Metrics metrics_;
  http::EventHub hub_;
  std::unique_ptr<EventBridge> events_;  // uses hub_ and db_; stopped in stop() and ~App
  std::unique_ptr<Runtime> runtime_;
  std::unique_ptr<Hl7> hl7_;  // null when hl7_port is -1
 public:
  // The MLLP listener's port, 0 when off.
  uint16_t hl7_port() const;
};

}  // namespace stork::app
