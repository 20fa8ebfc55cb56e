#include "triage/screening.hpp"

#include <cmath>
#include <set>

namespace stork::triage {
namespace {

constexpr size_t kMaxQuestions = 100;
constexpr size_t kMaxChoices = 30;
constexpr size_t kMaxRoutes = 30;
constexpr size_t kMaxRules = 100;
constexpr size_t kMaxConditions = 10;
constexpr size_t kMaxIdLength = 40;
constexpr size_t kMaxTextAnswer = 1000;

// Ids travel in field names ("answers.cough") and URLs: keep them plain.
bool valid_id(std::string_view id) {
  if (id.empty() || id.size() > kMaxIdLength || id[0] < 'a' || id[0] > 'z') return false;
  for (char c : id)
    if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_')) return false;
  return true;
}

bool has_control_char(std::string_view s) {
  for (unsigned char c : s)
    if (c < 0x20 && c != '\n') return true;
  return false;
}

class Checker {
 public:
  void text(const std::string& field, const std::string& value, size_t max, bool required = true) {
    if (value.empty()) {
      if (required) errors_.add(field, "is required");
    } else if (value.size() > max) {
      errors_.add(field, "must be at most " + std::to_string(max) + " bytes");
    } else if (has_control_char(value)) {
      errors_.add(field, "contains a control character");
    }
  }
  void id(const std::string& field, const std::string& value) {
    if (!valid_id(value))
      errors_.add(field, "must be 1 to 40 of a-z, 0-9 and _, starting with a letter");
  }
  void add(std::string field, std::string message) { errors_.add(std::move(field), std::move(message)); }
  std::vector<FieldError> take() {
    auto s = errors_.status();
    return s ? std::vector<FieldError>{} : s.error().fields;
  }

 private:
  FieldErrors errors_;
};

void check_question(Checker& check, const Question& q, const std::string& at) {
  check.text(at + ".text_zh", q.text_zh, 500);
  check.text(at + ".text_en", q.text_en, 500);
  if (q.kind == QuestionKind::choice) {
    if (q.choices.size() < 2 || q.choices.size() > kMaxChoices)
      check.add(at + ".choices", "a choice question offers 2 to 30 choices");
    std::set<std::string> codes;
    for (size_t i = 0; i < q.choices.size(); ++i) {
      const auto& c = q.choices[i];
      const std::string cat = at + ".choices[" + std::to_string(i) + "]";
      check.id(cat + ".code", c.code);
      if (!codes.insert(c.code).second) check.add(cat + ".code", "duplicate choice '" + c.code + "'");
      check.text(cat + ".label_zh", c.label_zh, 200);
      check.text(cat + ".label_en", c.label_en, 200);
    }
  } else if (!q.choices.empty()) {
    check.add(at + ".choices", "only choice questions offer choices");
  }
  if (q.kind == QuestionKind::number) {
    if (q.min && !std::isfinite(*q.min)) check.add(at + ".min", "must be a number");
    if (q.max && !std::isfinite(*q.max)) check.add(at + ".max", "must be a number");
    if (q.min && q.max && *q.min >= *q.max) check.add(at + ".max", "must be greater than min");
  } else if (q.min || q.max) {
    check.add(at + (q.min ? ".min" : ".max"), "only number questions have limits");
  }
}

// The value a rule compares must have the type of what it tests.
void check_condition(Checker& check, const Questionnaire& q, const RuleCondition& c, const std::string& at) {
  const bool equality = c.op == ConditionOp::eq || c.op == ConditionOp::ne;
  if (c.field == kTemperatureField || c.field == kAgeField) {
    if (!std::holds_alternative<double>(c.value) || !std::isfinite(std::get<double>(c.value)))
      check.add(at + ".value", "must be a number for " + c.field);
    return;
  }
  const Question* question = q.question(c.field);
  if (!question) {
    check.add(at + ".field", "no question '" + c.field + "' (nor temperature_c, age_years)");
    return;
  }
  switch (question->kind) {
    case QuestionKind::yes_no:
      if (!equality) check.add(at + ".op", "a yes/no answer is tested with eq or ne");
      if (!std::holds_alternative<bool>(c.value)) check.add(at + ".value", "must be true or false");
      break;
    case QuestionKind::choice: {
      if (!equality) check.add(at + ".op", "a choice is tested with eq or ne");
      const auto* code = std::get_if<std::string>(&c.value);
      bool offered = false;
      if (code)
        for (const auto& ch : question->choices) offered = offered || ch.code == *code;
      if (!offered) check.add(at + ".value", "must be one of the choices of '" + c.field + "'");
      break;
    }
    case QuestionKind::number:
      if (!std::holds_alternative<double>(c.value) || !std::isfinite(std::get<double>(c.value)))
        check.add(at + ".value", "must be a number");
      break;
    case QuestionKind::text:
      check.add(at + ".field", "rules cannot test free-text answers");
      break;
  }
}

template <class T>
bool compare(const T& a, ConditionOp op, const T& b) {
  switch (op) {
    case ConditionOp::eq: return a == b;
    case ConditionOp::ne: return a != b;
    case ConditionOp::lt: return a < b;
    case ConditionOp::lte: return a <= b;
    case ConditionOp::gt: return a > b;
    case ConditionOp::gte: return a >= b;
  }
  return false;
}

bool holds(const RuleCondition& c, const Answers& answers, std::optional<double> temperature_c, int age_years) {
  AnswerValue subject;
  if (c.field == kTemperatureField) {
    if (!temperature_c) return false;
    subject = *temperature_c;
  } else if (c.field == kAgeField) {
    subject = static_cast<double>(age_years);
  } else {
    auto it = answers.find(c.field);
    if (it == answers.end()) return false;
    subject = it->second;
  }
  if (subject.index() != c.value.index()) return false;
  if (const auto* d = std::get_if<double>(&subject)) return compare(*d, c.op, std::get<double>(c.value));
  // Yes/no and choices have no order.
  if (c.op != ConditionOp::eq && c.op != ConditionOp::ne) return false;
  const bool same = subject == c.value;
  return c.op == ConditionOp::eq ? same : !same;
}

// Field names echo the client's keys; a huge key must not make a huge answer.
std::string answer_field(const std::string& key) {
  return "answers." + (key.size() > 60 ? key.substr(0, 60) + "..." : key);
}

}  // namespace

const Question* Questionnaire::question(std::string_view id) const {
  for (const auto& q : questions)
    if (q.id == id) return &q;
  return nullptr;
}

const ScreeningRoute* Questionnaire::route(std::string_view code) const {
  for (const auto& r : routes)
    if (r.code == code) return &r;
  return nullptr;
}

std::string_view question_kind_name(QuestionKind k) {
  switch (k) {
    case QuestionKind::yes_no: return "yes_no";
    case QuestionKind::choice: return "choice";
    case QuestionKind::number: return "number";
    case QuestionKind::text: return "text";
  }
  return "yes_no";
}

std::optional<QuestionKind> parse_question_kind(std::string_view s) {
  for (auto k : {QuestionKind::yes_no, QuestionKind::choice, QuestionKind::number, QuestionKind::text})
    if (question_kind_name(k) == s) return k;
  return std::nullopt;
}

std::string_view audience_name(Audience a) { return a == Audience::children ? "children" : "everyone"; }

std::optional<Audience> parse_audience(std::string_view s) {
  if (s == "everyone") return Audience::everyone;
  if (s == "children") return Audience::children;
  return std::nullopt;
}

std::string_view condition_op_name(ConditionOp op) {
  switch (op) {
    case ConditionOp::eq: return "eq";
    case ConditionOp::ne: return "ne";
    case ConditionOp::lt: return "lt";
    case ConditionOp::lte: return "lte";
    case ConditionOp::gt: return "gt";
    case ConditionOp::gte: return "gte";
  }
  return "eq";
}

std::optional<ConditionOp> parse_condition_op(std::string_view s) {
  for (auto op : {ConditionOp::eq, ConditionOp::ne, ConditionOp::lt, ConditionOp::lte, ConditionOp::gt,
                  ConditionOp::gte})
    if (condition_op_name(op) == s) return op;
  return std::nullopt;
}

std::vector<FieldError> questionnaire_errors(const Questionnaire& q) {
  Checker check;
  check.text("title_zh", q.title_zh, 200, false);
  check.text("title_en", q.title_en, 200, false);

  if (q.questions.empty() || q.questions.size() > kMaxQuestions)
    check.add("questions", "a questionnaire has 1 to 100 questions");
  std::set<std::string> ids;
  for (size_t i = 0; i < q.questions.size(); ++i) {
    const auto& question = q.questions[i];
    const std::string at = "questions[" + std::to_string(i) + "]";
    check.id(at + ".id", question.id);
    if (question.id == kTemperatureField || question.id == kAgeField)
      check.add(at + ".id", "'" + question.id + "' is reserved for the measured value");
    else if (!ids.insert(question.id).second)
      check.add(at + ".id", "duplicate question id '" + question.id + "'");
    check_question(check, question, at);
  }

  if (q.routes.empty() || q.routes.size() > kMaxRoutes) check.add("routes", "a questionnaire has 1 to 30 routes");
  std::set<std::string> codes;
  for (size_t i = 0; i < q.routes.size(); ++i) {
    const auto& r = q.routes[i];
    const std::string at = "routes[" + std::to_string(i) + "]";
    check.id(at + ".code", r.code);
    if (!codes.insert(r.code).second) check.add(at + ".code", "duplicate route '" + r.code + "'");
    check.text(at + ".name_zh", r.name_zh, 100);
    check.text(at + ".name_en", r.name_en, 100);
    check.text(at + ".instruction_zh", r.instruction_zh, 1000);
    check.text(at + ".instruction_en", r.instruction_en, 1000);
  }

  if (q.rules.size() > kMaxRules) check.add("rules", "a questionnaire has at most 100 rules");
  std::set<std::string> rule_ids;
  for (size_t i = 0; i < q.rules.size(); ++i) {
    const auto& rule = q.rules[i];
    const std::string at = "rules[" + std::to_string(i) + "]";
    check.id(at + ".id", rule.id);
    if (!rule_ids.insert(rule.id).second) check.add(at + ".id", "duplicate rule id '" + rule.id + "'");
    if (!q.route(rule.route)) check.add(at + ".route", "no route '" + rule.route + "'");
    if (rule.when.empty() || rule.when.size() > kMaxConditions)
      check.add(at + ".when", "a rule has 1 to 10 conditions; default_route covers the rest");
    for (size_t j = 0; j < rule.when.size() && j < kMaxConditions; ++j)
      check_condition(check, q, rule.when[j], at + ".when[" + std::to_string(j) + "]");
  }

  if (q.default_route.empty()) check.add("default_route", "is required: where everyone else goes");
  else if (!q.route(q.default_route)) check.add("default_route", "no route '" + q.default_route + "'");
  return check.take();
}

Status check_questionnaire(const Questionnaire& q) {
  auto errors = questionnaire_errors(q);
  if (errors.empty()) return {};
  return fail(Error::invalid(std::move(errors)));
}

bool asked_of(const Question& q, int age_years) {
  return q.audience == Audience::everyone || age_years < kAdultAgeYears;
}

std::vector<FieldError> screening_errors(const Questionnaire& q, const Answers& answers,
                                         std::optional<double> temperature_c, int age_years) {
  FieldErrors errors;
  for (const auto& [key, value] : answers) {
    const std::string field = answer_field(key);
    const Question* question = q.question(key);
    if (!question) {
      errors.add(field, "no such question in questionnaire version " + std::to_string(q.version));
      continue;
    }
    switch (question->kind) {
      case QuestionKind::yes_no:
        if (!std::holds_alternative<bool>(value)) errors.add(field, "must be true or false");
        break;
      case QuestionKind::choice: {
        const auto* code = std::get_if<std::string>(&value);
        bool offered = false;
        if (code)
          for (const auto& c : question->choices) offered = offered || c.code == *code;
        if (!offered) errors.add(field, "must be one of the offered choices");
        break;
      }
      case QuestionKind::number: {
        const auto* x = std::get_if<double>(&value);
        if (!x || !std::isfinite(*x)) errors.add(field, "must be a number");
        else if ((question->min && *x < *question->min) || (question->max && *x > *question->max))
          errors.add(field, "is out of range");
        break;
      }
      case QuestionKind::text: {
        const auto* s = std::get_if<std::string>(&value);
        if (!s) errors.add(field, "must be text");
        else if (s->size() > kMaxTextAnswer) errors.add(field, "must be at most 1000 bytes");
        else if (has_control_char(*s)) errors.add(field, "contains a control character");
        break;
      }
    }
  }
  for (const auto& question : q.questions)
    if (question.required && asked_of(question, age_years) && !answers.contains(question.id))
      errors.add(answer_field(question.id), "is required");
  if (temperature_c && (!std::isfinite(*temperature_c) || *temperature_c < kMinTemperatureC ||
                        *temperature_c > kMaxTemperatureC))
    errors.add(std::string(kTemperatureField), "must be between 30 and 45 °C");
  auto s = errors.status();
  return s ? std::vector<FieldError>{} : s.error().fields;
}

Status check_screening(const Questionnaire& q, const Answers& answers, std::optional<double> temperature_c,
                       int age_years) {
  auto errors = screening_errors(q, answers, temperature_c, age_years);
  if (errors.empty()) return {};
  return fail(Error::invalid(std::move(errors)));
}

Routing route_for(const Questionnaire& q, const Answers& answers, std::optional<double> temperature_c,
                  int age_years) {
  for (const auto& rule : q.rules) {
    bool all = true;
    for (const auto& c : rule.when) all = all && holds(c, answers, temperature_c, age_years);
    if (all) return {rule.route, rule.id};
  }
  return {q.default_route, ""};
}

}  // namespace stork::triage
