#include "scheduling/repo.hpp"

#include <array>

namespace stork::scheduling::sql {
namespace {

// The same DDL serves both backends apart from how ids are generated.
#define STORK_DIRECTORY_DDL(ID)                                                            \
  "CREATE TABLE departments ("                                                             \
  " id " ID ", code TEXT NOT NULL UNIQUE, name_zh TEXT NOT NULL, name_en TEXT NOT NULL,"    \
  " parent_code TEXT REFERENCES departments(code));"                                       \
  "CREATE TABLE clinics ("                                                                 \
  " id " ID ", code TEXT NOT NULL UNIQUE,"                                                 \
  " department_code TEXT NOT NULL REFERENCES departments(code),"                           \
  " name_zh TEXT NOT NULL, name_en TEXT NOT NULL,"                                         \
  " clinic_type TEXT NOT NULL CHECK (clinic_type IN"                                       \
  " ('general','expert','special_needs','mdt','special','exam')));"                        \
  "CREATE TABLE rooms ("                                                                   \
  " id " ID ", code TEXT NOT NULL UNIQUE,"                                                 \
  " department_code TEXT NOT NULL REFERENCES departments(code),"                           \
  " name TEXT NOT NULL, kind TEXT NOT NULL);"                                              \
  "CREATE TABLE practitioners ("                                                           \
  " id " ID ", name TEXT NOT NULL,"                                                        \
  " title TEXT NOT NULL CHECK (title IN ('resident','attending','associate_chief','chief')),"\
  " department_code TEXT NOT NULL REFERENCES departments(code),"                           \
  " user_id BIGINT REFERENCES users(id));"                                                 \
  "CREATE INDEX clinics_department ON clinics (department_code);"                          \
  "CREATE INDEX practitioners_department ON practitioners (department_code);"

constexpr std::array kMigrations = {
    store::Migration{"scheduling/0001_directory", STORK_DIRECTORY_DDL("INTEGER PRIMARY KEY"),
                     STORK_DIRECTORY_DDL("BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY")},
};

}  // namespace

std::span<const store::Migration> migrations() { return kMigrations; }

}  // namespace stork::scheduling::sql
