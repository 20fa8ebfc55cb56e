#pragma once
// ORU^R01 (unsolicited observation result) to a plain report: the shape
// the clinical module stores as a DiagnosticReport with its Observations.
// Pure: no database, no clock.
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "interop/hl7_message.hpp"

namespace stork::interop {

// What PID-3.5 (identifier type code, HL7 table 0203) says an identifier is.
enum class IdentifierKind {
  card,         // MR, PI, PT or CARD: the hospital's card / record number
  resident_id,  // NNCHN or NI: PRC resident identity number
  other,        // passport (PPN) and anything else, kept with its type code
};

struct PatientIdentifier {
  std::string id;                   // PID-3.1
  std::string assigning_authority;  // PID-3.4.1
  std::string type_code;            // PID-3.5 as sent
  IdentifierKind kind = IdentifierKind::other;
};

struct CodedValue {  // CE / CWE: identifier ^ text ^ coding system
  std::string code;
  std::string text;
  std::string system;
};

struct OruPatient {
  std::vector<PatientIdentifier> identifiers;  // PID-3, every repetition
  std::string family_name;                     // PID-5.1
  std::string given_name;                      // PID-5.2
  std::string birth_date;                      // PID-7, as sent (YYYYMMDD...)
  std::string sex;                             // PID-8

  // The first identifier of that kind, or nullptr.
  const PatientIdentifier* first(IdentifierKind kind) const;
};

struct OruObservation {
  int set_id = 0;          // OBX-1 (0 when absent)
  std::string value_type;  // OBX-2: NM, SN, ST, TX, FT, CE, CWE, CNE, DT, TM, TS, DTM, ID, IS
  CodedValue observation;  // OBX-3
  std::string sub_id;      // OBX-4
  std::string value;       // OBX-5; repetitions joined by line breaks
  std::optional<double> numeric;            // NM, and SN without comparator or range
  std::string units;                        // OBX-6.1, or OBX-6.2 when no code
  std::string reference_range;              // OBX-7
  std::vector<std::string> abnormal_flags;  // OBX-8 (table 0078), every repetition
  bool abnormal = false;                    // a flag other than N
  std::string status;                       // OBX-11 (table 0085)
  std::string observed_at;                  // OBX-14, as sent
  std::optional<int64_t> observed_ms;
  std::vector<std::string> notes;  // NTE-3 following this OBX
};

struct OruOrder {
  std::string placer_number;  // OBR-2.1
  std::string filler_number;  // OBR-3.1 (the LIS accession number)
  CodedValue service;         // OBR-4
  std::string observed_at;    // OBR-7, as sent
  std::optional<int64_t> observed_ms;
  std::string result_status;  // OBR-25 (table 0123); "" when absent
  std::string interpreter;    // OBR-32.1: who reports it
  std::vector<OruObservation> observations;
  std::vector<std::string> notes;  // NTE-3 following the OBR
};

struct OruReport {
  std::string control_id;           // MSH-10
  std::string sending_application;  // MSH-3.1
  std::string sending_facility;     // MSH-4.1
  std::string version;              // MSH-12
  std::string processing_id;        // MSH-11: P, T or D
  OruPatient patient;
  std::vector<OruOrder> orders;  // OBR groups, in order
};

struct OruOptions {
  // Offset applied to times sent without one (OBR-7, OBX-14), in minutes
  // east of UTC: the hospital's zone, +08:00 by default.
  int default_offset_minutes = 480;
};

// Errors (reject = true for the message as a whole, AR; else AE):
//   hl7_unsupported_message (MSH-9 not ORU^R01, AR), hl7_unsupported_charset
//   (MSH-18 other than UTF-8/ASCII, AR), hl7_invalid_utf8 (names the field),
//   hl7_segment_missing (PID, OBR), hl7_segment_order (OBX before OBR),
//   hl7_unsupported (more than one PID), hl7_field_missing (PID-3, OBR-3,
//   OBR-4, OBX-2, OBX-3, OBX-11), hl7_value_missing (OBX-5 empty with a
//   status that reports a result), hl7_unknown_value_type (OBX-2),
//   hl7_bad_value (OBX-5 not a number for NM), hl7_unknown_code (OBX-8,
//   OBX-11, OBR-25 outside their tables), hl7_bad_time (OBR-7, OBX-14).
Hl7Result<OruReport> map_oru(const Hl7Message& msg, const OruOptions& options = {});

// HL7 DTM "YYYY[MM[DD[HH[MM[SS[.S+]]]]]][+/-ZZZZ]" to UTC milliseconds;
// nullopt when malformed or not a real date and time.
std::optional<int64_t> parse_hl7_time(std::string_view text, int default_offset_minutes);

}  // namespace stork::interop
