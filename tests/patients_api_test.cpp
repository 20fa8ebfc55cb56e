// The master patient index over HTTP on SQLite and PostgreSQL: registration
// and every identity rule, duplicates (including 50 racing registrations),
// search, masking and audited reveal, families, newborns, merge, e-cards.
#include <gtest/gtest.h>

#include <thread>

#include "patients/identity.hpp"
#include "support/api_assert.hpp"
#include "support/patient_data.hpp"
#include "support/test_database.hpp"
#include "support/test_server.hpp"

namespace stork::testing {
namespace {

namespace json = boost::json;

class Patients : public ::testing::TestWithParam<store::Backend> {
 protected:
  void SetUp() override {
    server_ = std::make_unique<TestServer>(GetParam());
    clerk_ = server_->login("clerk");
  }
  TestServer& server() { return *server_; }

  // Registers and returns the created patient; fails the test otherwise.
  json::object create(const json::object& body) {
    auto r = server().client().post_json("/api/v1/patients", body, clerk_);
    EXPECT_EQ(r.status, 201) << r.body;
    return r.json().as_object();
  }

  int64_t count_patients() {
    int64_t n = -1;
    auto s = server().app().db().read([&](store::Connection& c) -> Status {
      auto rows = c.query({"test_count_patients", "SELECT COUNT(*) FROM patients"});
      if (!rows) return fail(rows.error());
      n = (*rows)[0].integer(0);
      return {};
    });
    EXPECT_TRUE(s);
    return n;
  }

  // Audit entries for one patient with this action.
  int audit_entries(const std::string& action, int64_t patient_id) {
    auto r = server().client().get("/api/v1/audit?limit=500", server().login("auditor"));
    int n = 0;
    const auto body = r.json();
    for (const auto& a : body.at("items").as_array())
      if (a.at("action").as_string() == action && a.at("entity_id").as_string() == std::to_string(patient_id)) ++n;
    return n;
  }

  std::unique_ptr<TestServer> server_;
  std::string clerk_;
};

TEST_P(Patients, RegistersAPatientWithACheckedCardNumberAndMaskedData) {
  auto body = registration("张小丽", "1992-05-17", true, 1, "13812345678");
  auto r = server().client().post_json("/api/v1/patients", body, clerk_);
  ASSERT_EQ(r.status, 201) << r.body;
  const auto p = r.json().as_object();
  EXPECT_EQ(r.header("location"), "/api/v1/patients/" + std::to_string(p.at("id").as_int64()));
  EXPECT_TRUE(patients::card_number_valid(p.at("card_no").as_string().c_str())) << p.at("card_no");
  EXPECT_EQ(p.at("name").as_string(), "张小丽");
  EXPECT_EQ(p.at("age").as_int64(), 34);
  EXPECT_EQ(p.at("phone").as_string(), "138****5678");
  const std::string id = json::value_to<std::string>(body.at("id_number"));
  EXPECT_EQ(p.at("id_number").as_string(), id.substr(0, 4) + "**********" + id.substr(14));
  EXPECT_FALSE(p.at("revealed").as_bool());

  // At rest: neither the number nor the phone appears in the row.
  auto s = server().app().db().read([&](store::Connection& c) -> Status {
    auto rows = c.query({"test_raw_patient", "SELECT id_number_enc, phone_enc, id_number_index FROM patients"});
    if (!rows) return fail(rows.error());
    EXPECT_EQ(rows->size(), 1u);
    for (size_t i = 0; i < 3; ++i) {
      EXPECT_EQ((*rows)[0].text(i).find(id), std::string::npos);
      EXPECT_EQ((*rows)[0].text(i).find("13812345678"), std::string::npos);
    }
    return {};
  });
  EXPECT_TRUE(s);
}

struct BadRegistration {
  const char* what;
  const char* field;
  std::function<void(json::object&)> spoil;
};

TEST_P(Patients, RefusesEachBadInputNamingTheFieldAndWritesNothing) {
  const std::string good_id = resident_id("1990-03-07", true);
  const std::vector<BadRegistration> cases = {
      {"wrong check character", "id_number",
       [&](json::object& b) { b["id_number"] = good_id.substr(0, 17) + (good_id[17] == '1' ? "2" : "1"); }},
      {"impossible date 19900230", "id_number",
       [&](json::object& b) {
         std::string id = "51010719900230022";
         id.push_back(patients::resident_id_check_char(id));
         b["id_number"] = id;
       }},
      {"future birth date", "birth_date", [](json::object& b) { b["birth_date"] = "2030-01-01"; }},
      {"sex mismatch", "id_number", [](json::object& b) { b["sex"] = "male"; }},
      {"17 characters", "id_number", [&](json::object& b) { b["id_number"] = good_id.substr(0, 17); }},
      {"19 characters", "id_number", [&](json::object& b) { b["id_number"] = good_id + "1"; }},
      {"letter in the wrong place", "id_number", [&](json::object& b) { b["id_number"] = "X" + good_id.substr(1); }},
      {"empty name", "name", [](json::object& b) { b["name"] = ""; }},
      {"200-character name", "name", [](json::object& b) { b["name"] = std::string(200, 'a'); }},
      {"control character in the name", "name", [](json::object& b) { b["name"] = "张\x07丽"; }},
      {"emoji in the name", "name", [](json::object& b) { b["name"] = "张丽\xF0\x9F\x91\xB6"; }},
      {"phone with 10 digits", "phone", [](json::object& b) { b["phone"] = "1381234567"; }},
      {"unknown sex", "sex", [](json::object& b) { b["sex"] = "f"; }},
      {"unknown document type", "id_type", [](json::object& b) { b["id_type"] = "library_card"; }},
      {"date with the wrong shape", "birth_date", [](json::object& b) { b["birth_date"] = "07/03/1990"; }},
      {"misspelt field", "phnoe", [](json::object& b) { b["phnoe"] = "13812345678"; }},
      {"number for a string", "name", [](json::object& b) { b["name"] = 42; }},
  };
  auto c = server().client();
  for (const auto& bad : cases) {
    auto body = registration("王芳", "1990-03-07", true);
    body["id_number"] = good_id;
    bad.spoil(body);
    auto r = c.post_json("/api/v1/patients", body, clerk_);
    SCOPED_TRACE(bad.what);
    expect_problem(r, 400, "validation_failed", bad.field);
  }
  EXPECT_EQ(count_patients(), 0);
}

TEST_P(Patients, RefusesADocumentRegisteredTwiceNamingTheExistingPatient) {
  auto first = create(registration("李娜", "1988-08-08", true, 3));
  auto again = registration("李娜娜", "1988-08-08", true, 3);  // same number, other spelling
  auto r = server().client().post_json("/api/v1/patients", again, clerk_);
  expect_problem(r, 409, "document_registered");
  EXPECT_EQ(r.json().at("existing_id").as_int64(), first.at("id").as_int64());
  // Lower-case x and spaces are the same number.
  auto lower = registration("周敏", "1949-12-31", true);
  lower["id_number"] = "11010519491231002X";
  create(lower);
  lower["id_number"] = " 11010519491231002x";
  expect_problem(server().client().post_json("/api/v1/patients", lower, clerk_), 409, "document_registered");
}

TEST_P(Patients, FiftyConcurrentRegistrationsOfOneDocumentCreateOneRecord) {
  const auto body = registration("陈静", "1991-01-15", true, 7);
  std::atomic<int> created{0}, conflicts{0}, other{0};
  std::vector<std::thread> threads;
  for (int i = 0; i < 50; ++i)
    threads.emplace_back([&] {
      auto c = server().client();
      auto r = c.post_json("/api/v1/patients", body, clerk_);
      if (r.status == 201) ++created;
      else if (r.status == 409 && r.json().at("code").as_string() == "document_registered") ++conflicts;
      else ++other;
    });
  for (auto& t : threads) t.join();
  EXPECT_EQ(created.load(), 1);
  EXPECT_EQ(conflicts.load(), 49);
  EXPECT_EQ(other.load(), 0);
  EXPECT_EQ(count_patients(), 1);
}

TEST_P(Patients, WarnsOfLikelyDuplicatesUntilTheClerkConfirms) {
  const std::string phone = fresh_phone();
  auto first = create(registration("刘洋", "1995-06-01", true, 1, phone));
  auto c = server().client();
  // Same name and date of birth, other document.
  auto r = c.post_json("/api/v1/patients", registration("刘洋", "1995-06-01", true, 2), clerk_);
  expect_problem(r, 409, "likely_duplicate");
  ASSERT_EQ(r.json().at("candidates").as_array().size(), 1u);
  EXPECT_EQ(r.json().at("candidates").at(0).at("id"), first.at("id"));
  EXPECT_EQ(r.json().at("candidates").at(0).at("phone").as_string().find('*'), 3u);  // masked
  // Same name and phone, other date of birth.
  expect_problem(c.post_json("/api/v1/patients", registration("刘洋", "1996-02-02", true, 1, phone), clerk_), 409,
                 "likely_duplicate");
  // The live check of the form sees the same.
  auto check = c.get("/api/v1/patients/duplicates?name=%E5%88%98%E6%B4%8B&birth_date=1995-06-01", clerk_);
  ASSERT_EQ(check.status, 200) << check.body;
  EXPECT_EQ(check.json().at("items").as_array().size(), 1u);
  EXPECT_EQ(count_patients(), 1);

  auto confirmed = registration("刘洋", "1995-06-01", true, 2);
  confirmed["confirmed_not_duplicate"] = true;
  EXPECT_EQ(c.post_json("/api/v1/patients", confirmed, clerk_).status, 201);
  EXPECT_EQ(count_patients(), 2);
}

TEST_P(Patients, FindsPatientsByCardDocumentPhoneAndName) {
  const std::string phone = fresh_phone();
  auto a = create(registration("张小丽", "1992-05-17", true, 1, phone));
  create(registration("张伟", "1985-01-02", false, 2));
  create(registration("李张", "1987-03-04", false, 3));
  auto c = server().client();
  auto ids = [&](const std::string& query) {
    auto r = c.get("/api/v1/patients?" + query, clerk_);
    EXPECT_EQ(r.status, 200) << query << ": " << r.body;
    std::vector<std::string> names;
    if (r.status != 200) return names;
    const auto body = r.json();
    for (const auto& p : body.at("items").as_array()) names.emplace_back(p.at("name").as_string());
    return names;
  };
  using V = std::vector<std::string>;
  EXPECT_EQ(ids("card_no=" + std::string(a.at("card_no").as_string())), V{"张小丽"});
  const std::string doc = resident_id("1992-05-17", true, 1);
  EXPECT_EQ(ids("id_number=" + doc), V{"张小丽"});
  EXPECT_EQ(ids("phone=" + phone.substr(0, 3) + "%20" + phone.substr(3)), V{"张小丽"});
  EXPECT_EQ(ids("name=%E5%BC%A0%E4%BC%9F"), V{"张伟"});                  // 张伟 exactly
  EXPECT_EQ(ids("name_prefix=%E5%BC%A0"), (V{"张伟", "张小丽"}));        // 张…, not 李张
  EXPECT_EQ(ids("q=" + std::string(a.at("card_no").as_string())), V{"张小丽"});
  EXPECT_EQ(ids("q=" + phone), V{"张小丽"});
  EXPECT_EQ(ids("q=" + doc), V{"张小丽"});
  EXPECT_EQ(ids("q=%E6%9D%8E"), V{"李张"});
  EXPECT_TRUE(ids("phone=13000000000").empty());
  // Results are masked.
  auto r = c.get("/api/v1/patients?q=" + phone, clerk_);
  EXPECT_NE(r.json().at("items").at(0).at("id_number").as_string().find("**********"), std::string::npos);
  expect_problem(c.get("/api/v1/patients", clerk_), 400, "validation_failed", "query");
  expect_problem(c.get("/api/v1/patients?name=a&phone=1", clerk_), 400, "validation_failed", "query");
  // Each search is in the trail with the ids it showed.
  EXPECT_GE(audit_entries("patient.search", a.at("id").as_int64()), 0);
  auto trail = c.get("/api/v1/audit?limit=500", server().login("auditor"));
  int searches = 0;
  const auto trail_body = trail.json();
  for (const auto& e : trail_body.at("items").as_array())
    if (e.at("action").as_string() == "patient.search") {
      ++searches;
      EXPECT_EQ(e.at("detail").as_string().find(phone), std::string::npos);  // never the value
    }
  EXPECT_GE(searches, 10);
}

TEST_P(Patients, ShowsFullNumbersOnlyToClerksAndAuditsEachView) {
  auto p = create(registration("赵敏", "1993-09-09", true, 4, "13912345678"));
  const int64_t id = p.at("id").as_int64();
  auto c = server().client();
  const std::string path = "/api/v1/patients/" + std::to_string(id);
  auto masked = c.get(path, server().login("doctor"));
  ASSERT_EQ(masked.status, 200);
  EXPECT_EQ(masked.json().at("phone").as_string(), "139****5678");
  expect_problem(c.get(path + "?reveal=true", server().login("doctor")), 403, "forbidden");
  auto full = c.get(path + "?reveal=true", clerk_);
  ASSERT_EQ(full.status, 200);
  EXPECT_EQ(full.json().at("phone").as_string(), "13912345678");
  EXPECT_EQ(full.json().at("id_number").as_string(), resident_id("1993-09-09", true, 4));
  EXPECT_TRUE(full.json().at("revealed").as_bool());
  EXPECT_EQ(audit_entries("patient.reveal", id), 1);
  EXPECT_EQ(audit_entries("patient.read", id), 1);
  // Roles without patient work see nothing.
  for (const char* role : {"admin", "manager", "auditor"})
    expect_problem(c.get(path, server().login(role)), 403, "forbidden");
  expect_problem(c.get("/api/v1/patients/999999", clerk_), 404, "not_found");
}

TEST_P(Patients, LinksChildrenAndRefusesSelfLinksAndCycles) {
  auto mother = create(registration("孙丽", "1990-01-01", true, 1));
  auto grandma = create(registration("孙秀英", "1962-02-02", true, 2));
  const std::string mother_path = "/api/v1/patients/" + std::to_string(mother.at("id").as_int64());
  auto c = server().client();
  // A new child: her phone is her mother's when she has none.
  auto child_body = registration("孙梓涵", "2019-07-07", true, 3);
  child_body.erase("phone");
  auto r = c.post_json(mother_path + "/children", {{"child", child_body}, {"relationship", "mother"}}, clerk_);
  ASSERT_EQ(r.status, 201) << r.body;
  const int64_t child_id = r.json().at("id").as_int64();
  EXPECT_EQ(r.json().at("phone"), mother.at("phone"));
  // An existing record: grandma is the mother's guardian.
  const std::string grandma_path = "/api/v1/patients/" + std::to_string(grandma.at("id").as_int64());
  ASSERT_EQ(c.post_json(grandma_path + "/children", {{"child_id", mother.at("id")}, {"relationship", "mother"}}, clerk_)
                .status,
            200);
  expect_problem(c.post_json(grandma_path + "/children", {{"child_id", mother.at("id")}}, clerk_), 409, "already_linked");
  // Herself, and a cycle through two generations.
  expect_problem(c.post_json(mother_path + "/children", {{"child_id", mother.at("id")}}, clerk_), 400,
                 "validation_failed", "child_id");
  const std::string child_path = "/api/v1/patients/" + std::to_string(child_id);
  expect_problem(c.post_json(child_path + "/children", {{"child_id", grandma.at("id")}}, clerk_), 400,
                 "validation_failed", "child_id");
  expect_problem(c.post_json(mother_path + "/children", json::object{}, clerk_), 400, "validation_failed", "child");
  expect_problem(c.post_json(mother_path + "/children", {{"child_id", 2}, {"child", child_body}}, clerk_), 400,
                 "validation_failed", "child");
  auto bad_child = child_body;
  bad_child["name"] = "";
  expect_problem(c.post_json(mother_path + "/children", {{"child", bad_child}}, clerk_), 400, "validation_failed",
                 "child.name");

  auto family = c.get(mother_path + "/family", clerk_);
  ASSERT_EQ(family.status, 200) << family.body;
  EXPECT_EQ(family.json().at("children").as_array().size(), 1u);
  EXPECT_EQ(family.json().at("children").at(0).at("id").as_int64(), child_id);
  EXPECT_EQ(family.json().at("guardians").at(0).at("name").as_string(), "孙秀英");
}

TEST_P(Patients, UnlinksAdultsFreelyAndMinorsOnlyAsAClerksCorrection) {
  auto mother = create(registration("钱芳", "1970-01-01", true, 1));
  const std::string mp = "/api/v1/patients/" + std::to_string(mother.at("id").as_int64());
  auto c = server().client();
  auto adult = c.post_json(mp + "/children", {{"child", registration("钱明", "2000-05-05", false, 2)}}, clerk_);
  auto minor = c.post_json(mp + "/children", {{"child", registration("钱朵朵", "2015-05-05", true, 3)}}, clerk_);
  ASSERT_EQ(adult.status, 201);
  ASSERT_EQ(minor.status, 201);
  const std::string minor_unlink = mp + "/children/" + std::to_string(minor.json().at("id").as_int64()) + "/unlink";
  expect_problem(c.post_json(minor_unlink, json::object{}, clerk_), 409, "child_is_minor");
  EXPECT_EQ(c.post_json(minor_unlink, {{"reason", "linked to the wrong mother"}}, clerk_).status, 204);
  const std::string adult_unlink = mp + "/children/" + std::to_string(adult.json().at("id").as_int64()) + "/unlink";
  EXPECT_EQ(c.post_json(adult_unlink, json::object{}, clerk_).status, 204);
  expect_problem(c.post_json(adult_unlink, json::object{}, clerk_), 404, "not_found");
  EXPECT_TRUE(c.get(mp + "/family", clerk_).json().at("children").as_array().empty());
}

TEST_P(Patients, CompletesANewbornsIdentityKeepingHerRecord) {
  auto mother = create(registration("吴静", "1994-04-04", true, 1));
  const std::string mp = "/api/v1/patients/" + std::to_string(mother.at("id").as_int64());
  auto c = server().client();
  auto r = c.post_json(mp + "/newborns", {{"sex", "female"}, {"birth_date", "2026-11-17"}, {"birth_time", "06:42"}},
                       clerk_);
  ASSERT_EQ(r.status, 201) << r.body;
  const auto baby = r.json().as_object();
  const int64_t baby_id = baby.at("id").as_int64();
  EXPECT_EQ(baby.at("name").as_string(), "吴静之女");
  EXPECT_TRUE(baby.at("temporary_identity").as_bool());
  EXPECT_TRUE(baby.at("id_type").is_null());
  EXPECT_EQ(baby.at("birth_time").as_string(), "06:42");
  EXPECT_EQ(baby.at("phone"), mother.at("phone"));
  expect_problem(c.post_json(mp + "/newborns", {{"sex", "female"}, {"birth_date", "2026-11-19"}, {"birth_time", "25:00"}},
                             clerk_),
                 400, "validation_failed", "birth_time");

  const std::string bp = "/api/v1/patients/" + std::to_string(baby_id);
  // Her number must match her date of birth and sex.
  expect_problem(c.post_json(bp + "/identity", {{"id_number", resident_id("2026-11-17", false)}}, clerk_), 400,
                 "validation_failed", "id_number");
  auto done = c.post_json(bp + "/identity", {{"name", "吴雨桐"}, {"id_number", resident_id("2026-11-17", true)}}, clerk_);
  ASSERT_EQ(done.status, 200) << done.body;
  EXPECT_EQ(done.json().at("id").as_int64(), baby_id);
  EXPECT_EQ(done.json().at("name").as_string(), "吴雨桐");
  EXPECT_FALSE(done.json().at("temporary_identity").as_bool());
  EXPECT_EQ(done.json().at("card_no"), baby.at("card_no"));
  expect_problem(c.post_json(bp + "/identity", {{"id_number", resident_id("2026-11-17", true, 5)}}, clerk_), 409,
                 "identity_complete");
  // A birth certificate number is accepted too.
  auto twin = c.post_json(mp + "/newborns", {{"sex", "male"}, {"birth_date", "2026-11-17"}, {"birth_time", "06:44"}},
                          clerk_);
  const std::string tp = "/api/v1/patients/" + std::to_string(twin.json().at("id").as_int64());
  EXPECT_EQ(c.post_json(tp + "/identity", {{"id_type", "birth_certificate"}, {"id_number", "P510012345"}}, clerk_).status,
            200);
  EXPECT_EQ(c.get(mp + "/family", clerk_).json().at("children").as_array().size(), 2u);
}

TEST_P(Patients, MergesADuplicateMovingItsFamilyAndLeavingAPointer) {
  auto survivor = create(registration("郑丽", "1989-12-12", true, 1));
  auto dup_body = registration("郑丽", "1989-12-12", true, 2);
  dup_body["confirmed_not_duplicate"] = true;
  auto duplicate = create(dup_body);
  const int64_t sid = survivor.at("id").as_int64(), did = duplicate.at("id").as_int64();
  const std::string sp = "/api/v1/patients/" + std::to_string(sid), dp = "/api/v1/patients/" + std::to_string(did);
  auto c = server().client();
  auto child = c.post_json(dp + "/children", {{"child", registration("郑一诺", "2020-01-01", true, 3)}}, clerk_);
  ASSERT_EQ(child.status, 201);
  auto old_card = c.get(dp + "/card", clerk_).json().at("qr");

  expect_problem(c.post_json(sp + "/merge", {{"merged_id", sid}}, clerk_), 400, "validation_failed", "merged_id");
  expect_problem(c.post_json(sp + "/merge", {{"merged_id", "x"}}, clerk_), 400, "validation_failed", "merged_id");
  expect_problem(c.post_json(sp + "/merge", {{"merged_id", did}}, server().login("triage_nurse")), 403, "forbidden");
  auto merged = c.post_json(sp + "/merge", {{"merged_id", did}, {"reason", "registered twice"}}, clerk_);
  ASSERT_EQ(merged.status, 200) << merged.body;

  auto pointer = c.get(dp, clerk_);
  ASSERT_EQ(pointer.status, 200);
  EXPECT_EQ(pointer.json().at("status").as_string(), "merged");
  EXPECT_EQ(pointer.json().at("merged_into").as_int64(), sid);
  auto family = c.get(sp + "/family", clerk_).json();
  ASSERT_EQ(family.at("children").as_array().size(), 1u);
  EXPECT_EQ(family.at("children").at(0).at("id"), child.json().at("id"));
  expect_problem(c.post_json(sp + "/merge", {{"merged_id", did}}, clerk_), 409, "already_merged");
  expect_problem(c.post_json(dp + "/merge", {{"merged_id", sid}}, clerk_), 409, "already_merged");
  // The merged record's card is replaced and says where to go.
  auto scan = c.post_json("/api/v1/cards/resolve", {{"qr", old_card}}, clerk_);
  expect_problem(scan, 422, "card_replaced", "qr");
  EXPECT_EQ(scan.json().at("merged_into").as_int64(), sid);
  EXPECT_EQ(audit_entries("patient.merge", did), 1);
  EXPECT_EQ(audit_entries("patient.merge", sid), 1);
  // The merged record is out of search results.
  EXPECT_EQ(c.get("/api/v1/patients?name=%E9%83%91%E4%B8%BD", clerk_).json().at("items").as_array().size(), 1u);
}

TEST_P(Patients, ResolvesECardsAndRefusesForgedExpiredAndReplacedOnes) {
  auto p = create(registration("冯雪", "1996-06-06", true, 1));
  const std::string pp = "/api/v1/patients/" + std::to_string(p.at("id").as_int64());
  auto c = server().client();
  auto card = c.get(pp + "/card", clerk_);
  ASSERT_EQ(card.status, 200) << card.body;
  EXPECT_EQ(card.header("cache-control"), "no-store");
  const std::string qr(card.json().at("qr").as_string());
  EXPECT_EQ(qr.find(resident_id("1996-06-06", true, 1)), std::string::npos);
  EXPECT_EQ(card.json().at("card_no"), p.at("card_no"));

  auto nurse = server().login("triage_nurse");
  auto found = c.post_json("/api/v1/cards/resolve", {{"qr", qr}}, nurse);
  ASSERT_EQ(found.status, 200) << found.body;
  EXPECT_EQ(found.json().at("id"), p.at("id"));

  std::string forged = qr;
  forged[4] = forged[4] == '9' ? '8' : '9';  // another patient id
  expect_problem(c.post_json("/api/v1/cards/resolve", {{"qr", forged}}, nurse), 422, "card_forged", "qr");
  expect_problem(c.post_json("/api/v1/cards/resolve", {{"qr", "510107199606060021"}}, nurse), 422, "card_forged", "qr");

  auto reissued = c.post_json(pp + "/card/reissue", {{"reason", "phone lost"}}, clerk_);
  ASSERT_EQ(reissued.status, 200) << reissued.body;
  EXPECT_EQ(reissued.json().at("version").as_int64(), 2);
  expect_problem(c.post_json("/api/v1/cards/resolve", {{"qr", qr}}, nurse), 422, "card_replaced", "qr");
  const std::string fresh(reissued.json().at("qr").as_string());
  EXPECT_EQ(c.post_json("/api/v1/cards/resolve", {{"qr", fresh}}, nurse).status, 200);

  server().clock().advance(std::chrono::hours(25));
  nurse = server().login("triage_nurse");  // the shift's session ended too
  expect_problem(c.post_json("/api/v1/cards/resolve", {{"qr", fresh}}, nurse), 422, "card_expired", "qr");
  clerk_ = server().login("clerk");

  auto svg = c.get(pp + "/card.svg", clerk_);
  EXPECT_EQ(svg.status, 200);
  EXPECT_EQ(svg.header("content-type"), "image/svg+xml");
  auto png = c.get(pp + "/card.png", clerk_);
  EXPECT_EQ(png.header("content-type"), "image/png");
  EXPECT_EQ(png.body.substr(1, 3), "PNG");
}

TEST_P(Patients, UpdatesContactDetailsWithTheSameRules) {
  auto p = create(registration("韩梅", "1991-11-11", true, 1));
  const std::string pp = "/api/v1/patients/" + std::to_string(p.at("id").as_int64());
  auto c = server().client();
  auto r = c.patch_json(pp, {{"phone", "+86 186 0000 1111"}, {"allergies", "青霉素"}}, clerk_);
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(r.json().at("phone").as_string(), "186****1111");
  EXPECT_EQ(r.json().at("allergies").as_string(), "青霉素");
  expect_problem(c.patch_json(pp, {{"phone", "12345"}}, clerk_), 400, "validation_failed", "phone");
  expect_problem(c.patch_json(pp, {{"id_number", "x"}}, clerk_), 400, "validation_failed", "id_number");
  expect_problem(c.patch_json(pp, {{"name", "\xF0\x9F\x98\x80"}}, clerk_), 400, "validation_failed", "name");
  EXPECT_EQ(c.get(pp + "?reveal=true", clerk_).json().at("phone").as_string(), "18600001111");
}

INSTANTIATE_TEST_SUITE_P(Backends, Patients, ::testing::ValuesIn(all_backends()),
                         [](const auto& info) { return backend_param_name(info.param); });

}  // namespace
}  // namespace stork::testing
