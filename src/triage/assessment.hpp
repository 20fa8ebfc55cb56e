#pragma once
// Level 2 of pre-examination: the area nurse records vitals, a scale scores
// them, and the result sets the patient's priority in her queue (FHIR
// Observation + Flag in shape). The vitals and the result are stored with
// the nurse and the time; every assessment is audited.
#include <optional>
#include <string>
#include <vector>

#include "auth/audit.hpp"
#include "core/clock.hpp"
#include "patients/service.hpp"
#include "scheduling/booking.hpp"
#include "store/database.hpp"
#include "triage/queue_service.hpp"
#include "triage/scales.hpp"
#include "triage/vitals.hpp"

namespace stork::triage {

struct AssessmentRequest {
  int64_t appointment_id = 0;
  Vitals vitals;
  std::string scale = "auto";           // auto | meows | pews | none
  int expected_resources = 0;           // for the emergency level (III vs IV)
  std::vector<std::string> flags;       // green-channel flags the nurse sets
  std::string note;
};

struct Assessment {
  int64_t id = 0;
  int64_t appointment_id = 0, patient_id = 0;
  Vitals vitals;                         // with age_months filled in from the birth date
  std::optional<ScaleResult> scale;      // none when scale = none
  ScaleResult emergency;                 // the four-level emergency triage
  std::vector<FieldFlag> implausible;    // measure again before trusting these
  std::vector<std::string> flags_added;  // nurse's flags and those the result implies
  bool refer_to_emergency = false;       // emergency level I or II
  int64_t created_at_ms = 0;
};

// A pregnancy from this week on is "late" (孕晚期, the third trimester).
inline constexpr int kLatePregnancyWeek = 28;

class AssessmentService {
 public:
  AssessmentService(store::Database& db, const Clock& clock, const auth::AuditLog& audit,
                    patients::PatientService& patients, scheduling::BookingService& booking, QueueService& queues,
                    int utc_offset_minutes);

  // Errors: validation_failed (vitals.<field> out of physical range,
  // appointment_id, scale, expected_resources, note), invalid_state (the
  // appointment was cancelled or is over).
  Result<Assessment> assess(const auth::Principal& who, const AssessmentRequest& req, const auth::RequestContext& ctx);

 private:
  store::Database& db_;
  const Clock& clock_;
  const auth::AuditLog& audit_;
  patients::PatientService& patients_;
  scheduling::BookingService& booking_;
  QueueService& queues_;
  int utc_offset_minutes_;
};

// The scale `auto` picks: PEWS under 18 years (216 months), MEOWS otherwise.
const Scale& scale_for_age(int age_months);

}  // namespace stork::triage
