#include "support/seeded_process.hpp"

#include <filesystem>

#include "support/process.hpp"
#include "support/test_database.hpp"

namespace stork::testing {

void SeededProcess::SetUp() {
  char tmpl[] = "/tmp/stork-proc-XXXXXX";
  dir_ = mkdtemp(tmpl);
  auto db = fresh_database(GetParam());
  ASSERT_NE(db, nullptr);
  url_ = last_database_url(GetParam());
  db.reset();  // the server process owns the database from here
  auto seeded = run_command({stork_binary(), "seed-demo", "--db", url_, "--key-file", dir_ + "/key"});
  ASSERT_EQ(seeded.exit_code, 0) << seeded.output;
}

void SeededProcess::TearDown() { std::filesystem::remove_all(dir_); }

}  // namespace stork::testing
