// Demo signing: a hospital CA and its time-stamping authority, the demo
// doctor's key in a SoftHSM2 token (ECDSA P-256; she is also the
// directory's first practitioner) and the demo pharmacist's SM2 key in a
// keystore, both with PIN 123456, and one lab report for the demo mother's
// child waiting for the doctor's signature.
#include <filesystem>

#include "app/seed_demo.hpp"

namespace stork::app {

namespace {

constexpr const char* kDemoPin = "123456";

Result<int64_t> user_id(Services& services, std::string_view username) {
  auto users = services.auth.list_users();
  if (!users) return fail(users.error());
  for (const auto& u : *users)
    if (u.username == username) return u.id;
  return fail(Error::not_found("user " + std::string(username)));
}

// The first child of the demo mother, by card number.
Result<std::string> demo_child_card(Services& services) {
  auth::Principal seeder{auth::PrincipalKind::staff, 0, "seed-demo", "seed-demo", {auth::Role::clerk}, ""};
  auth::RequestContext ctx{"127.0.0.1", "seed-demo"};
  auto found = services.patients.search(seeder, {patients::SearchBy::phone, kDemoMotherPhone}, ctx);
  if (!found) return fail(found.error());
  for (const auto& mother : *found) {
    auto family = services.patients.family(seeder, mother.id, ctx);
    if (!family) return fail(family.error());
    if (!family->children.empty()) return family->children.front().patient.card_no;
  }
  return fail(Error::not_found("a child of the demo mother"));
}

}  // namespace

Result<bool> seed_demo_clinical(Services& services, const std::string& key_file) {
  auto authorities = services.signing.authorities();
  if (!authorities) return fail(authorities.error());
  if (!authorities->empty()) return false;
  const std::string ca_file =
      (std::filesystem::absolute(std::filesystem::path(key_file).parent_path()) / "demo-ca-key.pem").string();
  if (auto ca = services.signing.create_hospital_ca(crypto::SignatureAlgorithm::ecdsa_p256_sha256,
                                                    "Stork Demo Hospital CA", ca_file, kDemoCaPin, 10);
      !ca)
    return fail(ca.error());
  auto ca = services.signing.open_hospital_ca(ca_file, kDemoCaPin);
  if (!ca) return fail(ca.error());
  if (auto s = services.signing.create_timestamp_authority(*ca, services.cipher); !s) return fail(s.error());
  if (auto tsa = services.signing.timestamp_authority(services.cipher); tsa && *tsa)
    services.documents.set_timestamp_authority(*tsa);

  auto doctor = user_id(services, "doctor");
  auto pharmacist = user_id(services, "pharmacist");
  if (!doctor) return fail(doctor.error());
  if (!pharmacist) return fail(pharmacist.error());
  clinical::EnrolRequest d{*doctor, "演示 医生 Demo doctor", crypto::SignatureAlgorithm::ecdsa_p256_sha256,
                           "pkcs11", kDemoPin, "stork-doctor", "demo-so-pin"};
  if (!services.pkcs11) d.storage = "keystore";  // no token module here: a keystore still signs
  if (auto e = services.signing.enrol(d, *ca); !e) return fail(e.error());
  clinical::EnrolRequest p{*pharmacist, "演示 药师 Demo pharmacist", crypto::SignatureAlgorithm::sm2_sm3, "keystore",
                           kDemoPin, "", ""};
  if (auto e = services.signing.enrol(p, *ca); !e) return fail(e.error());

  // The demo doctor is the first practitioner of the directory: patients
  // booked with her are her encounters.
  auto directory = services.directory.load();
  if (!directory) return fail(directory.error());
  if (!directory->practitioners.empty())
    if (auto s = services.directory.link_user(directory->practitioners.front().id, *doctor); !s) return fail(s.error());

  auto card = demo_child_card(services);
  if (!card) return fail(card.error());
  clinical::IncomingReport report;
  report.message_key = "demo|LIS|0001";
  report.kind = clinical::DocumentKind::lab_report;
  report.card_no = *card;
  report.source = "rest";
  report.content_json =
      R"({"service":{"code":"CBC","text":"血常规 Complete blood count"},"accession":"DEMO-0001",)"
      R"("results":[{"code":"HGB","name":"血红蛋白 Hemoglobin","value":"98","numeric":98,"unit":"g/L",)"
      R"("reference_range":"110-160","abnormal_flags":["L"],"abnormal":true,"status":"F"},)"
      R"({"code":"WBC","name":"白细胞 White cells","value":"7.2","numeric":7.2,"unit":"10*9/L",)"
      R"("reference_range":"4.0-12.0","abnormal_flags":[],"abnormal":false,"status":"F"}]})";
  if (auto r = services.documents.receive_report(report, "seed-demo", {"127.0.0.1", "seed-demo"}); !r)
    return fail(r.error());
  return true;
}

}  // namespace stork::app
