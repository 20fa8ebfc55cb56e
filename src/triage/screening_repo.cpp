#include "triage/screening_repo.hpp"

#include <array>

namespace stork::triage::sql {
namespace {

// A questionnaire version is a set of rows keyed by its number; nothing
// updates them, so a record's version always shows what the patient was asked.
#define STORK_SCREENING_DDL(ID)                                                                            \
  "CREATE TABLE screening_questionnaires ("                                                                \
  " version BIGINT PRIMARY KEY, title_zh TEXT NOT NULL, title_en TEXT NOT NULL,"                           \
  " default_route TEXT NOT NULL, created_by TEXT NOT NULL, created_at BIGINT NOT NULL);"                   \
  "CREATE TABLE screening_questions ("                                                                     \
  " version BIGINT NOT NULL REFERENCES screening_questionnaires(version), position INTEGER NOT NULL,"      \
  " id TEXT NOT NULL, kind TEXT NOT NULL CHECK (kind IN ('yes_no', 'choice', 'number', 'text')),"          \
  " text_zh TEXT NOT NULL, text_en TEXT NOT NULL, required INTEGER NOT NULL,"                              \
  " audience TEXT NOT NULL CHECK (audience IN ('everyone', 'children')),"                                  \
  " min_value DOUBLE PRECISION, max_value DOUBLE PRECISION, PRIMARY KEY (version, id));"                   \
  "CREATE TABLE screening_choices ("                                                                       \
  " version BIGINT NOT NULL, question_id TEXT NOT NULL, position INTEGER NOT NULL, code TEXT NOT NULL,"   \
  " label_zh TEXT NOT NULL, label_en TEXT NOT NULL, PRIMARY KEY (version, question_id, code),"            \
  " FOREIGN KEY (version, question_id) REFERENCES screening_questions(version, id));"                     \
  "CREATE TABLE screening_routes ("                                                                        \
  " version BIGINT NOT NULL REFERENCES screening_questionnaires(version), position INTEGER NOT NULL,"      \
  " code TEXT NOT NULL, name_zh TEXT NOT NULL, name_en TEXT NOT NULL, instruction_zh TEXT NOT NULL,"      \
  " instruction_en TEXT NOT NULL, alert INTEGER NOT NULL, PRIMARY KEY (version, code));"                   \
  "CREATE TABLE screening_rules ("                                                                         \
  " version BIGINT NOT NULL, position INTEGER NOT NULL, id TEXT NOT NULL, route TEXT NOT NULL,"           \
  " PRIMARY KEY (version, id), FOREIGN KEY (version, route) REFERENCES screening_routes(version, code));" \
  "CREATE TABLE screening_conditions ("                                                                    \
  " version BIGINT NOT NULL, rule_id TEXT NOT NULL, position INTEGER NOT NULL, field TEXT NOT NULL,"      \
  " op TEXT NOT NULL, value_kind TEXT NOT NULL CHECK (value_kind IN ('bool', 'number', 'text')),"          \
  " value_text TEXT NOT NULL, PRIMARY KEY (version, rule_id, position),"                                   \
  " FOREIGN KEY (version, rule_id) REFERENCES screening_rules(version, id));"                             \
  "CREATE TABLE screening_records ("                                                                       \
  " id " ID ", patient_id BIGINT NOT NULL REFERENCES patients(id),"                                        \
  " questionnaire_version BIGINT NOT NULL REFERENCES screening_questionnaires(version),"                   \
  " day TEXT NOT NULL, age_years INTEGER NOT NULL, temperature_c DOUBLE PRECISION,"                        \
  " temperature_source TEXT NOT NULL CHECK (temperature_source IN ('', 'self', 'gate')),"                  \
  " temperature_at BIGINT, route TEXT NOT NULL, rule_id TEXT NOT NULL,"                                    \
  " channel TEXT NOT NULL CHECK (channel IN ('self', 'gate')), created_by TEXT NOT NULL,"                  \
  " created_at BIGINT NOT NULL, updated_at BIGINT NOT NULL);"                                              \
  "CREATE INDEX screening_records_day ON screening_records (day, created_at);"                            \
  "CREATE INDEX screening_records_patient ON screening_records (patient_id, day);"                        \
  "CREATE TABLE screening_answers ("                                                                       \
  " screening_id BIGINT NOT NULL REFERENCES screening_records(id), question_id TEXT NOT NULL,"            \
  " value_kind TEXT NOT NULL CHECK (value_kind IN ('bool', 'number', 'text')), value_text TEXT NOT NULL,"  \
  " PRIMARY KEY (screening_id, question_id));"

constexpr std::array kMigrations = {
    store::Migration{"triage/screening_0001_questionnaires_and_records", STORK_SCREENING_DDL("INTEGER PRIMARY KEY"),
                     STORK_SCREENING_DDL("BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY")},
};

}  // namespace

std::span<const store::Migration> screening_migrations() { return kMigrations; }

}  // namespace stork::triage::sql
