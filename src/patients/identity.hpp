#pragma once
// The rules of identity data: PRC resident identity numbers (GB 11643-1999),
// other documents, mainland mobile numbers, names, and e-card numbers.
// Pure functions, no I/O; each returns every rule broken so a form can show
// them all at once.
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/civil_date.hpp"
#include "core/error.hpp"

namespace stork::patients {

enum class Sex { female, male };
std::string_view sex_name(Sex s);
std::optional<Sex> parse_sex(std::string_view text);

enum class IdType {
  resident_id,                  // 居民身份证, 18 characters, validated fully
  passport,
  hk_macao_permit,              // 港澳居民来往内地通行证
  taiwan_permit,                // 台湾居民来往大陆通行证
  foreign_permanent_residence,  // 外国人永久居留身份证
  birth_certificate,            // 出生医学证明编号
};
std::string_view id_type_name(IdType t);
std::optional<IdType> parse_id_type(std::string_view text);

// Upper-cases and drops spaces: the form used for storage and lookup.
std::string normalize_id_number(std::string_view id);

// GB 11643 check character of the first 17 digits ('0'..'9' or 'X').
char resident_id_check_char(std::string_view first17);

// Every rule a resident identity number breaks, named on `field`: length,
// characters, province, date of birth (real, not in the future, equal to
// birth_date when given), sex digit (equal to sex when given), check char.
std::vector<FieldError> check_resident_id(std::string_view id, std::optional<CivilDate> birth_date,
                                          std::optional<Sex> sex, CivilDate today,
                                          std::string_view field = "id_number");

// Document numbers of the other types: length and character rules.
std::vector<FieldError> check_document(IdType type, std::string_view id, std::string_view field = "id_number");

// Digits only, with an optional +86/86 prefix removed. Foreign numbers keep
// a leading '+'.
std::string normalize_phone(std::string_view phone);
// A mainland mobile number (11 digits, 1[3-9]…) unless foreign, then
// E.164 (+ and 7 to 15 digits).
std::vector<FieldError> check_phone(std::string_view normalized, bool foreign,
                                    std::string_view field = "phone");

// 1 to 50 characters of Chinese, Latin letters, spaces and the name
// punctuation "·.-'"; no control characters, no emoji. Trims spaces.
std::vector<FieldError> check_name(std::string_view name, std::string_view field = "name");
std::string trim_spaces(std::string_view s);

// E-card numbers: "9" + the patient id in 10 digits + a Luhn check digit.
std::string card_number_for(int64_t patient_id);
bool card_number_valid(std::string_view card_no);

}  // namespace stork::patients
