#pragma once
// Why an HL7 v2 message was refused, and where. Every parser and mapper of
// this module returns these as values so the listener can answer with an
// ACK whose ERR segment points at the fault (HL7 v2.5 ERR-2, ERR-3).
#include <expected>
#include <string>

#include "core/error.hpp"

namespace stork::interop {

// HL7 table 0357, message error condition codes.
enum class Hl7Condition {
  segment_sequence = 100,
  required_field_missing = 101,
  data_type = 102,
  table_value_not_found = 103,
  unsupported_message_type = 200,
  unsupported_event = 201,
  unsupported_processing_id = 202,
  unsupported_version = 203,
  application_internal = 207,
};

// A place in a message. segment is empty when the fault is the message as a
// whole (too large, empty); field 0 names the segment as a whole.
struct Hl7Location {
  std::string segment;   // "OBX"; or "" when unknown
  int occurrence = 1;    // 1-based among segments with this name (ERR-2.2)
  bool indexed = false;  // show [occurrence]: the name occurs more than once
  int field = 0;         // 1-based; 0 = the segment as a whole
  int repetition = 0;    // 1-based; 0 = not specific
  int component = 0;     // 1-based; 0 = the whole field

  // "MSH-9", "OBX[2]-5", "PID-3.1"; "message" when there is no segment.
  std::string text() const;
};

struct Hl7Error {
  std::string code;  // stable snake_case: hl7_no_msh, hl7_value_missing, ...
  Hl7Condition condition = Hl7Condition::application_internal;
  // True when the message cannot be processed at all (syntax, size, type,
  // version): answered AR. False for content errors: answered AE.
  bool reject = false;
  Hl7Location where;
  std::string message;  // a sentence for people, without the location

  // "OBX[2]-5: value missing with result status F".
  std::string text() const;
  // The house error: code, the sentence, the field at fault, and the
  // location parts as details (segment, occurrence, field, hl7_condition).
  Error to_error() const;
};

template <class T>
using Hl7Result = std::expected<T, Hl7Error>;

inline std::unexpected<Hl7Error> hl7_fail(Hl7Error e) {
  return std::unexpected<Hl7Error>(std::move(e));
}

}  // namespace stork::interop
