#pragma once
// The acknowledgement (original mode) that answers an HL7 v2 message:
//   MSH  sender and receiver swapped, a new control id, ACK^<event>^ACK
//   MSA  AA / AE / AR and the control id of the message answered
//   ERR  (AE/AR) ERR-2 location, ERR-3 HL7 table 0357 code, ERR-4 E, ERR-8 text
// Pure: the caller brings the time and the new control id.
#include <cstdint>
#include <string>
#include <string_view>

#include "interop/hl7_message.hpp"

namespace stork::interop {

enum class AckCode { accept, error, reject };  // AA, AE, AR
std::string_view ack_code_name(AckCode code);
// AR for errors with reject set (syntax, size, type), else AE.
AckCode ack_code_for(const Hl7Error& error);

// What an ACK copies from the message it answers. Application and facility
// fields are kept as received (escaped with `delimiters`).
struct AckHeader {
  Hl7Delimiters delimiters;
  std::string sending_application;    // MSH-3
  std::string sending_facility;       // MSH-4
  std::string receiving_application;  // MSH-5
  std::string receiving_facility;     // MSH-6
  std::string control_id;             // MSH-10, decoded
  std::string processing_id;          // MSH-11.1, "P" when unknown
  std::string version;                // MSH-12.1, "2.5" when unknown
  std::string trigger_event;          // MSH-9.2
};

AckHeader ack_header(const Hl7Message& msg);
// Best effort for a message that failed to parse: reads the first segment
// (at most 4 KiB of it) when it is an MSH with usable delimiters; fields
// that cannot be read stay empty and the delimiters default to |^~\&.
AckHeader ack_header(std::string_view raw);

struct AckParams {
  std::string control_id;        // MSH-10 of the ACK itself; the caller makes it unique
  int64_t now_ms = 0;            // MSH-7
  int utc_offset_minutes = 480;  // MSH-7 is written in the hospital's zone
};

// The ACK as one string of \r-terminated segments (unframed). error is
// required for AE and AR and ignored for AA.
std::string build_ack(const AckHeader& to, AckCode code, const Hl7Error* error,
                      const AckParams& params);

// "YYYYMMDDHHMMSS+ZZZZ" for an instant in a zone.
std::string format_hl7_time(int64_t utc_ms, int offset_minutes);

}  // namespace stork::interop
