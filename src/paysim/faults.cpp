#include "paysim/faults.hpp"

#include <cmath>
#include <string>

namespace stork::paysim {

Status set_fault(Faults& faults, std::string_view name, double value) {
  const std::string field(name);
  if (name == "delay_ms") {
    if (!(value >= 0 && value <= 600000) || std::floor(value) != value)
      return fail(Error::invalid(field, "must be whole milliseconds, 0 to 600000"));
    faults.delay_ms = static_cast<int>(value);
    return {};
  }
  double* p = name == "duplicate"           ? &faults.duplicate
              : name == "drop"              ? &faults.drop
              : name == "replay"            ? &faults.replay
              : name == "forge"             ? &faults.forge
              : name == "refund_processing" ? &faults.refund_processing
                                            : nullptr;
  if (!p)
    return fail(Error::invalid(
        field, "is not a fault (delay_ms, duplicate, drop, replay, forge, refund_processing)"));
  if (!(value >= 0 && value <= 1))
    return fail(Error::invalid(field, "must be a probability from 0 to 1"));
  *p = value;
  return {};
}

}  // namespace stork::paysim
