#include "app/key_check.hpp"

#include <array>

#include "crypto/hash.hpp"
#include "crypto/random.hpp"

namespace stork::app {
namespace {

constexpr std::array<store::Migration, 1> kMigrations = {{
    {"app/0001_field_key_check",
     "CREATE TABLE field_key_check (id INTEGER PRIMARY KEY CHECK (id = 1), fingerprint TEXT NOT NULL,"
     " created_at BIGINT NOT NULL);",
     ""},
}};

constexpr store::Sql kRecord{
    "key_check_record",
    "INSERT INTO field_key_check (id, fingerprint, created_at) VALUES (1, $1, $2) ON CONFLICT (id) DO NOTHING"};
constexpr store::Sql kSelect{"key_check_select", "SELECT fingerprint FROM field_key_check WHERE id = 1"};

}  // namespace

std::span<const store::Migration> key_check_migrations() { return kMigrations; }

Status check_field_key(store::Database& db, std::string_view master_key, int64_t now_ms) {
  const std::string fingerprint = crypto::to_hex(crypto::hmac_sha256(master_key, "stork/field-key-check/v1"));
  return db.write([&](store::Connection& c) -> Status {
    if (auto r = c.execute(kRecord, {fingerprint, now_ms}); !r) return fail(r.error());
    auto rows = c.query(kSelect);
    if (!rows) return fail(rows.error());
    if ((*rows)[0].text(0) != fingerprint)
      return fail(Error::conflict("key_mismatch",
                                  "the field-encryption key (key_file) is not the key this database was encrypted "
                                  "with; point key_file at the original key"));
    return {};
  });
}

}  // namespace stork::app
