// The demo fee catalogue: registration fees by clinic type and doctor
// title at the levels Chinese public hospitals publish (general ¥5-10,
// associate chief ¥25, chief ¥50, special needs ¥300, MDT ¥500), exam and
// service fees, each with the insurer's usual share.
#include "app/seed_demo.hpp"
#include "core/civil_date.hpp"

namespace stork::app {

Result<int> seed_demo_fees(Services& services) {
  auto existing = services.billing.fees("");
  if (!existing) return fail(existing.error());
  if (!existing->empty()) return 0;
  const auth::Principal admin{auth::PrincipalKind::staff, 0, "seed-demo", "seed-demo", {auth::Role::admin}, ""};
  const auth::RequestContext ctx{"127.0.0.1", "seed-demo"};
  struct Line {
    const char *code, *kind, *zh, *en, *type, *clinic, *title;
    int64_t fen;
    int insured;
  };
  static constexpr Line kLines[] = {
      {"REG-GEN", "registration", "普通门诊挂号费", "General clinic registration", "general", "", "", 1000, 50},
      {"REG-GEN-RES", "registration", "普通门诊挂号费(住院医师)", "General clinic registration (resident)", "general", "",
       "resident", 500, 50},
      {"REG-EXP-AC", "registration", "副主任医师挂号费", "Associate chief registration", "expert", "", "associate_chief",
       2500, 50},
      {"REG-EXP-C", "registration", "主任医师挂号费", "Chief physician registration", "expert", "", "chief", 5000, 50},
      {"REG-EXP", "registration", "专家门诊挂号费", "Expert clinic registration", "expert", "", "", 2500, 50},
      {"REG-GOLD", "registration", "特需门诊挂号费", "Special-needs clinic registration", "special_needs", "", "", 30000, 0},
      {"REG-MDT", "registration", "多学科联合门诊费", "MDT joint clinic fee", "mdt", "", "", 50000, 30},
      {"REG-SPECIAL", "registration", "专科门诊挂号费", "Special clinic registration", "special", "", "", 1500, 50},
      {"EXAM-US-PRENATAL", "exam", "产科超声检查", "Prenatal ultrasound", "exam", "US-PRENATAL", "", 18000, 70},
      {"EXAM-CBC", "exam", "血常规", "Complete blood count", "", "", "", 2000, 70},
      {"EXAM-OGTT", "exam", "口服葡萄糖耐量试验", "Oral glucose tolerance test", "", "", "", 4500, 70},
      {"EXAM-NST", "exam", "胎心监护(NST)", "Non-stress test (fetal monitoring)", "", "", "", 3000, 70},
      {"SVC-CARD", "service", "就诊卡工本费", "Patient card fee", "", "", "", 500, 0},
      {"SVC-DRESSING", "service", "换药", "Wound dressing", "", "", "", 2500, 60},
  };
  int created = 0;
  for (const auto& l : kLines) {
    billing::FeeItem f;
    f.code = l.code;
    f.kind = l.kind;
    f.name_zh = l.zh;
    f.name_en = l.en;
    f.clinic_type = l.type;
    f.clinic_code = l.clinic;
    f.doctor_title = l.title;
    f.amount_fen = l.fen;
    f.insurance_percent = l.insured;
    f.valid_from = "2026-01-01";
    if (auto r = services.billing.add_fee(admin, f, ctx); !r) return fail(r.error());
    ++created;
  }
  return created;
}

}  // namespace stork::app
