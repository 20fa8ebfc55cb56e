// Clinical documents over the API on both backends: signing with a PIN,
// tamper detection, corrections, revocation, the pharmacist's co-signature,
// report intake over REST and MLLP, and who may read what.
#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include "clinical/repo.hpp"
#include "interop/mllp.hpp"
#include "support/patient_data.hpp"
#include "support/portal_login.hpp"
#include "support/softhsm.hpp"
#include "support/test_database.hpp"
#include "support/test_server.hpp"

namespace stork::testing {
namespace {

namespace json = boost::json;
constexpr const char* kPin = "123456";
constexpr const char* kCaPin = "ca-pin-1234";

class Documents : public ::testing::TestWithParam<store::Backend> {
 protected:
  void SetUp() override { start({}); }

  void start(ConfigLayer overrides) {
    server_ = std::make_unique<TestServer>(GetParam(), std::move(overrides));
    auto& signing = services().signing;
    ca_file_ = server_->dir() + "/ca-key.pem";
    ASSERT_TRUE(signing.create_hospital_ca(crypto::SignatureAlgorithm::ecdsa_p256_sha256, "Test Hospital CA",
                                           ca_file_, kCaPin, 5));
    auto ca = signing.open_hospital_ca(ca_file_, kCaPin);
    ASSERT_TRUE(ca) << ca.error().message;
    ASSERT_TRUE(signing.create_timestamp_authority(*ca, services().cipher));
    auto tsa = signing.timestamp_authority(services().cipher);
    ASSERT_TRUE(tsa && *tsa);
    services().documents.set_timestamp_authority(*tsa);
    clerk_ = server_->login("clerk");
    doctor_ = server_->login("doctor");
    pharmacist_ = server_->login("pharmacist");
    admin_ = server_->login("admin");
  }

  app::Services& services() { return server_->app().services(); }
  HttpClient client() { return server_->client(); }

  int64_t user_id(const std::string& username) {
    auto users = services().auth.list_users();
    for (const auto& u : *users)
      if (u.username == username) return u.id;
    ADD_FAILURE() << "no user " << username;
    return 0;
  }

  clinical::Credential enrol(const std::string& username, crypto::SignatureAlgorithm algorithm,
                             const std::string& storage = "keystore") {
    auto ca = services().signing.open_hospital_ca(ca_file_, kCaPin);
    clinical::EnrolRequest r{user_id(username), username, algorithm, storage, kPin, "tok-" + username, "so-pin-1234"};
    auto c = services().signing.enrol(r, *ca);
    EXPECT_TRUE(c) << c.error().message;
    return *c;
  }

  int64_t patient(const std::string& name, int seq, const std::string& phone = "") {
    auto r = client().post_json("/api/v1/patients", registration(name, "1991-03-04", true, seq, phone), clerk_);
    EXPECT_EQ(r.status, 201) << r.body;
    return r.json().at("id").as_int64();
  }

  std::string card_of(int64_t id) {
    auto r = client().get("/api/v1/patients/" + std::to_string(id), clerk_);
    return std::string(r.json().at("card_no").as_string());
  }

  static json::object record() {
    return {{"complaint", "头晕两天 Dizzy for two days"},
            {"history", "G1P0, 24 weeks"},
            {"diagnoses", json::array{json::object{{"code", "O24.4"}, {"text", "妊娠期糖尿病 GDM"}}}},
            {"plan", "OGTT review in two weeks"}};
  }

  int64_t draft(int64_t patient_id, const std::string& kind = "record", json::object content = record()) {
    auto r = client().post_json("/api/v1/documents?break_glass=first%20visit",
                                {{"kind", kind}, {"patient_id", patient_id}, {"content", content}}, doctor_);
    EXPECT_EQ(r.status, 201) << r.body;
    return r.json().at("id").as_int64();
  }

  HttpResult put(int64_t id, const json::object& content) {
    return client().request("PUT", "/api/v1/documents/" + std::to_string(id),
                            json::serialize(json::object{{"content", content}}),
                            {{"Authorization", "Bearer " + doctor_}, {"Content-Type", "application/json"}});
  }

  HttpResult sign(int64_t id, const std::string& pin, const std::string& token = "") {
    return client().post_json("/api/v1/documents/" + std::to_string(id) + "/sign", {{"pin", pin}},
                              token.empty() ? doctor_ : token);
  }

  json::value verify(int64_t id) {
    auto r = client().get("/api/v1/documents/" + std::to_string(id) + "/verify", doctor_);
    EXPECT_EQ(r.status, 200) << r.body;
    return r.json();
  }

  std::unique_ptr<TestServer> server_;
  std::string ca_file_, clerk_, doctor_, pharmacist_, admin_;
};

TEST_P(Documents, ADoctorSignsWithHerPinAndTheSignatureVerifies) {
  enrol("doctor", crypto::SignatureAlgorithm::sm2_sm3);
  const int64_t id = draft(patient("王丽", 1));

  auto wrong = sign(id, "654321");
  EXPECT_EQ(wrong.status, 409);
  EXPECT_EQ(wrong.json().at("code"), "wrong_pin");
  EXPECT_EQ(wrong.json().at("attempts_left").as_int64(), 4);

  auto r = sign(id, kPin);
  ASSERT_EQ(r.status, 200) << r.body;
  auto doc = r.json();
  EXPECT_EQ(doc.at("status"), "signed");
  EXPECT_EQ(doc.at("signer").at("algorithm"), "SM2-SM3");
  auto v = verify(id);
  EXPECT_TRUE(v.at("valid").as_bool()) << json::serialize(v);
  EXPECT_TRUE(v.at("signatures").at(0).at("timestamp_at").is_int64());

  // A signed document is immutable, through the API...
  auto edit = put(id, record());
  EXPECT_EQ(edit.status, 409);
  EXPECT_EQ(edit.json().at("code"), "document_signed");
  EXPECT_EQ(sign(id, kPin).json().at("code"), "document_signed");
}

TEST_P(Documents, AByteChangedInTheDatabaseFailsVerificationWithAClearReason) {
  enrol("doctor", crypto::SignatureAlgorithm::ecdsa_p256_sha256);
  const int64_t id = draft(patient("赵敏", 2));
  ASSERT_EQ(sign(id, kPin).status, 200);
  ASSERT_TRUE(verify(id).at("valid").as_bool());

  static constexpr store::Sql kTamper{"test_tamper",
                                      "UPDATE documents SET content = REPLACE(content, 'O24.4', 'O24.9') WHERE id = $1"};
  ASSERT_TRUE(server_->app().db().write([&](store::Connection& c) -> Status {
    auto n = c.execute(kTamper, {id});
    if (!n) return fail(n.error());
    EXPECT_EQ(*n, 1);
    return {};
  }));
  auto v = verify(id);
  EXPECT_FALSE(v.at("valid").as_bool());
  EXPECT_EQ(v.at("reason"), "hash_mismatch");
  EXPECT_EQ(v.at("checks").at(0).at("name"), "hash");
  EXPECT_FALSE(v.at("checks").at(0).at("ok").as_bool());
}

TEST_P(Documents, ACorrectionIsANewSignedVersionAndBothStayReadable) {
  enrol("doctor", crypto::SignatureAlgorithm::ecdsa_p256_sha256);
  const int64_t first = draft(patient("钱芳", 3));
  ASSERT_EQ(sign(first, kPin).status, 200);
  auto r = client().post_json("/api/v1/documents/" + std::to_string(first) + "/revise", json::object{}, doctor_);
  ASSERT_EQ(r.status, 201) << r.body;
  const int64_t second = r.json().at("id").as_int64();
  EXPECT_EQ(r.json().at("version").as_int64(), 2);
  EXPECT_EQ(r.json().at("replaces").as_int64(), first);
  auto fixed = record();
  fixed["plan"] = "OGTT review in one week";
  ASSERT_EQ(put(second, fixed).status, 200);
  ASSERT_EQ(sign(second, kPin).status, 200);
  auto old = client().get("/api/v1/documents/" + std::to_string(first), doctor_);
  EXPECT_EQ(old.json().at("superseded_by").as_int64(), second);
  EXPECT_TRUE(verify(first).at("valid").as_bool());
  EXPECT_TRUE(verify(second).at("valid").as_bool());
}

TEST_P(Documents, SignedBeforeARevocationStillVerifiesAndSigningAfterIsRefused) {
  auto credential = enrol("doctor", crypto::SignatureAlgorithm::ecdsa_p256_sha256);
  const int64_t patient_id = patient("孙莉", 4);
  const int64_t before = draft(patient_id);
  ASSERT_EQ(sign(before, kPin).status, 200);
  server_->clock().advance(std::chrono::minutes(5));
  auto ca = services().signing.open_hospital_ca(ca_file_, kCaPin);
  ASSERT_TRUE(services().signing.revoke(credential.serial, "key compromise", *ca));
  server_->clock().advance(std::chrono::minutes(5));
  const int64_t after = draft(patient_id);
  auto refused = sign(after, kPin);
  EXPECT_EQ(refused.status, 409);
  EXPECT_EQ(refused.json().at("code"), "certificate_revoked");
  auto v = verify(before);
  EXPECT_TRUE(v.at("valid").as_bool()) << json::serialize(v);
}

TEST_P(Documents, AnExpiredCertificateCannotSignUntilRenewed) {
  enrol("doctor", crypto::SignatureAlgorithm::ecdsa_p256_sha256);
  const int64_t id = draft(patient("陶然", 12));
  server_->clock().advance(std::chrono::hours(24 * 731));  // past the 730-day certificate
  doctor_ = server_->login("doctor");                        // and past her session
  auto refused = sign(id, kPin);
  EXPECT_EQ(refused.status, 409);
  EXPECT_EQ(refused.json().at("code"), "certificate_expired");
  auto ca = services().signing.open_hospital_ca(ca_file_, kCaPin);
  auto renewed = services().signing.renew(user_id("doctor"), *ca);
  ASSERT_TRUE(renewed) << renewed.error().message;
  auto r = sign(id, kPin);
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(r.json().at("signer").at("certificate_serial").as_string(), renewed->serial);
  EXPECT_TRUE(verify(id).at("valid").as_bool());
}

TEST_P(Documents, FiveWrongPinsLockTheKeyUntilUnlocked) {
  enrol("doctor", crypto::SignatureAlgorithm::ecdsa_p256_sha256);
  const int64_t id = draft(patient("周燕", 5));
  for (int i = 0; i < 4; ++i) EXPECT_EQ(sign(id, "000000").json().at("code"), "wrong_pin");
  EXPECT_EQ(sign(id, "000000").json().at("code"), "pin_locked");
  EXPECT_EQ(sign(id, kPin).json().at("code"), "pin_locked");  // even the right PIN
  auto me = client().get("/api/v1/signing/me", doctor_);
  EXPECT_TRUE(me.json().at("locked").as_bool());
  ASSERT_TRUE(services().signing.unlock(user_id("doctor")));
  EXPECT_EQ(sign(id, kPin).status, 200);
}

TEST_P(Documents, APrescriptionNeedsPositiveDosesAndAPharmacistsCoSignature) {
  enrol("doctor", crypto::SignatureAlgorithm::ecdsa_p256_sha256);
  enrol("pharmacist", crypto::SignatureAlgorithm::sm2_sm3);
  const int64_t patient_id = patient("吴静", 6);
  json::object item{{"drug", "Metformin"}, {"strength", "500 mg"}, {"dose", 0},     {"dose_unit", "tablet"},
                    {"route", "oral"},      {"frequency", "bid"},   {"days", 14},   {"quantity", -2},
                    {"unit", "tablet"}};
  auto bad = client().post_json("/api/v1/documents?break_glass=x",
                                {{"kind", "prescription"}, {"patient_id", patient_id},
                                 {"content", {{"items", json::array{item}}}}},
                                doctor_);
  ASSERT_EQ(bad.status, 400) << bad.body;
  std::string fields = json::serialize(bad.json().at("errors"));
  EXPECT_NE(fields.find("content.items[0].dose"), std::string::npos) << fields;
  EXPECT_NE(fields.find("content.items[0].quantity"), std::string::npos) << fields;

  item["dose"] = 1;
  item["quantity"] = 28;
  const int64_t id = draft(patient_id, "prescription", {{"items", json::array{item}}});
  ASSERT_EQ(sign(id, kPin).status, 200);
  auto queue = client().get("/api/v1/prescriptions/review-queue", pharmacist_);
  ASSERT_EQ(queue.json().at("documents").as_array().size(), 1u);
  auto early = client().post_json("/api/v1/documents/" + std::to_string(id) + "/dispense", json::object{}, pharmacist_);
  EXPECT_EQ(early.json().at("code"), "not_approved");
  auto approved = client().post_json("/api/v1/documents/" + std::to_string(id) + "/review",
                                     {{"decision", "approve"}, {"pin", kPin}}, pharmacist_);
  ASSERT_EQ(approved.status, 200) << approved.body;
  EXPECT_EQ(approved.json().at("review").at("status"), "approved");
  auto v = verify(id);
  EXPECT_TRUE(v.at("valid").as_bool()) << json::serialize(v);
  EXPECT_EQ(v.at("signatures").as_array().size(), 2u);
  EXPECT_EQ(client().post_json("/api/v1/documents/" + std::to_string(id) + "/dispense", json::object{}, pharmacist_)
                .status,
            200);
  auto again = client().post_json("/api/v1/documents/" + std::to_string(id) + "/review",
                                  {{"decision", "reject"}, {"reason", "late"}}, pharmacist_);
  EXPECT_EQ(again.json().at("code"), "review_not_pending");
}

TEST_P(Documents, ADoctorWithoutAnEncounterNeedsABreakGlassReasonWhichIsAudited) {
  const int64_t patient_id = patient("郑洁", 7);
  const std::string path = "/api/v1/documents?patient_id=" + std::to_string(patient_id);
  auto refused = client().get(path, doctor_);
  EXPECT_EQ(refused.status, 403);
  EXPECT_EQ(refused.json().at("code"), "break_glass_required");
  auto allowed = client().get(path + "&break_glass=emergency%20consult", doctor_);
  EXPECT_EQ(allowed.status, 200) << allowed.body;
  auto audit = client().get("/api/v1/audit?limit=20", server_->login("auditor"));
  EXPECT_NE(audit.body.find("emergency consult"), std::string::npos);
  EXPECT_EQ(client().get(path, pharmacist_).status, 403);  // pharmacists read prescriptions only
}

TEST_P(Documents, AReportArrivesOnceIsSignedAndOnlyThenReachesTheMothersPhone) {
  enrol("doctor", crypto::SignatureAlgorithm::ecdsa_p256_sha256);
  const std::string phone = "139" + std::to_string(10000000 + ::testing::UnitTest::GetInstance()->random_seed() % 8999999);
  const int64_t mother_id = patient("冯雪", 8, phone);
  const int64_t stranger_id = patient("陈红", 9);
  const std::string iface = [&] {
    auth::NewUser u{"lis", "LIS", "lis-password-1", {auth::Role::interface}, true};
    EXPECT_TRUE(services().auth.create_user_as_system(u, {}));
    return server_->login("lis", "lis-password-1");
  }();
  json::object report{{"message_id", "LIS-1"},
                      {"kind", "lab_report"},
                      {"patient", {{"card_no", card_of(mother_id)}}},
                      {"service", {{"code", "GLU"}, {"text", "Glucose"}}},
                      {"results", json::array{json::object{{"code", "GLU"}, {"value", "7.9"}, {"unit", "mmol/L"},
                                                           {"reference_range", "3.9-6.1"},
                                                           {"abnormal_flags", json::array{"H"}},
                                                           {"abnormal", true}, {"status", "F"}}}}};
  auto unknown = report;
  unknown["patient"] = {{"card_no", "NOPE"}};
  unknown["message_id"] = "LIS-0";
  auto r0 = client().post_json("/api/v1/reports", unknown, iface);
  EXPECT_EQ(r0.status, 422);
  EXPECT_EQ(r0.json().at("code"), "unknown_patient");
  auto r1 = client().post_json("/api/v1/reports", report, iface);
  ASSERT_EQ(r1.status, 201) << r1.body;
  const int64_t id = r1.json().at("id").as_int64();
  auto r2 = client().post_json("/api/v1/reports", report, iface);
  EXPECT_EQ(r2.status, 200);
  EXPECT_EQ(r2.json().at("id").as_int64(), id);
  EXPECT_EQ(client().post_json("/api/v1/reports", report, doctor_).status, 403);

  const std::string mother = patient_token(*server_, phone);
  const std::string doc = "/api/v1/documents/" + std::to_string(id);
  EXPECT_EQ(client().get(doc, mother).status, 404);  // not released yet
  ASSERT_EQ(sign(id, kPin).status, 200);
  auto seen = client().get(doc, mother);
  ASSERT_EQ(seen.status, 200) << seen.body;
  EXPECT_TRUE(seen.json().at("released").as_bool());
  EXPECT_EQ(seen.json().at("abnormal_count").as_int64(), 1);
  EXPECT_TRUE(client().get(doc + "/verify", mother).json().at("valid").as_bool());
  auto notes = server_->app().db().read([&](store::Connection& c) -> Status {
    auto list = notify::for_patient(c, mother_id);
    EXPECT_TRUE(list && !list->empty() && list->front().kind == "report_ready");
    return {};
  });
  EXPECT_TRUE(notes);
  // Another family's documents stay out of reach.
  auto other = client().get("/api/v1/documents?patient_id=" + std::to_string(stranger_id), mother);
  EXPECT_TRUE(other.status == 403 || other.status == 404) << other.status;
}

// Sends one framed message over TCP and returns the ACK.
std::string mllp_exchange(uint16_t port, const std::string& message) {
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(port);
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
    ::close(fd);
    return "";
  }
  std::string frame = interop::mllp_frame(message);
  (void)::send(fd, frame.data(), frame.size(), 0);
  interop::MllpDecoder decoder;
  std::vector<std::string> out;
  char buf[4096];
  while (out.empty()) {
    ssize_t n = ::recv(fd, buf, sizeof buf, 0);
    if (n <= 0 || !decoder.feed({buf, static_cast<size_t>(n)}, out)) break;
  }
  ::close(fd);
  return out.empty() ? "" : out.front();
}

TEST_P(Documents, AnOruOverMllpBecomesAReportAndARepeatIsAcknowledgedOnce) {
  const int64_t patient_id = patient("褚英", 10);
  const std::string oru = "MSH|^~\\&|LIS|HOSP|STORK|HOSP|20261118093000||ORU^R01|C-77|P|2.5.1\r"
                          "PID|1||" + card_of(patient_id) + "^^^HOSP^MR||褚^英||19910304|F\r"
                          "OBR|1||ACC-9|GLU^Glucose|||20261118090000|||||||||||||||||F\r"
                          "OBX|1|NM|GLU^Glucose||7.9|mmol/L|3.9-6.1|H|||F\r";
  const uint16_t port = server_->app().hl7_port();
  ASSERT_NE(port, 0);
  EXPECT_NE(mllp_exchange(port, oru).find("MSA|AA|C-77"), std::string::npos);
  EXPECT_NE(mllp_exchange(port, oru).find("MSA|AA|C-77"), std::string::npos);
  auto pending = client().get("/api/v1/documents/pending-reports", doctor_);
  ASSERT_EQ(pending.json().at("documents").as_array().size(), 1u) << pending.body;
  auto only = pending.json().at("documents").at(0);
  EXPECT_EQ(only.at("source"), "hl7");
  EXPECT_EQ(only.at("content").at("results").at(0).at("unit"), "mmol/L");
  EXPECT_TRUE(only.at("content").at("results").at(0).at("abnormal").as_bool());

  std::string stranger = oru;
  stranger.replace(stranger.find(card_of(patient_id)), card_of(patient_id).size(), "UNKNOWN1");
  stranger.replace(stranger.find("C-77"), 4, "C-78");
  std::string nak = mllp_exchange(port, stranger);
  EXPECT_NE(nak.find("MSA|AE|C-78"), std::string::npos) << nak;
  EXPECT_NE(nak.find("PID^1^3"), std::string::npos) << nak;
}

INSTANTIATE_TEST_SUITE_P(Backends, Documents, ::testing::ValuesIn(all_backends()),
                         [](const auto& info) { return backend_param_name(info.param); });

// ECDSA inside a SoftHSM2 token, with the token's own PIN.
TEST(DocumentsToken, ADoctorSignsWithTheKeyInHerTokenAndAWrongPinIsCounted) {
  SoftHsmDir hsm;
  TestServer server(store::Backend::sqlite, {{"signing_pkcs11_module", SoftHsmDir::module_path()}});
  auto& services = server.app().services();
  ASSERT_NE(services.pkcs11, nullptr);
  const std::string ca_file = server.dir() + "/ca.pem";
  ASSERT_TRUE(services.signing.create_hospital_ca(crypto::SignatureAlgorithm::ecdsa_p256_sha256, "CA", ca_file,
                                                  kCaPin, 5));
  auto ca = services.signing.open_hospital_ca(ca_file, kCaPin);
  int64_t doctor_id = 0;
  auto users = services.auth.list_users();
  ASSERT_TRUE(users);
  for (const auto& u : *users)
    if (u.username == "doctor") doctor_id = u.id;
  auto credential = services.signing.enrol({doctor_id, "Dr Token", crypto::SignatureAlgorithm::ecdsa_p256_sha256,
                                            "pkcs11", kPin, "dr-token", "so-pin-1234"},
                                           *ca);
  ASSERT_TRUE(credential) << credential.error().message;
  EXPECT_EQ(credential->storage, "pkcs11");
  EXPECT_TRUE(credential->keystore_pem.empty());  // the private key never left the token

  const std::string clerk = server.login("clerk"), doctor = server.login("doctor");
  auto p = server.client().post_json("/api/v1/patients", registration("蒋梅", "1990-01-01", true, 11, ""), clerk);
  auto d = server.client().post_json("/api/v1/documents?break_glass=x",
                                     {{"kind", "record"}, {"patient_id", p.json().at("id")},
                                      {"content", {{"complaint", "c"}, {"diagnoses", json::array{json::object{
                                                                           {"code", "Z34.0"}, {"text", "t"}}}}}}},
                                     doctor);
  ASSERT_EQ(d.status, 201) << d.body;
  const std::string sign = "/api/v1/documents/" + std::to_string(d.json().at("id").as_int64()) + "/sign";
  auto wrong = server.client().post_json(sign, {{"pin", "999999"}}, doctor);
  EXPECT_EQ(wrong.json().at("code"), "wrong_pin");
  auto ok = server.client().post_json(sign, {{"pin", kPin}}, doctor);
  ASSERT_EQ(ok.status, 200) << ok.body;
  auto v = server.client().get("/api/v1/documents/" + std::to_string(d.json().at("id").as_int64()) + "/verify", doctor);
  EXPECT_TRUE(v.json().at("valid").as_bool()) << v.body;
}

}  // namespace
}  // namespace stork::testing
