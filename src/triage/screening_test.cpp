// The gate screening questionnaire: every routing rule of the shipped
// questionnaire, first-match-wins ordering, and every validation of a
// questionnaire and of a patient's answers.
#include "triage/screening.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <functional>

namespace stork::triage {
namespace {

bool names(const std::vector<FieldError>& errors, const std::string& field) {
  return std::any_of(errors.begin(), errors.end(), [&](const FieldError& e) { return e.field == field; });
}

std::string fields_of(const std::vector<FieldError>& errors) {
  std::string out;
  for (const auto& e : errors) out += e.field + " (" + e.message + "); ";
  return out;
}

// Every question answered "no".
Answers all_no() {
  return {{"fever_14d", false}, {"respiratory", false}, {"contact_case", false}, {"outbreak_travel", false},
          {"rash", false}};
}

Answers with(std::string id, AnswerValue v) {
  auto a = all_no();
  a[id] = std::move(v);
  return a;
}

constexpr int kChild = 4;
constexpr int kAdult = 30;

// --- routing of the shipped questionnaire ---------------------------------

TEST(ScreeningRouting, TheShippedQuestionnaireIsValid) {
  const auto q = default_questionnaire();
  EXPECT_TRUE(questionnaire_errors(q).empty()) << fields_of(questionnaire_errors(q));
  for (const auto& r : q.routes) {
    EXPECT_FALSE(r.instruction_zh.empty()) << r.code;
    EXPECT_FALSE(r.instruction_en.empty()) << r.code;
  }
}

TEST(ScreeningRouting, ContactWithAConfirmedCaseGoesToIsolation) {
  const auto r = route_for(default_questionnaire(), with("contact_case", true), 36.6, kAdult);
  EXPECT_EQ(r.route, "isolation");
  EXPECT_EQ(r.rule_id, "contact");
}

TEST(ScreeningRouting, TravelToAnOutbreakAreaGoesToIsolation) {
  const auto r = route_for(default_questionnaire(), with("outbreak_travel", true), std::nullopt, kChild);
  EXPECT_EQ(r.route, "isolation");
  EXPECT_EQ(r.rule_id, "travel");
}

TEST(ScreeningRouting, ExposureWinsOverFeverBecauseItComesFirst) {
  const auto r = route_for(default_questionnaire(), with("contact_case", true), 39.0, kChild);
  EXPECT_EQ(r.route, "isolation");
}

TEST(ScreeningRouting, AChildWithFeverGoesToThePaediatricFeverClinic) {
  const auto q = default_questionnaire();
  EXPECT_EQ(route_for(q, all_no(), 37.3, kChild).route, "paediatric_fever");  // the threshold itself
  EXPECT_EQ(route_for(q, all_no(), 38.5, 0).route, "paediatric_fever");
  EXPECT_EQ(route_for(q, all_no(), 37.3, 17).route, "paediatric_fever");
  EXPECT_EQ(route_for(q, all_no(), 37.3, kChild).rule_id, "child_fever");
}

TEST(ScreeningRouting, AnAdultWithFeverGoesToTheFeverClinic) {
  const auto q = default_questionnaire();
  EXPECT_EQ(route_for(q, all_no(), 37.3, 18).route, "fever_clinic");  // 18 is an adult
  EXPECT_EQ(route_for(q, all_no(), 39.2, kAdult).route, "fever_clinic");
  EXPECT_EQ(route_for(q, all_no(), 39.2, kAdult).rule_id, "adult_fever");
}

TEST(ScreeningRouting, JustBelowTheThresholdIsNoFever) {
  const auto q = default_questionnaire();
  EXPECT_EQ(route_for(q, all_no(), 37.2, kChild).route, "proceed");
  EXPECT_EQ(route_for(q, all_no(), 37.29, kAdult).route, "proceed");
}

TEST(ScreeningRouting, RespiratorySymptomsWithoutFeverGetPriorityAndMasks) {
  const auto q = default_questionnaire();
  EXPECT_EQ(route_for(q, with("respiratory", true), 36.8, kAdult).route, "respiratory");
  EXPECT_EQ(route_for(q, with("respiratory", true), std::nullopt, kChild).route, "respiratory");
  // With a fever the fever rule came first.
  EXPECT_EQ(route_for(q, with("respiratory", true), 38.0, kChild).route, "paediatric_fever");
}

TEST(ScreeningRouting, EveryoneElseProceedsByTheDefaultRoute) {
  const auto r = route_for(default_questionnaire(), all_no(), 36.5, kAdult);
  EXPECT_EQ(r.route, "proceed");
  EXPECT_EQ(r.rule_id, "");
}

TEST(ScreeningRouting, NoTemperatureYetMeansNoFeverRuleHolds) {
  EXPECT_EQ(route_for(default_questionnaire(), all_no(), std::nullopt, kChild).route, "proceed");
}

TEST(ScreeningRouting, FirstMatchingRuleWinsAndEveryConditionMustHold) {
  auto q = default_questionnaire();
  q.rules = {{"both", {{"fever_14d", ConditionOp::eq, true}, {"respiratory", ConditionOp::eq, true}}, "isolation"},
             {"either", {{"fever_14d", ConditionOp::eq, true}}, "fever_clinic"},
             {"later", {{"fever_14d", ConditionOp::eq, true}}, "respiratory"}};
  auto a = with("fever_14d", true);
  EXPECT_EQ(route_for(q, a, std::nullopt, kAdult).rule_id, "either");
  a["respiratory"] = true;
  EXPECT_EQ(route_for(q, a, std::nullopt, kAdult).rule_id, "both");
}

TEST(ScreeningRouting, EachOperatorComparesAsItSays) {
  auto q = default_questionnaire();
  const std::string t(kTemperatureField);
  auto routed = [&](ConditionOp op, double value, double temperature) {
    q.rules = {{"r", {{t, op, value}}, "isolation"}};
    return route_for(q, all_no(), temperature, kAdult).route == "isolation";
  };
  EXPECT_TRUE(routed(ConditionOp::eq, 37.0, 37.0));
  EXPECT_FALSE(routed(ConditionOp::eq, 37.0, 37.1));
  EXPECT_TRUE(routed(ConditionOp::ne, 37.0, 37.1));
  EXPECT_TRUE(routed(ConditionOp::lt, 37.0, 36.9));
  EXPECT_FALSE(routed(ConditionOp::lt, 37.0, 37.0));
  EXPECT_TRUE(routed(ConditionOp::lte, 37.0, 37.0));
  EXPECT_TRUE(routed(ConditionOp::gt, 37.0, 37.1));
  EXPECT_FALSE(routed(ConditionOp::gt, 37.0, 37.0));
  EXPECT_TRUE(routed(ConditionOp::gte, 37.0, 37.0));
  EXPECT_FALSE(routed(ConditionOp::gte, 37.0, 36.9));
}

TEST(ScreeningRouting, ChoicesAndNumberAnswersCanDriveRules) {
  auto q = default_questionnaire();
  q.questions.push_back({"cough_days", QuestionKind::number, "咳嗽几天？", "Days of cough?", false,
                         Audience::everyone, {}, 0.0, 60.0});
  q.questions.push_back({"mask", QuestionKind::choice, "口罩", "Mask", false, Audience::everyone,
                         {{"none", "无", "None"}, {"surgical", "医用外科", "Surgical"}}, std::nullopt, std::nullopt});
  q.rules = {{"long_cough", {{"cough_days", ConditionOp::gte, 14.0}}, "respiratory"},
             {"no_mask", {{"mask", ConditionOp::eq, std::string("none")}}, "isolation"}};
  ASSERT_TRUE(questionnaire_errors(q).empty()) << fields_of(questionnaire_errors(q));
  EXPECT_EQ(route_for(q, with("cough_days", 20.0), std::nullopt, kAdult).route, "respiratory");
  EXPECT_EQ(route_for(q, with("cough_days", 3.0), std::nullopt, kAdult).route, "proceed");
  EXPECT_EQ(route_for(q, with("mask", std::string("none")), std::nullopt, kAdult).route, "isolation");
  EXPECT_EQ(route_for(q, with("mask", std::string("surgical")), std::nullopt, kAdult).route, "proceed");
  // A rule on a question she did not answer does not hold.
  EXPECT_EQ(route_for(q, all_no(), std::nullopt, kAdult).route, "proceed");
}

// --- validation of answers ------------------------------------------------

TEST(ScreeningAnswers, AllAnsweredIsValidForAChildAndAnAdult) {
  const auto q = default_questionnaire();
  EXPECT_TRUE(screening_errors(q, all_no(), 36.5, kChild).empty());
  auto adult = all_no();
  adult.erase("rash");  // asked of children only
  EXPECT_TRUE(screening_errors(q, adult, std::nullopt, kAdult).empty());
}

TEST(ScreeningAnswers, TheChildrenOnlyQuestionIsRequiredOfChildrenOnly) {
  const auto q = default_questionnaire();
  auto a = all_no();
  a.erase("rash");
  EXPECT_TRUE(names(screening_errors(q, a, std::nullopt, kChild), "answers.rash"));
  EXPECT_TRUE(names(screening_errors(q, a, std::nullopt, 17), "answers.rash"));
  EXPECT_FALSE(names(screening_errors(q, a, std::nullopt, 18), "answers.rash"));
}

TEST(ScreeningAnswers, AMissingRequiredAnswerIsNamed) {
  auto a = all_no();
  a.erase("contact_case");
  const auto errors = screening_errors(default_questionnaire(), a, std::nullopt, kAdult);
  ASSERT_EQ(errors.size(), 1u) << fields_of(errors);
  EXPECT_EQ(errors[0].field, "answers.contact_case");
}

TEST(ScreeningAnswers, AnOptionalQuestionMayBeLeftOut) {
  auto q = default_questionnaire();
  q.questions[0].required = false;
  auto a = all_no();
  a.erase(q.questions[0].id);
  EXPECT_TRUE(screening_errors(q, a, std::nullopt, kChild).empty());
}

TEST(ScreeningAnswers, AnUnknownQuestionIsNamed) {
  const auto errors = screening_errors(default_questionnaire(), with("favourite_colour", true), std::nullopt, kChild);
  EXPECT_TRUE(names(errors, "answers.favourite_colour")) << fields_of(errors);
}

TEST(ScreeningAnswers, AWrongTypeIsNamedForEachKind) {
  auto q = default_questionnaire();
  q.questions.push_back({"days", QuestionKind::number, "天数", "Days", false, Audience::everyone, {}, 0.0, 30.0});
  q.questions.push_back({"mask", QuestionKind::choice, "口罩", "Mask", false, Audience::everyone,
                         {{"none", "无", "None"}, {"surgical", "医用外科", "Surgical"}}, std::nullopt, std::nullopt});
  q.questions.push_back({"note", QuestionKind::text, "备注", "Note", false, Audience::everyone, {}, {}, {}});
  struct Bad {
    std::string id;
    AnswerValue value;
  };
  const std::vector<Bad> cases = {
      {"fever_14d", std::string("yes")},   // yes/no needs true or false
      {"fever_14d", 1.0},
      {"days", true},                      // a number
      {"days", std::string("3")},
      {"days", 31.0},                      // above max
      {"days", -1.0},                      // below min
      {"mask", std::string("n95")},        // not offered
      {"mask", true},
      {"note", 5.0},                       // text
      {"note", std::string(1001, 'x')},    // too long
      {"note", std::string("a\x01")},      // control character
  };
  for (const auto& bad : cases) {
    SCOPED_TRACE(bad.id);
    const auto errors = screening_errors(q, with(bad.id, bad.value), std::nullopt, kChild);
    EXPECT_TRUE(names(errors, "answers." + bad.id)) << fields_of(errors);
  }
  auto fine = all_no();
  fine["days"] = 3.0;
  fine["mask"] = std::string("surgical");
  fine["note"] = std::string("咳嗽两天");
  EXPECT_TRUE(screening_errors(q, fine, std::nullopt, kChild).empty());
}

TEST(ScreeningAnswers, ATemperatureOutsidePhysicalLimitsIsRefused) {
  const auto q = default_questionnaire();
  for (double t : {29.9, 45.1, 60.0, -1.0, 98.6})
    EXPECT_TRUE(names(screening_errors(q, all_no(), t, kChild), "temperature_c")) << t;
  for (double t : {30.0, 35.2, 41.0, 45.0}) EXPECT_TRUE(screening_errors(q, all_no(), t, kChild).empty()) << t;
}

TEST(ScreeningAnswers, EveryFaultIsReportedAtOnce) {
  auto a = with("nope", true);
  a.erase("respiratory");
  const auto errors = screening_errors(default_questionnaire(), a, 50.0, kChild);
  EXPECT_TRUE(names(errors, "answers.nope"));
  EXPECT_TRUE(names(errors, "answers.respiratory"));
  EXPECT_TRUE(names(errors, "temperature_c"));
  EXPECT_FALSE(check_screening(default_questionnaire(), a, 50.0, kChild));
}

// --- validation of a questionnaire ----------------------------------------

struct Spoil {
  std::string field;
  std::function<void(Questionnaire&)> spoil;
};

TEST(ScreeningQuestionnaire, EachFaultIsNamed) {
  const std::vector<Spoil> cases = {
      {"questions", [](Questionnaire& q) { q.questions.clear(); q.rules.clear(); }},
      {"questions[1].id", [](Questionnaire& q) { q.questions[1].id = q.questions[0].id; }},
      {"questions[0].id", [](Questionnaire& q) { q.questions[0].id = "Fever!"; }},
      {"questions[0].id", [](Questionnaire& q) { q.questions[0].id = ""; }},
      {"questions[0].id", [](Questionnaire& q) { q.questions[0].id = "temperature_c"; }},
      {"questions[0].text_zh", [](Questionnaire& q) { q.questions[0].text_zh = ""; }},
      {"questions[0].text_en", [](Questionnaire& q) { q.questions[0].text_en = std::string(501, 'x'); }},
      {"questions[0].choices", [](Questionnaire& q) { q.questions[0].choices = {{"a", "甲", "A"}, {"b", "乙", "B"}}; }},
      {"questions[0].choices",
       [](Questionnaire& q) {
         q.questions[0].kind = QuestionKind::choice;
         q.questions[0].choices = {{"a", "甲", "A"}};
       }},
      {"questions[0].choices[1].code",
       [](Questionnaire& q) {
         q.questions[0].kind = QuestionKind::choice;
         q.questions[0].choices = {{"a", "甲", "A"}, {"a", "乙", "B"}};
       }},
      {"questions[0].choices[0].label_en",
       [](Questionnaire& q) {
         q.questions[0].kind = QuestionKind::choice;
         q.questions[0].choices = {{"a", "甲", ""}, {"b", "乙", "B"}};
       }},
      {"questions[0].max",
       [](Questionnaire& q) {
         q.questions[0].kind = QuestionKind::number;
         q.questions[0].min = 10;
         q.questions[0].max = 5;
       }},
      {"questions[0].min", [](Questionnaire& q) { q.questions[0].min = 1; }},
      {"routes", [](Questionnaire& q) { q.routes.clear(); }},
      {"routes[1].code", [](Questionnaire& q) { q.routes[1].code = q.routes[0].code; }},
      {"routes[0].instruction_zh", [](Questionnaire& q) { q.routes[0].instruction_zh = ""; }},
      {"routes[0].instruction_en", [](Questionnaire& q) { q.routes[0].instruction_en = ""; }},
      {"routes[0].name_zh", [](Questionnaire& q) { q.routes[0].name_zh = "a\tb"; }},
      {"rules[0].route", [](Questionnaire& q) { q.rules[0].route = "nowhere"; }},
      {"rules[1].id", [](Questionnaire& q) { q.rules[1].id = q.rules[0].id; }},
      {"rules[0].when", [](Questionnaire& q) { q.rules[0].when.clear(); }},
      {"rules[0].when[0].field", [](Questionnaire& q) { q.rules[0].when[0].field = "no_such_question"; }},
      {"rules[0].when[0].value", [](Questionnaire& q) { q.rules[0].when[0].value = 1.0; }},
      {"rules[0].when[0].op", [](Questionnaire& q) { q.rules[0].when[0].op = ConditionOp::gt; }},
      {"rules[2].when[0].value", [](Questionnaire& q) { q.rules[2].when[0].value = true; }},  // temperature
      {"rules[2].when[1].value", [](Questionnaire& q) { q.rules[2].when[1].value = std::string("child"); }},
      {"rules[0].when[0].field",
       [](Questionnaire& q) {
         q.questions.push_back({"note", QuestionKind::text, "备注", "Note", false, Audience::everyone, {}, {}, {}});
         q.rules[0].when[0] = {"note", ConditionOp::eq, std::string("x")};
       }},
      {"rules[0].when[0].value",
       [](Questionnaire& q) {
         q.questions.push_back({"mask", QuestionKind::choice, "口罩", "Mask", false, Audience::everyone,
                                {{"none", "无", "None"}, {"surgical", "医用外科", "Surgical"}}, {}, {}});
         q.rules[0].when[0] = {"mask", ConditionOp::eq, std::string("n95")};
       }},
      {"default_route", [](Questionnaire& q) { q.default_route = ""; }},
      {"default_route", [](Questionnaire& q) { q.default_route = "nowhere"; }},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.field);
    auto q = default_questionnaire();
    c.spoil(q);
    const auto errors = questionnaire_errors(q);
    EXPECT_TRUE(names(errors, c.field)) << fields_of(errors);
    EXPECT_FALSE(check_questionnaire(q));
  }
}

TEST(ScreeningQuestionnaire, RulesAreOptionalButTheDefaultRouteIsNot) {
  auto q = default_questionnaire();
  q.rules.clear();
  EXPECT_TRUE(questionnaire_errors(q).empty());
  EXPECT_EQ(route_for(q, with("contact_case", true), 39.0, kChild).route, "proceed");
}

TEST(ScreeningQuestionnaire, NamesOfKindsAudiencesAndOperatorsReadBack) {
  for (auto k : {QuestionKind::yes_no, QuestionKind::choice, QuestionKind::number, QuestionKind::text})
    EXPECT_EQ(parse_question_kind(question_kind_name(k)), k);
  for (auto a : {Audience::everyone, Audience::children}) EXPECT_EQ(parse_audience(audience_name(a)), a);
  for (auto op : {ConditionOp::eq, ConditionOp::ne, ConditionOp::lt, ConditionOp::lte, ConditionOp::gt,
                  ConditionOp::gte})
    EXPECT_EQ(parse_condition_op(condition_op_name(op)), op);
  EXPECT_FALSE(parse_question_kind("boolean"));
  EXPECT_FALSE(parse_audience("adults"));
  EXPECT_FALSE(parse_condition_op(">="));
}

}  // namespace
}  // namespace stork::triage
