// The identity rules: every clause of GB 11643, documents, phones, names,
// e-card numbers and the calendar helpers beneath them.
#include "patients/identity.hpp"

#include <gtest/gtest.h>

#include <set>

namespace stork::patients {
namespace {

const CivilDate kToday{2026, 11, 18};

// 11010519491231002X: the standard's own worked example (female, X check).
constexpr const char* kExample = "11010519491231002X";

std::string with_check(std::string first17) {
  first17.push_back(resident_id_check_char(first17));
  return first17;
}

bool names(const std::vector<FieldError>& errors, std::string_view field, std::string_view words) {
  for (const auto& e : errors)
    if (e.field == field && e.message.find(words) != std::string::npos) return true;
  return false;
}

TEST(ResidentId, AcceptsTheStandardsExampleWithXCheck) {
  EXPECT_EQ(resident_id_check_char("11010519491231002"), 'X');
  EXPECT_TRUE(check_resident_id(kExample, CivilDate{1949, 12, 31}, Sex::female, kToday).empty());
}

TEST(ResidentId, ComputesEveryCheckCharacterValue) {
  // Seventeen digits chosen so the weighted sum walks through all 11 residues.
  std::set<char> seen;
  for (int seq = 0; seq < 200; ++seq) {
    char buf[18];
    std::snprintf(buf, sizeof buf, "51010419900101%03d", seq);
    const std::string id = with_check(buf);
    seen.insert(id[17]);
    EXPECT_TRUE(check_resident_id(id, std::nullopt, std::nullopt, kToday).empty()) << id;
  }
  EXPECT_EQ(seen.size(), 11u);
}

TEST(ResidentId, RefusesAWrongCheckCharacterNamingTheExpectedOne) {
  auto errors = check_resident_id("110105194912310021", std::nullopt, std::nullopt, kToday);
  EXPECT_TRUE(names(errors, "id_number", "expected X")) << errors.at(0).message;
}

TEST(ResidentId, RefusesSeventeenAndNineteenCharacters) {
  EXPECT_TRUE(names(check_resident_id("11010519491231002", {}, {}, kToday), "id_number", "18 characters, got 17"));
  EXPECT_TRUE(names(check_resident_id("11010519491231002X1", {}, {}, kToday), "id_number", "18 characters, got 19"));
}

TEST(ResidentId, RefusesLettersInTheWrongPlace) {
  EXPECT_TRUE(names(check_resident_id("1101051949123100X2", {}, {}, kToday), "id_number", "character 17"));
  EXPECT_TRUE(names(check_resident_id("A1010519491231002X", {}, {}, kToday), "id_number", "character 1 "));
  EXPECT_TRUE(names(check_resident_id("11010519491231002Y", {}, {}, kToday), "id_number", "digit or X"));
}

TEST(ResidentId, RefusesAnImpossibleDate) {
  const std::string id = with_check("11010119900230002");  // 30 February
  EXPECT_TRUE(names(check_resident_id(id, {}, {}, kToday), "id_number", "not a real date"));
  const std::string leap = with_check("11010120000229002");  // 2000 was a leap year
  EXPECT_TRUE(check_resident_id(leap, {}, {}, kToday).empty());
}

TEST(ResidentId, RefusesAFutureDateOfBirth) {
  const std::string id = with_check("11010120271118002");
  EXPECT_TRUE(names(check_resident_id(id, {}, {}, kToday), "id_number", "in the future"));
}

TEST(ResidentId, RefusesADateOfBirthDifferentFromTheOneGiven) {
  auto errors = check_resident_id(kExample, CivilDate{1949, 12, 30}, {}, kToday);
  EXPECT_TRUE(names(errors, "id_number", "differs from birth_date"));
}

TEST(ResidentId, RefusesASexDigitThatContradictsTheSexGiven) {
  EXPECT_TRUE(names(check_resident_id(kExample, {}, Sex::male, kToday), "id_number", "sex digit says female"));
  const std::string male = with_check("11010519491231001");
  EXPECT_TRUE(check_resident_id(male, {}, Sex::male, kToday).empty());
}

TEST(ResidentId, RefusesAnUnknownProvince) {
  const std::string id = with_check("99010519491231002");
  EXPECT_TRUE(names(check_resident_id(id, {}, {}, kToday), "id_number", "not a known province"));
}

TEST(ResidentId, ReportsEveryBrokenRuleAtOnce) {
  // Unknown province, date mismatch, sex mismatch and a wrong check char.
  auto errors = check_resident_id("990105194912310021", CivilDate{1950, 1, 1}, Sex::male, kToday);
  EXPECT_EQ(errors.size(), 4u);
}

TEST(Documents, CheckTheShapeOfEachType) {
  EXPECT_TRUE(check_document(IdType::passport, "E12345678").empty());
  EXPECT_FALSE(check_document(IdType::passport, "E1").empty());
  EXPECT_TRUE(check_document(IdType::hk_macao_permit, "H12345678").empty());
  EXPECT_FALSE(check_document(IdType::hk_macao_permit, "X12345678").empty());
  EXPECT_TRUE(check_document(IdType::taiwan_permit, "12345678").empty());
  EXPECT_TRUE(check_document(IdType::birth_certificate, "O510012345").empty());
  EXPECT_FALSE(check_document(IdType::birth_certificate, "5100123456").empty());
  EXPECT_FALSE(check_document(IdType::passport, "E123 45678").empty());
  EXPECT_EQ(normalize_id_number(" 11010519491231002x "), kExample);
}

TEST(Phones, AcceptMainlandMobilesInCommonSpellings) {
  for (const char* raw : {"13812345678", "138 1234 5678", "+86 138-1234-5678", "8613812345678"}) {
    const auto p = normalize_phone(raw);
    EXPECT_EQ(p, "13812345678") << raw;
    EXPECT_TRUE(check_phone(p, false).empty()) << raw;
  }
}

TEST(Phones, RefuseTenDigitsLandlinesAndLetters) {
  EXPECT_TRUE(names(check_phone("1381234567", false), "phone", "11 digits, got 10"));
  EXPECT_TRUE(names(check_phone("02812345678", false), "phone", "starts with 13 to 19"));
  EXPECT_TRUE(names(check_phone("1381234567a", false), "phone", "only digits"));
}

TEST(Phones, AcceptForeignNumbersOnlyWhenMarkedForeign) {
  EXPECT_TRUE(check_phone("+85291234567", true).empty());
  EXPECT_FALSE(check_phone("85291234567", true).empty());
  EXPECT_FALSE(check_phone("+85291234567", false).empty());
}

TEST(Names, AcceptChineseLatinAndMinorityNames) {
  for (const char* n : {"张小丽", "欧阳娜娜", "Anna Müller", "阿依古丽·买买提", "O'Neil", "张丽之女"})
    EXPECT_TRUE(check_name(n).empty()) << n;
}

TEST(Names, RefuseEmptyTooLongControlAndEmoji) {
  EXPECT_TRUE(names(check_name("   "), "name", "required"));
  EXPECT_TRUE(names(check_name(std::string(200, 'a')), "name", "at most 50"));
  EXPECT_TRUE(names(check_name("张\x01丽"), "name", "control character"));
  EXPECT_TRUE(names(check_name("张丽\xF0\x9F\x98\x80"), "name", "emoji"));  // 😀
  EXPECT_TRUE(names(check_name("张丽\xE2\x9D\xA4"), "name", "emoji"));      // ❤
  EXPECT_TRUE(names(check_name("\xC3\x28"), "name", "UTF-8"));
  EXPECT_TRUE(names(check_name("Robert'); DROP TABLE patients;--"), "name", "not part of a name"));
  EXPECT_TRUE(names(check_name("123"), "name", "not part of a name"));
}

TEST(CardNumbers, CarryALuhnCheckDigitThatCatchesOneDigitChanged) {
  const std::string card = card_number_for(42);
  EXPECT_EQ(card.size(), 12u);
  EXPECT_TRUE(card_number_valid(card));
  for (size_t i = 1; i < card.size(); ++i) {
    std::string changed = card;
    changed[i] = changed[i] == '9' ? '0' : static_cast<char>(changed[i] + 1);
    EXPECT_FALSE(card_number_valid(changed)) << changed;
  }
  EXPECT_NE(card_number_for(42), card_number_for(43));
}

TEST(CivilDates, ParseOnlyRealDates) {
  EXPECT_TRUE(parse_date("2024-02-29"));
  EXPECT_FALSE(parse_date("2023-02-29"));
  EXPECT_FALSE(parse_date("2023-13-01"));
  EXPECT_FALSE(parse_date("2023-1-01"));
  EXPECT_FALSE(parse_date("19900101"));
  EXPECT_EQ(format_date(*parse_date("2026-11-18")), "2026-11-18");
}

TEST(CivilDates, CountAgesInWholeYearsAndTheLocalDate) {
  EXPECT_EQ(age_in_years({2008, 11, 19}, {2026, 11, 18}), 17);
  EXPECT_EQ(age_in_years({2008, 11, 18}, {2026, 11, 18}), 18);
  // 2026-11-18T16:30Z is already the 19th in Shanghai.
  EXPECT_EQ(local_date(1'795'019'400'000, 480), (CivilDate{2026, 11, 19}));
  EXPECT_EQ(local_date(1'795'019'400'000, 0), (CivilDate{2026, 11, 18}));
  EXPECT_EQ(*utc_offset_minutes("Asia/Shanghai"), 480);
  EXPECT_EQ(*utc_offset_minutes("-05:30"), -330);
  EXPECT_FALSE(utc_offset_minutes("Mars/Olympus"));
}

}  // namespace
}  // namespace stork::patients
