#pragma once
// Vital signs taken at area triage (issue 6) and their plausibility checks.
// Plain values, no I/O; every field is optional because a nurse records what
// the patient in front of her needs.
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/error.hpp"

namespace stork::triage {

// AVPU level of consciousness, in order of worsening.
enum class Avpu { alert, voice, pain, unresponsive };
// Work of breathing as the Bedside PEWS scores it ("severe" includes any apnoea).
enum class Effort { normal, mild, moderate, severe };
// Oxygen given, as the Bedside PEWS bands it: low = any flow below 4 L/min or
// FiO2 below 50 %; high = 4 L/min or more, or FiO2 50 % or more.
enum class OxygenTherapy { room_air, low, high };

struct Vitals {
  std::optional<double> temperature_c;
  std::optional<int> heart_rate;        // beats/min
  std::optional<int> respiratory_rate;  // breaths/min
  std::optional<int> systolic_bp;       // mmHg
  std::optional<int> diastolic_bp;      // mmHg
  std::optional<int> spo2;              // %
  std::optional<Avpu> consciousness;
  bool supplemental_oxygen = false;
  std::optional<OxygenTherapy> oxygen_therapy;  // REQUIRES: unset or room_air unless supplemental_oxygen
  // Pregnant women.
  std::optional<int> gestational_week;
  std::optional<int> fetal_heart_rate;  // beats/min
  // Children.
  std::optional<int> age_months;  // completed months
  std::optional<double> capillary_refill_seconds;
  std::optional<Effort> respiratory_effort;
};

// A value that is possible but unusual enough that the nurse should measure
// it again before it drives a priority.
struct FieldFlag {
  std::string field;
  std::string message;
};

// Refuses values outside the physical range (temperature 60 °C, SpO2 130 %,
// heart rate 0 or 400, negative numbers) naming every field at fault.
std::vector<FieldError> vitals_errors(const Vitals& v);
// The same as one `invalid` error, or success.
Status check_vitals(const Vitals& v);
// Accepted but implausible values (temperature 41 °C, heart rate 220), one
// flag per field. Meaningful only for vitals that pass check_vitals.
std::vector<FieldFlag> implausible(const Vitals& v);

}  // namespace stork::triage
