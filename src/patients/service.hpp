#pragma once
// The master patient index: registration with full identity validation,
// families (guardians and children, newborns without a document yet),
// e-cards with signed QR codes, duplicate detection and merge, search.
//
// Access: staff routes are filtered by role in http/; here a patient
// principal (a portal account) may reach only her own record and her
// children's. Identity numbers and phones are encrypted at rest (with a
// blind index for exact lookup) and masked in every view unless the caller
// may see them in full. Every read and change of patient data is audited in
// the same transaction.
//
// Thread-safe: no state outside the database.
#include <functional>
#include <optional>
#include <vector>

#include "auth/audit.hpp"
#include "auth/roles.hpp"
#include "core/clock.hpp"
#include "crypto/field_cipher.hpp"
#include "patients/card_token.hpp"
#include "patients/model.hpp"
#include "store/database.hpp"

namespace stork::patients {

struct PatientSettings {
  int qr_ttl_minutes = 24 * 60;   // a QR on the phone refreshes daily
  int utc_offset_minutes = 8 * 60;  // the hospital's zone, for ages and "future" dates
};

// Moves what another module attached to `from` over to `to` during a merge,
// inside the merge transaction.
using MergeStep = std::function<Status(store::Connection&, int64_t from, int64_t to)>;

class PatientService {
 public:
  PatientService(store::Database& db, const Clock& clock, const auth::AuditLog& audit,
                 const crypto::FieldCipher& cipher, CardTokenSigner signer, PatientSettings settings);

  // Other modules register how to move their rows when records merge.
  // Call before serving.
  void add_merge_step(MergeStep step) { merge_steps_.push_back(std::move(step)); }

  // Errors: validation_failed (every field named), document_registered (409,
  // with existing_id for staff), already_registered (a portal account that
  // already has her own record). A likely duplicate not yet confirmed is not
  // an error: the result carries the candidates instead of a new record.
  Result<Registration> register_patient(const auth::Principal& who, const NewPatient& p,
                                        const auth::RequestContext& ctx);
  // Merged records answer with merged_into set and nothing else.
  Result<PatientView> get(const auth::Principal& who, int64_t id, bool reveal, const auth::RequestContext& ctx);
  Result<PatientView> update(const auth::Principal& who, int64_t id, const PatientPatch& patch,
                             const auth::RequestContext& ctx);
  // Staff only. Results are masked.
  Result<std::vector<PatientView>> search(const auth::Principal& who, const SearchQuery& q,
                                          const auth::RequestContext& ctx);
  // Likely duplicates of a registration in progress: same name and date of
  // birth, or same name and phone. Staff only.
  Result<std::vector<PatientView>> likely_duplicates(const auth::Principal& who, const std::string& name,
                                                     const std::string& birth_date, const std::string& phone,
                                                     const auth::RequestContext& ctx);

  Result<Family> family(const auth::Principal& who, int64_t id, const auth::RequestContext& ctx);
  // Registers a child and links her to the guardian in one transaction.
  Result<Registration> add_child(const auth::Principal& who, int64_t guardian_id, const NewPatient& child,
                                 const std::string& relationship, const auth::RequestContext& ctx);
  // Staff only: links two existing records. Errors: validation_failed
  // (child_id: herself, a cycle), already_linked, not_found.
  Status link_child(const auth::Principal& who, int64_t guardian_id, int64_t child_id,
                    const std::string& relationship, const auth::RequestContext& ctx);
  // A child of 18 or more can be unlinked by anyone allowed to see her; a
  // minor only by a clerk giving a reason (a link made by mistake).
  Status unlink_child(const auth::Principal& who, int64_t guardian_id, int64_t child_id,
                      const std::string& reason, const auth::RequestContext& ctx);
  Result<PatientView> register_newborn(const auth::Principal& who, int64_t mother_id, const NewNewborn& baby,
                                       const auth::RequestContext& ctx);
  // Gives a temporary identity its document (and name); same id, so
  // everything booked under it stays.
  Result<PatientView> complete_identity(const auth::Principal& who, int64_t id, const IdentityCompletion& c,
                                        const auth::RequestContext& ctx);
  // Clerk only. Everything attached to merged_id moves to survivor_id.
  // Errors: validation_failed (merged_id: itself), already_merged, not_found.
  Result<PatientView> merge(const auth::Principal& who, int64_t survivor_id, int64_t merged_id,
                            const std::string& reason, const auth::RequestContext& ctx);

  // The e-card with a fresh QR token.
  Result<CardView> card(const auth::Principal& who, int64_t id, const auth::RequestContext& ctx);
  // Invalidates every QR issued before.
  Result<CardView> reissue_card(const auth::Principal& who, int64_t id, const std::string& reason,
                                const auth::RequestContext& ctx);
  // Staff only. Errors (field "qr"): card_forged, card_expired,
  // card_replaced (reissued or merged; merged_into given).
  Result<PatientView> resolve_card(const auth::Principal& who, std::string_view qr,
                                   const auth::RequestContext& ctx);

  // Staff: always (their route checked the role). A patient: only her own
  // record and her children's. Handlers call it before reading a body, so a
  // patient learns nothing about another family's records.
  Status authorize(const auth::Principal& who, int64_t patient_id);

  // The portal account's own record, if she has one.
  Result<std::optional<int64_t>> self_of(int64_t account_id);

  // For other modules, inside their own transaction: what a queue display or
  // a scale needs (name, sex, birth date). No audit entry: the caller's
  // operation is audited. Errors: not_found.
  Result<PatientBasics> basics(store::Connection& c, int64_t id) const;

  // For report intake (LIS, PACS), inside the caller's transaction: the
  // patient holding this card number or identity document number (either
  // may be empty), following a merge to the surviving record. No audit
  // entry: the intake is audited by its caller.
  Result<std::optional<int64_t>> match(store::Connection& c, std::string_view card_no,
                                       std::string_view id_number) const;

  Result<int64_t> count();
  // For other modules: the patient exists and was not merged away.
  // Errors: validation_failed on `field`.
  Status require_active(int64_t id, std::string_view field = "patient_id");


 private:
  struct Impl;
  store::Database& db_;
  const Clock& clock_;
  const auth::AuditLog& audit_;
  const crypto::FieldCipher& cipher_;
  CardTokenSigner signer_;
  PatientSettings settings_;
  std::vector<MergeStep> merge_steps_;
};

// Roles that may see identity numbers and phones in full (the window
// verifies documents and calls back).
bool may_reveal(const auth::Principal& who);

}  // namespace stork::patients
