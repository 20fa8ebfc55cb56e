#pragma once
// A parsed HL7 v2.x message (pipe-and-hat encoding).
//
// Segments end at \r (the standard), \n or \r\n; blank lines are skipped.
// The field separator (MSH-1) and the encoding characters (MSH-2: component,
// repetition, escape, subcomponent, and the optional v2.7 truncation
// character) are read from the message itself.
//
// Bytes, not characters: the text is kept as the sender's bytes, so a
// message in GB 18030 (MSH-18), common at Chinese LIS, parses like one in
// UTF-8. Invalid UTF-8 is therefore accepted here; the mapper that turns
// fields into stored text (oru.hpp) checks the character set. Control
// bytes (NUL, 0x01-0x08, 0x0B, 0x0C, 0x0E-0x1F, 0x7F) are refused: HL7 text
// never carries them raw (they travel as \Xhh\), so they mean binary
// garbage or a broken frame.
//
// Thread safety: immutable after parse(); copies are independent.
#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include "interop/hl7_error.hpp"

namespace stork::interop {

struct Hl7Delimiters {
  char field = '|';
  char component = '^';
  char repetition = '~';
  char escape = '\\';
  char subcomponent = '&';
  char truncation = 0;  // v2.7 MSH-2 fifth character; 0 when absent

  // MSH-2 as it is written: "^~\&" (or "^~\&#").
  std::string encoding_characters() const;
};

struct Hl7Limits {
  size_t max_bytes = size_t{1} << 20;  // 1 MiB
};

// Decodes the escape sequences of one component or subcomponent text:
// \F\ \S\ \T\ \R\ \E\, \Xhh..\ (printable bytes and tab/CR/LF only), and
// \.br\ as a line break; highlighting (\H\ \N\) is dropped. Anything else, and an
// escape without its closing character, is kept literally.
std::string hl7_unescape(std::string_view text, const Hl7Delimiters& d);
// The reverse, for text we write into a message: delimiters and the escape
// character become escape sequences, CR and LF become \X0D\ and \X0A\.
std::string hl7_escape(std::string_view text, const Hl7Delimiters& d);

class Hl7Segment {
 public:
  std::string_view name() const { return fields_.front(); }
  int sequence() const { return sequence_; }      // 1-based position in the message
  int occurrence() const { return occurrence_; }  // 1-based among segments of this name
  // The number of the last field present (MSH counts MSH-1 and MSH-2).
  int field_count() const { return static_cast<int>(fields_.size()) - 1; }

  // The field as received, still escaped; "" when absent. MSH-1 and MSH-2
  // are the delimiters themselves.
  std::string_view raw(int field) const;
  // Number of repetitions of a field; 0 when empty or absent.
  int repetitions(int field) const;
  // Decoded text of field[repetition].component.subcomponent, numbered from
  // 1 as HL7 writes them; "" when absent or the HL7 null "".
  std::string get(int field, int component = 1, int subcomponent = 1, int repetition = 1) const;
  // Decoded component of every repetition, in order (empty ones included).
  std::vector<std::string> get_all(int field, int component = 1) const;
  // The repetitions of a field as received, split in one pass: loop over
  // these rather than get(..., r) for every r, which rescans the field.
  std::vector<std::string_view> raw_repetitions(int field) const;
  // Decoded component.subcomponent of one raw repetition of this segment.
  std::string component_of(std::string_view repetition, int component, int subcomponent = 1) const;

 private:
  friend class Hl7Message;
  std::vector<std::string> fields_;  // [0] = name, [n] = field n, raw
  Hl7Delimiters delimiters_;
  int sequence_ = 0;
  int occurrence_ = 0;
};

class Hl7Message {
 public:
  // Refusals (all reject = true, answered AR):
  //   hl7_too_large (more than limits.max_bytes), hl7_empty, hl7_binary
  //   (a control byte; names the segment and field), hl7_no_msh (the first
  //   segment is not MSH), hl7_bad_encoding_characters (MSH-1 or MSH-2),
  //   hl7_bad_segment_name (not three letters or digits), hl7_truncated
  //   (ends before MSH-12, or in a segment name), hl7_field_missing
  //   (MSH-9.1, MSH-9.2, MSH-10 or MSH-12 empty), hl7_unsupported_version
  //   (MSH-12 not 2.x).
  // A message cut inside a later segment cannot be told from a complete
  // one with fewer fields; the mapper then names the required field missing.
  static Hl7Result<Hl7Message> parse(std::string_view bytes, const Hl7Limits& limits = {});

  const Hl7Delimiters& delimiters() const { return delimiters_; }
  const std::vector<Hl7Segment>& segments() const { return segments_; }
  const Hl7Segment& msh() const { return segments_.front(); }

  // The occurrence-th segment with this name (1-based), or nullptr.
  const Hl7Segment* find(std::string_view name, int occurrence = 1) const;
  std::vector<const Hl7Segment*> all(std::string_view name) const;
  int count(std::string_view name) const;
  // Decoded SEG-field.component.subcomponent of the first such segment and
  // the first repetition; "" when absent. field("MSH", 9, 1) == "ORU".
  std::string field(std::string_view segment, int field, int component = 1,
                    int subcomponent = 1) const;

  std::string message_type() const { return field("MSH", 9, 1); }
  std::string trigger_event() const { return field("MSH", 9, 2); }
  std::string control_id() const { return field("MSH", 10); }
  std::string version() const { return field("MSH", 12); }
  std::string charset() const { return field("MSH", 18); }

  // Where a field of one of this message's segments is, for errors.
  Hl7Location location(const Hl7Segment& segment, int field = 0, int component = 0) const;

 private:
  Hl7Delimiters delimiters_;
  std::vector<Hl7Segment> segments_;
};

}  // namespace stork::interop
