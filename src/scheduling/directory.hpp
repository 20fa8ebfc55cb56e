#pragma once
// Reading and seeding the hospital directory. Thread-safe (state is in the
// database).
#include <vector>

#include "scheduling/model.hpp"
#include "store/database.hpp"

namespace stork::scheduling {

struct Directory {
  std::vector<Department> departments;
  std::vector<Clinic> clinics;
  std::vector<Room> rooms;
  std::vector<Practitioner> practitioners;
};

class DirectoryService {
 public:
  explicit DirectoryService(store::Database& db) : db_(db) {}

  Result<Directory> load();
  // Adds everything in one transaction; fails whole on any conflict.
  Status add(const Directory& entries);
  Result<bool> empty();
  // The staff account a practitioner signs in with (her encounters then
  // give her access to the patients' documents). Errors: not_found.
  Status link_user(int64_t practitioner_id, int64_t user_id);
  // For other modules, inside their own transaction.
  Result<std::optional<Room>> room(store::Connection& c, const std::string& code) const;
  Result<std::optional<Practitioner>> practitioner_of_user(store::Connection& c, int64_t user_id) const;

 private:
  store::Database& db_;
};

}  // namespace stork::scheduling
