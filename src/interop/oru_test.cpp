#include "interop/oru.hpp"

#include <gtest/gtest.h>

#include <string>

#include "interop/hl7_samples.hpp"

namespace stork::interop {
namespace {

using samples::join;

Hl7Result<OruReport> map_text(const std::string& text) {
  auto msg = Hl7Message::parse(text);
  if (!msg) return hl7_fail(msg.error());
  return map_oru(*msg);
}

OruReport mapped(const std::string& text) {
  auto report = map_text(text);
  EXPECT_TRUE(report.has_value()) << (report ? "" : report.error().text());
  return report ? *report : OruReport{};
}

Hl7Error refused(const std::string& text) {
  auto report = map_text(text);
  EXPECT_FALSE(report.has_value());
  return report ? Hl7Error{} : report.error();
}

// 2026-11-27 07:15:00 +08:00.
constexpr int64_t kSpecimenTakenMs = 1795734900000;

TEST(OruMapping, MapsTheHeaderAndThePatient) {
  const OruReport r = mapped(samples::cbc());
  EXPECT_EQ(r.control_id, "LAB20261127000123");
  EXPECT_EQ(r.sending_application, "LIS");
  EXPECT_EQ(r.sending_facility, "MCH");
  EXPECT_EQ(r.version, "2.5.1");
  EXPECT_EQ(r.processing_id, "P");
  ASSERT_EQ(r.patient.identifiers.size(), 2u);
  const PatientIdentifier* card = r.patient.first(IdentifierKind::card);
  ASSERT_NE(card, nullptr);
  EXPECT_EQ(card->id, "900000000421");
  EXPECT_EQ(card->assigning_authority, "MCH");
  const PatientIdentifier* resident = r.patient.first(IdentifierKind::resident_id);
  ASSERT_NE(resident, nullptr);
  EXPECT_EQ(resident->id, "110101199003078515");
  EXPECT_EQ(resident->type_code, "NNCHN");
  EXPECT_EQ(r.patient.first(IdentifierKind::other), nullptr);
  EXPECT_EQ(r.patient.family_name, "Wang");
  EXPECT_EQ(r.patient.given_name, "Fang");
  EXPECT_EQ(r.patient.birth_date, "19900307");
  EXPECT_EQ(r.patient.sex, "F");
}

TEST(OruMapping, MapsTheOrderAndEveryResult) {
  const OruReport r = mapped(samples::cbc());
  ASSERT_EQ(r.orders.size(), 1u);
  const OruOrder& o = r.orders[0];
  EXPECT_EQ(o.placer_number, "ORD-5521");
  EXPECT_EQ(o.filler_number, "LAB-778812");
  EXPECT_EQ(o.service.code, "CBC");
  EXPECT_EQ(o.service.text, "Complete blood count");
  EXPECT_EQ(o.service.system, "LN");
  EXPECT_EQ(o.observed_at, "20261127071500");
  EXPECT_EQ(o.observed_ms, kSpecimenTakenMs);
  EXPECT_EQ(o.result_status, "F");
  EXPECT_EQ(o.interpreter, "D0042");
  ASSERT_EQ(o.observations.size(), 3u);

  const OruObservation& hgb = o.observations[0];
  EXPECT_EQ(hgb.set_id, 1);
  EXPECT_EQ(hgb.value_type, "NM");
  EXPECT_EQ(hgb.observation.code, "718-7");
  EXPECT_EQ(hgb.observation.text, "Hemoglobin");
  EXPECT_EQ(hgb.value, "98");
  EXPECT_EQ(hgb.numeric, 98.0);
  EXPECT_EQ(hgb.units, "g/L");
  EXPECT_EQ(hgb.reference_range, "110-150");
  EXPECT_EQ(hgb.abnormal_flags, std::vector<std::string>{"L"});
  EXPECT_TRUE(hgb.abnormal);
  EXPECT_EQ(hgb.status, "F");
  EXPECT_EQ(hgb.observed_ms, kSpecimenTakenMs + 45 * 60 * 1000);

  const OruObservation& wbc = o.observations[1];
  EXPECT_EQ(wbc.numeric, 12.6);
  EXPECT_EQ(wbc.units, "10*9/L");
  EXPECT_EQ(wbc.abnormal_flags, std::vector<std::string>{"H"});
  EXPECT_TRUE(wbc.abnormal);

  const OruObservation& plt = o.observations[2];
  EXPECT_EQ(plt.observation.text, "Platelets");
  EXPECT_EQ(plt.numeric, 210.0);
  EXPECT_FALSE(plt.abnormal);
  EXPECT_EQ(plt.notes, std::vector<std::string>{"Specimen slightly haemolysed"});
}

TEST(OruMapping, ReadsStructuredNumbersTextAndCodedValues) {
  const OruReport r = mapped(join({samples::kMsh, samples::kPid, samples::kObr,
                                   "OBX|1|SN|5196-1^HBsAg^LN||<^0.05|IU/mL|<0.05|N|||F",
                                   "OBX|2|SN|5370-2^Titer^LN||^1^:^128||||||F",
                                   "OBX|3|TX|11502-2^Comment^LN||Line one~Line two||||||F",
                                   "OBX|4|CWE|882-1^ABO^LN||A^Group A^LN||||||F",
                                   "OBX|5|NM|718-7^Hemoglobin^LN||||||||X"}));
  const auto& obs = r.orders[0].observations;
  ASSERT_EQ(obs.size(), 5u);
  EXPECT_EQ(obs[0].value, "<0.05");
  EXPECT_FALSE(obs[0].numeric.has_value());
  EXPECT_EQ(obs[1].value, "1:128");
  EXPECT_FALSE(obs[1].numeric.has_value());
  EXPECT_EQ(obs[2].value, "Line one\nLine two");
  EXPECT_EQ(obs[3].value, "Group A");
  // "Cannot obtain" needs no value.
  EXPECT_EQ(obs[4].value, "");
  EXPECT_EQ(obs[4].status, "X");
}

TEST(OruMappingRefuses, AMessageWithoutPid) {
  const Hl7Error e = refused(join({samples::kMsh, samples::kObr, samples::kHgb}));
  EXPECT_EQ(e.code, "hl7_segment_missing");
  EXPECT_EQ(e.where.text(), "PID");
  EXPECT_FALSE(e.reject);
  EXPECT_EQ(e.text(), "PID: the PID segment is missing");
}

TEST(OruMappingRefuses, AFinalResultWithoutValue) {
  const Hl7Error e =
      refused(join({samples::kMsh, samples::kPid, samples::kObr, samples::kHgb,
                    "OBX|2|NM|6690-2^Leukocytes^LN|||10*9/L|4.0-10.0||||F", samples::kPlt}));
  EXPECT_EQ(e.code, "hl7_value_missing");
  EXPECT_EQ(e.where.text(), "OBX[2]-5");
  EXPECT_EQ(e.where.occurrence, 2);
  EXPECT_EQ(e.condition, Hl7Condition::required_field_missing);
  EXPECT_FALSE(e.reject);
}

TEST(OruMappingRefuses, AnUnknownValueType) {
  const Hl7Error e = refused(join({samples::kMsh, samples::kPid, samples::kObr,
                                   "OBX|1|ED|PDF^Report||^AP^PDF^Base64^JVBE||||||F"}));
  EXPECT_EQ(e.code, "hl7_unknown_value_type");
  EXPECT_EQ(e.where.text(), "OBX-2");
}

TEST(OruMappingRefuses, ContentFaultsNamingTheField) {
  const auto cbc_with = [](const std::string& from, const std::string& to) {
    std::string s = samples::cbc();
    s.replace(s.find(from), from.size(), to);
    return s;
  };
  struct Case {
    std::string from, to, code, where;
  };
  const Case cases[] = {
      {"||12.6|", "||12,6|", "hl7_bad_value", "OBX[2]-5"},
      {"|H|||F|", "|HIGH|||F|", "hl7_unknown_code", "OBX[2]-8"},
      {"|N|||F|", "|N|||Q|", "hl7_unknown_code", "OBX[3]-11"},
      {"|N|||F|||20261127080000", "|N|||F|||20261345", "hl7_bad_time", "OBX[3]-14"},
      {"|||20261127071500|", "|||yesterday|", "hl7_bad_time", "OBR-7"},
      {"|||F|||||||D0042", "|||Q|||||||D0042", "hl7_unknown_code", "OBR-25"},
      {"|ORD-5521^HIS|LAB-778812^LIS|CBC", "|||CBC", "hl7_field_missing", "OBR-3"},
      {"CBC^Complete blood count^LN", "", "hl7_field_missing", "OBR-4"},
      {"900000000421^^^MCH^CARD~110101199003078515^^^CHN^NNCHN", "", "hl7_field_missing", "PID-3"},
      {"OBX|1|NM|718-7^Hemoglobin^LN", "OBX|1||718-7^Hemoglobin^LN", "hl7_field_missing",
       "OBX[1]-2"},
  };
  for (const Case& c : cases) {
    const Hl7Error e = refused(cbc_with(c.from, c.to));
    EXPECT_EQ(e.code, c.code) << c.to;
    EXPECT_EQ(e.where.text(), c.where) << c.to;
  }
}

TEST(OruMappingRefuses, ResultsBeforeTheirOrder) {
  const Hl7Error e = refused(join({samples::kMsh, samples::kPid, samples::kHgb, samples::kObr}));
  EXPECT_EQ(e.code, "hl7_segment_order");
  EXPECT_EQ(e.where.text(), "OBX");
  EXPECT_EQ(refused(join({samples::kMsh, samples::kPid})).where.text(), "OBR");
}

TEST(OruMappingRefuses, ATruncatedLastResult) {
  std::string cut =
      join({samples::kMsh, samples::kPid, samples::kObr, samples::kHgb, samples::kWbc});
  cut += samples::kPlt.substr(0, samples::kPlt.find("|||F"));
  const Hl7Error e = refused(cut);
  EXPECT_EQ(e.code, "hl7_field_missing");
  EXPECT_EQ(e.where.text(), "OBX[3]-11");
}

TEST(OruMappingRefuses, OtherMessageTypesAsRejects) {
  std::string adt = samples::cbc();
  adt.replace(adt.find("ORU^R01^ORU_R01"), 15, "ADT^A01^ADT_A01");
  Hl7Error e = refused(adt);
  EXPECT_EQ(e.code, "hl7_unsupported_message");
  EXPECT_TRUE(e.reject);
  EXPECT_EQ(e.where.text(), "MSH-9.1");
  std::string r30 = samples::cbc();
  r30.replace(r30.find("ORU^R01"), 7, "ORU^R30");
  e = refused(r30);
  EXPECT_EQ(e.condition, Hl7Condition::unsupported_event);
  EXPECT_EQ(e.where.text(), "MSH-9.2");
}

TEST(OruMappingRefuses, TextThatIsNotUtf8) {
  std::string gb = samples::cbc();
  gb.replace(gb.find("Wang^Fang"), 9, "\xCD\xF5^\xB7\xBC");
  Hl7Error e = refused(gb);
  EXPECT_EQ(e.code, "hl7_invalid_utf8");
  EXPECT_EQ(e.where.text(), "PID-5");
  gb.replace(gb.find("UNICODE UTF-8"), 13, "GB 18030");
  e = refused(gb);
  EXPECT_EQ(e.code, "hl7_unsupported_charset");
  EXPECT_EQ(e.where.text(), "MSH-18");
  // Real UTF-8 Chinese passes.
  std::string utf8 = samples::cbc();
  utf8.replace(utf8.find("Wang^Fang"), 9, "\xE7\x8E\x8B^\xE8\x8A\xB3");
  EXPECT_EQ(mapped(utf8).patient.family_name, "\xE7\x8E\x8B");
}

TEST(OruMappingRefuses, MoreThanOnePatient) {
  const Hl7Error e =
      refused(join({samples::kMsh, samples::kPid, samples::kObr, samples::kPid, samples::kObr}));
  EXPECT_EQ(e.code, "hl7_unsupported");
  EXPECT_EQ(e.where.text(), "PID[2]");
}

// Regression: repetitions were read by rescanning the field for each one,
// quadratic in a 1 MiB field; this input took minutes.
TEST(OruMapping, ReadsManyRepetitionsInOnePass) {
  std::string ids;
  for (int i = 0; i < 50000; ++i) ids += "9" + std::to_string(i) + "^^^MCH^CARD~";
  const OruReport r = mapped(join({samples::kMsh, "PID|1||" + ids, samples::kObr, samples::kHgb}));
  ASSERT_EQ(r.patient.identifiers.size(), 50000u);
  EXPECT_EQ(r.patient.identifiers.back().id, "949999");
}

TEST(Hl7Time, ParsesHl7DateTimesToUtc) {
  EXPECT_EQ(parse_hl7_time("20261127071500", 480), kSpecimenTakenMs);
  EXPECT_EQ(parse_hl7_time("20261126231500+0000", 480), kSpecimenTakenMs);
  EXPECT_EQ(parse_hl7_time("20261127071500.25+0800", 0), kSpecimenTakenMs + 250);
  EXPECT_EQ(parse_hl7_time("202611270715", 480), kSpecimenTakenMs);
  EXPECT_EQ(parse_hl7_time("20261127", 0), 1795737600000 - 0);
  for (const char* bad : {"", "2026", "20261131", "20261127246000", "20261127071500+08",
                          "20261127071500.", "2026112707150x", "20261127071500.12345"})
    EXPECT_FALSE(parse_hl7_time(bad, 480).has_value()) << bad;
}

}  // namespace
}  // namespace stork::interop
