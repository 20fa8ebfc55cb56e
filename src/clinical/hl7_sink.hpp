#pragma once
// Where the MLLP listener's ORU reports go: the document service, with its
// errors turned into HL7 errors so the NAK names the segment and field.
#include "clinical/service.hpp"
#include "interop/hl7_endpoint.hpp"

namespace stork::clinical {

class Hl7ReportSink final : public interop::OruSink {
 public:
  explicit Hl7ReportSink(DocumentService& documents) : documents_(documents) {}
  interop::Hl7Result<interop::IntakeOutcome> accept(const interop::OruReport& report,
                                                    std::string_view raw_message) override;

 private:
  DocumentService& documents_;
};

}  // namespace stork::clinical
