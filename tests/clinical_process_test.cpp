// The real binary with the demo's signing set-up (`stork seed-demo`): a
// report signed with the doctor's SoftHSM2 token survives kill -9, an
// exported copy verifies offline with `stork verify` and fails once a byte
// changes, `stork keys revoke` stops new signatures but not old ones, and a
// LIS's `mllp_send` (python3-hl7) delivers a report end to end.
#include <gtest/gtest.h>
#include <signal.h>

#include <filesystem>
#include <fstream>
#include <regex>

#include "support/process.hpp"
#include "support/seeded_process.hpp"
#include "support/test_database.hpp"
#include "support/test_server.hpp"

namespace stork::testing {
namespace {

namespace json = boost::json;
using ClinicalProcess = SeededProcess;

std::string login(HttpClient& c, const std::string& user) {
  auto r = c.post_json("/api/v1/auth/login", {{"username", user}, {"password", "demo1234!"}});
  EXPECT_EQ(r.status, 200) << r.body;
  return std::string(r.json().at("token").as_string());
}

// The listener's port, from the server's start-up log line.
uint16_t hl7_port(const ServerProcess& server) {
  std::smatch m;
  std::string log = server.log();
  if (!std::regex_search(log, m, std::regex(R"(HL7 MLLP listener[^\n]*"port":(\d+))"))) return 0;
  return static_cast<uint16_t>(std::stoi(m[1]));
}

void write_file(const std::string& path, const std::string& text) { std::ofstream(path, std::ios::binary) << text; }

TEST_P(ClinicalProcess, ASignedReportSurvivesKill9VerifiesOfflineAndOutlivesARevocation) {
  int64_t id = 0;
  {
    ServerProcess server(serve_args());
    HttpClient c(server.port());
    const std::string doctor = login(c, "doctor");
    auto pending = c.get("/api/v1/documents/pending-reports", doctor);
    auto documents = pending.json().at("documents");
    ASSERT_EQ(documents.as_array().size(), 1u) << pending.body;
    id = documents.at(0).at("id").as_int64();
    auto signed_ = c.post_json("/api/v1/documents/" + std::to_string(id) + "/sign", {{"pin", "123456"}}, doctor);
    ASSERT_EQ(signed_.status, 200) << signed_.body;
    server.signal(SIGKILL);
    EXPECT_EQ(server.wait_exit(), 128 + SIGKILL);
  }
  ServerProcess server(serve_args());
  HttpClient c(server.port());
  const std::string doctor = login(c, "doctor");
  const std::string doc = "/api/v1/documents/" + std::to_string(id);
  auto v = c.get(doc + "/verify", doctor);
  ASSERT_TRUE(v.json().at("valid").as_bool()) << v.body;

  auto listed = run_command({stork_binary(), "keys", "list", "--db", url_, "--key-file", dir_ + "/key"});
  ASSERT_EQ(listed.exit_code, 0) << listed.output;
  EXPECT_NE(listed.output.find("pkcs11"), std::string::npos) << listed.output;    // the doctor's token
  EXPECT_NE(listed.output.find("SM2-SM3"), std::string::npos) << listed.output;  // the pharmacist's keystore

  // Revocation from now: the earlier signature stands, a new one is refused.
  auto me = c.get("/api/v1/signing/me", doctor);
  const std::string serial(me.json().at("certificate_serial").as_string());
  auto revoked = run_command({"/usr/bin/env", "STORK_CA_PIN=demo-ca-pin", stork_binary(), "keys", "revoke", "--serial",
                              serial, "--reason", "token lost", "--ca-key", dir_ + "/demo-ca-key.pem", "--db", url_,
                              "--key-file", dir_ + "/key"});
  ASSERT_EQ(revoked.exit_code, 0) << revoked.output;
  auto wrong_ca_pin = run_command({"/usr/bin/env", "STORK_CA_PIN=guess-1234", stork_binary(), "keys", "renew",
                                   "--user", "doctor", "--ca-key", dir_ + "/demo-ca-key.pem", "--db", url_,
                                   "--key-file", dir_ + "/key"});
  EXPECT_NE(wrong_ca_pin.exit_code, 0);
  EXPECT_TRUE(c.get(doc + "/verify", doctor).json().at("valid").as_bool());
  auto draft = c.post_json("/api/v1/documents?break_glass=follow-up",
                           {{"kind", "record"}, {"patient_id", v.json().is_object() ? json::value(1) : json::value(1)},
                            {"content", {{"complaint", "c"}, {"diagnoses", json::array{json::object{
                                                                 {"code", "Z34.0"}, {"text", "t"}}}}}}},
                           doctor);
  ASSERT_EQ(draft.status, 201) << draft.body;
  auto refused = c.post_json("/api/v1/documents/" + std::to_string(draft.json().at("id").as_int64()) + "/sign",
                             {{"pin", "123456"}}, doctor);
  EXPECT_EQ(refused.json().at("code"), "certificate_revoked") << refused.body;

  // Offline: the exported file with the CA certificate the hospital publishes.
  auto exported = c.get(doc + "/export", doctor);
  ASSERT_EQ(exported.status, 200) << exported.body;
  auto bundle = exported.json();
  write_file(dir_ + "/ca.pem", std::string(bundle.at("signatures").at(0).at("chain_pem").as_string()));
  write_file(dir_ + "/doc.json", exported.body);
  auto ok = run_command({stork_binary(), "verify", dir_ + "/doc.json", "--ca", dir_ + "/ca.pem"});
  EXPECT_EQ(ok.exit_code, 0) << ok.output;
  EXPECT_NE(ok.output.find("VALID"), std::string::npos) << ok.output;
  std::string tampered = exported.body;
  tampered.replace(tampered.find("\\\"98\\\""), 6, "\\\"99\\\"");
  write_file(dir_ + "/tampered.json", tampered);
  auto bad = run_command({stork_binary(), "verify", dir_ + "/tampered.json", "--ca", dir_ + "/ca.pem"});
  EXPECT_EQ(bad.exit_code, 1) << bad.output;
  EXPECT_NE(bad.output.find("hash_mismatch"), std::string::npos) << bad.output;
}

TEST_P(ClinicalProcess, MllpSendDeliversAnOruToTheServerAndARepeatIsStoredOnce) {
  ServerProcess server(serve_args());
  const uint16_t port = hl7_port(server);
  ASSERT_NE(port, 0) << server.log();
  HttpClient c(server.port());
  const std::string clerk = login(c, "clerk"), doctor = login(c, "doctor");
  auto patient = c.get("/api/v1/patients/1", clerk);
  const std::string card(patient.json().at("card_no").as_string());
  const std::string oru = "MSH|^~\\&|MINDRAY_LIS|MCH|STORK|MCH|20261127083000+0800||ORU^R01^ORU_R01|GLU-0001|P|2.5.1\n"
                          "PID|1||" + card + "^^^MCH^CARD||Wang^Fang||19900307|F\n"
                          "OBR|1|ORD-1^HIS|LAB-1^LIS|GLU^Glucose^LN|||20261127071500|||||||||||||||20261127082900|||F\n"
                          "OBX|1|NM|2345-7^Glucose^LN||7.9|mmol/L|3.9-6.1|H|||F\n";
  write_file(dir_ + "/oru.hl7", oru + oru);  // the LIS resends: the same control id twice
  auto sent = run_command({"/usr/bin/timeout", "30", "/usr/bin/mllp_send", "--loose", "--port", std::to_string(port),
                           "--file", dir_ + "/oru.hl7", "127.0.0.1"});
  ASSERT_EQ(sent.exit_code, 0) << sent.output;
  size_t first = sent.output.find("MSA|AA|GLU-0001");
  ASSERT_NE(first, std::string::npos) << sent.output;
  EXPECT_NE(sent.output.find("MSA|AA|GLU-0001", first + 1), std::string::npos) << sent.output;

  auto pending = c.get("/api/v1/documents/pending-reports", doctor);
  int from_hl7 = 0;
  auto documents = pending.json().at("documents");
  for (const auto& d : documents.as_array())
    if (d.at("source") == "hl7") {
      ++from_hl7;
      EXPECT_EQ(d.at("patient").at("id").as_int64(), 1);
      EXPECT_EQ(d.at("content").at("results").at(0).at("reference_range"), "3.9-6.1");
      EXPECT_TRUE(d.at("content").at("results").at(0).at("abnormal").as_bool());
    }
  EXPECT_EQ(from_hl7, 1) << pending.body;
}

INSTANTIATE_TEST_SUITE_P(Backends, ClinicalProcess, ::testing::ValuesIn(all_backends()),
                         [](const auto& info) { return backend_param_name(info.param); });

}  // namespace
}  // namespace stork::testing
