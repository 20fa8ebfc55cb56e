#pragma once
// A signed document as HTML for printing (A4, black on white), with a QR
// code of its public verify URL, so anyone holding the paper can check it
// is the signed original. Pure.
#include <string>

#include "clinical/model.hpp"
#include "patients/model.hpp"

namespace stork::clinical {

struct PrintInput {
  const Document& document;
  const patients::PatientBasics& patient;
  std::string signer_serial;
  std::string signer_algorithm;
  std::string verify_url;  // public_url/verify/{id}?code=...
  int utc_offset_minutes = 480;
};

std::string print_html(const PrintInput& in);

}  // namespace stork::clinical
