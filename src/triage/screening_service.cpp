#include "triage/screening_service.hpp"

#include <charconv>
#include <set>

#include "core/civil_date.hpp"
#include "triage/screening_repo.hpp"

namespace stork::triage {
namespace {

using auth::Principal;
using auth::PrincipalKind;
using auth::RequestContext;

bool is_staff(const Principal& p) { return p.kind == PrincipalKind::staff; }

// Values are stored as text with their kind, so a record reads back exactly
// as answered whatever the backend's number types do.
std::string number_text(double d) {
  char buf[32];
  auto r = std::to_chars(buf, buf + sizeof buf, d);  // shortest text that reads back the same
  return std::string(buf, r.ptr);
}

std::pair<std::string, std::string> encode(const AnswerValue& v) {
  if (const auto* b = std::get_if<bool>(&v)) return {"bool", *b ? "true" : "false"};
  if (const auto* d = std::get_if<double>(&v)) return {"number", number_text(*d)};
  return {"text", std::get<std::string>(v)};
}

AnswerValue decode(const std::string& kind, const std::string& text) {
  if (kind == "bool") return text == "true";
  if (kind == "number") {
    double d = 0;
    std::from_chars(text.data(), text.data() + text.size(), d);
    return d;
  }
  return text;
}

std::string join_ids(const std::vector<int64_t>& ids) {
  std::string out;
  for (auto id : ids) out += (out.empty() ? "" : ",") + std::to_string(id);
  return out;
}

Status store_questionnaire(store::Connection& c, const Questionnaire& q) {
  const int64_t v = q.version;
  if (auto r = c.execute(sql::kInsertQuestionnaire,
                         {v, q.title_zh, q.title_en, q.default_route, q.created_by, q.created_at_ms});
      !r)
    return fail(r.error());
  for (size_t i = 0; i < q.questions.size(); ++i) {
    const auto& qu = q.questions[i];
    if (auto r = c.execute(sql::kInsertQuestion,
                           {v, static_cast<int64_t>(i), qu.id, std::string(question_kind_name(qu.kind)), qu.text_zh,
                            qu.text_en, int64_t{qu.required}, std::string(audience_name(qu.audience)),
                            store::nullable(qu.min), store::nullable(qu.max)});
        !r)
      return fail(r.error());
    for (size_t j = 0; j < qu.choices.size(); ++j) {
      const auto& ch = qu.choices[j];
      if (auto r = c.execute(sql::kInsertChoice,
                             {v, qu.id, static_cast<int64_t>(j), ch.code, ch.label_zh, ch.label_en});
          !r)
        return fail(r.error());
    }
  }
  for (size_t i = 0; i < q.routes.size(); ++i) {
    const auto& r = q.routes[i];
    if (auto s = c.execute(sql::kInsertRoute, {v, static_cast<int64_t>(i), r.code, r.name_zh, r.name_en,
                                               r.instruction_zh, r.instruction_en, int64_t{r.alert}});
        !s)
      return fail(s.error());
  }
  for (size_t i = 0; i < q.rules.size(); ++i) {
    const auto& rule = q.rules[i];
    if (auto s = c.execute(sql::kInsertRule, {v, static_cast<int64_t>(i), rule.id, rule.route}); !s)
      return fail(s.error());
    for (size_t j = 0; j < rule.when.size(); ++j) {
      const auto& cond = rule.when[j];
      auto [kind, text] = encode(cond.value);
      if (auto s = c.execute(sql::kInsertCondition, {v, rule.id, static_cast<int64_t>(j), cond.field,
                                                     std::string(condition_op_name(cond.op)), kind, text});
          !s)
        return fail(s.error());
    }
  }
  return {};
}

Result<Questionnaire> load_questionnaire(store::Connection& c, int64_t v) {
  auto head = c.query(sql::kSelectQuestionnaire, {v});
  if (!head) return fail(head.error());
  if (head->empty()) return fail(Error::not_found("questionnaire version " + std::to_string(v)));
  Questionnaire q;
  q.version = v;
  const auto& h = (*head)[0];
  q.title_zh = h.text(0);
  q.title_en = h.text(1);
  q.default_route = h.text(2);
  q.created_by = h.text(3);
  q.created_at_ms = h.integer(4);

  auto questions = c.query(sql::kSelectQuestions, {v});
  if (!questions) return fail(questions.error());
  for (const auto& r : *questions) {
    Question qu;
    qu.id = r.text(0);
    qu.kind = parse_question_kind(r.text(1)).value_or(QuestionKind::text);
    qu.text_zh = r.text(2);
    qu.text_en = r.text(3);
    qu.required = r.boolean(4);
    qu.audience = parse_audience(r.text(5)).value_or(Audience::everyone);
    if (!r.is_null(6)) qu.min = r.real(6);
    if (!r.is_null(7)) qu.max = r.real(7);
    q.questions.push_back(std::move(qu));
  }
  auto choices = c.query(sql::kSelectChoices, {v});
  if (!choices) return fail(choices.error());
  for (const auto& r : *choices)
    for (auto& qu : q.questions)
      if (qu.id == r.text(0)) qu.choices.push_back({r.text(1), r.text(2), r.text(3)});

  auto routes = c.query(sql::kSelectRoutes, {v});
  if (!routes) return fail(routes.error());
  for (const auto& r : *routes)
    q.routes.push_back({r.text(0), r.text(1), r.text(2), r.text(3), r.text(4), r.boolean(5)});

  auto rules = c.query(sql::kSelectRules, {v});
  if (!rules) return fail(rules.error());
  for (const auto& r : *rules) q.rules.push_back({r.text(0), {}, r.text(1)});
  auto conditions = c.query(sql::kSelectConditions, {v});
  if (!conditions) return fail(conditions.error());
  for (const auto& r : *conditions)
    for (auto& rule : q.rules)
      if (rule.id == r.text(0))
        rule.when.push_back({r.text(1), parse_condition_op(r.text(2)).value_or(ConditionOp::eq),
                             decode(r.text(3), r.text(4))});
  return q;
}

ScreeningRecord decode_record(const store::Row& r) {
  ScreeningRecord rec;
  rec.id = r.integer(0);
  rec.patient_id = r.integer(1);
  rec.questionnaire_version = r.integer(2);
  rec.day = r.text(3);
  rec.age_years = static_cast<int>(r.integer(4));
  if (!r.is_null(5)) rec.temperature_c = r.real(5);
  rec.temperature_source = r.text(6);
  rec.temperature_at_ms = r.opt_integer(7);
  rec.route.code = r.text(8);
  rec.rule_id = r.text(9);
  rec.channel = r.text(10);
  rec.created_by = r.text(11);
  rec.created_at_ms = r.integer(12);
  rec.updated_at_ms = r.integer(13);
  return rec;
}

}  // namespace

ScreeningService::ScreeningService(store::Database& db, const Clock& clock, const auth::AuditLog& audit,
                                   patients::PatientService& patients, ScreeningSettings settings)
    : db_(db), clock_(clock), audit_(audit), patients_(patients), settings_(settings) {}

Result<std::shared_ptr<const Questionnaire>> ScreeningService::version(store::Connection& c, int64_t v) {
  {
    std::lock_guard lock(cache_mutex_);
    if (auto it = cache_.find(v); it != cache_.end()) return it->second;
  }
  auto q = load_questionnaire(c, v);
  if (!q) return fail(q.error());
  auto shared = std::make_shared<const Questionnaire>(std::move(*q));
  std::lock_guard lock(cache_mutex_);
  cache_.emplace(v, shared);
  return shared;
}

Result<std::shared_ptr<const Questionnaire>> ScreeningService::latest(store::Connection& c) {
  auto rows = c.query(sql::kLatestQuestionnaireVersion);
  if (!rows) return fail(rows.error());
  auto v = (*rows)[0].opt_integer(0);
  if (!v) return std::shared_ptr<const Questionnaire>();
  return version(c, *v);
}

Result<Questionnaire> ScreeningService::active() {
  auto found = store::read_tx(db_, [&](store::Connection& c) { return latest(c); });
  if (!found) return fail(found.error());
  if (*found) return **found;
  // First use: the shipped questionnaire becomes version 1. Two nodes racing
  // here both try version 1; the primary key lets one win.
  auto seeded = store::write_tx(db_, [&](store::Connection& c) -> Result<bool> {
    auto rows = c.query(sql::kLatestQuestionnaireVersion);
    if (!rows) return fail(rows.error());
    if ((*rows)[0].opt_integer(0)) return false;
    Questionnaire q = default_questionnaire();
    q.version = 1;
    q.created_by = "system";
    q.created_at_ms = clock_.now_ms();
    if (auto s = store_questionnaire(c, q); !s) return fail(s.error());
    if (auto s = audit_.append(c, {"system", "screening.questionnaire.publish", "screening_questionnaire", "1",
                                   "success", "the shipped questionnaire"},
                               {});
        !s)
      return fail(s.error());
    return true;
  });
  if (!seeded && seeded.error().code != "unique_violation") return fail(seeded.error());
  auto again = store::read_tx(db_, [&](store::Connection& c) { return latest(c); });
  if (!again) return fail(again.error());
  if (!*again) return fail(Error::internal("no screening questionnaire after seeding"));
  return **again;
}

Result<Questionnaire> ScreeningService::publish(const Principal& who, Questionnaire q, const RequestContext& ctx) {
  if (!who.has_role(auth::Role::admin)) return fail(Error::forbidden("only an administrator changes the questionnaire"));
  q.version = 0;
  if (auto s = check_questionnaire(q); !s) return fail(s.error());
  q.created_by = who.audit_name();
  auto attempt = [&]() -> Result<Questionnaire> {
    return store::write_tx(db_, [&](store::Connection& c) -> Result<Questionnaire> {
      auto rows = c.query(sql::kLatestQuestionnaireVersion);
      if (!rows) return fail(rows.error());
      Questionnaire stored = q;
      stored.version = (*rows)[0].opt_integer(0).value_or(0) + 1;
      stored.created_at_ms = clock_.now_ms();
      if (auto s = store_questionnaire(c, stored); !s) return fail(s.error());
      if (auto s = audit_.append(c, {who.audit_name(), "screening.questionnaire.publish", "screening_questionnaire",
                                     std::to_string(stored.version), "success",
                                     std::to_string(stored.questions.size()) + " questions, " +
                                         std::to_string(stored.rules.size()) + " rules"},
                                 ctx);
          !s)
        return fail(s.error());
      return stored;
    });
  };
  auto r = attempt();
  // Two administrators publishing at once: the later one takes the next number.
  if (!r && r.error().code == "unique_violation") r = attempt();
  return r;
}

Result<ScreeningRecord> ScreeningService::screen(const Principal& who, const NewScreening& s,
                                                 const RequestContext& ctx) {
  if (auto a = patients_.authorize(who, s.patient_id); !a) return fail(a.error());
  if (auto a = patients_.require_active(s.patient_id, "id"); !a) return fail(a.error());
  auto q = active();
  if (!q) return fail(q.error());
  if (s.questionnaire_version && *s.questionnaire_version != q->version)
    return fail(Error::conflict("questionnaire_changed",
                                "the screening questions changed; please answer the current version")
                    .with("active_version", q->version));

  return store::write_tx(db_, [&](store::Connection& c) -> Result<ScreeningRecord> {
    auto basics = patients_.basics(c, s.patient_id);
    if (!basics) return fail(basics.error());
    const int64_t now = clock_.now_ms();
    const CivilDate today = local_date(now, settings_.utc_offset_minutes);
    const auto born = parse_date(basics->birth_date);
    const int age = born ? std::max(0, age_in_years(*born, today)) : kAdultAgeYears;
    if (auto v = check_screening(*q, s.answers, s.temperature_c, age); !v) return fail(v.error());
    const Routing routing = route_for(*q, s.answers, s.temperature_c, age);

    ScreeningRecord rec;
    rec.patient_id = s.patient_id;
    rec.name = basics->name;
    rec.sex = basics->sex;
    rec.questionnaire_version = q->version;
    rec.day = format_date(today);
    rec.age_years = age;
    rec.answers = s.answers;
    rec.temperature_c = s.temperature_c;
    if (s.temperature_c) {
      rec.temperature_source = is_staff(who) ? "gate" : "self";
      rec.temperature_at_ms = now;
    }
    rec.rule_id = routing.rule_id;
    if (const auto* route = q->route(routing.route)) rec.route = *route;
    rec.channel = is_staff(who) ? "gate" : "self";
    rec.created_by = who.audit_name();
    rec.created_at_ms = rec.updated_at_ms = now;

    auto id = c.query(sql::kInsertRecord,
                      {rec.patient_id, rec.questionnaire_version, rec.day, int64_t{rec.age_years},
                       store::nullable(rec.temperature_c), rec.temperature_source, store::nullable(rec.temperature_at_ms),
                       rec.route.code, rec.rule_id, rec.channel, rec.created_by, now});
    if (!id) return fail(id.error());
    rec.id = (*id)[0].integer(0);
    for (const auto& [question, value] : rec.answers) {
      auto [kind, text] = encode(value);
      if (auto r = c.execute(sql::kInsertAnswer, {rec.id, question, kind, text}); !r) return fail(r.error());
    }
    if (auto a = audit_.append(c, {who.audit_name(), "screening.create", "screening", std::to_string(rec.id),
                                   "success",
                                   "patient " + std::to_string(rec.patient_id) + ", questionnaire v" +
                                       std::to_string(rec.questionnaire_version) + ", route " + rec.route.code},
                               ctx);
        !a)
      return fail(a.error());
    return rec;
  });
}

Result<ScreeningRecord> ScreeningService::record_temperature(const Principal& who, int64_t id, double temperature_c,
                                                             const RequestContext& ctx) {
  if (!is_staff(who)) return fail(Error::forbidden("the gate nurse records measured temperatures"));
  if (auto v = screening_errors(Questionnaire{}, {}, temperature_c, 0); !v.empty())
    return fail(Error::invalid(std::move(v)));
  return store::write_tx(db_, [&](store::Connection& c) -> Result<ScreeningRecord> {
    auto rows = c.query(sql::kSelectRecord, {id});
    if (!rows) return fail(rows.error());
    if (rows->empty()) return fail(Error::not_found("screening " + std::to_string(id)));
    auto answers = c.query(sql::kSelectAnswers, {id});
    if (!answers) return fail(answers.error());
    auto loaded = load_records(c, *rows, *answers);
    if (!loaded) return fail(loaded.error());
    ScreeningRecord rec = std::move(loaded->front());
    auto q = version(c, rec.questionnaire_version);
    if (!q) return fail(q.error());
    const std::string before = rec.route.code;
    const Routing routing = route_for(**q, rec.answers, temperature_c, rec.age_years);
    const int64_t now = clock_.now_ms();
    if (auto r = c.execute(sql::kSetTemperature, {id, temperature_c, now, routing.route, routing.rule_id}); !r)
      return fail(r.error());
    rec.temperature_c = temperature_c;
    rec.temperature_source = "gate";
    rec.temperature_at_ms = now;
    rec.rule_id = routing.rule_id;
    if (const auto* route = (*q)->route(routing.route)) rec.route = *route;
    rec.updated_at_ms = now;
    if (auto a = audit_.append(c, {who.audit_name(), "screening.temperature", "screening", std::to_string(id),
                                   "success",
                                   "patient " + std::to_string(rec.patient_id) + ", route " + before + " -> " +
                                       rec.route.code},
                               ctx);
        !a)
      return fail(a.error());
    return rec;
  });
}

Result<std::vector<ScreeningRecord>> ScreeningService::load_records(store::Connection& c, const store::Rows& rows,
                                                                    const store::Rows& answers) {
  std::map<int64_t, Answers> by_record;
  for (const auto& a : answers) by_record[a.integer(0)][a.text(1)] = decode(a.text(2), a.text(3));
  std::map<int64_t, patients::PatientBasics> people;
  std::vector<ScreeningRecord> out;
  for (const auto& row : rows) {
    ScreeningRecord rec = decode_record(row);
    rec.answers = std::move(by_record[rec.id]);
    auto q = version(c, rec.questionnaire_version);
    if (!q) return fail(q.error());
    if (const auto* route = (*q)->route(rec.route.code)) rec.route = *route;
    auto person = people.find(rec.patient_id);
    if (person == people.end()) {
      auto b = patients_.basics(c, rec.patient_id);
      if (!b) return fail(b.error());
      person = people.emplace(rec.patient_id, std::move(*b)).first;
    }
    rec.name = person->second.name;
    rec.sex = person->second.sex;
    out.push_back(std::move(rec));
  }
  return out;
}

Result<std::vector<ScreeningRecord>> ScreeningService::list(const Principal& who, const ScreeningFilter& f,
                                                            const RequestContext& ctx) {
  if (!is_staff(who)) return fail(Error::forbidden("the gate list is for hospital staff"));
  FieldErrors errors;
  std::string day = f.day;
  if (day.empty()) day = format_date(local_date(clock_.now_ms(), settings_.utc_offset_minutes));
  else if (!parse_date(day)) errors.add("day", "must be a real date as YYYY-MM-DD");
  if (f.route.size() > 40) errors.add("route", "must be a route code of at most 40 characters");
  if (f.limit < 1 || f.limit > 1000) errors.add("limit", "must be from 1 to 1000");
  if (auto s = errors.status(); !s) return fail(s.error());

  auto records = store::read_tx(db_, [&](store::Connection& c) -> Result<std::vector<ScreeningRecord>> {
    auto rows = c.query(sql::kListDay, {day, f.route, int64_t{f.limit}});
    if (!rows) return fail(rows.error());
    auto answers = c.query(sql::kListDayAnswers, {day, f.route});
    if (!answers) return fail(answers.error());
    return load_records(c, *rows, *answers);
  });
  if (!records) return records;
  std::vector<int64_t> ids;
  std::set<int64_t> patients;
  for (const auto& r : *records) {
    ids.push_back(r.id);
    patients.insert(r.patient_id);
  }
  if (auto a = audit_.append(db_, {who.audit_name(), "screening.list", "screening", join_ids(ids), "success",
                                   "day " + day + (f.route.empty() ? "" : ", route " + f.route) + ": patients " +
                                       join_ids({patients.begin(), patients.end()})},
                             ctx);
      !a)
    return fail(a.error());
  return records;
}

Result<std::vector<ScreeningRecord>> ScreeningService::of_patient(const Principal& who, int64_t patient_id,
                                                                  const RequestContext& ctx) {
  if (auto a = patients_.authorize(who, patient_id); !a) return fail(a.error());
  if (auto a = patients_.require_active(patient_id, "id"); !a) return fail(a.error());
  const std::string today = format_date(local_date(clock_.now_ms(), settings_.utc_offset_minutes));
  auto records = store::read_tx(db_, [&](store::Connection& c) -> Result<std::vector<ScreeningRecord>> {
    auto rows = c.query(sql::kListPatientDay, {patient_id, today});
    if (!rows) return fail(rows.error());
    auto answers = c.query(sql::kListPatientDayAnswers, {patient_id, today});
    if (!answers) return fail(answers.error());
    return load_records(c, *rows, *answers);
  });
  if (!records) return records;
  std::vector<int64_t> ids;
  for (const auto& r : *records) ids.push_back(r.id);
  if (auto a = audit_.append(db_, {who.audit_name(), "screening.read", "screening", join_ids(ids), "success",
                                   "patient " + std::to_string(patient_id) + ": " + std::to_string(ids.size()) +
                                       " of " + today},
                             ctx);
      !a)
    return fail(a.error());
  return records;
}

patients::MergeStep ScreeningService::merge_step() const {
  return [](store::Connection& c, int64_t from, int64_t to) -> Status {
    if (auto r = c.execute(sql::kMovePatientRecords, {from, to}); !r) return fail(r.error());
    return {};
  };
}

}  // namespace stork::triage
