#pragma once
// Reports as LIS/PACS systems post them over REST and as HL7 ORU^R01
// delivers them, turned into an IncomingReport. Pure.
#include "clinical/service.hpp"
#include "interop/oru.hpp"

namespace stork::clinical {

// The JSON body of POST /api/v1/reports (docs/clinical-api.md). Errors:
// validation_failed naming the field.
Result<IncomingReport> report_from_json(std::string_view body);

// One ORU^R01 message, one document: a lab report whose results are the
// observations of every OBR group; or, when every observation is narrative
// text (TX, FT), an examination report whose impression is the observation coded
// LOINC 19005-8 or named "impression"/诊断/提示 and whose findings are the rest.
// The message key is sender application | facility | control id.
Result<IncomingReport> report_from_oru(const interop::OruReport& oru);

}  // namespace stork::clinical
