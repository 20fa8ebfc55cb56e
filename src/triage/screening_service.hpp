#pragma once
// Level 1 of pre-examination: gate screening. Patients fill the active
// questionnaire on their phone before arriving (for themselves and their
// children); the gate nurse fills it for anyone and adds the temperature she
// measures, which re-evaluates the route. Each record keeps the
// questionnaire version it was answered on; administrators publish new
// versions, never change old ones.
//
// Access: the routes filter roles; here a patient principal reaches only her
// own and her children's records (PatientService::authorize). Every read and
// write of a record is audited, writes in their own transaction.
//
// Thread-safe: state is in the database; stored questionnaire versions are
// cached by number (they never change), guarded by cache_mutex_.
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "auth/audit.hpp"
#include "auth/roles.hpp"
#include "core/clock.hpp"
#include "patients/service.hpp"
#include "store/database.hpp"
#include "triage/screening.hpp"

namespace stork::triage {

struct ScreeningSettings {
  int utc_offset_minutes = 8 * 60;  // the hospital's zone: ages and the gate's day
};

struct NewScreening {
  int64_t patient_id = 0;
  Answers answers;
  std::optional<double> temperature_c;  // self-measured on the phone, or measured at the gate
  // The version the form showed; when set and no longer active the answer is
  // questionnaire_changed (409) so the phone reloads the questions.
  std::optional<int64_t> questionnaire_version;
};

struct ScreeningRecord {
  int64_t id = 0;
  int64_t patient_id = 0;
  std::string name, sex;  // the patient's, for the gate list
  int64_t questionnaire_version = 0;
  std::string day;  // local YYYY-MM-DD of the screening
  int age_years = 0;  // at the screening, in the hospital's zone
  Answers answers;
  std::optional<double> temperature_c;
  std::string temperature_source;  // "", "self" (the phone) or "gate" (the nurse)
  std::optional<int64_t> temperature_at_ms;
  std::string rule_id;  // "" when the default route applied
  ScreeningRoute route;  // as its questionnaire version defines it
  std::string channel;   // "self" (a patient's phone) or "gate" (staff)
  std::string created_by;
  int64_t created_at_ms = 0;
  int64_t updated_at_ms = 0;
};

struct ScreeningFilter {
  std::string day;    // YYYY-MM-DD; empty: today
  std::string route;  // empty: every route
  int limit = 200;    // 1..1000
};

class ScreeningService {
 public:
  ScreeningService(store::Database& db, const Clock& clock, const auth::AuditLog& audit,
                   patients::PatientService& patients, ScreeningSettings settings);

  // The active (newest) version. Stores default_questionnaire() as version
  // 1 when there is none yet.
  Result<Questionnaire> active();
  // Admin only. Errors: validation_failed (every fault named), forbidden.
  Result<Questionnaire> publish(const auth::Principal& who, Questionnaire q, const auth::RequestContext& ctx);

  // Whether the caller may screen or read this patient (staff: always; a
  // patient: her family). Handlers call it before reading a body, so a
  // patient learns nothing about another family from validation answers.
  Status authorize(const auth::Principal& who, int64_t patient_id) { return patients_.authorize(who, patient_id); }

  // Errors: validation_failed (id, answers.<id>, temperature_c),
  // forbidden (a patient screening someone outside her family),
  // questionnaire_changed (409).
  Result<ScreeningRecord> screen(const auth::Principal& who, const NewScreening& s, const auth::RequestContext& ctx);
  // Staff: the temperature measured at the gate; the route is evaluated
  // again with the record's answers and questionnaire version.
  // Errors: not_found, validation_failed (temperature_c).
  Result<ScreeningRecord> record_temperature(const auth::Principal& who, int64_t id, double temperature_c,
                                             const auth::RequestContext& ctx);
  // Staff: the gate's list, newest first. Errors: validation_failed (day, route, limit).
  Result<std::vector<ScreeningRecord>> list(const auth::Principal& who, const ScreeningFilter& f,
                                            const auth::RequestContext& ctx);
  // A patient's records of today, newest first.
  Result<std::vector<ScreeningRecord>> of_patient(const auth::Principal& who, int64_t patient_id,
                                                  const auth::RequestContext& ctx);

  // For PatientService::add_merge_step: records follow a merged patient.
  patients::MergeStep merge_step() const;

 private:
  Result<std::shared_ptr<const Questionnaire>> version(store::Connection& c, int64_t v);
  Result<std::shared_ptr<const Questionnaire>> latest(store::Connection& c);
  Result<std::vector<ScreeningRecord>> load_records(store::Connection& c, const store::Rows& rows,
                                                    const store::Rows& answers);

  store::Database& db_;
  const Clock& clock_;
  const auth::AuditLog& audit_;
  patients::PatientService& patients_;
  ScreeningSettings settings_;
  std::mutex cache_mutex_;
  std::map<int64_t, std::shared_ptr<const Questionnaire>> cache_;  // GUARDED_BY(cache_mutex_)
};

}  // namespace stork::triage
