#pragma once
// Every SQL statement of gate screening: questionnaire versions (never
// changed once stored) and screening records with their answers.
#include <span>

#include "store/database.hpp"
#include "store/migrations.hpp"

namespace stork::triage::sql {

using store::Sql;

std::span<const store::Migration> screening_migrations();

// Questionnaire versions.
inline constexpr Sql kLatestQuestionnaireVersion{"scr_latest_version",
                                                 "SELECT MAX(version) FROM screening_questionnaires"};
inline constexpr Sql kInsertQuestionnaire{
    "scr_insert_questionnaire",
    "INSERT INTO screening_questionnaires (version, title_zh, title_en, default_route, created_by, created_at)"
    " VALUES ($1, $2, $3, $4, $5, $6)"};
inline constexpr Sql kInsertQuestion{
    "scr_insert_question",
    "INSERT INTO screening_questions (version, position, id, kind, text_zh, text_en, required, audience,"
    " min_value, max_value) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)"};
inline constexpr Sql kInsertChoice{
    "scr_insert_choice",
    "INSERT INTO screening_choices (version, question_id, position, code, label_zh, label_en)"
    " VALUES ($1, $2, $3, $4, $5, $6)"};
inline constexpr Sql kInsertRoute{
    "scr_insert_route",
    "INSERT INTO screening_routes (version, position, code, name_zh, name_en, instruction_zh, instruction_en, alert)"
    " VALUES ($1, $2, $3, $4, $5, $6, $7, $8)"};
inline constexpr Sql kInsertRule{"scr_insert_rule",
                                 "INSERT INTO screening_rules (version, position, id, route) VALUES ($1, $2, $3, $4)"};
inline constexpr Sql kInsertCondition{
    "scr_insert_condition",
    "INSERT INTO screening_conditions (version, rule_id, position, field, op, value_kind, value_text)"
    " VALUES ($1, $2, $3, $4, $5, $6, $7)"};

inline constexpr Sql kSelectQuestionnaire{
    "scr_select_questionnaire",
    "SELECT title_zh, title_en, default_route, created_by, created_at FROM screening_questionnaires"
    " WHERE version = $1"};
inline constexpr Sql kSelectQuestions{
    "scr_select_questions",
    "SELECT id, kind, text_zh, text_en, required, audience, min_value, max_value FROM screening_questions"
    " WHERE version = $1 ORDER BY position"};
inline constexpr Sql kSelectChoices{
    "scr_select_choices",
    "SELECT question_id, code, label_zh, label_en FROM screening_choices WHERE version = $1"
    " ORDER BY question_id, position"};
inline constexpr Sql kSelectRoutes{
    "scr_select_routes",
    "SELECT code, name_zh, name_en, instruction_zh, instruction_en, alert FROM screening_routes"
    " WHERE version = $1 ORDER BY position"};
inline constexpr Sql kSelectRules{"scr_select_rules",
                                  "SELECT id, route FROM screening_rules WHERE version = $1 ORDER BY position"};
inline constexpr Sql kSelectConditions{
    "scr_select_conditions",
    "SELECT rule_id, field, op, value_kind, value_text FROM screening_conditions WHERE version = $1"
    " ORDER BY rule_id, position"};

// Screening records. Columns of kRecordColumns, in this order, are what
// the service decodes.
#define STORK_SCREENING_RECORD_COLUMNS                                                                   \
  "r.id, r.patient_id, r.questionnaire_version, r.day, r.age_years, r.temperature_c,"                   \
  " r.temperature_source, r.temperature_at, r.route, r.rule_id, r.channel, r.created_by, r.created_at," \
  " r.updated_at"
inline constexpr Sql kInsertRecord{
    "scr_insert_record",
    "INSERT INTO screening_records (patient_id, questionnaire_version, day, age_years, temperature_c,"
    " temperature_source, temperature_at, route, rule_id, channel, created_by, created_at, updated_at)"
    " VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $12) RETURNING id"};
inline constexpr Sql kInsertAnswer{
    "scr_insert_answer",
    "INSERT INTO screening_answers (screening_id, question_id, value_kind, value_text) VALUES ($1, $2, $3, $4)"};
inline constexpr Sql kSetTemperature{
    "scr_set_temperature",
    "UPDATE screening_records SET temperature_c = $2, temperature_source = 'gate', temperature_at = $3,"
    " route = $4, rule_id = $5, updated_at = $3 WHERE id = $1"};
inline constexpr Sql kSelectRecord{"scr_select_record",
                                   "SELECT " STORK_SCREENING_RECORD_COLUMNS " FROM screening_records r WHERE r.id = $1"};
inline constexpr Sql kSelectAnswers{
    "scr_select_answers",
    "SELECT screening_id, question_id, value_kind, value_text FROM screening_answers WHERE screening_id = $1"};
// The gate's list of a day, newest first; route '' means every route.
inline constexpr Sql kListDay{
    "scr_list_day",
    "SELECT " STORK_SCREENING_RECORD_COLUMNS " FROM screening_records r"
    " WHERE r.day = $1 AND ($2 = '' OR r.route = $2) ORDER BY r.created_at DESC, r.id DESC LIMIT $3"};
inline constexpr Sql kListDayAnswers{
    "scr_list_day_answers",
    "SELECT a.screening_id, a.question_id, a.value_kind, a.value_text FROM screening_answers a"
    " JOIN screening_records r ON r.id = a.screening_id WHERE r.day = $1 AND ($2 = '' OR r.route = $2)"};
inline constexpr Sql kListPatientDay{
    "scr_list_patient_day",
    "SELECT " STORK_SCREENING_RECORD_COLUMNS " FROM screening_records r"
    " WHERE r.patient_id = $1 AND r.day = $2 ORDER BY r.created_at DESC, r.id DESC"};
inline constexpr Sql kListPatientDayAnswers{
    "scr_list_patient_day_answers",
    "SELECT a.screening_id, a.question_id, a.value_kind, a.value_text FROM screening_answers a"
    " JOIN screening_records r ON r.id = a.screening_id WHERE r.patient_id = $1 AND r.day = $2"};
inline constexpr Sql kMovePatientRecords{"scr_move_patient_records",
                                         "UPDATE screening_records SET patient_id = $2 WHERE patient_id = $1"};

}  // namespace stork::triage::sql
