#pragma once
// The JSON Canonicalization Scheme (RFC 8785, "JCS"): the exact bytes that a
// clinical document's signature covers. The same document always gives the
// same bytes, whatever member order, whitespace or number spelling it was
// written with, so a signature made here verifies in any JCS implementation.
//
// Rules, as the RFC sets them: no whitespace; object members sorted by the
// UTF-16 code units of their names; strings escaped as ECMAScript's
// JSON.stringify does (only \" \\ \b \f \n \r \t and \u00xx for other
// control characters, everything else as UTF-8); numbers parsed as IEEE-754
// doubles and written as Number.prototype.toString writes them. Input must
// be I-JSON (RFC 7493): valid UTF-8 with no lone surrogates, no duplicate
// member names, no number outside the double range.
//
// Pure functions; safe from any thread.
#include <string>
#include <string_view>

#include "core/error.hpp"

namespace stork::clinical {

// The canonical form of one JSON text. Errors: validation_failed naming
// `field` (the name the caller gave the text) with the reason: not JSON,
// a duplicate member name, a number that is not a finite double, nesting
// deeper than 64 levels.
Result<std::string> canonical_json(std::string_view json, std::string_view field = "json");

// ECMAScript Number::toString of a finite double (shortest round-trip
// digits; 1e+21, 1e-7, 0.000001; -0 becomes 0). Errors: validation_failed
// for NaN and infinities, which JSON cannot carry.
Result<std::string> canonical_number(double value, std::string_view field = "json");

}  // namespace stork::clinical
