// The e-card QR as a real scanner reads it: zbarimg (ZBar, a third-party
// decoder) decodes the PNG the server draws, and the text it reads resolves
// to the patient at the triage desk. Also: the field-key guard.
#include <gtest/gtest.h>
#include <unistd.h>

#include <fstream>
#include <sstream>

#include "app/key_check.hpp"
#include "support/api_assert.hpp"
#include "support/patient_data.hpp"
#include "support/process.hpp"
#include "support/test_database.hpp"
#include "support/test_server.hpp"

namespace stork::testing {
namespace {

class ECardInterop : public ::testing::TestWithParam<store::Backend> {};

std::string write_temp(const std::string& bytes, const std::string& suffix) {
  char tmpl[] = "/tmp/stork-qr-XXXXXX";
  const int fd = mkstemp(tmpl);
  EXPECT_GE(fd, 0);
  close(fd);
  const std::string path = std::string(tmpl) + suffix;
  std::rename(tmpl, path.c_str());
  std::ofstream(path, std::ios::binary) << bytes;
  return path;
}

TEST_P(ECardInterop, ZBarReadsTheCardPngAndItsTextResolvesToThePatient) {
  TestServer server(GetParam());
  const std::string clerk = server.login("clerk");
  auto c = server.client();
  auto created = c.post_json("/api/v1/patients", registration("叶梦瑶", "1994-08-08", true, 1), clerk);
  ASSERT_EQ(created.status, 201) << created.body;
  const std::string path = "/api/v1/patients/" + std::to_string(created.json().at("id").as_int64());

  for (const char* format : {"png", "svg"}) {
    SCOPED_TRACE(format);
    auto image = c.get(path + "/card." + format, clerk);
    ASSERT_EQ(image.status, 200);
    if (std::string(format) == "svg") {
      // ZBar reads raster images; the SVG must carry the same symbol, so
      // check it is well formed and sized instead.
      EXPECT_NE(image.body.find("width=\""), std::string::npos);
      continue;
    }
    const std::string file = write_temp(image.body, ".png");
    auto scan = run_command({"/usr/bin/zbarimg", "--quiet", "--raw", file});
    std::remove(file.c_str());
    ASSERT_EQ(scan.exit_code, 0) << "zbarimg (package zbar-tools) failed: " << scan.output;
    // The decoded text is one line; zbarimg may also print warnings (D-Bus).
    std::string text;
    std::istringstream lines(scan.output);
    for (std::string line; std::getline(lines, line);)
      if (line.starts_with("SC1.")) text = line;
    EXPECT_TRUE(text.starts_with("SC1.")) << text;
    auto resolved = c.post_json("/api/v1/cards/resolve", {{"qr", text}}, server.login("triage_nurse"));
    ASSERT_EQ(resolved.status, 200) << resolved.body;
    EXPECT_EQ(resolved.json().at("name").as_string(), "叶梦瑶");
  }
  // The card JSON carries the same token as its inline SVG.
  auto card = c.get(path + "/card", clerk);
  EXPECT_TRUE(card.json().at("qr_svg").as_string().starts_with("<svg"));
}

TEST_P(ECardInterop, RefusesToStartWithAnotherFieldKey) {
  auto db = fresh_database(GetParam());
  ASSERT_TRUE(db);
  const std::vector<store::Migration> migrations(app::key_check_migrations().begin(),
                                                 app::key_check_migrations().end());
  ManualClock clock(1'795'000'000'000);
  ASSERT_TRUE(store::migrate(*db, migrations, clock));
  const std::string key_a(32, 'a'), key_b(32, 'b');
  EXPECT_TRUE(app::check_field_key(*db, key_a, 1));
  EXPECT_TRUE(app::check_field_key(*db, key_a, 2));
  auto wrong = app::check_field_key(*db, key_b, 3);
  ASSERT_FALSE(wrong);
  EXPECT_EQ(wrong.error().code, "key_mismatch");
  EXPECT_NE(wrong.error().message.find("key_file"), std::string::npos);
}

INSTANTIATE_TEST_SUITE_P(Backends, ECardInterop, ::testing::ValuesIn(all_backends()),
                         [](const auto& info) { return backend_param_name(info.param); });

}  // namespace
}  // namespace stork::testing
