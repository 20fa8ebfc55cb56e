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
#include <optional>
#include <utility>
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
  // Special-needs sessions not published: they would have lifted the
  // special-needs share of the range above the limit.
  int special_needs_skipped = 0;
  int holiday_sessions_skipped = 0;  // template days that fall on a holiday
};

struct CapacityShare {
  int64_t special_needs = 0;
  int64_t total = 0;
  double percent = 0;
  int limit_percent = 10;
};

class ScheduleService {
 public:
  // special_needs_max_percent: the national rule keeps special-needs
  // ("gold card") visits under 10 % of all outpatient visits.
  ScheduleService(store::Database& db, const Clock& clock, const auth::AuditLog& audit, int utc_offset_minutes,
                  int special_needs_max_percent = 10);

  // Errors: validation_failed naming each field (zero or negative capacity,
  // a slot length that does not divide the session, quotas not summing to
  // 100, unknown clinic/doctor/room, times out of range).
  Result<ScheduleTemplate> create_template(const auth::Principal& who, const ScheduleTemplate& t,
                                           const auth::RequestContext& ctx);
  Result<std::vector<ScheduleTemplate>> list_templates();

  // Creates the sessions of every active template for the local days
  // [from, from + days). Special-needs sessions come last and only while
  // their share of the range's capacity stays within the limit.
  // Errors: validation_failed (from, days).
  Result<GenerateReport> generate(const auth::Principal& who, const std::string& from_day, int days,
                                  const auth::RequestContext& ctx);

  // A session for one day only (an extra clinic, a changed time): an
  // inactive template plus its session. Errors: as create_template, and
  // validation_failed (day), special_needs_share_exceeded.
  Result<int64_t> create_one_off(const auth::Principal& who, ScheduleTemplate t, const std::string& day,
                                 const auth::RequestContext& ctx);
  // Days on which generation creates no sessions. Errors: holiday_exists.
  Status add_holiday(const auth::Principal& who, const std::string& day, const std::string& name,
                     const auth::RequestContext& ctx);
  Result<std::vector<std::pair<std::string, std::string>>> holidays();  // (day, name)

  // Errors: validation_failed (from, to, channel...).
  Result<std::vector<SlotView>> search(const SlotQuery& q);
  Result<SlotView> slot(int64_t id, Channel channel);
  // The special-needs share of published capacity over local days [from, to].
  Result<CapacityShare> special_needs_share(const std::string& from_day, const std::string& to_day);

  int utc_offset_minutes() const { return offset_; }
  // Local day and minute-of-day to UTC ms.
  int64_t local_to_utc(CivilDate day, int minute) const;

 private:
  // The session of a template on a day with its slots and tickets; empty
  // when it existed already or the special-needs cap refused it.
  Result<std::optional<int64_t>> create_session(store::Connection& c, const ScheduleTemplate& t, CivilDate day,
                                                bool special, const std::string& first_day,
                                                const std::string& last_day, GenerateReport& report);

  store::Database& db_;
  const Clock& clock_;
  const auth::AuditLog& audit_;
  int offset_;
  int special_needs_max_percent_;
};

// Distributes `total` tickets over the quota classes by their percentages
// (largest remainder), interleaved so each class is spread evenly; returns
// the class of each ticket in order.
std::vector<QuotaClass> spread_quotas(int total, const std::array<int, 4>& percent);

// A row of the slot-view queries (STORK_SLOT_VIEW_COLUMNS) as a SlotView.
SlotView slot_from_row(const store::Row& r, int64_t now);

// Every rule a template breaks.
std::vector<FieldError> check_template(const ScheduleTemplate& t);

}  // namespace stork::scheduling
