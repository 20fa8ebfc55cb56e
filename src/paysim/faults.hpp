#pragma once
// The misbehaviours the gateway simulator can be asked for, so our side is
// tested against what a real gateway does on a bad day.
#include <string_view>

#include "core/error.hpp"

namespace stork::paysim {

// Probabilities are 0..1 and drawn per notification (drop: per trade).
struct Faults {
  int delay_ms = 0;      // first delivery waits a random 0..delay_ms (so they reorder)
  double duplicate = 0;  // an extra copy, independently signed (fresh timestamp and nonce)
  double drop = 0;       // never notify this trade at all: the merchant must query
  double replay = 0;     // after delivery, re-send the exact bytes and headers later
  double forge = 0;      // an extra copy claiming another amount, with a signature that fails
  double refund_processing = 0;  // a refund answers PROCESSING and succeeds a little later
};

// Sets one fault by its name above ("delay_ms", "duplicate", ...).
// Errors: validation_failed for an unknown name or a value out of range
// (probabilities 0..1, delay_ms 0..600000).
Status set_fault(Faults& faults, std::string_view name, double value);

}  // namespace stork::paysim
