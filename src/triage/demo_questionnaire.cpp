// The screening questionnaire Stork ships with: the questions and routes a
// maternity and children's hospital used at its gate during respiratory
// epidemics. Stored as version 1 the first time anyone asks for the active
// questionnaire; administrators replace it with new versions.
#include "triage/screening.hpp"

namespace stork::triage {

Questionnaire default_questionnaire() {
  Questionnaire q;
  q.title_zh = "入院预检分诊筛查";
  q.title_en = "Gate screening";

  auto yes_no = [&](std::string id, std::string zh, std::string en, Audience audience = Audience::everyone) {
    Question question;
    question.id = std::move(id);
    question.text_zh = std::move(zh);
    question.text_en = std::move(en);
    question.audience = audience;
    q.questions.push_back(std::move(question));
  };
  yes_no("fever_14d", "近14天内是否有发热（体温≥37.3℃）？",
         "Have you had a fever (37.3 °C or above) in the last 14 days?");
  yes_no("respiratory", "是否有咳嗽、咽痛、流涕、气促等呼吸道症状？",
         "Do you have a cough, sore throat, runny nose, shortness of breath or other respiratory symptoms?");
  yes_no("contact_case", "近14天内是否接触过确诊的传染病患者（如流感、新冠、麻疹、水痘）？",
         "In the last 14 days, have you been in contact with anyone with a confirmed infectious disease "
         "(such as influenza, COVID-19, measles or chickenpox)?");
  yes_no("outbreak_travel", "近14天内是否到过有疫情暴发的地区？",
         "In the last 14 days, have you been to an area with an outbreak?");
  yes_no("rash", "孩子是否出现皮疹（如手足口病、水痘、麻疹样皮疹）？",
         "Does the child have a rash (such as hand-foot-and-mouth disease, chickenpox or a measles-like rash)?",
         Audience::children);

  q.routes = {
      {"isolation", "隔离通道（发热门诊）", "Isolation pathway (fever clinic)",
       "请戴好口罩，不要进入门诊大楼，原地等候工作人员经隔离通道带您前往发热门诊。",
       "Keep your mask on and do not enter the outpatient building. Wait here: staff will take you through the "
       "isolation pathway to the fever clinic.",
       true},
      {"paediatric_fever", "儿科发热门诊", "Paediatric fever clinic",
       "请为孩子和陪同家属戴好口罩，按指示牌前往儿科发热门诊就诊，不要进入普通候诊区。",
       "Put masks on your child and everyone with you, and follow the signs to the paediatric fever clinic. "
       "Do not enter the general waiting areas.",
       true},
      {"fever_clinic", "发热门诊", "Fever clinic",
       "请戴好口罩，按指示牌前往发热门诊就诊，不要进入普通候诊区。",
       "Keep your mask on and follow the signs to the fever clinic. Do not enter the general waiting areas.", true},
      {"respiratory", "呼吸道症状优先", "Respiratory priority",
       "请全程佩戴口罩（入口处可领取），与他人保持1米以上距离；到达诊区后请告知分诊护士您有呼吸道症状，将优先为您安排就诊。",
       "Wear a mask at all times (free at the entrance) and keep at least 1 metre from others. Tell the triage "
       "nurse of your clinic area about your symptoms: you will be seen with priority.",
       false},
      {"proceed", "正常就诊", "Proceed to your clinic",
       "预检筛查通过，请前往您预约的诊区签到候诊。",
       "Screening passed. Please go to the clinic area of your appointment and check in there.", false},
  };

  auto rule = [&](std::string id, std::vector<RuleCondition> when, std::string route) {
    q.rules.push_back({std::move(id), std::move(when), std::move(route)});
  };
  const std::string temperature(kTemperatureField), age(kAgeField);
  // Exposure comes first: a febrile contact goes through isolation, not the open fever clinic queue.
  rule("contact", {{"contact_case", ConditionOp::eq, true}}, "isolation");
  rule("travel", {{"outbreak_travel", ConditionOp::eq, true}}, "isolation");
  rule("child_fever",
       {{temperature, ConditionOp::gte, 37.3}, {age, ConditionOp::lt, static_cast<double>(kAdultAgeYears)}},
       "paediatric_fever");
  rule("adult_fever", {{temperature, ConditionOp::gte, 37.3}}, "fever_clinic");
  // Reached only without a fever: those with one matched above.
  rule("respiratory_symptoms", {{"respiratory", ConditionOp::eq, true}}, "respiratory");
  q.default_route = "proceed";
  return q;
}

}  // namespace stork::triage
