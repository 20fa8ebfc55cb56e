#include "clinical/content.hpp"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace stork::clinical {
namespace {

// Valid content of each kind, for tests that change one member.
const std::string kRecord =
    R"({"complaint":"Thirst, 28 weeks pregnant","history":"G2P1","examination":"BP 118/76",)"
    R"("diagnoses":[{"code":"O24.4","text":"Gestational diabetes"}],"plan":"Diet, glucose diary"})";

std::string prescription_with(const std::string& second_item_members) {
  return R"({"items":[{"drug":"Ferrous succinate","strength":"100 mg","dose":1,"dose_unit":"tablet",)"
         R"("route":"oral","frequency":"tid","days":14,"quantity":42,"unit":"tablet"},)"
         R"({"drug":"Folic acid","strength":"0.4 mg","dose_unit":"tablet","route":"oral",)"
         R"("frequency":"qd","unit":"tablet")" +
         second_item_members + "}]}";
}
const std::string kPrescription = prescription_with(R"(,"dose":1,"days":30,"quantity":30)");

const std::string kLabReport =
    R"({"service":{"code":"CBC","text":"Complete blood count"},"accession":"LAB-778812",)"
    R"("observed_at":1795734900000,"results":[)"
    R"({"code":"718-7","name":"Hemoglobin","value":"98","numeric":98,"unit":"g/L",)"
    R"("reference_range":"110-150","abnormal_flags":["L"],"abnormal":true,"status":"F"},)"
    R"({"code":"6690-2","name":"Leukocytes","value":"12.6","numeric":12.6,"unit":"10*9/L",)"
    R"("reference_range":"4.0-10.0","abnormal_flags":["H"],"abnormal":true,"status":"F"},)"
    R"({"code":"777-3","name":"Platelets","value":"210","numeric":210,"unit":"10*9/L",)"
    R"("reference_range":"100-300","abnormal_flags":["N"],"abnormal":false,"status":"F"}],)"
    R"("conclusion":"Mild anaemia"})";

const std::string kExamReport =
    R"({"service":{"code":"US-OB","text":"Obstetric ultrasound"},"accession":"US-1",)"
    R"("findings":"Single live intrauterine fetus","impression":"Normal growth"})";

// The refusal of content expected to be refused.
Error refusal(DocumentKind kind, const std::string& json) {
  auto r = normalize_content(kind, json);
  EXPECT_FALSE(r.has_value()) << "accepted: " << json;
  return r ? Error{} : r.error();
}

// The message given for `field`, or "(not named)".
std::string message_for(const Error& e, std::string_view field) {
  for (const auto& f : e.fields)
    if (f.field == field) return f.message;
  return "(not named)";
}

bool names(const Error& e, std::string_view field) {
  return message_for(e, field) != "(not named)";
}

void expect_accepted(DocumentKind kind, const std::string& json) {
  auto r = normalize_content(kind, json);
  EXPECT_TRUE(r.has_value()) << json.substr(0, 200) << "\n-> " << (r ? "" : r.error().message);
}

// ---- record ------------------------------------------------------------------

TEST(ContentRecord, AcceptsACompleteRecord) { expect_accepted(DocumentKind::record, kRecord); }

TEST(ContentRecord, RequiresAComplaint) {
  Error e = refusal(DocumentKind::record, R"({"diagnoses":[{"code":"O80","text":"Delivery"}]})");
  EXPECT_EQ(e.code, "validation_failed");
  EXPECT_EQ(message_for(e, "content.complaint"), "is required");
}

TEST(ContentRecord, RefusesAnEmptyComplaint) {
  Error e = refusal(DocumentKind::record,
                    R"({"complaint":"","diagnoses":[{"code":"O80","text":"Delivery"}]})");
  EXPECT_EQ(message_for(e, "content.complaint"), "is required");
}

TEST(ContentRecord, RequiresAtLeastOneDiagnosis) {
  EXPECT_TRUE(
      names(refusal(DocumentKind::record, R"({"complaint":"Cough"})"), "content.diagnoses"));
  EXPECT_TRUE(names(refusal(DocumentKind::record, R"({"complaint":"Cough","diagnoses":[]})"),
                    "content.diagnoses"));
}

TEST(ContentRecord, NamesTheDiagnosisWhoseCodeIsNotIcd10) {
  Error e = refusal(DocumentKind::record,
                    R"({"complaint":"Cough","diagnoses":[{"code":"not-a-code","text":"Cough"}]})");
  EXPECT_NE(message_for(e, "content.diagnoses[0].code").find("ICD-10"), std::string::npos)
      << e.message;
}

TEST(ContentRecord, NamesTheSecondDiagnosisWhenOnlyItIsBad) {
  Error e = refusal(DocumentKind::record,
                    R"({"complaint":"Cough","diagnoses":[{"code":"J20.9","text":"Bronchitis"},)"
                    R"({"code":"j06","text":"URTI"}]})");
  EXPECT_TRUE(names(e, "content.diagnoses[1].code"));
  EXPECT_FALSE(names(e, "content.diagnoses[0].code"));
}

TEST(ContentRecord, RequiresTheTextOfADiagnosis) {
  Error e =
      refusal(DocumentKind::record, R"({"complaint":"Cough","diagnoses":[{"code":"J20.9"}]})");
  EXPECT_EQ(message_for(e, "content.diagnoses[0].text"), "is required");
}

TEST(ContentRecord, RefusesAnUnknownMember) {
  Error e = refusal(DocumentKind::record,
                    R"({"complaint":"Cough","diagnoses":[{"code":"J20.9","text":"B"}],)"
                    R"("mood":"fine"})");
  EXPECT_EQ(message_for(e, "content.mood"), "unknown field");
}

TEST(ContentRecord, RefusesAnUnknownMemberInsideADiagnosis) {
  Error e =
      refusal(DocumentKind::record,
              R"({"complaint":"Cough","diagnoses":[{"code":"J20.9","text":"B","severity":3}]})");
  EXPECT_EQ(message_for(e, "content.diagnoses[0].severity"), "unknown field");
}

TEST(ContentRecord, RefusesTextOver4000Characters) {
  const std::string long_plan(4001, 'x');
  Error e = refusal(DocumentKind::record,
                    R"({"complaint":"Cough","diagnoses":[{"code":"J20.9","text":"B"}],)"
                    R"("plan":")" +
                        long_plan + R"("})");
  EXPECT_EQ(message_for(e, "content.plan"), "is longer than 4000 characters");
}

TEST(ContentRecord, AcceptsTextOfExactly4000Characters) {
  const std::string plan(4000, 'x');
  expect_accepted(DocumentKind::record,
                  R"({"complaint":"Cough","diagnoses":[{"code":"J20.9","text":"B"}],"plan":")" +
                      plan + R"("})");
}

TEST(ContentRecord, CountsChineseTextInCharactersNotBytes) {
  // The limit is in characters, as the error says, not UTF-8 bytes.
  std::string plan;
  for (int i = 0; i < 2000; ++i) plan += "糖";  // 2,000 characters, 6,000 bytes
  expect_accepted(
      DocumentKind::record,
      R"({"complaint":"口渴","diagnoses":[{"code":"O24.4","text":"妊娠期糖尿病"}],"plan":")" +
          plan + R"("})");
}

TEST(ContentRecord, RefusesANumberWhereTextBelongs) {
  Error e = refusal(DocumentKind::record,
                    R"({"complaint":42,"diagnoses":[{"code":"J20.9","text":"B"}]})");
  EXPECT_EQ(message_for(e, "content.complaint"), "must be text");
}

TEST(ContentRecord, NamesEveryBadFieldAtOnce) {
  Error e = refusal(DocumentKind::record, R"({"diagnoses":[{"code":"x"}],"extra":1})");
  EXPECT_TRUE(names(e, "content.complaint"));
  EXPECT_TRUE(names(e, "content.diagnoses[0].code"));
  EXPECT_TRUE(names(e, "content.diagnoses[0].text"));
  EXPECT_TRUE(names(e, "content.extra"));
}

TEST(ContentRecord, RefusesContentThatIsNotAJsonObject) {
  EXPECT_EQ(refusal(DocumentKind::record, "{not json").fields.at(0).field, "content");
  EXPECT_EQ(refusal(DocumentKind::record, "[1,2]").fields.at(0).field, "content");
}

// ---- prescription --------------------------------------------------------------

TEST(ContentPrescription, AcceptsACompletePrescription) {
  expect_accepted(DocumentKind::prescription, kPrescription);
}

TEST(ContentPrescription, RequiresAtLeastOneItem) {
  EXPECT_TRUE(names(refusal(DocumentKind::prescription, R"({"items":[]})"), "content.items"));
  EXPECT_TRUE(names(refusal(DocumentKind::prescription, R"({"note":"n"})"), "content.items"));
}

TEST(ContentPrescription, RefusesMoreThanTwentyItems) {
  std::string items;
  for (int i = 0; i < 21; ++i)
    items +=
        std::string(i ? "," : "") +
        R"({"drug":"D","strength":"1 mg","dose":1,"dose_unit":"t","route":"oral","frequency":"qd",)"
        R"("days":1,"quantity":1,"unit":"t"})";
  EXPECT_TRUE(
      names(refusal(DocumentKind::prescription, R"({"items":[)" + items + "]}"), "content.items"));
}

TEST(ContentPrescription, RequiresEachFieldOfAnItemByName) {
  Error e = refusal(DocumentKind::prescription, R"({"items":[{}]})");
  for (auto field :
       {"drug", "strength", "dose", "dose_unit", "route", "frequency", "days", "quantity", "unit"})
    EXPECT_EQ(message_for(e, std::string("content.items[0].") + field), "is required") << field;
}

TEST(ContentPrescription, RefusesAZeroDoseNamingTheItem) {
  Error e = refusal(DocumentKind::prescription,
                    prescription_with(R"(,"dose":0,"days":30,"quantity":30)"));
  EXPECT_EQ(message_for(e, "content.items[1].dose"), "must be greater than zero");
  EXPECT_FALSE(names(e, "content.items[0].dose"));
}

TEST(ContentPrescription, RefusesANegativeDose) {
  Error e = refusal(DocumentKind::prescription,
                    prescription_with(R"(,"dose":-0.5,"days":30,"quantity":30)"));
  EXPECT_EQ(message_for(e, "content.items[1].dose"), "must be greater than zero");
}

TEST(ContentPrescription, RefusesADoseThatIsNotANumber) {
  Error e = refusal(DocumentKind::prescription,
                    prescription_with(R"(,"dose":"1","days":30,"quantity":30)"));
  EXPECT_EQ(message_for(e, "content.items[1].dose"), "must be a number");
}

TEST(ContentPrescription, AcceptsAFractionalDose) {
  expect_accepted(DocumentKind::prescription,
                  prescription_with(R"(,"dose":0.5,"days":30,"quantity":15)"));
}

TEST(ContentPrescription, RefusesDaysThatAreNotWhole) {
  Error e = refusal(DocumentKind::prescription,
                    prescription_with(R"(,"dose":1,"days":2.5,"quantity":30)"));
  EXPECT_EQ(message_for(e, "content.items[1].days"), "must be a whole number");
}

TEST(ContentPrescription, RefusesZeroDays) {
  Error e =
      refusal(DocumentKind::prescription, prescription_with(R"(,"dose":1,"days":0,"quantity":30)"));
  EXPECT_EQ(message_for(e, "content.items[1].days"), "must be greater than zero");
}

TEST(ContentPrescription, RefusesANegativeQuantity) {
  Error e = refusal(DocumentKind::prescription,
                    prescription_with(R"(,"dose":1,"days":30,"quantity":-30)"));
  EXPECT_EQ(message_for(e, "content.items[1].quantity"), "must be greater than zero");
}

TEST(ContentPrescription, RefusesAnUnknownMemberOfAnItem) {
  Error e = refusal(DocumentKind::prescription,
                    prescription_with(R"(,"dose":1,"days":30,"quantity":30,"price":12.5)"));
  EXPECT_EQ(message_for(e, "content.items[1].price"), "unknown field");
}

TEST(ContentPrescription, RefusesAnItemThatIsNotAnObject) {
  Error e = refusal(DocumentKind::prescription, R"({"items":["aspirin"]})");
  EXPECT_EQ(message_for(e, "content.items[0]"), "must be an object");
}

TEST(ContentPrescription, RefusesRecordMembers) {
  Error e = refusal(DocumentKind::prescription, R"({"complaint":"Cough","items":[]})");
  EXPECT_EQ(message_for(e, "content.complaint"), "unknown field");
}

// ---- reports ---------------------------------------------------------------------

TEST(ContentLabReport, AcceptsACompleteLabReport) {
  expect_accepted(DocumentKind::lab_report, kLabReport);
}

TEST(ContentLabReport, RequiresTheServiceCode) {
  Error e = refusal(DocumentKind::lab_report,
                    R"({"service":{"text":"CBC"},"results":[{"code":"718-7"}]})");
  EXPECT_EQ(message_for(e, "content.service.code"), "is required");
  EXPECT_TRUE(names(refusal(DocumentKind::lab_report, R"({"results":[{"code":"718-7"}]})"),
                    "content.service"));
}

TEST(ContentLabReport, RequiresAtLeastOneResultWithACode) {
  EXPECT_TRUE(names(refusal(DocumentKind::lab_report, R"({"service":{"code":"CBC"},"results":[]})"),
                    "content.results"));
  Error e =
      refusal(DocumentKind::lab_report, R"({"service":{"code":"CBC"},"results":[{"name":"Hb"}]})");
  EXPECT_EQ(message_for(e, "content.results[0].code"), "is required");
}

TEST(ContentLabReport, RefusesFlagsThatAreNotAListOfText) {
  Error e =
      refusal(DocumentKind::lab_report,
              R"({"service":{"code":"CBC"},"results":[{"code":"718-7","abnormal_flags":"L"}]})");
  EXPECT_EQ(message_for(e, "content.results[0].abnormal_flags"), "must be a list of text");
}

TEST(ContentLabReport, RefusesAbnormalThatIsNotABoolean) {
  Error e = refusal(DocumentKind::lab_report,
                    R"({"service":{"code":"CBC"},"results":[{"code":"718-7","abnormal":"yes"}]})");
  EXPECT_EQ(message_for(e, "content.results[0].abnormal"), "must be true or false");
}

TEST(ContentLabReport, RefusesANegativeObservationTime) {
  Error e = refusal(DocumentKind::lab_report,
                    R"({"service":{"code":"CBC"},"observed_at":-1,"results":[{"code":"718-7"}]})");
  EXPECT_EQ(message_for(e, "content.observed_at"), "must not be negative");
}

TEST(ContentExamReport, AcceptsACompleteExamReport) {
  expect_accepted(DocumentKind::exam_report, kExamReport);
}

TEST(ContentExamReport, RequiresFindings) {
  Error e = refusal(DocumentKind::exam_report, R"({"service":{"code":"US-OB"}})");
  EXPECT_EQ(message_for(e, "content.findings"), "is required");
}

TEST(ContentExamReport, RefusesLabResults) {
  Error e = refusal(DocumentKind::exam_report,
                    R"({"service":{"code":"US"},"findings":"f","results":[]})");
  EXPECT_EQ(message_for(e, "content.results"), "unknown field");
}

// ---- ICD-10 ------------------------------------------------------------------------

TEST(ContentIcd10, AcceptsCodesWithAndWithoutASubcategory) {
  for (auto code : {"O24.4", "Z34.0", "O80", "A09", "O24.1234", "C4A"})
    EXPECT_TRUE(is_icd10_code(code)) << code;
}

TEST(ContentIcd10, RefusesMalformedCodes) {
  for (auto code : {"o24.4", "24.4", "O2", "O24.", "O24.12345", "", "O244", "O24-4", "O24.4 "})
    EXPECT_FALSE(is_icd10_code(code)) << code;
}

// ---- canonical output ----------------------------------------------------------------

TEST(ContentCanonical, GivesIdenticalBytesForTwoSpellingsOfTheSameContent) {
  const std::string a =
      R"({"items":[{"drug":"Folic acid","strength":"0.4 mg","dose":1,"dose_unit":"tablet","route":"oral",)"
      R"("frequency":"qd","days":30,"quantity":30,"unit":"tablet"}],"note":"with food"})";
  const std::string b =
      "{ \"note\" : \"with food\",\n  \"items\": [ "
      "{\"unit\":\"tablet\",\"quantity\":3.0e1,\"days\":30.0,"
      "\"frequency\":\"qd\",\"route\":\"oral\",\"dose_unit\":\"tablet\",\"dose\":1.000,"
      "\"strength\":\"0.4 mg\","
      "\"drug\":\"Folic acid\"} ] }";
  auto ca = normalize_content(DocumentKind::prescription, a);
  auto cb = normalize_content(DocumentKind::prescription, b);
  ASSERT_TRUE(ca.has_value() && cb.has_value());
  EXPECT_EQ(*ca, *cb);
}

TEST(ContentCanonical, SortsMembersAndDropsWhitespace) {
  auto c = normalize_content(DocumentKind::exam_report,
                             R"({ "findings": "f", "service": {"text": "US", "code": "U1"} })");
  ASSERT_TRUE(c.has_value());
  EXPECT_EQ(*c, R"({"findings":"f","service":{"code":"U1","text":"US"}})");
}

TEST(ContentCanonical, IsAFixedPoint) {
  auto once = normalize_content(DocumentKind::lab_report, kLabReport);
  ASSERT_TRUE(once.has_value());
  auto twice = normalize_content(DocumentKind::lab_report, *once);
  ASSERT_TRUE(twice.has_value());
  EXPECT_EQ(*once, *twice);
}

// ---- abnormal_count -------------------------------------------------------------------

TEST(ContentAbnormalCount, CountsResultsFlaggedAbnormal) {
  auto c = normalize_content(DocumentKind::lab_report, kLabReport);
  ASSERT_TRUE(c.has_value());
  EXPECT_EQ(abnormal_count(DocumentKind::lab_report, *c), 2);
}

TEST(ContentAbnormalCount, IsZeroForOtherKindsAndUnreadableContent) {
  EXPECT_EQ(abnormal_count(DocumentKind::record, kLabReport), 0);
  EXPECT_EQ(abnormal_count(DocumentKind::exam_report, kLabReport), 0);
  EXPECT_EQ(abnormal_count(DocumentKind::lab_report, "not json"), 0);
  EXPECT_EQ(abnormal_count(DocumentKind::lab_report, R"({"results":"none"})"), 0);
}

// ---- kinds ----------------------------------------------------------------------------

TEST(ContentKinds, RoundTripNamesAndMapToFhirResources) {
  for (auto k : {DocumentKind::record, DocumentKind::prescription, DocumentKind::lab_report,
                 DocumentKind::exam_report})
    EXPECT_EQ(parse_kind(kind_name(k)), k);
  EXPECT_FALSE(parse_kind("letter").has_value());
  EXPECT_EQ(fhir_resource(DocumentKind::record), "Composition");
  EXPECT_EQ(fhir_resource(DocumentKind::prescription), "MedicationRequest");
  EXPECT_EQ(fhir_resource(DocumentKind::lab_report), "DiagnosticReport");
  EXPECT_EQ(fhir_resource(DocumentKind::exam_report), "DiagnosticReport");
  EXPECT_TRUE(is_report(DocumentKind::exam_report));
  EXPECT_FALSE(is_report(DocumentKind::prescription));
}

}  // namespace
}  // namespace stork::clinical
