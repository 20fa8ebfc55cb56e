#pragma once
// What the DocumentService's files share: loading, access checks, audit
// entries and views. Internal to src/clinical/.
#include "clinical/repo.hpp"
#include "clinical/service.hpp"

namespace stork::clinical {

struct DocumentService::Impl {
  DocumentService& s;

  // Errors: not_found.
  static Result<Document> load(store::Connection& c, int64_t id);
  static Result<std::vector<StoredSignature>> signatures(store::Connection& c, int64_t id);

  Status audit(store::Connection& c, const Who& who, std::string action, int64_t id, std::string detail,
               const Ctx& ctx, std::string outcome = "success") const;

  // May `who` read this patient's documents? Staff rules as in service.hpp;
  // break_glass, when given and needed, is audited with its reason.
  Status may_read_patient(store::Connection& c, const Who& who, int64_t patient_id, std::string_view break_glass,
                          const Ctx& ctx) const;
  // The same for one document: a patient sees only signed ones, a
  // pharmacist only prescriptions, any doctor a report awaiting signature.
  Status may_read(store::Connection& c, const Who& who, const Document& d, std::string_view break_glass,
                  const Ctx& ctx) const;

  Result<DocumentView> view(store::Connection& c, Document d) const;
  // Loads, checks access and audits a read.
  Result<Document> read_one(store::Connection& c, const Who& who, int64_t id, std::string_view break_glass,
                            const Ctx& ctx, std::string_view action) const;
  Result<TrustMaterial> trust() const { return s.keys_.trust(); }
  TimestampChecker timestamp_checker(const TrustMaterial& trust) const;
};

}  // namespace stork::clinical
