#include "triage/vitals.hpp"

#include <cstdio>

namespace stork::triage {
namespace {

// Physical limits: outside them the number is a typing or unit error
// (98.6 meant °F, 3.65 a lost digit), never a patient.
struct Limits {
  double min;
  double max;
  std::string_view unit;
};
constexpr Limits kTemperature{20.0, 45.0, "°C"};
constexpr Limits kHeartRate{1, 300, "beats/min"};
constexpr Limits kRespiratoryRate{1, 120, "breaths/min"};
constexpr Limits kSystolic{30, 300, "mmHg"};
constexpr Limits kDiastolic{10, 200, "mmHg"};
constexpr Limits kSpo2{30, 100, "%"};
constexpr Limits kGestationalWeek{4, 45, "weeks"};
constexpr Limits kFetalHeartRate{30, 260, "beats/min"};
constexpr Limits kAgeMonths{0, 1500, "months"};
constexpr Limits kCapillaryRefill{0, 30, "s"};

// "40.5", "300": thresholds read as people write them.
std::string num(double x) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%g", x);
  return buf;
}

template <class T>
void check(FieldErrors& errors, std::string_view field, const std::optional<T>& value, Limits limits) {
  if (!value) return;
  const double x = static_cast<double>(*value);
  // Written so that NaN, which compares false with everything, is refused too.
  if (!(x >= limits.min && x <= limits.max))
    errors.add(std::string(field), "must be between " + num(limits.min) + " and " + num(limits.max) + " " + std::string(limits.unit));
}

template <class T>
void flag_outside(std::vector<FieldFlag>& flags, std::string_view field, const std::optional<T>& value, double low,
                  double high, std::string_view unit) {
  if (!value) return;
  const double x = static_cast<double>(*value);
  if (x < low)
    flags.push_back({std::string(field), "below " + num(low) + " " + std::string(unit) + ", check again"});
  else if (x > high)
    flags.push_back({std::string(field), "above " + num(high) + " " + std::string(unit) + ", check again"});
}

}  // namespace

std::vector<FieldError> vitals_errors(const Vitals& v) {
  FieldErrors errors;
  check(errors, "temperature_c", v.temperature_c, kTemperature);
  check(errors, "heart_rate", v.heart_rate, kHeartRate);
  check(errors, "respiratory_rate", v.respiratory_rate, kRespiratoryRate);
  check(errors, "systolic_bp", v.systolic_bp, kSystolic);
  check(errors, "diastolic_bp", v.diastolic_bp, kDiastolic);
  check(errors, "spo2", v.spo2, kSpo2);
  check(errors, "gestational_week", v.gestational_week, kGestationalWeek);
  check(errors, "fetal_heart_rate", v.fetal_heart_rate, kFetalHeartRate);
  check(errors, "age_months", v.age_months, kAgeMonths);
  check(errors, "capillary_refill_seconds", v.capillary_refill_seconds, kCapillaryRefill);
  // Pulse pressure cannot be negative: a swapped pair is a recording error.
  if (v.systolic_bp && v.diastolic_bp && !errors.has("systolic_bp") && !errors.has("diastolic_bp") &&
      *v.diastolic_bp >= *v.systolic_bp)
    errors.add("diastolic_bp", "must be below systolic_bp");
  if (v.oxygen_therapy && *v.oxygen_therapy != OxygenTherapy::room_air && !v.supplemental_oxygen)
    errors.add("oxygen_therapy", "oxygen flow given but supplemental_oxygen is false");
  auto status = errors.status();
  return status ? std::vector<FieldError>{} : status.error().fields;
}

Status check_vitals(const Vitals& v) {
  auto fields = vitals_errors(v);
  if (fields.empty()) return {};
  return fail(Error::invalid(std::move(fields)));
}

std::vector<FieldFlag> implausible(const Vitals& v) {
  // Possible values that are rare at a clinic desk; thresholds chosen to catch
  // a misplaced probe or a miscount, not to grade illness (the scales do that).
  std::vector<FieldFlag> flags;
  flag_outside(flags, "temperature_c", v.temperature_c, 34.0, 40.5, "°C");
  flag_outside(flags, "heart_rate", v.heart_rate, 30, 200, "beats/min");
  flag_outside(flags, "respiratory_rate", v.respiratory_rate, 6, 70, "breaths/min");
  flag_outside(flags, "systolic_bp", v.systolic_bp, 60, 250, "mmHg");
  flag_outside(flags, "diastolic_bp", v.diastolic_bp, 20, 150, "mmHg");
  flag_outside(flags, "spo2", v.spo2, 70, 100, "%");
  flag_outside(flags, "gestational_week", v.gestational_week, 4, 43, "weeks");
  // Below 100 the probe may be counting the mother's pulse.
  flag_outside(flags, "fetal_heart_rate", v.fetal_heart_rate, 100, 200, "beats/min");
  flag_outside(flags, "capillary_refill_seconds", v.capillary_refill_seconds, 0, 10, "s");
  return flags;
}

}  // namespace stork::triage
