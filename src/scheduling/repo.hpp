#pragma once
// Every SQL statement of the scheduling module.
#include <span>

#include "store/database.hpp"
#include "store/migrations.hpp"

namespace stork::scheduling::sql {

using store::Sql;

std::span<const store::Migration> migrations();

inline constexpr Sql kInsertDepartment{
    "sched_insert_department",
    "INSERT INTO departments (code, name_zh, name_en, parent_code) VALUES ($1, $2, $3, $4)"
    " RETURNING id"};
inline constexpr Sql kInsertClinic{
    "sched_insert_clinic",
    "INSERT INTO clinics (code, department_code, name_zh, name_en, clinic_type)"
    " VALUES ($1, $2, $3, $4, $5) RETURNING id"};
inline constexpr Sql kInsertRoom{
    "sched_insert_room",
    "INSERT INTO rooms (code, department_code, name, kind) VALUES ($1, $2, $3, $4) RETURNING id"};
inline constexpr Sql kInsertPractitioner{
    "sched_insert_practitioner",
    "INSERT INTO practitioners (name, title, department_code, user_id) VALUES ($1, $2, $3, $4)"
    " RETURNING id"};
inline constexpr Sql kListDepartments{
    "sched_list_departments",
    "SELECT id, code, name_zh, name_en, parent_code FROM departments ORDER BY id"};
inline constexpr Sql kListClinics{
    "sched_list_clinics",
    "SELECT id, code, department_code, name_zh, name_en, clinic_type FROM clinics ORDER BY id"};
inline constexpr Sql kRoomByCode{"sched_room_by_code",
                                 "SELECT id, code, department_code, name, kind FROM rooms WHERE code = $1"};
inline constexpr Sql kPractitionerOfUser{
    "sched_practitioner_of_user",
    "SELECT id, name, title, department_code, user_id FROM practitioners WHERE user_id = $1"};
inline constexpr Sql kLinkPractitionerUser{"sched_link_practitioner_user",
                                           "UPDATE practitioners SET user_id = $2 WHERE id = $1"};
inline constexpr Sql kListRooms{"sched_list_rooms",
                                "SELECT id, code, department_code, name, kind FROM rooms ORDER BY id"};
inline constexpr Sql kListPractitioners{
    "sched_list_practitioners",
    "SELECT id, name, title, department_code, user_id FROM practitioners ORDER BY id"};
inline constexpr Sql kCountDepartments{"sched_count_departments", "SELECT COUNT(*) FROM departments"};

}  // namespace stork::scheduling::sql
