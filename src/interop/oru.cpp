#include "interop/oru.hpp"

#include <algorithm>
#include <array>
#include <charconv>
#include <string_view>
#include <utility>

#include "core/civil_date.hpp"

namespace stork::interop {
namespace {

using namespace std::string_view_literals;

constexpr std::array kValueTypes = {"NM"sv,  "SN"sv, "ST"sv, "TX"sv, "FT"sv,  "CE"sv, "CWE"sv,
                                    "CNE"sv, "DT"sv, "TM"sv, "TS"sv, "DTM"sv, "ID"sv, "IS"sv};
// Table 0078 (v2.5 and the later additions LIS send).
constexpr std::array kAbnormalFlags = {"L"sv, "H"sv,  "LL"sv, "HH"sv, "<"sv,   ">"sv,   "N"sv,
                                       "A"sv, "AA"sv, "U"sv,  "D"sv,  "B"sv,   "W"sv,   "S"sv,
                                       "R"sv, "I"sv,  "MS"sv, "VS"sv, "NEG"sv, "POS"sv, "IND"sv};
// The flags a reader must notice; the rest are normal, trends or susceptibility.
constexpr std::array kAlarmingFlags = {"L"sv, "H"sv, "LL"sv, "HH"sv, "<"sv,
                                       ">"sv, "A"sv, "AA"sv, "POS"sv};
constexpr std::string_view kObservationStatuses = "CDFINORSUWX";  // table 0085
constexpr std::string_view kResultStatuses = "OISAPCRFXYZ";       // table 0123
// Statuses that claim a result is there (final, corrected, preliminary,
// entered, partial), so OBX-5 must hold it.
constexpr std::string_view kStatusesWithValue = "CFPRS";

template <size_t N>
bool one_of(const std::array<std::string_view, N>& set, std::string_view v) {
  return std::find(set.begin(), set.end(), v) != set.end();
}

bool single_code_in(std::string_view v, std::string_view table) {
  return v.size() == 1 && table.find(v[0]) != std::string_view::npos;
}

Hl7Error content(std::string code, Hl7Condition condition, Hl7Location where, std::string message) {
  return Hl7Error{std::move(code), condition, false, std::move(where), std::move(message)};
}

std::string trim(std::string s) {
  const size_t b = s.find_first_not_of(' ');
  if (b == std::string::npos) return {};
  return s.substr(b, s.find_last_not_of(' ') - b + 1);
}

// RFC 3629: no overlong forms, no surrogates, nothing above U+10FFFF.
bool valid_utf8(std::string_view s) {
  size_t i = 0;
  while (i < s.size()) {
    const auto c = static_cast<unsigned char>(s[i]);
    if (c < 0x80) {
      ++i;
      continue;
    }
    size_t n = 0;
    unsigned char lo = 0x80, hi = 0xBF;
    if (c >= 0xC2 && c <= 0xDF)
      n = 1;
    else if (c >= 0xE0 && c <= 0xEF) {
      n = 2;
      if (c == 0xE0) lo = 0xA0;
      if (c == 0xED) hi = 0x9F;
    } else if (c >= 0xF0 && c <= 0xF4) {
      n = 3;
      if (c == 0xF0) lo = 0x90;
      if (c == 0xF4) hi = 0x8F;
    } else
      return false;
    if (i + n >= s.size()) return false;
    for (size_t k = 1; k <= n; ++k) {
      const auto b = static_cast<unsigned char>(s[i + k]);
      if (k == 1 ? (b < lo || b > hi) : (b < 0x80 || b > 0xBF)) return false;
    }
    i += n + 1;
  }
  return true;
}

// HL7 NM: optional sign, digits with at most one decimal point.
std::optional<double> parse_nm(std::string_view v) {
  if (v.empty()) return std::nullopt;
  std::string_view body = v;
  if (body[0] == '+' || body[0] == '-') body.remove_prefix(1);
  int digits = 0, points = 0;
  for (char c : body) {
    if (c >= '0' && c <= '9')
      ++digits;
    else if (c == '.')
      ++points;
    else
      return std::nullopt;
  }
  if (digits == 0 || points > 1) return std::nullopt;
  if (v[0] == '+') v.remove_prefix(1);
  double out = 0;
  const auto [ptr, ec] = std::from_chars(v.data(), v.data() + v.size(), out);
  if (ec != std::errc() || ptr != v.data() + v.size()) return std::nullopt;
  return out;
}

IdentifierKind kind_of(std::string_view type_code) {
  if (type_code == "MR" || type_code == "PI" || type_code == "PT" || type_code == "CARD")
    return IdentifierKind::card;
  if (type_code == "NNCHN" || type_code == "NI") return IdentifierKind::resident_id;
  return IdentifierKind::other;
}

Hl7Result<std::optional<int64_t>> time_field(const Hl7Message& msg, const Hl7Segment& seg,
                                             int field, const OruOptions& options) {
  const std::string text = seg.get(field);
  if (text.empty()) return std::optional<int64_t>{};
  const auto ms = parse_hl7_time(text, options.default_offset_minutes);
  if (!ms)
    return hl7_fail(content("hl7_bad_time", Hl7Condition::data_type, msg.location(seg, field),
                            "not an HL7 date and time (YYYYMMDDHHMM[SS][+ZZZZ])"));
  return ms;
}

Hl7Result<OruPatient> map_patient(const Hl7Message& msg, const Hl7Segment& pid) {
  OruPatient p;
  for (std::string_view rep : pid.raw_repetitions(3)) {
    PatientIdentifier id;
    id.id = trim(pid.component_of(rep, 1));
    if (id.id.empty()) continue;
    id.assigning_authority = pid.component_of(rep, 4);
    id.type_code = pid.component_of(rep, 5);
    id.kind = kind_of(id.type_code);
    p.identifiers.push_back(std::move(id));
  }
  if (p.identifiers.empty())
    return hl7_fail(content("hl7_field_missing", Hl7Condition::required_field_missing,
                            msg.location(pid, 3), "a patient identifier is required"));
  p.family_name = pid.get(5, 1);
  p.given_name = pid.get(5, 2);
  p.birth_date = pid.get(7);
  p.sex = pid.get(8);
  return p;
}

Hl7Result<OruOrder> map_order(const Hl7Message& msg, const Hl7Segment& obr,
                              const OruOptions& options) {
  OruOrder o;
  o.placer_number = obr.get(2);
  o.filler_number = obr.get(3);
  if (o.placer_number.empty() && o.filler_number.empty())
    return hl7_fail(content("hl7_field_missing", Hl7Condition::required_field_missing,
                            msg.location(obr, 3), "a filler or placer order number is required"));
  o.service = {obr.get(4, 1), obr.get(4, 2), obr.get(4, 3)};
  if (o.service.code.empty() && o.service.text.empty())
    return hl7_fail(content("hl7_field_missing", Hl7Condition::required_field_missing,
                            msg.location(obr, 4), "the universal service identifier is required"));
  o.observed_at = obr.get(7);
  auto when = time_field(msg, obr, 7, options);
  if (!when) return hl7_fail(std::move(when.error()));
  o.observed_ms = *when;
  o.result_status = obr.get(25);
  if (!o.result_status.empty() && !single_code_in(o.result_status, kResultStatuses))
    return hl7_fail(content("hl7_unknown_code", Hl7Condition::table_value_not_found,
                            msg.location(obr, 25), "not a result status of HL7 table 0123"));
  o.interpreter = obr.get(32, 1, 1);
  return o;
}

// OBX-5 as display text, plus its number when it is a plain quantity.
Hl7Result<std::pair<std::string, std::optional<double>>> observation_value(const Hl7Message& msg,
                                                                           const Hl7Segment& obx,
                                                                           std::string_view type) {
  std::string text;
  std::optional<double> number;
  if (type == "NM") {
    text = trim(obx.get(5));
    if (!text.empty()) {
      number = parse_nm(text);
      if (!number)
        return hl7_fail(content("hl7_bad_value", Hl7Condition::data_type, msg.location(obx, 5),
                                "not a number, as value type NM requires"));
    }
  } else if (type == "SN") {
    // comparator ^ num1 ^ separator/suffix ^ num2: "<^0.5", "^1^:^128".
    const std::string cmp = obx.get(5, 1), n1 = obx.get(5, 2), sep = obx.get(5, 3),
                      n2 = obx.get(5, 4);
    text = cmp + n1 + sep + n2;
    if (!n1.empty()) {
      const auto v = parse_nm(n1);
      if (!v || (!n2.empty() && !parse_nm(n2)))
        return hl7_fail(content("hl7_bad_value", Hl7Condition::data_type, msg.location(obx, 5),
                                "a structured numeric needs numbers in components 2 and 4"));
      if ((cmp.empty() || cmp == "=") && sep.empty()) number = v;
    }
  } else {
    const bool coded = type == "CE" || type == "CWE" || type == "CNE";
    bool first = true;
    for (std::string_view rep : obx.raw_repetitions(5)) {
      std::string part = obx.component_of(rep, coded ? 2 : 1);
      if (coded && part.empty()) part = obx.component_of(rep, 1);
      if (!first) text += '\n';
      first = false;
      text += part;
    }
  }
  return std::pair{std::move(text), number};
}

Hl7Result<OruObservation> map_observation(const Hl7Message& msg, const Hl7Segment& obx,
                                          const OruOptions& options) {
  OruObservation o;
  const std::string set_id = obx.get(1);
  std::from_chars(set_id.data(), set_id.data() + set_id.size(), o.set_id);
  o.value_type = obx.get(2);
  if (o.value_type.empty())
    return hl7_fail(content("hl7_field_missing", Hl7Condition::required_field_missing,
                            msg.location(obx, 2), "the value type is required"));
  if (!one_of(kValueTypes, o.value_type))
    return hl7_fail(content("hl7_unknown_value_type", Hl7Condition::table_value_not_found,
                            msg.location(obx, 2),
                            "value type '" + o.value_type + "' is not supported"));
  o.observation = {obx.get(3, 1), obx.get(3, 2), obx.get(3, 3)};
  if (o.observation.code.empty() && o.observation.text.empty())
    return hl7_fail(content("hl7_field_missing", Hl7Condition::required_field_missing,
                            msg.location(obx, 3), "the observation identifier is required"));
  o.sub_id = obx.get(4);
  o.status = obx.get(11);
  if (o.status.empty())
    return hl7_fail(content("hl7_field_missing", Hl7Condition::required_field_missing,
                            msg.location(obx, 11), "the result status is required"));
  if (!single_code_in(o.status, kObservationStatuses))
    return hl7_fail(content("hl7_unknown_code", Hl7Condition::table_value_not_found,
                            msg.location(obx, 11), "not a result status of HL7 table 0085"));
  auto value = observation_value(msg, obx, o.value_type);
  if (!value) return hl7_fail(std::move(value.error()));
  o.value = std::move(value->first);
  o.numeric = value->second;
  if (trim(o.value).empty() && kStatusesWithValue.find(o.status[0]) != std::string_view::npos)
    return hl7_fail(content("hl7_value_missing", Hl7Condition::required_field_missing,
                            msg.location(obx, 5), "value missing with result status " + o.status));
  o.units = obx.get(6, 1);
  if (o.units.empty()) o.units = obx.get(6, 2);
  o.reference_range = obx.get(7);
  for (std::string& flag : obx.get_all(8)) {
    if (flag.empty()) continue;
    if (!one_of(kAbnormalFlags, flag))
      return hl7_fail(content("hl7_unknown_code", Hl7Condition::table_value_not_found,
                              msg.location(obx, 8), "not an abnormal flag of HL7 table 0078"));
    o.abnormal = o.abnormal || one_of(kAlarmingFlags, flag);
    o.abnormal_flags.push_back(std::move(flag));
  }
  o.observed_at = obx.get(14);
  auto when = time_field(msg, obx, 14, options);
  if (!when) return hl7_fail(std::move(when.error()));
  o.observed_ms = *when;
  return o;
}

// Only text we can store as UTF-8 goes on; GB 18030 awaits a converter.
Hl7Result<void> check_charset(const Hl7Message& msg) {
  const std::string cs = msg.charset();
  if (!cs.empty() && cs != "ASCII" && cs != "UNICODE UTF-8" && cs != "UTF-8")
    return hl7_fail(Hl7Error{"hl7_unsupported_charset", Hl7Condition::data_type, true,
                             msg.location(msg.msh(), 18),
                             "character set '" + cs + "' is not supported; send UNICODE UTF-8"});
  for (const Hl7Segment& seg : msg.segments())
    for (int f = 1; f <= seg.field_count(); ++f)
      if (!valid_utf8(seg.raw(f)))
        return hl7_fail(content("hl7_invalid_utf8", Hl7Condition::data_type, msg.location(seg, f),
                                "not valid UTF-8"));
  return {};
}

}  // namespace

const PatientIdentifier* OruPatient::first(IdentifierKind kind) const {
  for (const PatientIdentifier& id : identifiers)
    if (id.kind == kind) return &id;
  return nullptr;
}

std::optional<int64_t> parse_hl7_time(std::string_view text, int default_offset_minutes) {
  size_t digits = 0;
  while (digits < text.size() && text[digits] >= '0' && text[digits] <= '9') ++digits;
  if (digits != 8 && digits != 10 && digits != 12 && digits != 14) return std::nullopt;
  const auto num = [&](size_t at, size_t len) {
    int v = 0;
    for (size_t i = at; i < at + len; ++i) v = v * 10 + (text[i] - '0');
    return v;
  };
  const int year = num(0, 4), month = num(4, 2), day = num(6, 2);
  const int hour = digits >= 10 ? num(8, 2) : 0;
  const int minute = digits >= 12 ? num(10, 2) : 0;
  const int second = digits >= 14 ? num(12, 2) : 0;
  if (!is_real_date(year, month, day) || hour > 23 || minute > 59 || second > 59)
    return std::nullopt;
  std::string_view rest = text.substr(digits);
  int64_t millis = 0;
  if (rest.starts_with('.')) {
    if (digits != 14) return std::nullopt;
    size_t n = 1;
    int scale = 100;
    while (n < rest.size() && rest[n] >= '0' && rest[n] <= '9') {
      if (n > 4) return std::nullopt;
      millis += (rest[n] - '0') * scale;
      scale /= 10;
      ++n;
    }
    if (n == 1) return std::nullopt;
    rest.remove_prefix(n);
  }
  int offset = default_offset_minutes;
  if (!rest.empty()) {
    if (rest.size() != 5 || (rest[0] != '+' && rest[0] != '-')) return std::nullopt;
    for (size_t i = 1; i < 5; ++i)
      if (rest[i] < '0' || rest[i] > '9') return std::nullopt;
    const int hh = (rest[1] - '0') * 10 + (rest[2] - '0');
    const int mm = (rest[3] - '0') * 10 + (rest[4] - '0');
    if (hh > 14 || mm > 59) return std::nullopt;
    offset = (rest[0] == '-' ? -1 : 1) * (hh * 60 + mm);
  }
  return local_midnight_utc_ms(CivilDate{year, month, day}, offset) +
         ((hour * 60 + minute) * 60 + second) * int64_t{1000} + millis;
}

Hl7Result<OruReport> map_oru(const Hl7Message& msg, const OruOptions& options) {
  const Hl7Segment& msh = msg.msh();
  if (msg.message_type() != "ORU")
    return hl7_fail(Hl7Error{"hl7_unsupported_message", Hl7Condition::unsupported_message_type,
                             true, msg.location(msh, 9, 1), "only ORU messages are accepted here"});
  if (msg.trigger_event() != "R01")
    return hl7_fail(Hl7Error{"hl7_unsupported_message", Hl7Condition::unsupported_event, true,
                             msg.location(msh, 9, 2), "only ORU^R01 is accepted here"});
  if (auto ok = check_charset(msg); !ok) return hl7_fail(std::move(ok.error()));

  OruReport report;
  report.control_id = msg.control_id();
  report.sending_application = msh.get(3, 1);
  report.sending_facility = msh.get(4, 1);
  report.version = msg.version();
  report.processing_id = msh.get(11, 1);

  const int patients = msg.count("PID");
  if (patients == 0)
    return hl7_fail(content("hl7_segment_missing", Hl7Condition::segment_sequence,
                            Hl7Location{"PID", 1, false, 0, 0, 0}, "the PID segment is missing"));
  if (patients > 1)
    return hl7_fail(content("hl7_unsupported", Hl7Condition::segment_sequence,
                            msg.location(*msg.find("PID", 2)),
                            "one patient per message: send each patient's results separately"));
  auto patient = map_patient(msg, *msg.find("PID"));
  if (!patient) return hl7_fail(std::move(patient.error()));
  report.patient = std::move(*patient);

  // NTE comments belong to the OBX or OBR right before them.
  enum class Last { other, order, observation } last = Last::other;
  for (const Hl7Segment& seg : msg.segments()) {
    const std::string_view name = seg.name();
    if (name == "OBR") {
      auto order = map_order(msg, seg, options);
      if (!order) return hl7_fail(std::move(order.error()));
      report.orders.push_back(std::move(*order));
      last = Last::order;
    } else if (name == "OBX") {
      if (report.orders.empty())
        return hl7_fail(content("hl7_segment_order", Hl7Condition::segment_sequence,
                                msg.location(seg), "an OBX must follow its OBR"));
      auto obs = map_observation(msg, seg, options);
      if (!obs) return hl7_fail(std::move(obs.error()));
      report.orders.back().observations.push_back(std::move(*obs));
      last = Last::observation;
    } else if (name == "NTE") {
      if (last == Last::order) report.orders.back().notes.push_back(seg.get(3));
      if (last == Last::observation)
        report.orders.back().observations.back().notes.push_back(seg.get(3));
    } else {
      last = Last::other;
    }
  }
  if (report.orders.empty())
    return hl7_fail(content("hl7_segment_missing", Hl7Condition::segment_sequence,
                            Hl7Location{"OBR", 1, false, 0, 0, 0}, "the OBR segment is missing"));
  return report;
}

}  // namespace stork::interop
