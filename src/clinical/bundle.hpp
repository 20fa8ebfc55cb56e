#pragma once
// A signed document as one JSON file ("stork-signed-document/1"): the
// stored fields the signatures cover, the signatures with their
// certificates, and the CRLs current when it was exported. `stork verify
// FILE --ca CA.pem` checks it with no database; the CA to trust is given
// separately, never taken from the file.
#include <string>
#include <vector>

#include "clinical/model.hpp"
#include "core/error.hpp"

namespace stork::clinical {

struct Bundle {
  Document document;
  std::vector<StoredSignature> signatures;
  std::vector<std::string> crl_pems;
};

std::string bundle_to_json(const Bundle& bundle);
// Errors: validation_failed naming the member at fault.
Result<Bundle> bundle_from_json(std::string_view text);

}  // namespace stork::clinical
