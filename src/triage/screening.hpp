#pragma once
// Level 1 of pre-examination: the gate screening questionnaire, its
// validation, the validation of a patient's answers and the routing rules
// that send her to the fever clinic, the isolation pathway or on to her
// clinic. Plain values, no I/O.
//
// A questionnaire is data the hospital changes during epidemics: questions,
// routes (each with the instruction shown on the patient's screen) and
// rules. Rules are evaluated in order and the first whose conditions all
// hold wins; when none does, the default route applies. "A or B" is two
// rules with the same route.
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "core/error.hpp"

namespace stork::triage {

enum class QuestionKind { yes_no, choice, number, text };
// children: asked (and required) only of patients under kAdultAgeYears.
enum class Audience { everyone, children };
enum class ConditionOp { eq, ne, lt, lte, gt, gte };

inline constexpr int kAdultAgeYears = 18;
// Rule fields besides the question ids.
inline constexpr std::string_view kTemperatureField = "temperature_c";
inline constexpr std::string_view kAgeField = "age_years";
// A gate thermometer reading outside these limits is a misreading, not a patient.
inline constexpr double kMinTemperatureC = 30.0;
inline constexpr double kMaxTemperatureC = 45.0;

// An answer or a rule's value: yes/no, a number, or text (a choice code).
using AnswerValue = std::variant<bool, double, std::string>;
using Answers = std::map<std::string, AnswerValue>;

struct AnswerChoice {
  std::string code;
  std::string label_zh, label_en;
};

struct Question {
  std::string id;  // [a-z][a-z0-9_]*, unique in its questionnaire
  QuestionKind kind = QuestionKind::yes_no;
  std::string text_zh, text_en;
  bool required = true;
  Audience audience = Audience::everyone;
  std::vector<AnswerChoice> choices;     // choice only
  std::optional<double> min, max;  // number only
};

// field: a question id, kTemperatureField or kAgeField.
struct RuleCondition {
  std::string field;
  ConditionOp op = ConditionOp::eq;
  AnswerValue value;
};

struct RoutingRule {
  std::string id;  // unique; recorded with the screening so the nurse sees why
  std::vector<RuleCondition> when;  // all must hold; at least one
  std::string route;
};

struct ScreeningRoute {
  std::string code;
  std::string name_zh, name_en;
  std::string instruction_zh, instruction_en;  // for the patient's screen
  bool alert = false;  // the gate list highlights it (fever, isolation)
};

struct Questionnaire {
  int64_t version = 0;  // 0 until stored; versions never change once stored
  std::string title_zh, title_en;
  std::vector<Question> questions;
  std::vector<ScreeningRoute> routes;
  std::vector<RoutingRule> rules;
  std::string default_route;
  std::string created_by;
  int64_t created_at_ms = 0;

  const Question* question(std::string_view id) const;
  const ScreeningRoute* route(std::string_view code) const;
};

// The route chosen and the rule that chose it ("" for the default route).
struct Routing {
  std::string route;
  std::string rule_id;
};

std::string_view question_kind_name(QuestionKind k);
std::optional<QuestionKind> parse_question_kind(std::string_view s);
std::string_view audience_name(Audience a);
std::optional<Audience> parse_audience(std::string_view s);
std::string_view condition_op_name(ConditionOp op);
std::optional<ConditionOp> parse_condition_op(std::string_view s);

// Every fault of a questionnaire, named as the client sends it
// ("questions[2].id", "rules[1].when[0].field", "default_route"):
// duplicate ids, rules on unknown questions or routes, values of the wrong
// type, no default route.
std::vector<FieldError> questionnaire_errors(const Questionnaire& q);
Status check_questionnaire(const Questionnaire& q);

// Whether the question is put to a patient of this age.
bool asked_of(const Question& q, int age_years);

// Every fault of a screening against its questionnaire, fields named
// "answers.<id>" and "temperature_c": unknown questions, wrong types,
// missing required answers, choices not offered, numbers out of range, a
// temperature outside [kMinTemperatureC, kMaxTemperatureC].
std::vector<FieldError> screening_errors(const Questionnaire& q, const Answers& answers,
                                         std::optional<double> temperature_c, int age_years);
Status check_screening(const Questionnaire& q, const Answers& answers, std::optional<double> temperature_c,
                       int age_years);

// First matching rule wins. A condition on something not known (a question
// not answered, no temperature yet) does not hold.
// REQUIRES: check_questionnaire(q) succeeded.
Routing route_for(const Questionnaire& q, const Answers& answers, std::optional<double> temperature_c,
                  int age_years);

// The questionnaire shipped with Stork (demo_questionnaire.cpp).
Questionnaire default_questionnaire();

}  // namespace stork::triage
