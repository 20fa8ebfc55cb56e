// Demo clinic schedules: each doctor of obstetrics, gynecology and
// pediatrics holds weekday sessions (chiefs in the expert clinic, others in
// the general one), and prenatal ultrasound runs Monday to Saturday
// mornings; sessions are generated for the next two weeks.
#include "app/seed_demo.hpp"
#include "core/civil_date.hpp"

namespace stork::app {

Result<int> seed_demo_schedules(Services& services, const Clock& clock) {
  auto existing = services.schedules.list_templates();
  if (!existing) return fail(existing.error());
  if (!existing->empty()) return 0;
  auto directory = services.directory.load();
  if (!directory) return fail(directory.error());
  const auth::Principal admin{auth::PrincipalKind::staff, 0, "seed-demo", "seed-demo", {auth::Role::admin}, ""};
  const auth::RequestContext ctx{"127.0.0.1", "seed-demo"};

  int created = 0;
  auto add = [&](scheduling::ScheduleTemplate t) -> Status {
    auto r = services.schedules.create_template(admin, t, ctx);
    if (!r) return fail(r.error());
    ++created;
    return {};
  };
  int n = 0;
  for (const auto& p : directory->practitioners) {
    if (p.department_code != "OB" && p.department_code != "GYN" && p.department_code != "PED") continue;
    const bool senior = p.title == "chief" || p.title == "associate_chief";
    for (int weekday = 1; weekday <= 5; ++weekday) {
      // Each doctor sits two or three half-days a week.
      if ((weekday + n) % 2 != 0 && weekday != 3) continue;
      scheduling::ScheduleTemplate t;
      t.clinic_code = p.department_code + (senior ? "-EXP" : "-GEN");
      t.practitioner_id = p.id;
      t.weekday = weekday;
      const bool morning = (weekday + n) % 3 != 0;
      t.period = morning ? scheduling::Period::morning : scheduling::Period::afternoon;
      t.start_minute = morning ? 8 * 60 : 14 * 60;
      t.end_minute = morning ? 12 * 60 : 17 * 60 + 30;
      t.capacity_per_slot = senior ? 2 : 4;
      if (auto s = add(t); !s) return fail(s.error());
    }
    ++n;
  }
  for (int weekday = 1; weekday <= 6; ++weekday) {
    scheduling::ScheduleTemplate t;
    t.clinic_code = "US-PRENATAL";
    t.room_code = "US-1";
    t.weekday = weekday;
    t.capacity_per_slot = 4;
    t.quota_percent = {70, 20, 0, 10};
    t.preparation = "孕早期（12周内）超声需憋尿，检查前1小时饮水500毫升。Early-pregnancy scans (before 12 weeks) need a "
                    "full bladder: drink 500 ml of water an hour before.";
    if (auto s = add(t); !s) return fail(s.error());
  }
  const CivilDate today = local_date(clock.now_ms(), services.schedules.utc_offset_minutes());
  if (auto g = services.schedules.generate(admin, format_date(today), 15, ctx); !g) return fail(g.error());
  return created;
}

}  // namespace stork::app
