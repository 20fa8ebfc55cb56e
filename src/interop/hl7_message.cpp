#include "interop/hl7_message.hpp"

#include <map>
#include <utility>

namespace stork::interop {
namespace {

// Bytes that HL7 text never carries raw; tab is tolerated because some
// senders put it in free text.
bool is_control(unsigned char c) {
  return (c < 0x20 && c != '\t' && c != '\r' && c != '\n') || c == 0x7F;
}

bool is_upper_or_digit(char c) { return (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9'); }

bool is_alnum(char c) { return is_upper_or_digit(c) || (c >= 'a' && c <= 'z'); }

// A delimiter must not be mistaken for data or for a segment end.
bool usable_delimiter(char c) {
  const auto u = static_cast<unsigned char>(c);
  return !is_alnum(c) && c != ' ' && c != '\r' && c != '\n' && !is_control(u) && u < 0x80;
}

// The n-th (1-based) piece of text between separators; "" past the end.
std::string_view piece(std::string_view text, char sep, int n) {
  if (n < 1) return {};
  size_t start = 0;
  for (int i = 1; i < n; ++i) {
    const size_t next = text.find(sep, start);
    if (next == std::string_view::npos) return {};
    start = next + 1;
  }
  const size_t end = text.find(sep, start);
  return text.substr(start, end == std::string_view::npos ? std::string_view::npos : end - start);
}

int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  return -1;
}

// \Xhh..\ decoded, or nothing when it is malformed or would smuggle in a
// control byte (which the raw check refuses too).
bool decode_hex(std::string_view hex, std::string& out) {
  if (hex.empty() || hex.size() % 2 != 0) return false;
  std::string bytes;
  for (size_t i = 0; i < hex.size(); i += 2) {
    const int hi = hex_value(hex[i]);
    const int lo = hex_value(hex[i + 1]);
    if (hi < 0 || lo < 0) return false;
    const auto b = static_cast<unsigned char>(hi * 16 + lo);
    if (is_control(b)) return false;
    bytes.push_back(static_cast<char>(b));
  }
  out += bytes;
  return true;
}

Hl7Error refuse(std::string code, Hl7Condition condition, Hl7Location where, std::string message) {
  return Hl7Error{std::move(code), condition, true, std::move(where), std::move(message)};
}

Hl7Location msh_at(int field) { return Hl7Location{"MSH", 1, false, field, 0, 0}; }

// MSH-1 and MSH-2: five distinct delimiters that cannot be data.
Hl7Result<Hl7Delimiters> read_delimiters(std::string_view first_segment) {
  // "MSH" + MSH-1 + four encoding characters is the shortest header start.
  if (first_segment.size() < 4)
    return hl7_fail(refuse("hl7_truncated", Hl7Condition::required_field_missing, msh_at(1),
                           "the message ends before the field separator"));
  Hl7Delimiters d;
  d.field = first_segment[3];
  if (!usable_delimiter(d.field))
    return hl7_fail(refuse("hl7_bad_encoding_characters", Hl7Condition::data_type, msh_at(1),
                           "the field separator must be a punctuation character"));
  const std::string_view rest = first_segment.substr(4);
  const size_t end = rest.find(d.field);
  const std::string_view enc = rest.substr(0, end);
  if (end == std::string_view::npos && (enc.size() == 4 || enc.size() == 5 || enc.size() < 4))
    return hl7_fail(refuse("hl7_truncated", Hl7Condition::required_field_missing, msh_at(2),
                           "the message ends inside the MSH header"));
  if (enc.size() != 4 && enc.size() != 5)
    return hl7_fail(refuse("hl7_bad_encoding_characters", Hl7Condition::data_type, msh_at(2),
                           "expected four encoding characters such as ^~\\&"));
  std::string seen(1, d.field);
  for (char c : enc) {
    if (!usable_delimiter(c) || seen.find(c) != std::string::npos)
      return hl7_fail(refuse("hl7_bad_encoding_characters", Hl7Condition::data_type, msh_at(2),
                             "encoding characters must be distinct punctuation characters"));
    seen.push_back(c);
  }
  d.component = enc[0];
  d.repetition = enc[1];
  d.escape = enc[2];
  d.subcomponent = enc[3];
  if (enc.size() == 5) d.truncation = enc[4];
  return d;
}

}  // namespace

std::string Hl7Delimiters::encoding_characters() const {
  std::string s{component, repetition, escape, subcomponent};
  if (truncation != 0) s.push_back(truncation);
  return s;
}

std::string hl7_unescape(std::string_view text, const Hl7Delimiters& d) {
  std::string out;
  out.reserve(text.size());
  size_t i = 0;
  while (i < text.size()) {
    const char c = text[i];
    if (c != d.escape) {
      out.push_back(c);
      ++i;
      continue;
    }
    const size_t close = text.find(d.escape, i + 1);
    if (close == std::string_view::npos) {  // unterminated: literal
      out.append(text.substr(i));
      break;
    }
    const std::string_view seq = text.substr(i + 1, close - i - 1);
    bool known = true;
    if (seq == "F")
      out.push_back(d.field);
    else if (seq == "S")
      out.push_back(d.component);
    else if (seq == "T")
      out.push_back(d.subcomponent);
    else if (seq == "R")
      out.push_back(d.repetition);
    else if (seq == "E")
      out.push_back(d.escape);
    else if (seq == "P" && d.truncation != 0)
      out.push_back(d.truncation);
    else if (seq == ".br")
      out.push_back('\n');
    else if (seq == "H" || seq == "N") {
    }  // highlighting has no place in stored text
    else if (!seq.empty() && seq[0] == 'X')
      known = decode_hex(seq.substr(1), out);
    else
      known = false;
    if (!known) out.append(text.substr(i, close - i + 1));
    i = close + 1;
  }
  return out;
}

std::string hl7_escape(std::string_view text, const Hl7Delimiters& d) {
  std::string out;
  out.reserve(text.size());
  const auto seq = [&](std::string_view s) {
    out.push_back(d.escape);
    out.append(s);
    out.push_back(d.escape);
  };
  for (char c : text) {
    if (c == d.escape)
      seq("E");
    else if (c == d.field)
      seq("F");
    else if (c == d.component)
      seq("S");
    else if (c == d.subcomponent)
      seq("T");
    else if (c == d.repetition)
      seq("R");
    else if (d.truncation != 0 && c == d.truncation)
      seq("P");
    else if (c == '\r')
      seq("X0D");
    else if (c == '\n')
      seq("X0A");
    else
      out.push_back(c);
  }
  return out;
}

std::string_view Hl7Segment::raw(int field) const {
  if (field < 1 || field >= static_cast<int>(fields_.size())) return {};
  return fields_[static_cast<size_t>(field)];
}

int Hl7Segment::repetitions(int field) const {
  const std::string_view r = raw(field);
  if (r.empty()) return 0;
  if (name() == "MSH" && field <= 2) return 1;
  int n = 1;
  for (char c : r) n += c == delimiters_.repetition;
  return n;
}

std::string Hl7Segment::get(int field, int component, int subcomponent, int repetition) const {
  const std::string_view r = raw(field);
  if (name() == "MSH" && field <= 2) return std::string(r);
  return component_of(piece(r, delimiters_.repetition, repetition), component, subcomponent);
}

std::vector<std::string_view> Hl7Segment::raw_repetitions(int field) const {
  std::vector<std::string_view> out;
  const std::string_view r = raw(field);
  if (r.empty()) return out;
  if (name() == "MSH" && field <= 2) return {r};
  size_t start = 0;
  for (;;) {
    const size_t end = r.find(delimiters_.repetition, start);
    out.push_back(
        r.substr(start, end == std::string_view::npos ? std::string_view::npos : end - start));
    if (end == std::string_view::npos) return out;
    start = end + 1;
  }
}

std::string Hl7Segment::component_of(std::string_view repetition, int component,
                                     int subcomponent) const {
  const std::string_view comp = piece(repetition, delimiters_.component, component);
  const std::string_view sub = piece(comp, delimiters_.subcomponent, subcomponent);
  if (sub == "\"\"") return {};
  return hl7_unescape(sub, delimiters_);
}

std::vector<std::string> Hl7Segment::get_all(int field, int component) const {
  std::vector<std::string> out;
  if (name() == "MSH" && field <= 2) {
    if (!raw(field).empty()) out.emplace_back(raw(field));
    return out;
  }
  for (std::string_view rep : raw_repetitions(field)) out.push_back(component_of(rep, component));
  return out;
}

Hl7Result<Hl7Message> Hl7Message::parse(std::string_view bytes, const Hl7Limits& limits) {
  if (bytes.size() > limits.max_bytes)
    return hl7_fail(
        refuse("hl7_too_large", Hl7Condition::application_internal, {},
               "the message is larger than " + std::to_string(limits.max_bytes) + " bytes"));
  while (!bytes.empty() && (bytes.front() == '\r' || bytes.front() == '\n')) bytes.remove_prefix(1);
  if (bytes.empty())
    return hl7_fail(
        refuse("hl7_empty", Hl7Condition::segment_sequence, {}, "the message is empty"));
  if (!bytes.starts_with("MSH")) {
    for (char c : bytes)
      if (is_control(static_cast<unsigned char>(c)))
        return hl7_fail(refuse("hl7_binary", Hl7Condition::data_type, {},
                               "the message contains control bytes: not HL7 text"));
    return hl7_fail(refuse("hl7_no_msh", Hl7Condition::segment_sequence, msh_at(0),
                           "the message must start with an MSH segment"));
  }
  const std::string_view first = bytes.substr(0, bytes.find_first_of("\r\n"));
  auto delimiters = read_delimiters(first);
  if (!delimiters) return hl7_fail(std::move(delimiters.error()));

  Hl7Message msg;
  msg.delimiters_ = *delimiters;
  const Hl7Delimiters& d = msg.delimiters_;
  std::map<std::string, int, std::less<>> seen;
  size_t pos = 0;
  while (pos < bytes.size()) {
    size_t end = bytes.find_first_of("\r\n", pos);
    const bool terminated = end != std::string_view::npos;
    if (!terminated) end = bytes.size();
    const std::string_view line = bytes.substr(pos, end - pos);
    pos = end + 1;
    if (line.empty()) continue;

    Hl7Segment seg;
    seg.delimiters_ = d;
    seg.sequence_ = static_cast<int>(msg.segments_.size()) + 1;
    const std::string_view name = line.substr(0, line.find(d.field));
    const bool good_name = name.size() == 3 && name[0] >= 'A' && name[0] <= 'Z' &&
                           is_upper_or_digit(name[1]) && is_upper_or_digit(name[2]);
    if (!good_name) {
      const std::string n = std::to_string(seg.sequence_);
      if (!terminated && name.size() < 3 && name == line)
        return hl7_fail(refuse("hl7_truncated", Hl7Condition::segment_sequence, {},
                               "the message ends inside the name of segment " + n));
      return hl7_fail(refuse("hl7_bad_segment_name", Hl7Condition::segment_sequence, {},
                             "segment " + n + " does not start with a three-letter name"));
    }
    seg.fields_.emplace_back(name);
    if (seg.sequence_ == 1) {
      // MSH-1 is the separator itself and MSH-2 holds the other delimiters.
      seg.fields_.emplace_back(1, d.field);
      seg.fields_.emplace_back(d.encoding_characters());
    } else if (name == "MSH") {
      return hl7_fail(refuse("hl7_no_msh", Hl7Condition::segment_sequence,
                             Hl7Location{"MSH", seen["MSH"] + 1, true, 0, 0, 0},
                             "a message has exactly one MSH segment, at the start"));
    }
    size_t fpos = seg.sequence_ == 1 ? 4 + d.encoding_characters().size() : 3;
    while (fpos < line.size()) {  // line[fpos] is a field separator
      const size_t fend = line.find(d.field, fpos + 1);
      seg.fields_.emplace_back(line.substr(
          fpos + 1, fend == std::string_view::npos ? std::string_view::npos : fend - fpos - 1));
      fpos = fend == std::string_view::npos ? line.size() : fend;
    }
    seg.occurrence_ = ++seen[std::string(name)];
    msg.segments_.push_back(std::move(seg));
  }

  // Control bytes, named by segment and field once occurrences are known.
  for (const Hl7Segment& seg : msg.segments_) {
    for (size_t f = 0; f < seg.fields_.size(); ++f) {
      for (char c : seg.fields_[f]) {
        if (!is_control(static_cast<unsigned char>(c))) continue;
        return hl7_fail(refuse("hl7_binary", Hl7Condition::data_type,
                               msg.location(seg, static_cast<int>(f)),
                               "control bytes are not HL7 text"));
      }
    }
  }

  const Hl7Segment& msh = msg.msh();
  if (msh.field_count() < 12 && msg.segments_.size() == 1)
    return hl7_fail(refuse("hl7_truncated", Hl7Condition::required_field_missing,
                           msh_at(msh.field_count() + 1),
                           "the message ends inside the MSH header"));
  const std::pair<int, int> required[] = {{9, 1}, {10, 1}, {12, 1}};
  for (const auto& [field, component] : required) {
    if (!msh.get(field, component).empty()) continue;
    Hl7Location where = msh_at(field);
    where.component = field == 9 ? component : 0;
    return hl7_fail(refuse("hl7_field_missing", Hl7Condition::required_field_missing, where,
                           "required in every message"));
  }
  if (!msh.get(12).starts_with("2."))
    return hl7_fail(refuse("hl7_unsupported_version", Hl7Condition::unsupported_version, msh_at(12),
                           "only HL7 version 2.x is understood"));
  return msg;
}

const Hl7Segment* Hl7Message::find(std::string_view name, int occurrence) const {
  for (const Hl7Segment& s : segments_)
    if (s.name() == name && s.occurrence() == occurrence) return &s;
  return nullptr;
}

std::vector<const Hl7Segment*> Hl7Message::all(std::string_view name) const {
  std::vector<const Hl7Segment*> out;
  for (const Hl7Segment& s : segments_)
    if (s.name() == name) out.push_back(&s);
  return out;
}

int Hl7Message::count(std::string_view name) const {
  int n = 0;
  for (const Hl7Segment& s : segments_) n += s.name() == name;
  return n;
}

std::string Hl7Message::field(std::string_view segment, int field, int component,
                              int subcomponent) const {
  const Hl7Segment* s = find(segment);
  return s ? s->get(field, component, subcomponent) : std::string();
}

Hl7Location Hl7Message::location(const Hl7Segment& segment, int field, int component) const {
  return Hl7Location{std::string(segment.name()),
                     segment.occurrence(),
                     count(segment.name()) > 1,
                     field,
                     0,
                     component};
}

}  // namespace stork::interop
