#pragma once
// Weekly schedule templates, the clinic sessions generated from them, and
// the free-slot search.
//
// Generating is idempotent: a template's session for a day is created once
// (unique per template and day), with its slots and numbered tickets. Each
// ticket carries the quota class it is reserved for; the quota percentages
// are spread evenly over the session so every slot offers some of each.
//
// Thread-safe: state is in the database.
#include <vector>

#include "auth/audit.hpp"
#include "auth/roles.hpp"
#include "core/civil_date.hpp"
#include "core/clock.hpp"
#include "scheduling/schedule_model.hpp"
#include "store/database.hpp"

namespace stork::scheduling {

struct GenerateReport {
  int sessions_created = 0;
  int slots_created = 0;
  int tickets_created = 0;
};

class ScheduleService {
 public:
  ScheduleService(store::Database& db, const Clock& clock, const auth::AuditLog& audit, int utc_offset_minutes);

  // Errors: validation_failed naming each field (zero or negative capacity,
  // a slot length that does not divide the session, quotas not summing to
  // 100, unknown clinic/doctor/room, times out of range).
  Result<ScheduleTemplate> create_template(const auth::Principal& who, const ScheduleTemplate& t,
                                           const auth::RequestContext& ctx);
  Result<std::vector<ScheduleTemplate>> list_templates();

  // Creates the sessions of every active template for the local days
  // [from, from + days). Errors: validation_failed (from, days).
  Result<GenerateReport> generate(const auth::Principal& who, const std::string& from_day, int days,
                                  const auth::RequestContext& ctx);

  // Errors: validation_failed (from, to, channel...).
  Result<std::vector<SlotView>> search(const SlotQuery& q);
  Result<SlotView> slot(int64_t id, Channel channel);

  int utc_offset_minutes() const { return offset_; }
  // Local day and minute-of-day to UTC ms.
  int64_t local_to_utc(CivilDate day, int minute) const;

 private:
  store::Database& db_;
  const Clock& clock_;
  const auth::AuditLog& audit_;
  int offset_;
};

// Distributes `total` tickets over the quota classes by their percentages
// (largest remainder), interleaved so each class is spread evenly; returns
// the class of each ticket in order.
std::vector<QuotaClass> spread_quotas(int total, const std::array<int, 4>& percent);

// Every rule a template breaks.
std::vector<FieldError> check_template(const ScheduleTemplate& t);

}  // namespace stork::scheduling
