#pragma once
// The kinds of clinical document and the content each carries (FHIR in
// shape: Composition, MedicationRequest, DiagnosticReport). Validation
// happens here, once, before a draft is stored; what is stored is the
// content's canonical JSON (RFC 8785), so the bytes a signature covers do
// not depend on how a client spelled them.
//
// Pure functions; safe from any thread.
#include <optional>
#include <string>
#include <string_view>

#include "core/error.hpp"

namespace stork::clinical {

enum class DocumentKind { record, prescription, lab_report, exam_report };

std::string_view kind_name(DocumentKind kind);
std::optional<DocumentKind> parse_kind(std::string_view name);
// "Composition", "MedicationRequest" or "DiagnosticReport".
std::string_view fhir_resource(DocumentKind kind);
bool is_report(DocumentKind kind);

// Checks `content` (a JSON object) against its kind and returns its
// canonical JSON. Errors: validation_failed naming every bad field as
// "content.<path>", e.g. "content.items[0].dose" (must be > 0) or
// "content.diagnoses[1].code" (not an ICD-10 code).
//  record:       complaint (required), history, examination, plan (text);
//                diagnoses [{code, text}] (at least one).
//  prescription: items [{drug, strength, dose > 0, dose_unit, route,
//                frequency, days (integer > 0), quantity > 0, unit}] (1-20);
//                note.
//  lab_report:   service {code, text}, accession, observed_at, results
//                [{code, name, value, numeric, unit, reference_range,
//                abnormal_flags, abnormal, status}], conclusion.
//  exam_report:  service, accession, observed_at, findings, impression.
// Text fields are limited to 4,000 characters; unknown members are refused.
Result<std::string> normalize_content(DocumentKind kind, std::string_view json);

// ICD-10: a letter, two digits, optionally a dot and one to four more
// characters (O24.4, Z34.0, O80). Not a check that the code exists.
bool is_icd10_code(std::string_view code);

// Results flagged abnormal in a report's canonical content; 0 for others.
int abnormal_count(DocumentKind kind, std::string_view canonical_content);

}  // namespace stork::clinical
