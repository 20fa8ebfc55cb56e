#pragma once
// Clinical documents: outpatient records and prescriptions written and
// signed by doctors, lab and examination reports received from LIS/PACS and
// signed by the reporting doctor, prescriptions reviewed and co-signed by a
// pharmacist. A signed document never changes; a correction is a new
// version that replaces it, and both stay readable.
//
// Access (DESIGN.md §5.5): the routes filter roles; here
//  - a patient reads only signed documents of herself and her children;
//  - a doctor reads documents of patients she has an encounter with (an
//    appointment in her sessions), a referral to, or documents she wrote;
//    anything else needs a break-glass reason, which is audited;
//  - a pharmacist reads prescriptions (her review queue).
// Every read and change is audited.
//
// Thread-safe: state is in the database.
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "auth/audit.hpp"
#include "auth/roles.hpp"
#include "clinical/model.hpp"
#include "clinical/signing_keys.hpp"
#include "clinical/verification.hpp"
#include "core/clock.hpp"
#include "crypto/timestamp.hpp"
#include "patients/service.hpp"
#include "scheduling/booking.hpp"
#include "scheduling/directory.hpp"
#include "store/database.hpp"

namespace stork::clinical {

struct DocumentSettings {
  std::string verify_secret;  // keys the codes printed in verification QR codes
  std::string public_url;     // where the verify page is, for printed QR codes
  int utc_offset_minutes = 8 * 60;
};

struct DocumentView {
  Document document;
  std::string patient_name;  // masked (张*丽)
  std::string author_name;
  std::string signer_serial;
  std::string signer_algorithm;
  std::string verify_code;  // for the public verify page; "" while a draft
};

// A report received from a LIS or PACS (HL7 ORU or REST JSON).
struct IncomingReport {
  std::string message_key;  // sender + message id: a repeat is processed once
  DocumentKind kind = DocumentKind::lab_report;
  std::string card_no;       // the patient, by card...
  std::string id_number;     // ...or identity document number
  std::string content_json;  // lab_report or exam_report content
  std::string interpreter;   // the doctor expected to sign (username), or ""
  std::string source = "rest";  // rest, hl7
};

struct IntakeResult {
  int64_t document_id = 0;
  bool duplicate = false;
};

struct PublicVerification {
  VerificationReport report;
  Document document;
  std::string patient_name;  // masked
};

class DocumentService {
 public:
  DocumentService(store::Database& db, const Clock& clock, const auth::AuditLog& audit,
                  patients::PatientService& patients, scheduling::BookingService& booking,
                  scheduling::DirectoryService& directory, SigningKeys& keys, DocumentSettings settings);

  // A time-stamping authority for signatures (optional); and the anchors
  // that verify its tokens come from SigningKeys::trust().
  void set_timestamp_authority(std::shared_ptr<const crypto::TimestampAuthority> tsa);
  // Where the public verify page is, for printed QR codes; set at start.
  void set_public_url(std::string url) { settings_.public_url = std::move(url); }

  using Who = auth::Principal;
  using Ctx = auth::RequestContext;

  // Doctors write records and prescriptions. Errors: validation_failed
  // (kind, patient_id, content.*).
  // Needs the same relationship with the patient as reading (or a
  // break-glass reason). Errors: validation_failed (kind, patient_id, content.*).
  Result<DocumentView> create(const Who& who, std::string_view kind, int64_t patient_id,
                              std::string_view content_json, std::string_view break_glass, const Ctx& ctx);
  // Errors: document_signed, not_author, validation_failed.
  Result<DocumentView> update(const Who& who, int64_t id, std::string_view content_json, const Ctx& ctx);
  Status discard(const Who& who, int64_t id, const Ctx& ctx);
  // Errors: see SigningKeys::sign, document_signed, not_author.
  Result<DocumentView> sign(const Who& who, int64_t id, std::string_view pin, const Ctx& ctx);
  // A new draft replacing a signed document. Errors: not_signed, draft_exists.
  Result<DocumentView> revise(const Who& who, int64_t id, const Ctx& ctx);

  Result<DocumentView> get(const Who& who, int64_t id, std::string_view break_glass, const Ctx& ctx);
  Result<std::vector<DocumentView>> list(const Who& who, int64_t patient_id, std::string_view kind,
                                         std::string_view break_glass, const Ctx& ctx);
  Result<VerificationReport> verify(const Who& who, int64_t id, std::string_view break_glass, const Ctx& ctx);
  // The signed bundle `stork verify FILE` checks offline (JSON text).
  Result<std::string> export_bundle(const Who& who, int64_t id, std::string_view break_glass, const Ctx& ctx);
  // Printable HTML with a QR code of the public verify URL.
  Result<std::string> print(const Who& who, int64_t id, std::string_view break_glass, const Ctx& ctx);
  // What a QR on paper shows. A wrong code is not_found.
  Result<PublicVerification> public_verify(int64_t id, std::string_view code, const Ctx& ctx);

  Result<std::vector<DocumentView>> pending_reports(const Who& who, const Ctx& ctx);
  Result<std::vector<DocumentView>> review_queue(const Who& who, const Ctx& ctx);
  // decision: approve (co-signs with the pharmacist's key) or reject (reason
  // required). Errors: review_not_pending, and SigningKeys::sign's.
  Result<DocumentView> review(const Who& who, int64_t id, std::string_view decision, std::string_view reason,
                              std::string_view pin, const Ctx& ctx);
  // Errors: not_approved, already_dispensed.
  Result<DocumentView> dispense(const Who& who, int64_t id, const Ctx& ctx);

  // A doctor with access refers the patient to another doctor, who may then
  // read the patient's documents. Errors: validation_failed (to_user_id).
  Status refer(const Who& who, int64_t patient_id, int64_t to_user_id, std::string_view reason, const Ctx& ctx);

  // Stores a received report as a draft awaiting the reporting doctor's
  // signature. Errors: unknown_patient (field "patient"), validation_failed.
  Result<IntakeResult> receive_report(const IncomingReport& report, const std::string& actor, const Ctx& ctx);

  // The verify code of a document id (deterministic, keyed).
  std::string verify_code(int64_t id) const;

  struct Impl;  // the service's internals, shared by its files (service_impl.hpp)

 private:
  store::Database& db_;
  const Clock& clock_;
  const auth::AuditLog& audit_;
  patients::PatientService& patients_;
  scheduling::BookingService& booking_;
  scheduling::DirectoryService& directory_;
  SigningKeys& keys_;
  DocumentSettings settings_;
  std::shared_ptr<const crypto::TimestampAuthority> tsa_;
};

}  // namespace stork::clinical
