#pragma once
// An in-memory OruSink for listener tests: knows a set of patient cards,
// stores each (sender, control id) once and calls a repeat a duplicate, the
// contract the clinical module's sink keeps. Thread-safe.
#include <mutex>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "interop/hl7_endpoint.hpp"

namespace stork::testing {

class RecordingOruSink : public interop::OruSink {
 public:
  explicit RecordingOruSink(std::set<std::string> known_cards) : cards_(std::move(known_cards)) {}

  interop::Hl7Result<interop::IntakeOutcome> accept(const interop::OruReport& report,
                                                    std::string_view) override {
    using namespace stork::interop;
    const PatientIdentifier* card = report.patient.first(IdentifierKind::card);
    if (card == nullptr || !cards_.contains(card->id))
      return hl7_fail(Hl7Error{"hl7_unknown_patient", Hl7Condition::table_value_not_found, false,
                               Hl7Location{"PID", 1, false, 3, 0, 0},
                               "no patient with this card number"});
    std::lock_guard lock(mutex_);
    const std::string key = report.sending_application + "|" + report.sending_facility + "|" +
                            report.control_id;
    if (!seen_.insert(key).second) {
      ++duplicates_;
      return IntakeOutcome::duplicate;
    }
    reports_.push_back(report);
    return IntakeOutcome::accepted;
  }

  std::vector<interop::OruReport> reports() const {
    std::lock_guard lock(mutex_);
    return reports_;
  }
  size_t duplicates() const {
    std::lock_guard lock(mutex_);
    return duplicates_;
  }

 private:
  const std::set<std::string> cards_;
  mutable std::mutex mutex_;
  std::set<std::string> seen_;                // guarded by mutex_
  std::vector<interop::OruReport> reports_;  // guarded by mutex_
  size_t duplicates_ = 0;                     // guarded by mutex_
};

}  // namespace stork::testing
