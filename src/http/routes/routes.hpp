#pragma once
// Registration of every module's HTTP routes. Each function adds its
// module's routes, each with its Access rule beside it. Handlers are thin:
// decode, call one service function, encode.
#include <boost/json/object.hpp>

#include "auth/audit.hpp"
#include "auth/service.hpp"
#include "billing/service.hpp"
#include "clinical/service.hpp"
#include "clinical/signing_keys.hpp"
#include "http/event_hub.hpp"
#include "http/metrics.hpp"
#include "http/router.hpp"
#include "notify/sms.hpp"
#include "patients/portal.hpp"
#include "patients/service.hpp"
#include "scheduling/booking.hpp"
#include "scheduling/directory.hpp"
#include "scheduling/schedules.hpp"
#include "store/database.hpp"
#include "triage/assessment.hpp"
#include "triage/queue_service.hpp"
#include "triage/screening_service.hpp"

namespace stork::http {

struct SystemDeps {
  store::Database& db;
  Metrics& metrics;
  std::string version;
};
void add_system_routes(Router& router, SystemDeps deps);

struct AuthDeps {
  auth::AuthService& auth;
  auth::AuditLog& audit;
  store::Database& db;
};
void add_auth_routes(Router& router, AuthDeps deps);

void add_directory_routes(Router& router, scheduling::DirectoryService& directory);

void add_patient_routes(Router& router, patients::PatientService& patients);

struct PortalDeps {
  patients::PortalService& portal;
  patients::PatientService& patients;
  notify::SimulatedSmsGateway& sms;
};
void add_portal_routes(Router& router, PortalDeps deps);

struct SchedulingDeps {
  scheduling::ScheduleService& schedules;
  scheduling::BookingService& booking;
  // A cancellation refunds the fee inside the booking's transaction; the
  // gateway is then asked to pay it back at once (the sweep retries).
  billing::BillingService& billing;
};
void add_scheduling_routes(Router& router, SchedulingDeps deps);

void add_billing_routes(Router& router, billing::BillingService& billing);

// Area triage, queues, calling, displays and waiting times (levels 2 and 3).
struct TriageDeps {
  triage::QueueService& queues;
  triage::AssessmentService& assessments;
};
void add_triage_routes(Router& router, TriageDeps deps);

// Clinical documents, signatures, review, report intake (docs/clinical-api.md).
struct DocumentDeps {
  clinical::DocumentService& documents;
  clinical::SigningKeys& keys;
  int max_pin_failures = 5;
};
void add_document_routes(Router& router, DocumentDeps deps);

// Gate screening (level 1 of pre-examination).
void add_screening_routes(Router& router, triage::ScreeningService& screening);
// Also printed by `stork billing reconcile`.
boost::json::object reconciliation_json(const billing::Reconciliation& r);

}  // namespace stork::http
