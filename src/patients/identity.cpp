#include "patients/identity.hpp"

#include <algorithm>
#include <array>
#include <cstdio>

namespace stork::patients {
namespace {

bool is_digit(char c) { return c >= '0' && c <= '9'; }
bool is_upper_alnum(char c) { return is_digit(c) || (c >= 'A' && c <= 'Z'); }

// Province-level codes of GB/T 2260 (first two digits of a resident id),
// with 71 Taiwan and 81/82/83 for residence permits of Hong Kong, Macao and
// Taiwan residents.
constexpr std::array<int, 35> kProvinceCodes = {
    11, 12, 13, 14, 15, 21, 22, 23, 31, 32, 33, 34, 35, 36, 37, 41, 42, 43,
    44, 45, 46, 50, 51, 52, 53, 54, 61, 62, 63, 64, 65, 71, 81, 82, 83};

// Decodes one UTF-8 code point; returns 0 bytes consumed on malformed input.
size_t decode_utf8(std::string_view s, size_t i, char32_t& cp) {
  const auto b = static_cast<unsigned char>(s[i]);
  size_t n = b < 0x80 ? 1 : (b >> 5) == 0x6 ? 2 : (b >> 4) == 0xE ? 3 : (b >> 3) == 0x1E ? 4 : 0;
  if (n == 0 || i + n > s.size()) return 0;
  cp = n == 1 ? b : n == 2 ? (b & 0x1F) : n == 3 ? (b & 0x0F) : (b & 0x07);
  for (size_t k = 1; k < n; ++k) {
    const auto c = static_cast<unsigned char>(s[i + k]);
    if ((c >> 6) != 0x2) return 0;
    cp = (cp << 6) | (c & 0x3F);
  }
  static constexpr char32_t kMin[] = {0, 0, 0x80, 0x800, 0x10000};
  if (cp < kMin[n] || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) return 0;
  return n;
}

bool is_han(char32_t c) {
  return (c >= 0x4E00 && c <= 0x9FFF) || (c >= 0x3400 && c <= 0x4DBF) || (c >= 0x20000 && c <= 0x2EBEF) ||
         (c >= 0x30000 && c <= 0x3134F) || (c >= 0xF900 && c <= 0xFAFF) || c == 0x3007;  // 〇
}

bool is_latin_letter(char32_t c) {
  return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= 0xC0 && c <= 0x24F && c != 0xD7 && c != 0xF7);
}

// Separators used inside names: space, the middle dots of ethnic-minority
// and foreign names (阿依古丽·买买提), period, hyphen, apostrophe.
bool is_name_punct(char32_t c) {
  return c == ' ' || c == 0xB7 || c == 0x30FB || c == 0x2022 || c == '.' || c == '-' || c == '\'';
}

bool is_emoji_or_symbol(char32_t c) {
  return (c >= 0x1F000 && c <= 0x1FAFF) || (c >= 0x2600 && c <= 0x27BF) || c == 0xFE0F || c == 0x200D ||
         (c >= 0x2B00 && c <= 0x2BFF) || (c >= 0xE0000 && c <= 0xE007F);
}

}  // namespace

std::string_view sex_name(Sex s) { return s == Sex::female ? "female" : "male"; }

std::optional<Sex> parse_sex(std::string_view t) {
  if (t == "female") return Sex::female;
  if (t == "male") return Sex::male;
  return std::nullopt;
}

namespace {
constexpr std::array<std::pair<IdType, std::string_view>, 6> kIdTypes = {{
    {IdType::resident_id, "resident_id"},
    {IdType::passport, "passport"},
    {IdType::hk_macao_permit, "hk_macao_permit"},
    {IdType::taiwan_permit, "taiwan_permit"},
    {IdType::foreign_permanent_residence, "foreign_permanent_residence"},
    {IdType::birth_certificate, "birth_certificate"},
}};
}  // namespace

std::string_view id_type_name(IdType t) {
  for (auto [type, name] : kIdTypes)
    if (type == t) return name;
  return "resident_id";
}

std::optional<IdType> parse_id_type(std::string_view text) {
  for (auto [type, name] : kIdTypes)
    if (name == text) return type;
  return std::nullopt;
}

std::string normalize_id_number(std::string_view id) {
  std::string out;
  for (char c : id) {
    if (c == ' ' || c == '\t') continue;
    out.push_back(c >= 'a' && c <= 'z' ? static_cast<char>(c - 'a' + 'A') : c);
  }
  return out;
}

char resident_id_check_char(std::string_view first17) {
  static constexpr std::array<int, 17> kWeights = {7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2};
  static constexpr std::string_view kCheck = "10X98765432";
  int sum = 0;
  for (size_t i = 0; i < 17; ++i) sum += (first17[i] - '0') * kWeights[i];
  return kCheck[static_cast<size_t>(sum % 11)];
}

std::vector<FieldError> check_resident_id(std::string_view id, std::optional<CivilDate> birth_date,
                                          std::optional<Sex> sex, CivilDate today, std::string_view field) {
  std::vector<FieldError> errors;
  auto add = [&](std::string message) { errors.push_back({std::string(field), std::move(message)}); };
  if (id.size() != 18) {
    add("a resident identity number has 18 characters, got " + std::to_string(id.size()));
    return errors;
  }
  for (size_t i = 0; i < 17; ++i)
    if (!is_digit(id[i])) {
      add("character " + std::to_string(i + 1) + " must be a digit");
      return errors;
    }
  if (!is_digit(id[17]) && id[17] != 'X') {
    add("the last character must be a digit or X");
    return errors;
  }
  const int province = (id[0] - '0') * 10 + (id[1] - '0');
  if (std::find(kProvinceCodes.begin(), kProvinceCodes.end(), province) == kProvinceCodes.end())
    add("the region code " + std::string(id.substr(0, 2)) + " is not a known province");
  const auto born = parse_compact_date(id.substr(6, 8));
  if (!born) {
    add("the date of birth " + std::string(id.substr(6, 8)) + " is not a real date");
  } else if (*born > today) {
    add("the date of birth " + format_date(*born) + " is in the future");
  } else if (born->year < 1880) {
    add("the date of birth " + format_date(*born) + " is too far in the past");
  } else if (birth_date && *born != *birth_date) {
    add("the date of birth in the number (" + format_date(*born) + ") differs from birth_date (" +
        format_date(*birth_date) + ")");
  }
  const bool male = (id[16] - '0') % 2 == 1;
  if (sex && (*sex == Sex::male) != male)
    add(std::string("the sex digit says ") + (male ? "male" : "female") + " but sex is " +
        std::string(sex_name(*sex)));
  const char expected = resident_id_check_char(id.substr(0, 17));
  if (id[17] != expected)
    add(std::string("the check character is wrong (expected ") + expected + ", got " + id[17] + ")");
  return errors;
}

std::vector<FieldError> check_document(IdType type, std::string_view id, std::string_view field) {
  std::vector<FieldError> errors;
  auto add = [&](std::string message) { errors.push_back({std::string(field), std::move(message)}); };
  if (type == IdType::resident_id) return errors;  // check_resident_id does it
  const bool ok_chars = !id.empty() && std::all_of(id.begin(), id.end(), is_upper_alnum);
  if (!ok_chars) {
    add("may contain only letters and digits");
    return errors;
  }
  switch (type) {
    case IdType::passport:
      if (id.size() < 5 || id.size() > 20) add("a passport number has 5 to 20 characters");
      break;
    case IdType::hk_macao_permit:
      // H or M followed by 8 or 10 digits.
      if ((id[0] != 'H' && id[0] != 'M') || (id.size() != 9 && id.size() != 11) ||
          !std::all_of(id.begin() + 1, id.end(), is_digit))
        add("a Hong Kong/Macao permit number is H or M followed by 8 or 10 digits");
      break;
    case IdType::taiwan_permit:
      if ((id.size() != 8 && id.size() != 10) || !std::all_of(id.begin(), id.end(), is_digit))
        add("a Taiwan permit number has 8 or 10 digits");
      break;
    case IdType::foreign_permanent_residence:
      if (id.size() != 15 && id.size() != 18) add("a permanent residence card number has 15 or 18 characters");
      break;
    case IdType::birth_certificate:
      // One letter followed by 9 digits (出生医学证明编号).
      if (id.size() != 10 || id[0] < 'A' || id[0] > 'Z' || !std::all_of(id.begin() + 1, id.end(), is_digit))
        add("a birth certificate number is one letter followed by 9 digits");
      break;
    case IdType::resident_id:
      break;
  }
  return errors;
}

std::string normalize_phone(std::string_view phone) {
  std::string out;
  for (char c : phone) {
    if (c == ' ' || c == '-' || c == '(' || c == ')') continue;
    out.push_back(c);
  }
  if (out.starts_with("+86")) out.erase(0, 3);
  else if (out.size() == 13 && out.starts_with("86")) out.erase(0, 2);
  return out;
}

std::vector<FieldError> check_phone(std::string_view p, bool foreign, std::string_view field) {
  std::vector<FieldError> errors;
  auto add = [&](std::string message) { errors.push_back({std::string(field), std::move(message)}); };
  if (foreign) {
    const bool ok = p.size() >= 8 && p.size() <= 16 && p[0] == '+' &&
                    std::all_of(p.begin() + 1, p.end(), is_digit);
    if (!ok) add("a foreign number is + and 7 to 15 digits with its country code");
    return errors;
  }
  if (!std::all_of(p.begin(), p.end(), is_digit)) {
    add("a mainland mobile number has only digits");
  } else if (p.size() != 11) {
    add("a mainland mobile number has 11 digits, got " + std::to_string(p.size()));
  } else if (p[0] != '1' || p[1] < '3') {
    add("a mainland mobile number starts with 13 to 19");
  }
  return errors;
}

std::string trim_spaces(std::string_view s) {
  const auto b = s.find_first_not_of(" \t");
  if (b == std::string_view::npos) return {};
  const auto e = s.find_last_not_of(" \t");
  return std::string(s.substr(b, e - b + 1));
}

std::vector<FieldError> check_name(std::string_view raw, std::string_view field) {
  std::vector<FieldError> errors;
  auto add = [&](std::string message) { errors.push_back({std::string(field), std::move(message)}); };
  const std::string name = trim_spaces(raw);
  if (name.empty()) {
    add("is required");
    return errors;
  }
  size_t count = 0;
  bool has_letter = false;
  for (size_t i = 0; i < name.size();) {
    char32_t cp = 0;
    const size_t n = decode_utf8(name, i, cp);
    if (n == 0) {
      add("is not valid UTF-8");
      return errors;
    }
    i += n;
    ++count;
    if (cp < 0x20 || (cp >= 0x7F && cp < 0xA0)) {
      add("contains a control character");
      return errors;
    }
    if (is_emoji_or_symbol(cp)) {
      add("contains an emoji or symbol");
      return errors;
    }
    if (is_han(cp) || is_latin_letter(cp)) {
      has_letter = true;
    } else if (!is_name_punct(cp)) {
      add("contains a character that is not part of a name");
      return errors;
    }
  }
  if (count > 50) add("must be at most 50 characters, got " + std::to_string(count));
  else if (!has_letter) add("must contain letters");
  return errors;
}

std::string card_number_for(int64_t patient_id) {
  std::array<char, 16> body{};
  std::snprintf(body.data(), body.size(), "9%010lld", static_cast<long long>(patient_id % 10000000000LL));
  std::string digits(body.data());
  // Luhn: double every second digit from the right of the payload.
  int sum = 0;
  bool twice = true;
  for (auto it = digits.rbegin(); it != digits.rend(); ++it, twice = !twice) {
    int d = *it - '0';
    if (twice) d = d * 2 > 9 ? d * 2 - 9 : d * 2;
    sum += d;
  }
  digits.push_back(static_cast<char>('0' + (10 - sum % 10) % 10));
  return digits;
}

bool card_number_valid(std::string_view card_no) {
  if (card_no.size() != 12 || card_no[0] != '9' || !std::all_of(card_no.begin(), card_no.end(), is_digit))
    return false;
  int64_t id = 0;
  for (size_t i = 1; i < 11; ++i) id = id * 10 + (card_no[i] - '0');
  return card_number_for(id) == card_no;
}

}  // namespace stork::patients
