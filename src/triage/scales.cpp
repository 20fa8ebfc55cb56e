#include "triage/scales.hpp"

#include <algorithm>
#include <climits>
#include <cmath>

namespace stork::triage {
namespace {

constexpr Band at_most(Param p, double max, int score, Colour c = Colour::none) { return {p, kLowest, max, score, c}; }
constexpr Band at_least(Param p, double min, int score, Colour c = Colour::none) { return {p, min, kHighest, score, c}; }
constexpr Band between(Param p, double min, double max, int score, Colour c = Colour::none) {
  return {p, min, max, score, c};
}

using enum Param;
constexpr Colour Y = Colour::yellow;
constexpr Colour R = Colour::red;

// MEOWS, the CEMACH chart. Sources: Lewis G (ed). Saving Mothers' Lives
// 2003-2005, CEMACH 2007 (the chart); Singh S, McGlennan A, England A, Simons R.
// A validation study of the CEMACH recommended modified early obstetric warning
// system (MEOWS). Anaesthesia 2012;67(1):12-18, doi:10.1111/j.1365-2044.2011.06896.x,
// Table 1 (the bands below).
// Confirmed: the trigger, one red or two yellow observations at once (Dudley M,
// Wright A, Simons R, McGlennan A. Arch Dis Child Fetal Neonatal Ed 2010;95
// Suppl 1:Fa40; Singh A et al. Eur J Obstet Gynecol Reprod Biol 2016;207:11-17).
// NOT confirmed: the band values themselves. Singh's Table 1 could not be read
// in the sources available to us; they are copied from it as remembered
// (red: T < 35 or > 38, SBP < 90 or > 160, DBP > 100, HR < 40 or > 120,
// RR < 10 or > 30, SpO2 < 95, responds to pain or unresponsive; yellow: T 35-36,
// SBP 150-160 or 90-100, DBP 90-100, HR 100-120 or 40-50, RR 21-30, responds to
// voice) and must be checked against the paper before clinical use.
// Each coloured parameter counts 1 towards the total; the trigger decides.
// The chart's pain score (2-3 yellow) is not a vital sign recorded here.
Scale make_meows() {
  return {
      .id = "meows",
      .name = "Modified Early Obstetric Warning Score",
      .params = {temperature_c, systolic_bp, diastolic_bp, heart_rate, respiratory_rate, spo2, consciousness},
      .groups = {{0, INT_MAX, {
          at_most(temperature_c, 34.9, 1, R), between(temperature_c, 35.0, 36.0, 1, Y),
          at_least(temperature_c, 38.1, 1, R),
          at_most(systolic_bp, 89, 1, R), between(systolic_bp, 90, 100, 1, Y),
          between(systolic_bp, 150, 160, 1, Y), at_least(systolic_bp, 161, 1, R),
          between(diastolic_bp, 90, 100, 1, Y), at_least(diastolic_bp, 101, 1, R),
          at_most(heart_rate, 39, 1, R), between(heart_rate, 40, 50, 1, Y),
          between(heart_rate, 100, 120, 1, Y), at_least(heart_rate, 121, 1, R),
          at_most(respiratory_rate, 9, 1, R), between(respiratory_rate, 21, 30, 1, Y),
          at_least(respiratory_rate, 31, 1, R),
          at_most(spo2, 94, 1, R),
          between(consciousness, 1, 1, 1, Y),  // voice
          at_least(consciousness, 2, 1, R),    // pain, unresponsive
      }}},
      .trigger = {.min_red = 1, .min_yellow = 2},
      .levels = {{1, "trigger: urgent medical review", true}, {2, "no trigger: routine observations"}},
  };
}

// Heart rate, systolic BP and respiratory rate bands of one Bedside PEWS age
// group: each threshold as printed, "≥ x or ≤ y" scoring 1, 2 and 4.
struct Cuts {
  double hi1, lo1, hi2, lo2, hi4, lo4;
};
std::vector<Band> pews_group(Cuts hr, Cuts sbp, Cuts rr) {
  std::vector<Band> bands;
  for (auto [p, c] : {std::pair{heart_rate, hr}, {systolic_bp, sbp}, {respiratory_rate, rr}}) {
    bands.insert(bands.end(), {at_least(p, c.hi1, 1), at_most(p, c.lo1, 1), at_least(p, c.hi2, 2),
                               at_most(p, c.lo2, 2), at_least(p, c.hi4, 4), at_most(p, c.lo4, 4)});
  }
  // Items that do not depend on age.
  bands.insert(bands.end(), {
      at_least(capillary_refill_seconds, 3.0, 4),                 // ≥ 3 s
      between(respiratory_effort, 1, 1, 1), between(respiratory_effort, 2, 2, 2),
      at_least(respiratory_effort, 3, 4),                          // severe increase / any apnoea
      between(spo2, 91, 94, 1), at_most(spo2, 90, 2),
      between(oxygen_therapy, 1, 1, 2), at_least(oxygen_therapy, 2, 4),
  });
  return bands;
}

// Paediatric early warning: Bedside PEWS. Source: Parshuram CS, Hutchison J,
// Middaugh K. Development and initial validation of the Bedside Paediatric
// Early Warning System score. Crit Care 2009;13(4):R135, doi:10.1186/cc7998,
// Table 1 (sub-scores 0, 1, 2, 4) and Results (the seven retained items: heart
// rate, systolic BP, capillary refill, respiratory rate, respiratory effort,
// SpO2, oxygen therapy; total 0-26; at 8, sensitivity 82 %, specificity 93 %).
// Confirmed against Table 1: every heart-rate, systolic and respiratory-rate
// threshold of the five age groups; capillary refill ≥ 3 s; effort mild /
// moderate / severe or any apnoea; oxygen "< 4 L/min or < 50 %" and
// "≥ 4 L/min or ≥ 50 %"; SpO2 ≤ 90. NOT confirmed: the SpO2 91-94 band (1
// point) — that cell is not legible in the copy we read; ≤ 90 scoring 2 follows
// from the 26-point maximum.
// Age groups "0-3 months, 3-12 months, 1-4 years, 4-12 years, > 12 years"
// overlap at their edges; we read them as completed months 0-2, 3-11, 12-47,
// 48-143 and 144-215 (the study took children under 18). Strict bounds in the
// table ("> 150", "< 50") become the next whole number.
// Licence: the authors declare a patent on Bedside PEWS owned by The Hospital
// for Sick Children (competing interests, same paper), which licenses it for
// clinical use. We keep it because it is the paediatric score whose thresholds
// we could confirm and that the vitals contract can express; Brighton PEWS
// (Monaghan 2005, free to use) scores skin colour, behaviour, FiO2/flow steps
// and "above normal for age" rates whose normals are not part of the score.
// Replacing it is a change of this table only.
Scale make_pews() {
  return {
      .id = "pews",
      .name = "Bedside Paediatric Early Warning System score",
      .params = {heart_rate, systolic_bp, capillary_refill_seconds, respiratory_rate, respiratory_effort, spo2,
                 oxygen_therapy},
      .groups = {
          {0, 2, pews_group({150, 110, 180, 90, 190, 80}, {80, 60, 100, 50, 130, 45}, {61, 29, 81, 19, 91, 15})},
          {3, 11, pews_group({150, 100, 170, 80, 180, 70}, {100, 80, 120, 70, 150, 60}, {51, 24, 71, 19, 81, 15})},
          {12, 47, pews_group({120, 90, 150, 70, 170, 60}, {110, 90, 125, 75, 160, 65}, {41, 19, 61, 15, 71, 12})},
          {48, 143, pews_group({110, 70, 130, 60, 151, 50}, {120, 90, 140, 80, 170, 70}, {31, 19, 41, 14, 51, 10})},
          {144, 215, pews_group({100, 60, 120, 49, 140, 40}, {130, 100, 150, 85, 190, 75}, {17, 11, 23, 10, 30, 9})},
      },
      .age_banded = true,
      .trigger = {.min_total = 8},
      .levels = {{1, "score >= 8: urgent review", true}, {2, "score < 8: routine observations"}},
  };
}

// China's four-level emergency triage, objective vital-sign indicators.
// Sources: WS/T 390-2012 医院急诊科规范化流程; 急诊病人病情分级试点指导原则
// (原卫生部, 2011); 急诊预检分诊专家共识组. 急诊预检分诊专家共识. 中华急诊医学杂志
// 2018;27(6):599-604 (http://www.cem.org.cn/rhtml/20180606/index.htm).
// Confirmed: four levels decided by objective indicators together with the
// nurse's rating (2018 consensus, §1.2); level IV needs 0-1 emergency
// resources and moves up one level when it needs 2 or more (2011 guideline's
// table, as reproduced in hospital copies).
// NOT confirmed: the thresholds and response times below. The consensus
// table (表1) could not be read in the sources available to us; they are
// copied from it as remembered and must be checked before clinical use.
// Rule table, score 2 = level I, 1 = level II, worst rule wins:
//   heart rate      I: > 180 or < 40          II: 150-180 or 40-50
//   systolic BP     I: < 70                   II: > 200 or 70-80
//   SpO2            I: < 80 %                 II: 80-90 %
//   temperature     I: > 41 °C
//   consciousness   I: unresponsive           II: responds to pain only
// Response: I immediately, II within 10 min, III within 30 min, IV within 240.
// The SpO2 rules apply without the source's "with tachypnoea not corrected by
// oxygen", so they err towards urgency. AVPU is our mapping of the manual
// criteria 昏迷 (I) and 意识障碍 (II). No vital sign separates III from IV: the
// guideline uses expected resources (see emergency_level).
Scale make_emergency() {
  return {
      .id = "emergency_triage",
      .name = "急诊预检分诊 four-level emergency triage",
      .params = {heart_rate, systolic_bp, spo2, temperature_c, consciousness},
      .groups = {{0, INT_MAX, {
          at_least(heart_rate, 181, 2), at_most(heart_rate, 39, 2),
          between(heart_rate, 150, 180, 1), between(heart_rate, 40, 50, 1),
          at_most(systolic_bp, 69, 2), at_least(systolic_bp, 201, 1), between(systolic_bp, 70, 80, 1),
          at_most(spo2, 79, 2), between(spo2, 80, 90, 1),
          at_least(temperature_c, 41.1, 2),
          at_least(consciousness, 3, 2), between(consciousness, 2, 2, 1),
      }}},
      .aggregate = Aggregate::worst,
      .levels = {{1, "I 濒危: immediately", false, 2}, {2, "II 危重: within 10 min", false, 1},
                 {3, "III 急症: within 30 min"}},
  };
}

std::optional<double> value_of(const Vitals& v, Param p) {
  auto num = [](const auto& o) -> std::optional<double> {
    if (!o) return std::nullopt;
    return static_cast<double>(*o);
  };
  switch (p) {
    case temperature_c: return v.temperature_c;
    case heart_rate: return num(v.heart_rate);
    case respiratory_rate: return num(v.respiratory_rate);
    case systolic_bp: return num(v.systolic_bp);
    case diastolic_bp: return num(v.diastolic_bp);
    case spo2: return num(v.spo2);
    case consciousness: return num(v.consciousness);
    case capillary_refill_seconds: return v.capillary_refill_seconds;
    case respiratory_effort: return num(v.respiratory_effort);
    case oxygen_therapy:
      // Breathing room air needs no flow recorded.
      if (!v.oxygen_therapy && !v.supplemental_oxygen) return 0.0;
      return num(v.oxygen_therapy);
  }
  return std::nullopt;
}

}  // namespace

std::string_view param_name(Param p) {
  switch (p) {
    case temperature_c: return "temperature_c";
    case heart_rate: return "heart_rate";
    case respiratory_rate: return "respiratory_rate";
    case systolic_bp: return "systolic_bp";
    case diastolic_bp: return "diastolic_bp";
    case spo2: return "spo2";
    case consciousness: return "consciousness";
    case capillary_refill_seconds: return "capillary_refill_seconds";
    case respiratory_effort: return "respiratory_effort";
    case oxygen_therapy: return "oxygen_therapy";
  }
  return "unknown";
}

// Function-local statics: built once, thread-safe, and usable from other
// translation units' static initialisers.
const Scale& meows() {
  static const Scale scale = make_meows();
  return scale;
}
const Scale& pews() {
  static const Scale scale = make_pews();
  return scale;
}
const Scale& emergency_triage() {
  static const Scale scale = make_emergency();
  return scale;
}

const Scale* find_scale(std::string_view id) {
  for (const Scale* scale : {&meows(), &pews(), &emergency_triage()})
    if (scale->id == id) return scale;
  return nullptr;
}

Result<ScaleResult> evaluate(const Scale& scale, const Vitals& v) {
  ScaleResult r{.scale = scale.id};
  const AgeGroup* group = &scale.groups.front();
  if (scale.age_banded) {
    if (!v.age_months) {
      r.missing.push_back("age_months");
      group = nullptr;
    } else {
      auto it = std::ranges::find_if(scale.groups, [&](const AgeGroup& g) {
        return *v.age_months >= g.min_months && *v.age_months <= g.max_months;
      });
      if (it == scale.groups.end())
        return fail(Error::invalid("age_months", std::string(scale.name) + " does not cover this age"));
      group = &*it;
    }
  }
  for (Param p : scale.params) {
    auto raw = value_of(v, p);
    if (!raw) {
      r.missing.emplace_back(param_name(p));
      continue;
    }
    if (!group) continue;  // without an age the bands are unknown
    const double x = std::round(*raw * 10) / 10;
    ParamScore s{p, *raw, 0, Colour::none};
    for (const Band& b : group->bands) {
      if (b.param != p || x < b.min || x > b.max || b.score < s.score) continue;
      s.score = b.score;
      s.colour = std::max(s.colour, b.colour);
    }
    r.reds += s.colour == Colour::red;
    r.yellows += s.colour == Colour::yellow;
    r.total = scale.aggregate == Aggregate::sum ? r.total + s.score : std::max(r.total, s.score);
    r.scores.push_back(s);
  }
  const Trigger& t = scale.trigger;
  r.triggered = (t.min_red > 0 && r.reds >= t.min_red) || (t.min_yellow > 0 && r.yellows >= t.min_yellow) ||
                (t.min_total > 0 && r.total >= t.min_total);
  for (const Level& l : scale.levels) {
    if ((l.when_triggered && !r.triggered) || r.total < l.min_total) continue;
    r.level = l.number;
    r.level_name = l.name;
    break;
  }
  return r;
}

ScaleResult emergency_level(const Vitals& v, int expected_resources) {
  // The emergency scale has no age bands, so evaluate cannot fail.
  ScaleResult r = *evaluate(emergency_triage(), v);
  if (r.level == 3 && expected_resources <= 1) {
    r.level = 4;
    r.level_name = "IV 非急症: within 240 min";
  }
  return r;
}

}  // namespace stork::triage
