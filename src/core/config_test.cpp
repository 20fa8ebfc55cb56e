#include "core/config.hpp"

#include <gtest/gtest.h>
#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

namespace stork {
namespace {

// A config file in a private temporary directory, removed when the test ends.
class ConfigFile {
 public:
  explicit ConfigFile(const std::string& contents) {
    static int counter = 0;
    dir_ = std::filesystem::temp_directory_path() /
           ("stork_config_test_" + std::to_string(::getpid()) + "_" + std::to_string(++counter));
    std::filesystem::create_directories(dir_);
    path_ = (dir_ / "stork.conf").string();
    std::ofstream(path_) << contents;
  }
  ~ConfigFile() {
    std::error_code ec;
    std::filesystem::remove_all(dir_, ec);
  }
  const std::string& path() const { return path_; }

 private:
  std::filesystem::path dir_;
  std::string path_;
};

const FieldError* find_field(const Error& e, const std::string& field) {
  const auto it = std::find_if(e.fields.begin(), e.fields.end(),
                               [&](const FieldError& f) { return f.field == field; });
  return it == e.fields.end() ? nullptr : &*it;
}

TEST(ConfigFile, ReadsKeyValueLinesSkippingCommentsAndBlankLines) {
  ConfigFile file(
      "# Stork settings\n"
      "\n"
      "db = postgres://stork@localhost/stork\n"
      "   # an indented comment\n"
      "port=9090\n"
      "  listen   =   0.0.0.0  \n"
      "\t\n");
  auto layer = read_config_file(file.path());
  ASSERT_TRUE(layer.has_value()) << layer.error().message;
  EXPECT_EQ(layer->size(), 3u);
  EXPECT_EQ(layer->at("db"), "postgres://stork@localhost/stork");
  EXPECT_EQ(layer->at("port"), "9090");
  EXPECT_EQ(layer->at("listen"), "0.0.0.0");
}

TEST(ConfigFile, StripsOneLayerOfDoubleQuotesKeepingInnerSpaces) {
  ConfigFile file(
      "web_root = \"/srv/stork web\"\n"
      "time_zone = \"\"\n"
      "tls_cert = \"unbalanced\n");
  auto layer = read_config_file(file.path());
  ASSERT_TRUE(layer.has_value()) << layer.error().message;
  EXPECT_EQ(layer->at("web_root"), "/srv/stork web");
  EXPECT_EQ(layer->at("time_zone"), "");
  EXPECT_EQ(layer->at("tls_cert"), "\"unbalanced");
}

TEST(ConfigFile, KeepsEqualsSignsInsideTheValue) {
  ConfigFile file("db = postgres://h/stork?options=-c search_path=x\n");
  auto layer = read_config_file(file.path());
  ASSERT_TRUE(layer.has_value()) << layer.error().message;
  EXPECT_EQ(layer->at("db"), "postgres://h/stork?options=-c search_path=x");
}

TEST(ConfigFile, ReportsFileAndLineOfALineWithoutEquals) {
  ConfigFile file(
      "# comment\n"
      "port = 80\n"
      "listen 0.0.0.0\n"
      "db = x\n");
  auto layer = read_config_file(file.path());
  ASSERT_FALSE(layer.has_value());
  EXPECT_EQ(layer.error().code, "validation_failed");
  ASSERT_EQ(layer.error().fields.size(), 1u);
  EXPECT_EQ(layer.error().fields[0].field, "config");
  EXPECT_NE(layer.error().fields[0].message.find(file.path() + ":3"), std::string::npos)
      << layer.error().fields[0].message;
}

TEST(ConfigFile, ReportsAMissingFile) {
  auto layer = read_config_file("/nonexistent/stork/definitely-missing.conf");
  ASSERT_FALSE(layer.has_value());
  EXPECT_EQ(layer.error().code, "validation_failed");
  EXPECT_NE(layer.error().message.find("definitely-missing.conf"), std::string::npos);
}

TEST(ConfigEnv, MapsStorkVariablesToLowerCaseKeys) {
  std::string db = "STORK_DB=sqlite:/tmp/x.db";
  std::string body = "STORK_MAX_BODY_BYTES=2048";
  std::string path = "PATH=/usr/bin";
  char* envp[] = {db.data(), body.data(), path.data(), nullptr};
  const ConfigLayer layer = config_from_env(envp);
  EXPECT_EQ(layer.size(), 2u);
  EXPECT_EQ(layer.at("db"), "sqlite:/tmp/x.db");
  EXPECT_EQ(layer.at("max_body_bytes"), "2048");
}

TEST(ConfigEnv, IgnoresUnknownStorkVariablesAndStorkConfig) {
  std::string config = "STORK_CONFIG=/etc/stork.conf";
  std::string pg = "STORK_PG_TEST_URL=postgres://x";
  std::string nothing = "STORK_";
  std::string port = "STORK_PORT=81";
  std::string lookalike = "XSTORK_DB=nope";
  char* envp[] = {config.data(), pg.data(), nothing.data(), port.data(), lookalike.data(), nullptr};
  const ConfigLayer layer = config_from_env(envp);
  EXPECT_EQ(layer, (ConfigLayer{{"port", "81"}}));
}

TEST(ConfigEnv, AcceptsANullEnvironment) { EXPECT_TRUE(config_from_env(nullptr).empty()); }

TEST(BuildConfig, GivesDefaultsWithNoLayers) {
  auto config = build_config({});
  ASSERT_TRUE(config.has_value());
  const Config defaults;
  EXPECT_EQ(config->db, "sqlite:var/stork.db");
  EXPECT_EQ(config->port, 8080);
  EXPECT_EQ(config->max_body_bytes, int64_t{1} << 20);
  EXPECT_EQ(config->key_file, defaults.key_file);
  EXPECT_TRUE(config->access_log);
}

TEST(BuildConfig, LetsFlagsWinOverEnvironmentOverFile) {
  const ConfigLayer file = {{"db", "sqlite:file.db"}, {"port", "1111"}, {"listen", "10.0.0.1"}};
  const ConfigLayer env = {{"db", "sqlite:env.db"}, {"port", "2222"}};
  const ConfigLayer flags = {{"port", "3333"}};
  auto config = build_config({file, env, flags});
  ASSERT_TRUE(config.has_value()) << config.error().message;
  EXPECT_EQ(config->port, 3333);
  EXPECT_EQ(config->db, "sqlite:env.db");
  EXPECT_EQ(config->listen, "10.0.0.1");
  EXPECT_EQ(config->web_root, "web/dist");  // untouched by any layer
}

TEST(BuildConfig, AcceptsDashesInKeys) {
  auto config = build_config({{{"max-body-bytes", "4096"}, {"login-max-failures", "3"}}});
  ASSERT_TRUE(config.has_value()) << config.error().message;
  EXPECT_EQ(config->max_body_bytes, 4096);
  EXPECT_EQ(config->login_max_failures, 3);
}

TEST(BuildConfig, ParsesBooleanSpellings) {
  for (const char* no : {"false", "0", "no", "off"}) {
    auto config = build_config({{{"access_log", no}}});
    ASSERT_TRUE(config.has_value()) << no;
    EXPECT_FALSE(config->access_log) << no;
  }
  for (const char* yes : {"true", "1", "yes", "on"}) {
    auto config = build_config({{{"access_log", "false"}}, {{"access_log", yes}}});
    ASSERT_TRUE(config.has_value()) << yes;
    EXPECT_TRUE(config->access_log) << yes;
  }
}

TEST(BuildConfig, ReportsEveryBadKeyAtOnceNamingEachKey) {
  auto config = build_config({
      {{"colour", "blue"}, {"port", "80x"}},
      {{"access-log", "maybe"}, {"db-pool-size", "0"}, {"max_header_bytes", "99999999"}},
  });
  ASSERT_FALSE(config.has_value());
  const Error& e = config.error();
  EXPECT_EQ(e.code, "validation_failed");
  EXPECT_EQ(e.fields.size(), 5u);

  const FieldError* unknown = find_field(e, "colour");
  ASSERT_NE(unknown, nullptr);
  EXPECT_EQ(unknown->message, "unknown configuration key");

  const FieldError* port = find_field(e, "port");
  ASSERT_NE(port, nullptr);
  EXPECT_NE(port->message.find("whole number"), std::string::npos) << port->message;
  EXPECT_NE(port->message.find("80x"), std::string::npos) << port->message;

  const FieldError* access_log = find_field(e, "access_log");  // reported in snake_case
  ASSERT_NE(access_log, nullptr);
  EXPECT_NE(access_log->message.find("true or false"), std::string::npos);

  const FieldError* pool = find_field(e, "db_pool_size");
  ASSERT_NE(pool, nullptr);
  EXPECT_EQ(pool->message, "must be between 1 and 256");

  const FieldError* header = find_field(e, "max_header_bytes");
  ASSERT_NE(header, nullptr);
  EXPECT_EQ(header->message, "must be between 1024 and 1048576");
}

TEST(BuildConfig, RejectsPortsOutsideTheValidRange) {
  EXPECT_TRUE(build_config({{{"port", "65535"}}}).has_value());
  EXPECT_TRUE(build_config({{{"port", "0"}}}).has_value());
  for (const char* bad : {"65536", "-1", "", " 80", "+80", "99999999999999999999"}) {
    auto config = build_config({{{"port", bad}}});
    ASSERT_FALSE(config.has_value()) << "'" << bad << "'";
    ASSERT_EQ(config.error().fields.size(), 1u);
    EXPECT_EQ(config.error().fields[0].field, "port");
  }
}

TEST(BuildConfig, AcceptsMaxBodyBytesBeyondInt32) {
  auto config = build_config({{{"max_body_bytes", "4294967296"}}});
  ASSERT_TRUE(config.has_value()) << config.error().message;
  EXPECT_EQ(config->max_body_bytes, int64_t{1} << 32);
  EXPECT_FALSE(build_config({{{"max_body_bytes", "4294967297"}}}).has_value());
}

TEST(BuildConfig, AcceptsOnlyTheKnownIoModels) {
  auto ok = build_config({{{"io_model", "shared"}}});
  ASSERT_TRUE(ok.has_value());
  EXPECT_EQ(ok->io_model, "shared");
  EXPECT_EQ(build_config({})->io_model, "per_core");
  auto bad = build_config({{{"io-model", "threads"}}});
  ASSERT_FALSE(bad.has_value());
  EXPECT_EQ(bad.error().fields[0].field, "io_model");
}

TEST(BuildConfig, ListsEveryKeyItUnderstands) {
  const auto keys = config_keys();
  EXPECT_EQ(keys.size(), 46u);  // grows with Config; keep README's table in step
  for (const auto& key : keys) {
    EXPECT_EQ(key.find('-'), std::string::npos) << key;
    // A listed key may reject a value, but never as unknown.
    auto config = build_config({{{key, "not a number"}}});
    if (!config) {
      ASSERT_EQ(config.error().fields.size(), 1u) << key;
      EXPECT_NE(config.error().fields[0].message, "unknown configuration key") << key;
    }
  }
}

}  // namespace
}  // namespace stork
