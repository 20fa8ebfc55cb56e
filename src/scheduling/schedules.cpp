#include "scheduling/schedules.hpp"

#include <algorithm>
#include <chrono>

#include "scheduling/schedule_repo.hpp"

namespace stork::scheduling {
namespace {

ScheduleTemplate decode_template(const store::Row& r) {
  ScheduleTemplate t;
  t.id = r.integer(0);
  t.clinic_code = r.text(1);
  t.practitioner_id = r.opt_integer(2);
  t.room_code = r.text(3);
  t.weekday = static_cast<int>(r.integer(4));
  t.period = parse_period(r.text(5)).value_or(Period::morning);
  t.start_minute = static_cast<int>(r.integer(6));
  t.end_minute = static_cast<int>(r.integer(7));
  t.slot_minutes = static_cast<int>(r.integer(8));
  t.capacity_per_slot = static_cast<int>(r.integer(9));
  for (size_t i = 0; i < 4; ++i) t.quota_percent[i] = static_cast<int>(r.integer(10 + i));
  t.release_days_ahead = static_cast<int>(r.integer(14));
  t.release_minute = static_cast<int>(r.integer(15));
  t.pool_minutes_before = static_cast<int>(r.integer(16));
  t.preparation = r.text(17);
  t.active = r.boolean(18);
  return t;
}

// ISO weekday of a civil date: 1 Monday .. 7 Sunday.
int iso_weekday(CivilDate d) {
  using namespace std::chrono;
  const sys_days days{year_month_day{year(d.year), month(static_cast<unsigned>(d.month)),
                                     day(static_cast<unsigned>(d.day))}};
  return static_cast<int>(weekday(days).iso_encoding());
}

CivilDate add_days(CivilDate d, int n) {
  using namespace std::chrono;
  sys_days days{year_month_day{year(d.year), month(static_cast<unsigned>(d.month)), day(static_cast<unsigned>(d.day))}};
  const year_month_day ymd{days + std::chrono::days(n)};
  return {static_cast<int>(ymd.year()), static_cast<int>(static_cast<unsigned>(ymd.month())),
          static_cast<int>(static_cast<unsigned>(ymd.day()))};
}

}  // namespace

std::vector<QuotaClass> spread_quotas(int total, const std::array<int, 4>& percent) {
  // Largest remainder: each class gets floor(total * p / 100), the rest go
  // to the largest fractions.
  std::array<int, 4> count{};
  std::array<int, 4> remainder{};
  int given = 0;
  for (size_t i = 0; i < 4; ++i) {
    count[i] = total * percent[i] / 100;
    remainder[i] = total * percent[i] % 100;
    given += count[i];
  }
  while (given < total) {
    const auto i = static_cast<size_t>(std::max_element(remainder.begin(), remainder.end()) - remainder.begin());
    ++count[i];
    remainder[i] = -1;
    ++given;
  }
  // Interleave: ticket k goes to the class furthest behind its share.
  std::vector<QuotaClass> out;
  std::array<int, 4> used{};
  for (int k = 0; k < total; ++k) {
    size_t best = 0;
    double best_lag = -1e9;
    for (size_t i = 0; i < 4; ++i) {
      if (used[i] >= count[i]) continue;
      const double lag = static_cast<double>(count[i]) * (k + 1) / total - used[i];
      if (lag > best_lag) {
        best_lag = lag;
        best = i;
      }
    }
    ++used[best];
    out.push_back(kQuotaClasses[best]);
  }
  return out;
}

std::vector<FieldError> check_template(const ScheduleTemplate& t) {
  std::vector<FieldError> e;
  auto add = [&](const char* f, std::string m) { e.push_back({f, std::move(m)}); };
  if (t.weekday < 1 || t.weekday > 7) add("weekday", "must be 1 (Monday) to 7 (Sunday)");
  if (t.start_minute < 0 || t.start_minute >= 24 * 60) add("start", "must be a time of day");
  if (t.end_minute <= t.start_minute || t.end_minute > 24 * 60) add("end", "must be after start, within the day");
  if (t.slot_minutes < 5 || t.slot_minutes > 240) add("slot_minutes", "must be between 5 and 240");
  else if (t.end_minute > t.start_minute && (t.end_minute - t.start_minute) % t.slot_minutes != 0)
    add("slot_minutes", "must divide the session (" + std::to_string(t.end_minute - t.start_minute) + " minutes)");
  if (t.capacity_per_slot <= 0 || t.capacity_per_slot > 200) add("capacity_per_slot", "must be between 1 and 200");
  int sum = 0;
  for (size_t i = 0; i < 4; ++i) {
    if (t.quota_percent[i] < 0 || t.quota_percent[i] > 100)
      add("quota", std::string(quota_class_name(kQuotaClasses[i])) + " must be 0 to 100");
    sum += t.quota_percent[i];
  }
  if (sum != 100) add("quota", "the channel percentages must sum to 100, got " + std::to_string(sum));
  if (t.release_days_ahead < 0 || t.release_days_ahead > 90) add("release_days_ahead", "must be 0 to 90");
  if (t.release_minute < 0 || t.release_minute >= 24 * 60) add("release_time", "must be a time of day");
  if (t.pool_minutes_before < 0 || t.pool_minutes_before > 60 * 24 * 30)
    add("pool_minutes_before", "must be 0 to 43200");
  if (t.preparation.size() > 1000) add("preparation", "must be at most 1000 bytes");
  return e;
}

ScheduleService::ScheduleService(store::Database& db, const Clock& clock, const auth::AuditLog& audit,
                                 int utc_offset_minutes, int special_needs_max_percent)
    : db_(db),
      clock_(clock),
      audit_(audit),
      offset_(utc_offset_minutes),
      special_needs_max_percent_(special_needs_max_percent) {}

int64_t ScheduleService::local_to_utc(CivilDate d, int minute) const {
  return local_midnight_utc_ms(d, offset_) + int64_t{minute} * 60'000;
}

Result<ScheduleTemplate> ScheduleService::create_template(const auth::Principal& who, const ScheduleTemplate& t,
                                                          const auth::RequestContext& ctx) {
  FieldErrors errors;
  for (auto& f : check_template(t)) errors.add(f.field, f.message);
  return store::write_tx(db_, [&](store::Connection& c) -> Result<ScheduleTemplate> {
    auto clinic = c.query(sql::kClinicExists, {t.clinic_code});
    if (!clinic) return fail(clinic.error());
    if (clinic->empty()) errors.add("clinic_code", "no clinic '" + t.clinic_code + "'");
    if (t.practitioner_id) {
      auto p = c.query(sql::kPractitionerExists, {*t.practitioner_id});
      if (!p) return fail(p.error());
      if (p->empty()) errors.add("practitioner_id", "no such practitioner");
    } else if (!clinic->empty() && (*clinic)[0].text(1) != "exam") {
      errors.add("practitioner_id", "is required except for examination clinics");
    }
    if (!t.room_code.empty()) {
      auto r = c.query(sql::kRoomExists, {t.room_code});
      if (!r) return fail(r.error());
      if (r->empty()) errors.add("room_code", "no room '" + t.room_code + "'");
    }
    if (auto s = errors.status(); !s) return fail(s.error());
    auto rows = c.query(sql::kInsertTemplate,
                        {t.clinic_code, store::nullable(t.practitioner_id), t.room_code, int64_t{t.weekday},
                         std::string(period_name(t.period)), int64_t{t.start_minute}, int64_t{t.end_minute},
                         int64_t{t.slot_minutes}, int64_t{t.capacity_per_slot}, int64_t{t.quota_percent[0]},
                         int64_t{t.quota_percent[1]}, int64_t{t.quota_percent[2]}, int64_t{t.quota_percent[3]},
                         int64_t{t.release_days_ahead}, int64_t{t.release_minute}, int64_t{t.pool_minutes_before},
                         t.preparation, clock_.now_ms(), int64_t{t.active}});
    if (!rows) return fail(rows.error());
    ScheduleTemplate out = t;
    out.id = (*rows)[0].integer(0);
    if (auto s = audit_.append(c, {who.audit_name(), "schedule.template_create", "schedule_template",
                                   std::to_string(out.id), "success", t.clinic_code},
                               ctx);
        !s)
      return fail(s.error());
    return out;
  });
}

Result<std::vector<ScheduleTemplate>> ScheduleService::list_templates() {
  return store::read_tx(db_, [&](store::Connection& c) -> Result<std::vector<ScheduleTemplate>> {
    auto rows = c.query(sql::kListTemplates);
    if (!rows) return fail(rows.error());
    std::vector<ScheduleTemplate> out;
    for (const auto& r : *rows) out.push_back(decode_template(r));
    return out;
  });
}

Result<GenerateReport> ScheduleService::generate(const auth::Principal& who, const std::string& from_day, int days,
                                                 const auth::RequestContext& ctx) {
  FieldErrors errors;
  const auto from = parse_date(from_day);
  if (!from) errors.add("from", "must be a date as YYYY-MM-DD");
  if (days < 1 || days > 92) errors.add("days", "must be 1 to 92");
  if (auto s = errors.status(); !s) return fail(s.error());
  return store::write_tx(db_, [&](store::Connection& c) -> Result<GenerateReport> {
    auto rows = c.query(sql::kListActiveTemplates);
    if (!rows) return fail(rows.error());
    GenerateReport report;
    // Regular clinics first, so special-needs capacity is measured against
    // everything else published for the range.
    std::vector<std::pair<bool, ScheduleTemplate>> templates;
    for (const auto& row : *rows) {
      ScheduleTemplate t = decode_template(row);
      auto clinic = c.query(sql::kClinicExists, {t.clinic_code});
      if (!clinic) return fail(clinic.error());
      templates.emplace_back(!clinic->empty() && (*clinic)[0].text(1) == "special_needs", std::move(t));
    }
    std::stable_sort(templates.begin(), templates.end(),
                     [](const auto& a, const auto& b) { return a.first < b.first; });
    const std::string first_day = format_date(*from), last_day = format_date(add_days(*from, days - 1));
    auto holidays = c.query(sql::kHolidaysBetween, {first_day, last_day});
    if (!holidays) return fail(holidays.error());
    std::vector<std::string> closed;
    for (const auto& h : *holidays) closed.push_back(h.text(0));
    for (const auto& [special, t] : templates) {
      for (int i = 0; i < days; ++i) {
        const CivilDate day = add_days(*from, i);
        if (iso_weekday(day) != t.weekday) continue;
        if (std::find(closed.begin(), closed.end(), format_date(day)) != closed.end()) {
          ++report.holiday_sessions_skipped;
          continue;
        }
        auto made = create_session(c, t, day, special, first_day, last_day, report);
        if (!made) return fail(made.error());
      }
    }
    if (auto s = audit_.append(c, {who.audit_name(), "schedule.generate", "clinic_sessions", from_day, "success",
                                   std::to_string(report.sessions_created) + " sessions for " +
                                       std::to_string(days) + " days, " + std::to_string(report.special_needs_skipped) +
                                       " special-needs sessions over the limit"},
                               ctx);
        !s)
      return fail(s.error());
    return report;
  });
}

SlotView slot_from_row(const store::Row& r, int64_t now) {
  SlotView v;
  v.id = r.integer(0);
  v.session_id = r.integer(1);
  v.starts_at_ms = r.integer(2);
  v.ends_at_ms = r.integer(3);
  v.capacity = static_cast<int>(r.integer(4));
  v.booked = static_cast<int>(r.integer(5));
  v.release_at_ms = r.integer(6);
  v.released = v.release_at_ms <= now;
  v.clinic_code = r.text(8);
  v.clinic_name_zh = r.text(9);
  v.clinic_name_en = r.text(10);
  v.clinic_type = r.text(11);
  v.department_code = r.text(12);
  v.practitioner_id = r.opt_integer(13);
  v.practitioner_name = r.text(14);
  v.practitioner_title = r.text(15);
  v.day = r.text(16);
  v.period = parse_period(r.text(17)).value_or(Period::morning);
  v.preparation = r.text(18);
  v.remaining = static_cast<int>(r.integer(19));
  return v;
}

Result<std::vector<SlotView>> ScheduleService::search(const SlotQuery& q) {
  const int64_t now = clock_.now_ms();
  const CivilDate today = local_date(now, offset_);
  FieldErrors errors;
  const auto from = q.from_day.empty() ? std::optional(today) : parse_date(q.from_day);
  const auto to = q.to_day.empty() ? std::optional(add_days(today, 14)) : parse_date(q.to_day);
  if (!from) errors.add("from", "must be a date as YYYY-MM-DD");
  if (!to) errors.add("to", "must be a date as YYYY-MM-DD");
  if (from && to && *to < *from) errors.add("to", "must not be before from");
  if (from && to && *to >= add_days(*from, 62)) errors.add("to", "the range may span at most 62 days");
  if (auto s = errors.status(); !s) return fail(s.error());
  return store::read_tx(db_, [&](store::Connection& c) -> Result<std::vector<SlotView>> {
    auto rows = c.query(sql::kSearchSlots,
                        {std::string(quota_class_name(quota_class(q.channel))), now, format_date(*from),
                         format_date(*to), q.department_code, q.clinic_code, q.clinic_type,
                         q.practitioner_id.value_or(0), q.period ? std::string(period_name(*q.period)) : std::string(),
                         int64_t{std::clamp(q.limit, 1, 2000)}});
    if (!rows) return fail(rows.error());
    std::vector<SlotView> out;
    for (const auto& r : *rows) {
      auto v = slot_from_row(r, now);
      if (q.only_available && v.remaining == 0) continue;
      out.push_back(std::move(v));
    }
    return out;
  });
}

Result<std::optional<int64_t>> ScheduleService::create_session(store::Connection& c, const ScheduleTemplate& t,
                                                               CivilDate day, bool special,
                                                               const std::string& first_day,
                                                               const std::string& last_day, GenerateReport& report) {
  const int64_t starts = local_to_utc(day, t.start_minute);
  const int64_t ends = local_to_utc(day, t.end_minute);
  const int64_t release = local_to_utc(add_days(day, -t.release_days_ahead), t.release_minute);
  const int64_t pool = starts - int64_t{t.pool_minutes_before} * 60'000;
  auto created = c.query(sql::kInsertSession, {t.id, t.clinic_code, store::nullable(t.practitioner_id), format_date(day),
                                               std::string(period_name(t.period)), starts, ends, release, pool,
                                               t.preparation, clock_.now_ms()});
  if (!created) return fail(created.error());
  if (created->empty()) return std::optional<int64_t>();  // generated before
  const int64_t session_id = (*created)[0].integer(0);
  const int slot_count = (t.end_minute - t.start_minute) / t.slot_minutes;
  if (special) {
    auto share = c.query(sql::kCapacityShare, {first_day, last_day});
    if (!share) return fail(share.error());
    const int64_t add = int64_t{slot_count} * t.capacity_per_slot;
    const int64_t special_cap = (*share)[0].integer(0) + add, total = (*share)[0].integer(1) + add;
    if (special_cap * 100 > total * special_needs_max_percent_) {
      // Not published: the session row goes, nothing was booked on it.
      if (auto r = c.execute(sql::kDeleteEmptySession, {session_id}); !r) return fail(r.error());
      ++report.special_needs_skipped;
      return std::optional<int64_t>();
    }
  }
  ++report.sessions_created;
  const auto classes = spread_quotas(slot_count * t.capacity_per_slot, t.quota_percent);
  int ticket = 0;
  for (int k = 0; k < slot_count; ++k) {
    const int64_t slot_start = starts + int64_t{k} * t.slot_minutes * 60'000;
    auto slot = c.query(sql::kInsertSlot,
                        {session_id, slot_start, slot_start + int64_t{t.slot_minutes} * 60'000, int64_t{t.capacity_per_slot}});
    if (!slot) return fail(slot.error());
    ++report.slots_created;
    const int64_t slot_id = (*slot)[0].integer(0);
    for (int n = 0; n < t.capacity_per_slot; ++n, ++ticket) {
      // Ticket numbers run through the session in slot order: the number
      // the patient is called by.
      if (auto r = c.execute(sql::kInsertTicket, {slot_id, session_id, int64_t{ticket + 1},
                                                  std::string(quota_class_name(classes[static_cast<size_t>(ticket)]))});
          !r)
        return fail(r.error());
      ++report.tickets_created;
    }
  }
  return std::optional<int64_t>(session_id);
}

Result<int64_t> ScheduleService::create_one_off(const auth::Principal& who, ScheduleTemplate t,
                                                const std::string& day_text, const auth::RequestContext& ctx) {
  const auto day = parse_date(day_text);
  const CivilDate today = local_date(clock_.now_ms(), offset_);
  if (!day) return fail(Error::invalid("day", "must be a date as YYYY-MM-DD"));
  if (*day < today) return fail(Error::invalid("day", "is in the past"));
  t.weekday = iso_weekday(*day);
  t.active = false;  // never generated again: it exists for this day only
  auto created = create_template(who, t, ctx);
  if (!created) return fail(created.error());
  return store::write_tx(db_, [&](store::Connection& c) -> Result<int64_t> {
    auto clinic = c.query(sql::kClinicExists, {t.clinic_code});
    if (!clinic) return fail(clinic.error());
    const bool special = !clinic->empty() && (*clinic)[0].text(1) == "special_needs";
    GenerateReport report;
    auto session = create_session(c, *created, *day, special, format_date(*day), format_date(*day), report);
    if (!session) return fail(session.error());
    if (!*session)
      return fail(Error::conflict("special_needs_share_exceeded",
                                  "this session would lift the special-needs share of the day above " +
                                      std::to_string(special_needs_max_percent_) + " %"));
    if (auto s = audit_.append(c, {who.audit_name(), "schedule.one_off", "clinic_session", std::to_string(**session),
                                   "success", t.clinic_code + " on " + day_text},
                               ctx);
        !s)
      return fail(s.error());
    return **session;
  });
}

Status ScheduleService::add_holiday(const auth::Principal& who, const std::string& day_text, const std::string& name,
                                    const auth::RequestContext& ctx) {
  FieldErrors errors;
  if (!parse_date(day_text)) errors.add("day", "must be a date as YYYY-MM-DD");
  if (name.empty() || name.size() > 100) errors.add("name", "must be 1 to 100 bytes");
  if (auto s = errors.status(); !s) return s;
  auto s = db_.write([&](store::Connection& c) -> Status {
    if (auto r = c.execute(sql::kInsertHoliday, {day_text, name, clock_.now_ms()}); !r) return fail(r.error());
    return audit_.append(c, {who.audit_name(), "schedule.holiday", "holiday", day_text, "success", name}, ctx);
  });
  if (!s && s.error().code == "unique_violation")
    return fail(Error::conflict("holiday_exists", day_text + " is already a holiday"));
  return s;
}

Result<std::vector<std::pair<std::string, std::string>>> ScheduleService::holidays() {
  return store::read_tx(db_, [&](store::Connection& c) -> Result<std::vector<std::pair<std::string, std::string>>> {
    auto rows = c.query(sql::kListHolidays);
    if (!rows) return fail(rows.error());
    std::vector<std::pair<std::string, std::string>> out;
    for (const auto& r : *rows) out.emplace_back(r.text(0), r.text(1));
    return out;
  });
}

Result<CapacityShare> ScheduleService::special_needs_share(const std::string& from_day, const std::string& to_day) {
  FieldErrors errors;
  const auto from = parse_date(from_day);
  const auto to = parse_date(to_day);
  if (!from) errors.add("from", "must be a date as YYYY-MM-DD");
  if (!to) errors.add("to", "must be a date as YYYY-MM-DD");
  if (auto s = errors.status(); !s) return fail(s.error());
  return store::read_tx(db_, [&](store::Connection& c) -> Result<CapacityShare> {
    auto rows = c.query(sql::kCapacityShare, {format_date(*from), format_date(*to)});
    if (!rows) return fail(rows.error());
    CapacityShare out;
    out.special_needs = (*rows)[0].integer(0);
    out.total = (*rows)[0].integer(1);
    out.percent = out.total ? 100.0 * static_cast<double>(out.special_needs) / static_cast<double>(out.total) : 0;
    out.limit_percent = special_needs_max_percent_;
    return out;
  });
}

Result<SlotView> ScheduleService::slot(int64_t id, Channel channel) {
  const int64_t now = clock_.now_ms();
  return store::read_tx(db_, [&](store::Connection& c) -> Result<SlotView> {
    auto rows = c.query(sql::kSelectSlotView, {std::string(quota_class_name(quota_class(channel))), now, id});
    if (!rows) return fail(rows.error());
    if (rows->empty()) return fail(Error::not_found("slot " + std::to_string(id)));
    return slot_from_row((*rows)[0], now);
  });
}

}  // namespace stork::scheduling
