#include "clinical/hl7_sink.hpp"

#include "clinical/report_json.hpp"

namespace stork::clinical {

interop::Hl7Result<interop::IntakeOutcome> Hl7ReportSink::accept(const interop::OruReport& report,
                                                                 std::string_view) {
  using interop::Hl7Condition;
  auto refuse = [](std::string code, Hl7Condition condition, std::string segment, int field, std::string message) {
    interop::Hl7Error e;
    e.code = std::move(code);
    e.condition = condition;
    e.where.segment = std::move(segment);
    e.where.field = field;
    e.message = std::move(message);
    return std::unexpected(std::move(e));
  };
  auto incoming = report_from_oru(report);
  if (!incoming) return refuse("hl7_bad_value", Hl7Condition::data_type, "OBR", 0, incoming.error().message);
  auto stored = documents_.receive_report(*incoming, "interface:hl7:" + report.sending_application, {});
  if (stored) return stored->duplicate ? interop::IntakeOutcome::duplicate : interop::IntakeOutcome::accepted;
  const Error& e = stored.error();
  if (e.code == "unknown_patient")
    return refuse("hl7_unknown_patient", Hl7Condition::table_value_not_found, "PID", 3,
                  "no patient has this card or identity document number");
  if (e.code == "validation_failed") {
    std::string field = e.fields.empty() ? "" : e.fields.front().field;
    return refuse("hl7_bad_value", Hl7Condition::data_type, "OBX", 0,
                  (field.empty() ? e.message : field + " " + e.fields.front().message));
  }
  return refuse("hl7_internal", Hl7Condition::application_internal, "", 0, "the report could not be stored now");
}

}  // namespace stork::clinical
