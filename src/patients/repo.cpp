#include "patients/repo.hpp"

#include <array>

namespace stork::patients::sql {
namespace {

// One DDL for both backends, apart from generated ids and the collation of
// the name key (byte order, so prefix ranges work under any locale).
#define STORK_PATIENTS_DDL(ID, BINARY)                                                                  \
  "CREATE TABLE patients ("                                                                            \
  " id " ID ","                                                                                        \
  " card_no TEXT UNIQUE,"                                                                              \
  " card_version BIGINT NOT NULL,"                                                                     \
  " name TEXT NOT NULL,"                                                                               \
  " name_key TEXT " BINARY " NOT NULL,"                                                                \
  " sex TEXT NOT NULL CHECK (sex IN ('female', 'male')),"                                              \
  " birth_date TEXT NOT NULL,"                                                                         \
  " birth_time TEXT NOT NULL DEFAULT '',"                                                              \
  " id_type TEXT,"                                                                                     \
  " id_number_enc TEXT,"                                                                               \
  " id_number_index TEXT,"                                                                             \
  " phone_enc TEXT NOT NULL,"                                                                          \
  " phone_index TEXT NOT NULL,"                                                                        \
  " phone_foreign INTEGER NOT NULL DEFAULT 0,"                                                         \
  " address TEXT NOT NULL DEFAULT '',"                                                                 \
  " ethnicity TEXT NOT NULL DEFAULT '',"                                                               \
  " allergies TEXT NOT NULL DEFAULT '',"                                                               \
  " temporary_identity INTEGER NOT NULL DEFAULT 0,"                                                    \
  " merged_into BIGINT REFERENCES patients(id),"                                                       \
  " created_at BIGINT NOT NULL,"                                                                       \
  " updated_at BIGINT NOT NULL,"                                                                       \
  " CHECK (merged_into IS NULL OR merged_into <> id));"                                                \
  "CREATE UNIQUE INDEX patients_document ON patients (id_number_index);"                               \
  "CREATE INDEX patients_phone ON patients (phone_index);"                                             \
  "CREATE INDEX patients_name ON patients (name_key);"                                                 \
  "CREATE TABLE patient_guardians ("                                                                   \
  " guardian_id BIGINT NOT NULL REFERENCES patients(id),"                                              \
  " child_id BIGINT NOT NULL REFERENCES patients(id),"                                                 \
  " relationship TEXT NOT NULL,"                                                                       \
  " created_at BIGINT NOT NULL,"                                                                       \
  " PRIMARY KEY (guardian_id, child_id),"                                                              \
  " CHECK (guardian_id <> child_id));"                                                                 \
  "CREATE INDEX patient_guardians_child ON patient_guardians (child_id);"                              \
  "CREATE TABLE portal_accounts ("                                                                     \
  " id " ID ","                                                                                        \
  " phone_index TEXT NOT NULL UNIQUE,"                                                                 \
  " phone_enc TEXT NOT NULL,"                                                                          \
  " patient_id BIGINT REFERENCES patients(id),"                                                        \
  " created_at BIGINT NOT NULL,"                                                                       \
  " last_login_at BIGINT NOT NULL);"                                                                   \
  "CREATE INDEX portal_accounts_patient ON portal_accounts (patient_id);"                              \
  "CREATE TABLE portal_otps ("                                                                         \
  " id " ID ","                                                                                        \
  " phone_index TEXT NOT NULL,"                                                                        \
  " code_hash TEXT NOT NULL,"                                                                          \
  " ip TEXT NOT NULL,"                                                                                 \
  " created_at BIGINT NOT NULL,"                                                                       \
  " expires_at BIGINT NOT NULL,"                                                                       \
  " attempts INTEGER NOT NULL,"                                                                        \
  " consumed_at BIGINT);"                                                                              \
  "CREATE INDEX portal_otps_phone ON portal_otps (phone_index, created_at);"                           \
  "CREATE INDEX portal_otps_ip ON portal_otps (ip, created_at);"

constexpr std::array<store::Migration, 1> kMigrations = {{
    {"patients/0001_patients", STORK_PATIENTS_DDL("INTEGER PRIMARY KEY", "COLLATE BINARY"),
     STORK_PATIENTS_DDL("BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY", "COLLATE \"C\"")},
}};

}  // namespace

std::span<const store::Migration> migrations() { return kMigrations; }

}  // namespace stork::patients::sql
