#pragma once
// Clinical scoring scales as data, and one evaluator for all of them.
// A scale is a table of parameter bands; the tables and their published
// sources are in scales.cpp. Pure functions, thread-safe, no I/O.
#include <limits>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/error.hpp"
#include "triage/vitals.hpp"

namespace stork::triage {

// A scored observation. Enumerated vitals are scored by their ordinal:
// Avpu alert=0 … unresponsive=3, Effort normal=0 … severe=3,
// OxygenTherapy room_air=0, low=1, high=2.
enum class Param {
  temperature_c, heart_rate, respiratory_rate, systolic_bp, diastolic_bp, spo2,
  consciousness, capillary_refill_seconds, respiratory_effort, oxygen_therapy,
};
std::string_view param_name(Param p);  // the Vitals field name, e.g. "spo2"

// The chart colour of a band (MEOWS); `none` is the white zone.
enum class Colour { none, yellow, red };

inline constexpr double kLowest = -std::numeric_limits<double>::infinity();
inline constexpr double kHighest = std::numeric_limits<double>::infinity();

// Values from min to max, both inclusive, compared after rounding the value
// to 0.1 (the resolution vitals are recorded at), so "35–36 °C" is
// {35.0, 36.0} and "> 38 °C" is {38.1, kHighest}. A value in no band scores 0;
// a value in several bands takes the highest score (tables written as
// "≥ 150 or ≤ 110 → 1, ≥ 180 or ≤ 90 → 2" are copied as they are printed).
struct Band {
  Param param;
  double min;
  double max;
  int score;
  Colour colour = Colour::none;
};

// The bands that apply from min_months to max_months of age, inclusive.
struct AgeGroup {
  int min_months;
  int max_months;
  std::vector<Band> bands;
};

// sum: the total adds the parameter scores; worst: it is the highest one.
enum class Aggregate { sum, worst };

// Fires when any non-zero condition holds.
struct Trigger {
  int min_red = 0;
  int min_yellow = 0;
  int min_total = 0;
};

// The first level, in table order, whose condition holds is the result.
struct Level {
  int number;  // 1 is the most urgent
  std::string_view name;
  bool when_triggered = false;  // requires the trigger to have fired
  int min_total = 0;
};

struct Scale {
  std::string_view id;
  std::string_view name;
  std::vector<Param> params;     // scored parameters, in chart order
  std::vector<AgeGroup> groups;  // one group spanning all ages when not age-banded
  bool age_banded = false;       // age_months is required to pick a group
  Aggregate aggregate = Aggregate::sum;
  Trigger trigger;
  std::vector<Level> levels;  // REQUIRES: the last level always matches
};

struct ParamScore {
  Param param;
  double value;
  int score;
  Colour colour;
};

struct ScaleResult {
  std::string_view scale;
  int total = 0;
  std::vector<ParamScore> scores;    // one per parameter present, in chart order
  std::vector<std::string> missing;  // Vitals fields the scale needed and did not get
  int reds = 0;
  int yellows = 0;
  bool triggered = false;
  int level = 0;
  std::string_view level_name;
};

// The scales, built on first use (safe to call from other static
// initialisers). Sources and what was confirmed are in scales.cpp.
//
// MEOWS (CEMACH 2007 chart, Singh et al. 2012): triggers on 1 red or 2 yellow.
const Scale& meows();
// Paediatric early warning: the Bedside PEWS item table (Parshuram et al.
// 2009), five age groups picked by Vitals::age_months, triggers at total >= 8.
// Bedside PEWS is patented and licensed by The Hospital for Sick Children,
// Toronto: a hospital needs its licence to use this scale clinically.
const Scale& pews();
// The vital-sign rules of China's four-level emergency triage (WS/T 390-2012,
// 2018 expert consensus): levels I and II; otherwise "III or IV".
const Scale& emergency_triage();
// "meows", "pews" or "emergency_triage"; nullptr for any other id.
const Scale* find_scale(std::string_view id);

// Scores vitals on a scale. Missing parameters score 0 and are listed in
// `missing`; a result with missing parameters may under-rate the patient.
// Fails with `invalid` on age_months when an age-banded scale does not
// cover the patient's age.
Result<ScaleResult> evaluate(const Scale& scale, const Vitals& v);

// The four-level emergency triage: I (濒危) or II (危重) when a vital-sign rule
// fires, otherwise III (急症) when the nurse expects the visit to need two or
// more emergency resources (tests, imaging, IV access, consultation,
// procedures), IV (非急症) with none or one.
ScaleResult emergency_level(const Vitals& v, int expected_resources);

}  // namespace stork::triage
