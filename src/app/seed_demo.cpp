#include "app/seed_demo.hpp"

#include <algorithm>
#include <tuple>

namespace stork::app {
namespace {

const char* demo_display_name(auth::Role r) {
  switch (r) {
    case auth::Role::admin: return "演示 系统管理员 (Demo admin)";
    case auth::Role::clerk: return "演示 窗口收费员 (Demo clerk)";
    case auth::Role::triage_nurse: return "演示 分诊护士 (Demo triage nurse)";
    case auth::Role::doctor: return "演示 医生 (Demo doctor)";
    case auth::Role::pharmacist: return "演示 药师 (Demo pharmacist)";
    case auth::Role::mdt_coordinator: return "演示 MDT 协调员 (Demo MDT coordinator)";
    case auth::Role::dispatcher: return "演示 急救调度 (Demo dispatcher)";
    case auth::Role::manager: return "演示 运营管理 (Demo manager)";
    case auth::Role::auditor: return "演示 审计员 (Demo auditor)";
    case auth::Role::display: return "演示 候诊屏 (Demo waiting-area display)";
    case auth::Role::interface: return "演示 检验系统接口 (Demo LIS interface)";
  }
  return "Demo";
}

}  // namespace

scheduling::Directory demo_directory() {
  scheduling::Directory d;
  auto dep = [&](std::string code, std::string zh, std::string en, std::optional<std::string> parent = {}) {
    d.departments.push_back({0, std::move(code), std::move(zh), std::move(en), std::move(parent)});
  };
  dep("OB", "产科", "Obstetrics");
  dep("GYN", "妇科", "Gynecology");
  dep("REP", "生殖医学科", "Reproductive medicine");
  dep("PND", "产前诊断中心", "Prenatal diagnosis center");
  dep("PED", "儿科", "Pediatrics");
  dep("PED-CV", "小儿心血管科", "Pediatric cardiology", "PED");
  dep("PED-NEU", "小儿神经科", "Pediatric neurology", "PED");
  dep("PED-RESP", "小儿呼吸科", "Pediatric respiratory medicine", "PED");
  dep("PED-GI", "小儿消化科", "Pediatric gastroenterology", "PED");
  dep("PED-END", "小儿内分泌科", "Pediatric endocrinology", "PED");
  dep("PED-REHAB", "儿童康复科", "Pediatric rehabilitation", "PED");
  dep("NEO", "新生儿科", "Neonatology");
  dep("PSURG", "小儿外科", "Pediatric surgery");
  dep("CHC", "儿童保健科", "Child healthcare");
  dep("US", "超声科", "Ultrasound");
  dep("RAD", "放射科", "Radiology");
  dep("LAB", "检验科", "Clinical laboratory");
  dep("TCM", "中医科", "Traditional Chinese medicine");
  dep("DENT", "儿童口腔科", "Children's dentistry");
  dep("ANES", "麻醉科", "Anesthesiology");
  dep("PHARM", "药学部", "Pharmacy");
  dep("NURS", "护理部", "Nursing");

  auto clinic = [&](std::string code, std::string dept, std::string zh, std::string en, std::string type) {
    d.clinics.push_back({0, std::move(code), std::move(dept), std::move(zh), std::move(en), std::move(type)});
  };
  // General, expert and gold-card (special needs) clinics of the big departments.
  for (const auto& [code, zh, en] : std::vector<std::tuple<std::string, std::string, std::string>>{
           {"OB", "产科", "Obstetrics"}, {"GYN", "妇科", "Gynecology"}, {"PED", "儿科", "Pediatrics"}}) {
    clinic(code + "-GEN", code, zh + "普通门诊", en + " general clinic", "general");
    clinic(code + "-EXP", code, zh + "专家门诊", en + " expert clinic", "expert");
    clinic(code + "-GOLD", code, zh + "特需(金卡)门诊", en + " special-needs (gold card) clinic", "special_needs");
  }
  clinic("REP-GEN", "REP", "生殖医学门诊", "Reproductive medicine clinic", "general");
  clinic("REP-EXP", "REP", "生殖医学专家门诊", "Reproductive medicine expert clinic", "expert");
  clinic("PED-CV-EXP", "PED-CV", "小儿心血管专家门诊", "Pediatric cardiology expert clinic", "expert");
  clinic("PED-NEU-GEN", "PED-NEU", "小儿神经门诊", "Pediatric neurology clinic", "general");
  clinic("PED-RESP-GEN", "PED-RESP", "小儿呼吸门诊", "Pediatric respiratory clinic", "general");
  clinic("PED-GI-GEN", "PED-GI", "小儿消化门诊", "Pediatric gastroenterology clinic", "general");
  clinic("PED-END-GEN", "PED-END", "小儿内分泌门诊", "Pediatric endocrinology clinic", "general");
  clinic("PED-REHAB-GEN", "PED-REHAB", "儿童康复门诊", "Pediatric rehabilitation clinic", "general");
  clinic("PED-FEVER", "PED", "儿童发热门诊", "Children's fever clinic", "special");
  clinic("NEO-GEN", "NEO", "新生儿门诊", "Neonatal clinic", "general");
  clinic("PSURG-GEN", "PSURG", "小儿外科门诊", "Pediatric surgery clinic", "general");
  clinic("CHC-GEN", "CHC", "儿童保健门诊", "Child healthcare clinic", "general");
  clinic("TCM-OG", "TCM", "妇产科中医门诊", "OB/GYN Chinese medicine clinic", "special");
  clinic("TCM-PED", "TCM", "儿科中医门诊", "Pediatric Chinese medicine clinic", "special");
  clinic("DENT-PED", "DENT", "儿童口腔门诊", "Children's dental clinic", "special");
  clinic("SED-PED", "ANES", "儿童镇静门诊", "Pediatric sedation clinic", "special");
  clinic("PHARM-CLN", "PHARM", "药学门诊", "Pharmacy clinic", "special");
  clinic("WOUND", "NURS", "伤口护理门诊", "Wound-care (nursing) clinic", "special");
  clinic("PAC", "GYN", "流产后关爱(PAC)门诊", "Post-abortion care (PAC) clinic", "special");
  clinic("PPR", "OB", "产后复查门诊", "Postpartum review clinic", "special");
  clinic("RAD-CLN", "RAD", "放射门诊", "Radiology clinic", "special");
  clinic("TELE", "PND", "远程会诊门诊", "Teleconsultation clinic", "special");
  clinic("MDT-FCHD", "PND", "胎儿先心病 MDT 门诊", "Fetal congenital heart disease MDT clinic", "mdt");
  clinic("MDT-GEN", "PND", "遗传病与高危产前诊断 MDT 门诊", "Genetic disease and high-risk prenatal diagnosis MDT clinic", "mdt");
  clinic("MDT-FERT", "REP", "生育力评估 MDT 门诊", "Fertility assessment MDT clinic", "mdt");
  clinic("US-PRENATAL", "US", "产前超声检查", "Prenatal ultrasound examination", "exam");
  clinic("RAD-EXAM", "RAD", "放射检查", "Radiology examination", "exam");
  clinic("LAB-DRAW", "LAB", "采血", "Blood draw", "exam");

  auto room = [&](std::string code, std::string dept, std::string name, std::string kind) {
    d.rooms.push_back({0, std::move(code), std::move(dept), std::move(name), std::move(kind)});
  };
  for (const std::string dept : {"OB", "GYN", "PED", "REP", "NEO", "PSURG", "CHC"})
    for (int i = 1; i <= 3; ++i)
      room(dept + "-R" + std::to_string(i), dept, dept + " 诊室" + std::to_string(i), "consultation");
  for (int i = 1; i <= 4; ++i)
    room("US-" + std::to_string(i), "US", "超声室" + std::to_string(i), "ultrasound");
  room("RAD-DR", "RAD", "DR 室", "radiology");
  room("RAD-MRI", "RAD", "MRI 室", "radiology");
  for (int i = 1; i <= 3; ++i)
    room("LAB-W" + std::to_string(i), "LAB", "采血窗口" + std::to_string(i), "lab_draw");
  room("NURS-W1", "NURS", "换药室", "treatment");

  auto prac = [&](std::string name, std::string title, std::string dept) {
    d.practitioners.push_back({0, std::move(name), std::move(title), std::move(dept), std::nullopt});
  };
  prac("李秀英", "chief", "OB");
  prac("王晓燕", "associate_chief", "OB");
  prac("陈静", "attending", "OB");
  prac("刘芳", "chief", "GYN");
  prac("杨丽", "attending", "GYN");
  prac("张伟", "chief", "PED");
  prac("赵敏", "associate_chief", "PED");
  prac("黄磊", "attending", "PED");
  prac("周洁", "chief", "PED-CV");
  prac("吴婷", "associate_chief", "PED-NEU");
  prac("徐亮", "attending", "NEO");
  prac("孙娜", "chief", "REP");
  prac("马军", "associate_chief", "PSURG");
  prac("朱红", "attending", "CHC");
  prac("胡蓉", "chief", "PND");
  prac("郭倩", "attending", "US");
  return d;
}

Result<SeedReport> seed_demo(Services& services, SeedOptions options) {
  SeedReport report;
  auto empty = services.directory.empty();
  if (!empty) return fail(empty.error());
  if (*empty) {
    if (auto s = services.directory.add(demo_directory()); !s) return fail(s.error());
    report.directory_created = true;
  }
  auto users = services.auth.list_users();
  if (!users) return fail(users.error());
  for (auth::Role role : auth::all_roles()) {
    const std::string username(auth::role_name(role));
    const bool exists = std::any_of(users->begin(), users->end(),
                                    [&](const auth::User& u) { return u.username == username; });
    if (exists) continue;
    auth::NewUser u{username, demo_display_name(role), kDemoPassword, {role}, true};
    auto created = services.auth.create_user_as_system(u, {"127.0.0.1", "seed-demo"});
    if (!created) return fail(created.error());
    report.accounts_created.push_back(username);
  }
  auto patients = services.patients.count();
  if (!patients) return fail(patients.error());
  if (*patients == 0 && options.families > 0) {
    auto created = seed_demo_patients(services, options.families, services.clock);
    if (!created) return fail(created.error());
    report.patients_created = *created;
  }
  if (options.fees) {
    auto fees = seed_demo_fees(services);
    if (!fees) return fail(fees.error());
    report.fees_created = *fees;
  }
  if (options.schedules) {
    auto templates = seed_demo_schedules(services, services.clock);
    if (!templates) return fail(templates.error());
    report.schedule_templates_created = *templates;
  }
  if (!options.clinical_key_file.empty()) {
    auto clinical = seed_demo_clinical(services, options.clinical_key_file);
    if (!clinical) return fail(clinical.error());
    report.signing_created = *clinical;
  }
  return report;
}

}  // namespace stork::app
