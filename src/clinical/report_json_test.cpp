#include "clinical/report_json.hpp"

#include <gtest/gtest.h>

#include <boost/json.hpp>
#include <string>

#include "interop/hl7_message.hpp"
#include "interop/hl7_samples.hpp"

namespace stork::clinical {
namespace {

namespace json = boost::json;
namespace samples = interop::samples;

const std::string kLabBody =
    R"({"message_id":"LIS-0001","kind":"lab_report",)"
    R"("patient":{"card_no":"900000000421","id_number":"110101199003078515"},"interpreter":"lina",)"
    R"("service":{"code":"CBC","text":"Complete blood count"},"accession":"LAB-778812",)"
    R"("results":[{"code":"718-7","name":"Hemoglobin","value":"98","numeric":98,"unit":"g/L",)"
    R"("reference_range":"110-150","abnormal_flags":["L"],"abnormal":true,"status":"F"}],)"
    R"("conclusion":"Mild anaemia"})";

// The fields named by the refusal of `body`.
std::vector<std::string> refused_fields(const std::string& body) {
  auto r = report_from_json(body);
  EXPECT_FALSE(r.has_value()) << body;
  std::vector<std::string> out;
  if (r) return out;
  EXPECT_EQ(r.error().code, "validation_failed");
  for (const auto& f : r.error().fields) out.push_back(f.field);
  return out;
}

// kLabBody with `edit` applied.
template <class Edit>
std::string body_with(Edit edit) {
  json::value v = json::parse(kLabBody);
  edit(v.as_object());
  return json::serialize(v);
}

// ---- REST --------------------------------------------------------------------------

TEST(ReportJson, ReadsEveryField) {
  auto r = report_from_json(kLabBody);
  ASSERT_TRUE(r.has_value()) << r.error().message;
  EXPECT_EQ(r->message_key, "rest|LIS-0001");
  EXPECT_EQ(r->kind, DocumentKind::lab_report);
  EXPECT_EQ(r->card_no, "900000000421");
  EXPECT_EQ(r->id_number, "110101199003078515");
  EXPECT_EQ(r->interpreter, "lina");
  EXPECT_EQ(r->source, "rest");
}

TEST(ReportJson, PassesTheRestOnAsContent) {
  auto r = report_from_json(kLabBody);
  ASSERT_TRUE(r.has_value());
  json::value content = json::parse(r->content_json);
  const auto& o = content.as_object();
  for (auto envelope : {"message_id", "kind", "patient", "interpreter"})
    EXPECT_FALSE(o.contains(envelope)) << envelope;
  EXPECT_EQ(o.at("accession").as_string(), "LAB-778812");
  EXPECT_EQ(o.at("conclusion").as_string(), "Mild anaemia");
  auto normalized = normalize_content(DocumentKind::lab_report, r->content_json);
  EXPECT_TRUE(normalized.has_value()) << normalized.error().message;
}

TEST(ReportJson, AcceptsAnExamReportByIdentityNumberAlone) {
  auto r = report_from_json(
      R"({"message_id":"US-9","kind":"exam_report","patient":{"id_number":"110101199003078515"},)"
      R"("service":{"code":"US-OB","text":"Obstetric ultrasound"},"findings":"Single live fetus"})");
  ASSERT_TRUE(r.has_value()) << r.error().message;
  EXPECT_EQ(r->kind, DocumentKind::exam_report);
  EXPECT_EQ(r->card_no, "");
  EXPECT_EQ(r->id_number, "110101199003078515");
  EXPECT_EQ(r->interpreter, "");
  EXPECT_TRUE(normalize_content(DocumentKind::exam_report, r->content_json).has_value());
}

TEST(ReportJson, NamesAMissingMessageId) {
  EXPECT_EQ(refused_fields(body_with([](json::object& o) { o.erase("message_id"); })),
            std::vector<std::string>{"message_id"});
}

TEST(ReportJson, NamesAMissingKind) {
  EXPECT_EQ(refused_fields(body_with([](json::object& o) { o.erase("kind"); })),
            std::vector<std::string>{"kind"});
}

TEST(ReportJson, RefusesKindsThatAreNotReports) {
  EXPECT_EQ(refused_fields(body_with([](json::object& o) { o["kind"] = "prescription"; })),
            std::vector<std::string>{"kind"});
}

TEST(ReportJson, NamesAMissingPatient) {
  EXPECT_EQ(refused_fields(body_with([](json::object& o) { o.erase("patient"); })),
            std::vector<std::string>{"patient"});
}

TEST(ReportJson, NamesAPatientWithoutCardOrIdentityNumber) {
  EXPECT_EQ(refused_fields(body_with([](json::object& o) {
              o["patient"] = json::object{{"name", "Wang Fang"}};
            })),
            std::vector<std::string>{"patient"});
}

TEST(ReportJson, NamesEveryMissingEnvelopeFieldAtOnce) {
  EXPECT_EQ(refused_fields(R"({"results":[]})"),
            (std::vector<std::string>{"kind", "message_id", "patient"}));
}

TEST(ReportJson, NamesTheBodyWhenItIsNotAnObject) {
  EXPECT_EQ(refused_fields("[1]"), std::vector<std::string>{"body"});
  EXPECT_EQ(refused_fields("{oops"), std::vector<std::string>{"body"});
}

TEST(ReportJson, LeavesUnknownContentFieldsToNormalizeContent) {
  auto r = report_from_json(body_with([](json::object& o) { o["colour"] = "red"; }));
  ASSERT_TRUE(r.has_value());
  auto normalized = normalize_content(r->kind, r->content_json);
  ASSERT_FALSE(normalized.has_value());
  ASSERT_EQ(normalized.error().fields.size(), 1u);
  EXPECT_EQ(normalized.error().fields[0].field, "content.colour");
}

// ---- HL7 ORU^R01 ----------------------------------------------------------------------

interop::OruReport oru_of(const std::string& text) {
  auto msg = interop::Hl7Message::parse(text);
  EXPECT_TRUE(msg.has_value()) << (msg ? "" : msg.error().text());
  if (!msg) return {};
  auto oru = interop::map_oru(*msg);
  EXPECT_TRUE(oru.has_value()) << (oru ? "" : oru.error().text());
  return oru ? *oru : interop::OruReport{};
}

IncomingReport report_of(const std::string& text) {
  auto r = report_from_oru(oru_of(text));
  EXPECT_TRUE(r.has_value()) << (r ? "" : r.error().message);
  return r ? *r : IncomingReport{};
}

json::object content_of(const IncomingReport& in) {
  json::value v = json::parse(in.content_json);
  return v.as_object();
}

// 2026-11-27 07:15:00 +08:00, OBR-7 of the sample.
constexpr int64_t kSpecimenTakenMs = 1795734900000;

TEST(ReportJsonFromOru, KeysTheMessageBySenderFacilityAndControlId) {
  IncomingReport in = report_of(samples::cbc());
  EXPECT_EQ(in.message_key, "hl7|LIS|MCH|LAB20261127000123");
  EXPECT_EQ(in.source, "hl7");
  EXPECT_EQ(in.kind, DocumentKind::lab_report);
}

TEST(ReportJsonFromOru, PicksTheCardAndResidentIdentityNumbers) {
  IncomingReport in = report_of(samples::cbc());
  EXPECT_EQ(in.card_no, "900000000421");
  EXPECT_EQ(in.id_number, "110101199003078515");
}

TEST(ReportJsonFromOru, LeavesTheCardEmptyWhenOnlyAResidentIdIsSent) {
  IncomingReport in = report_of(
      samples::join({samples::kMsh, "PID|1||110101199003078515^^^CHN^NNCHN||Wang^Fang||19900307|F",
                     samples::kObr, samples::kHgb}));
  EXPECT_EQ(in.card_no, "");
  EXPECT_EQ(in.id_number, "110101199003078515");
}

TEST(ReportJsonFromOru, TakesTheServiceAccessionAndTimeFromTheOrder) {
  json::object c = content_of(report_of(samples::cbc()));
  EXPECT_EQ(c.at("service").at("code").as_string(), "CBC");
  EXPECT_EQ(c.at("service").at("text").as_string(), "Complete blood count");
  EXPECT_EQ(c.at("accession").as_string(), "LAB-778812");
  EXPECT_EQ(c.at("observed_at").to_number<int64_t>(), kSpecimenTakenMs);
}

TEST(ReportJsonFromOru, MapsEachObservationWithUnitRangeFlagsAndNumber) {
  json::object c = content_of(report_of(samples::cbc()));
  const auto& results = c.at("results").as_array();
  ASSERT_EQ(results.size(), 3u);
  const auto& hgb = results[0].as_object();
  EXPECT_EQ(hgb.at("code").as_string(), "718-7");
  EXPECT_EQ(hgb.at("name").as_string(), "Hemoglobin");
  EXPECT_EQ(hgb.at("value").as_string(), "98");
  EXPECT_EQ(hgb.at("numeric").to_number<double>(), 98.0);
  EXPECT_EQ(hgb.at("unit").as_string(), "g/L");
  EXPECT_EQ(hgb.at("reference_range").as_string(), "110-150");
  EXPECT_EQ(json::serialize(hgb.at("abnormal_flags")), R"(["L"])");
  EXPECT_EQ(hgb.at("abnormal").as_bool(), true);
  EXPECT_EQ(hgb.at("status").as_string(), "F");
  const auto& wbc = results[1].as_object();
  EXPECT_EQ(wbc.at("numeric").to_number<double>(), 12.6);
  EXPECT_EQ(wbc.at("unit").as_string(), "10*9/L");
  EXPECT_EQ(json::serialize(wbc.at("abnormal_flags")), R"(["H"])");
  EXPECT_TRUE(wbc.at("abnormal").as_bool());
  const auto& plt = results[2].as_object();
  EXPECT_EQ(json::serialize(plt.at("abnormal_flags")), R"(["N"])");
  EXPECT_FALSE(plt.at("abnormal").as_bool());
}

TEST(ReportJsonFromOru, KeepsNotesOnAResultWithThatResult) {
  json::object c = content_of(report_of(samples::cbc()));
  const auto& results = c.at("results").as_array();
  ASSERT_EQ(results.size(), 3u);
  EXPECT_EQ(json::serialize(results[2].at("notes")), R"(["Specimen slightly haemolysed"])");
  EXPECT_FALSE(results[0].as_object().contains("notes"));
  EXPECT_FALSE(c.contains("conclusion"));
}

TEST(ReportJsonFromOru, JoinsNotesOnTheOrderIntoTheConclusion) {
  json::object c = content_of(
      report_of(samples::join({samples::kMsh, samples::kPid, samples::kObr,
                               "NTE|1|L|Fasting sample", "NTE|2|L|Mild anaemia", samples::kHgb})));
  EXPECT_EQ(c.at("conclusion").as_string(), "Fasting sample\nMild anaemia");
}

TEST(ReportJsonFromOru, LeavesOutTheNumberOfATextResult) {
  json::object c = content_of(report_of(samples::join(
      {samples::kMsh, samples::kPid, samples::kObr, "OBX|1|ST|5196-1^HBsAg^LN||Negative||||||F"})));
  const auto& r = c.at("results").as_array().at(0).as_object();
  EXPECT_EQ(r.at("value").as_string(), "Negative");
  EXPECT_FALSE(r.contains("numeric"));
}

TEST(ReportJsonFromOru, ProducesContentThatNormalizesAsALabReport) {
  IncomingReport in = report_of(samples::cbc());
  auto normalized = normalize_content(DocumentKind::lab_report, in.content_json);
  ASSERT_TRUE(normalized.has_value()) << normalized.error().message;
  EXPECT_EQ(abnormal_count(DocumentKind::lab_report, *normalized), 2);
}

TEST(ReportJsonFromOru, GathersTheResultsOfEveryOrder) {
  IncomingReport in = report_of(samples::join(
      {samples::kMsh, samples::kPid, samples::kObr, samples::kHgb,
       "OBR|2|ORD-5522^HIS|LAB-778813^LIS|GLU^Glucose^LN|||20261127071500", "NTE|1|L|Second order",
       "OBX|1|NM|2345-7^Glucose^LN||5.1|mmol/L|3.9-6.1|N|||F"}));
  json::object c = content_of(in);
  EXPECT_EQ(c.at("service").at("code").as_string(), "CBC");
  EXPECT_EQ(c.at("results").as_array().size(), 2u);
  EXPECT_EQ(c.at("conclusion").as_string(), "Second order");
  EXPECT_TRUE(normalize_content(DocumentKind::lab_report, in.content_json).has_value());
}

TEST(ReportJsonFromOru, MakesAnExamReportFromTextOnlyObservations) {
  // An ultrasound sent as TX findings and impression is an examination report.
  IncomingReport in = report_of(samples::join(
      {samples::kMsh, samples::kPid,
       "OBR|1|ORD-6001^HIS|US-2001^PACS|US-OB^Obstetric ultrasound^L|||20261127071500",
       "OBX|1|TX|59776-5^Findings^LN||Single live intrauterine fetus||||||F",
       "OBX|2|TX|19005-8^Impression^LN||Normal growth||||||F"}));
  EXPECT_EQ(in.kind, DocumentKind::exam_report);
  auto normalized = normalize_content(DocumentKind::exam_report, in.content_json);
  EXPECT_TRUE(normalized.has_value()) << in.content_json;
}

}  // namespace
}  // namespace stork::clinical
