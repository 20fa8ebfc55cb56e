#include "scheduling/directory.hpp"

#include "scheduling/repo.hpp"

namespace stork::scheduling {

Result<Directory> DirectoryService::load() {
  return store::read_tx(db_, [](store::Connection& c) -> Result<Directory> {
    Directory d;
    auto deps = c.query(sql::kListDepartments);
    if (!deps) return fail(deps.error());
    for (const auto& r : *deps)
      d.departments.push_back({r.integer(0), r.text(1), r.text(2), r.text(3), r.opt_text(4)});
    auto clinics = c.query(sql::kListClinics);
    if (!clinics) return fail(clinics.error());
    for (const auto& r : *clinics)
      d.clinics.push_back({r.integer(0), r.text(1), r.text(2), r.text(3), r.text(4), r.text(5)});
    auto rooms = c.query(sql::kListRooms);
    if (!rooms) return fail(rooms.error());
    for (const auto& r : *rooms) d.rooms.push_back({r.integer(0), r.text(1), r.text(2), r.text(3), r.text(4)});
    auto pracs = c.query(sql::kListPractitioners);
    if (!pracs) return fail(pracs.error());
    for (const auto& r : *pracs)
      d.practitioners.push_back({r.integer(0), r.text(1), r.text(2), r.text(3), r.opt_integer(4)});
    return d;
  });
}

Result<std::optional<Room>> DirectoryService::room(store::Connection& c, const std::string& code) const {
  auto rows = c.query(sql::kRoomByCode, {code});
  if (!rows) return fail(rows.error());
  if (rows->empty()) return std::optional<Room>();
  const auto& r = (*rows)[0];
  return std::optional(Room{r.integer(0), r.text(1), r.text(2), r.text(3), r.text(4)});
}

Result<std::optional<Practitioner>> DirectoryService::practitioner_of_user(store::Connection& c,
                                                                           int64_t user_id) const {
  auto rows = c.query(sql::kPractitionerOfUser, {user_id});
  if (!rows) return fail(rows.error());
  if (rows->empty()) return std::optional<Practitioner>();
  const auto& r = (*rows)[0];
  return std::optional(Practitioner{r.integer(0), r.text(1), r.text(2), r.text(3), r.opt_integer(4)});
}

Status DirectoryService::add(const Directory& e) {
  return db_.write([&](store::Connection& c) -> Status {
    for (const auto& d : e.departments) {
      auto r = c.query(sql::kInsertDepartment, {d.code, d.name_zh, d.name_en, store::nullable(d.parent_code)});
      if (!r) return fail(r.error());
    }
    for (const auto& k : e.clinics) {
      auto r = c.query(sql::kInsertClinic, {k.code, k.department_code, k.name_zh, k.name_en, k.clinic_type});
      if (!r) return fail(r.error());
    }
    for (const auto& m : e.rooms) {
      auto r = c.query(sql::kInsertRoom, {m.code, m.department_code, m.name, m.kind});
      if (!r) return fail(r.error());
    }
    for (const auto& p : e.practitioners) {
      auto r = c.query(sql::kInsertPractitioner, {p.name, p.title, p.department_code, store::nullable(p.user_id)});
      if (!r) return fail(r.error());
    }
    return {};
  });
}

Result<bool> DirectoryService::empty() {
  return store::read_tx(db_, [](store::Connection& c) -> Result<bool> {
    auto r = c.query(sql::kCountDepartments);
    if (!r) return fail(r.error());
    return (*r)[0].integer(0) == 0;
  });
}

Status DirectoryService::link_user(int64_t practitioner_id, int64_t user_id) {
  return db_.write([&](store::Connection& c) -> Status {
    auto changed = c.execute(sql::kLinkPractitionerUser, {practitioner_id, user_id});
    if (!changed) return fail(changed.error());
    if (*changed == 0) return fail(Error::not_found("practitioner " + std::to_string(practitioner_id)));
    return {};
  });
}

}  // namespace stork::scheduling
