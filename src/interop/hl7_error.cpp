#include "interop/hl7_error.hpp"

#include <cstdint>

namespace stork::interop {

std::string Hl7Location::text() const {
  if (segment.empty()) return "message";
  std::string out = segment;
  if (indexed) out += "[" + std::to_string(occurrence) + "]";
  if (field > 0) out += "-" + std::to_string(field);
  if (field > 0 && component > 0) out += "." + std::to_string(component);
  return out;
}

std::string Hl7Error::text() const { return where.text() + ": " + message; }

Error Hl7Error::to_error() const {
  Error e{code, text(), {{where.text(), message}}, {}};
  if (!where.segment.empty()) {
    e.details.push_back({"segment", where.segment});
    e.details.push_back({"occurrence", int64_t{where.occurrence}});
    e.details.push_back({"field", int64_t{where.field}});
  }
  e.details.push_back({"hl7_condition", int64_t{static_cast<int>(condition)}});
  return e;
}

}  // namespace stork::interop
