#include "clinical/service.hpp"

#include "clinical/service_impl.hpp"
#include "clinical/signed_bytes.hpp"
#include "crypto/field_cipher.hpp"
#include "crypto/hash.hpp"
#include "crypto/random.hpp"
#include "notify/notifications.hpp"

namespace stork::clinical {

using auth::Role;

namespace {

Error not_author() { return Error{"not_author", "only the author may change or sign this document", {}, {}}; }
Error document_signed() {
  return Error::conflict("document_signed", "a signed document cannot be changed: revise it to make a new version");
}
Error break_glass_required() {
  return Error{"break_glass_required",
               "you have no encounter or referral with this patient: give a reason (break-glass) to read her "
               "documents; it will be audited",
               {}, {}};
}

}  // namespace

// ---- shared ---------------------------------------------------------------

Result<Document> DocumentService::Impl::load(store::Connection& c, int64_t id) {
  auto rows = c.query(sql::kSelectDocument, {id});
  if (!rows) return fail(rows.error());
  if (rows->empty()) return fail(Error::not_found("document " + std::to_string(id)));
  return sql::read_document(rows->front());
}

Result<std::vector<StoredSignature>> DocumentService::Impl::signatures(store::Connection& c, int64_t id) {
  auto rows = c.query(sql::kSelectSignatures, {id});
  if (!rows) return fail(rows.error());
  std::vector<StoredSignature> out;
  for (const auto& r : *rows) out.push_back(sql::read_signature(r));
  return out;
}

Status DocumentService::Impl::audit(store::Connection& c, const Who& who, std::string action, int64_t id,
                                    std::string detail, const Ctx& ctx, std::string outcome) const {
  return s.audit_.append(c, {who.audit_name(), std::move(action), "document", id ? std::to_string(id) : "",
                             std::move(outcome), std::move(detail)},
                         ctx);
}

Status DocumentService::Impl::may_read_patient(store::Connection& c, const Who& who, int64_t patient_id,
                                               std::string_view break_glass, const Ctx& ctx) const {
  if (who.kind == auth::PrincipalKind::patient) return s.patients_.authorize(who, patient_id);
  if (!who.has_role(Role::doctor)) return fail(Error::forbidden());
  auto authored = c.query(sql::kHasAuthored, {who.id, patient_id});
  if (!authored) return fail(authored.error());
  if (!authored->empty()) return {};
  auto referred = c.query(sql::kHasReferral, {who.id, patient_id});
  if (!referred) return fail(referred.error());
  if (!referred->empty()) return {};
  auto practitioner = s.directory_.practitioner_of_user(c, who.id);
  if (!practitioner) return fail(practitioner.error());
  if (*practitioner) {
    auto seen = s.booking_.has_encounter(c, (*practitioner)->id, patient_id);
    if (!seen) return fail(seen.error());
    if (*seen) return {};
  }
  if (break_glass.empty()) return fail(break_glass_required());
  if (break_glass.size() > 500) return fail(Error::invalid("break_glass", "is longer than 500 characters"));
  // The reason goes to the audit trail: it is what a reviewer reads later.
  return s.audit_.append(c,
                         {who.audit_name(), "document.break_glass", "patient", std::to_string(patient_id), "success",
                          "reason: " + std::string(break_glass)},
                         ctx);
}

Status DocumentService::Impl::may_read(store::Connection& c, const Who& who, const Document& d,
                                       std::string_view break_glass, const Ctx& ctx) const {
  if (who.kind == auth::PrincipalKind::patient) {
    if (auto ok = s.patients_.authorize(who, d.patient_id); !ok) return ok;
    // Her own drafts and unsigned reports do not exist for her yet.
    if (!d.signed_) return fail(Error::not_found("document " + std::to_string(d.id)));
    return {};
  }
  if (who.has_role(Role::pharmacist) && d.kind == DocumentKind::prescription) return {};
  if (who.has_role(Role::doctor) && is_report(d.kind) && !d.signed_) return {};  // reporting doctors
  return may_read_patient(c, who, d.patient_id, break_glass, ctx);
}

Result<DocumentView> DocumentService::Impl::view(store::Connection& c, Document d) const {
  DocumentView v;
  auto basics = s.patients_.basics(c, d.patient_id);
  if (!basics) return fail(basics.error());
  v.patient_name = crypto::mask_name(basics->name);
  if (d.signed_) {
    v.verify_code = s.verify_code(d.id);
    auto sigs = signatures(c, d.id);
    if (!sigs) return fail(sigs.error());
    for (const auto& sig : *sigs)
      if (sig.role == "author")
        if (auto cert = crypto::X509Certificate::from_pem(sig.certificate_pem)) {
          v.signer_serial = cert->serial_hex();
          v.signer_algorithm = sig.algorithm;
        }
  }
  v.document = std::move(d);
  return v;
}

Result<Document> DocumentService::Impl::read_one(store::Connection& c, const Who& who, int64_t id,
                                                 std::string_view break_glass, const Ctx& ctx,
                                                 std::string_view action) const {
  auto d = load(c, id);
  if (!d) return fail(d.error());
  if (auto ok = may_read(c, who, *d, break_glass, ctx); !ok) {
    if (ok.error().code == "break_glass_required" || ok.error().code == "forbidden")
      if (auto a = audit(c, who, std::string(action), id, ok.error().code, ctx, "denied"); !a) return fail(a.error());
    return fail(ok.error());
  }
  if (auto a = audit(c, who, std::string(action), id, "patient " + std::to_string(d->patient_id), ctx); !a)
    return fail(a.error());
  return d;
}

TimestampChecker DocumentService::Impl::timestamp_checker(const TrustMaterial& trust) const {
  return [anchors = trust.anchors](std::string_view token, std::string_view signature)
             -> std::expected<int64_t, std::pair<std::string, std::string>> {
    auto info = crypto::verify_timestamp(token, signature, anchors);
    if (!info) return std::unexpected(std::pair{std::string(info.error().code()), info.error().message});
    return to_ms(info->gen_time);
  };
}

// ---- the service ------------------------------------------------------------

DocumentService::DocumentService(store::Database& db, const Clock& clock, const auth::AuditLog& audit,
                                 patients::PatientService& patients, scheduling::BookingService& booking,
                                 scheduling::DirectoryService& directory, SigningKeys& keys,
                                 DocumentSettings settings)
    : db_(db),
      clock_(clock),
      audit_(audit),
      patients_(patients),
      booking_(booking),
      directory_(directory),
      keys_(keys),
      settings_(std::move(settings)) {}

void DocumentService::set_timestamp_authority(std::shared_ptr<const crypto::TimestampAuthority> tsa) {
  tsa_ = std::move(tsa);
}

std::string DocumentService::verify_code(int64_t id) const {
  std::string mac = crypto::hmac_sha256(settings_.verify_secret, "document-verify:" + std::to_string(id));
  return crypto::base64url(mac).substr(0, 16);
}

Result<DocumentView> DocumentService::create(const Who& who, std::string_view kind_text, int64_t patient_id,
                                             std::string_view content_json, std::string_view break_glass,
                                             const Ctx& ctx) {
  auto kind = parse_kind(kind_text);
  if (!kind || is_report(*kind))
    return fail(Error::invalid("kind", "must be record or prescription (reports come from the LIS or PACS)"));
  if (auto ok = patients_.require_active(patient_id); !ok) return fail(ok.error());
  auto content = normalize_content(*kind, content_json);
  if (!content) return fail(content.error());
  Impl impl{*this};
  return store::write_tx(db_, [&](store::Connection& c) -> Result<DocumentView> {
    if (auto ok = impl.may_read_patient(c, who, patient_id, break_glass, ctx); !ok) return fail(ok.error());
    int64_t now = clock_.now_ms();
    auto rows = c.query(sql::kInsertDocument, {std::string(kind_name(*kind)), patient_id, who.id, int64_t{1},
                                                store::Value{}, *content, now, std::string("staff"), store::Value{},
                                                std::string(), int64_t{0}});
    if (!rows) return fail(rows.error());
    int64_t id = rows->front().integer(0);
    if (auto a = impl.audit(c, who, "document.create", id, std::string(kind_name(*kind)), ctx); !a)
      return fail(a.error());
    auto d = Impl::load(c, id);
    if (!d) return fail(d.error());
    return impl.view(c, std::move(*d));
  });
}

Result<DocumentView> DocumentService::update(const Who& who, int64_t id, std::string_view content_json,
                                             const Ctx& ctx) {
  Impl impl{*this};
  return store::write_tx(db_, [&](store::Connection& c) -> Result<DocumentView> {
    auto d = Impl::load(c, id);
    if (!d) return fail(d.error());
    if (d->signed_) return fail(document_signed());
    if (d->author_user_id != who.id) return fail(not_author());
    auto content = normalize_content(d->kind, content_json);
    if (!content) return fail(content.error());
    auto changed = c.execute(sql::kUpdateDraft, {id, *content, clock_.now_ms(), int64_t{0}});
    if (!changed) return fail(changed.error());
    if (*changed == 0) return fail(document_signed());
    if (auto a = impl.audit(c, who, "document.update", id, "draft", ctx); !a) return fail(a.error());
    auto again = Impl::load(c, id);
    if (!again) return fail(again.error());
    return impl.view(c, std::move(*again));
  });
}

Status DocumentService::discard(const Who& who, int64_t id, const Ctx& ctx) {
  Impl impl{*this};
  return db_.write([&](store::Connection& c) -> Status {
    auto d = Impl::load(c, id);
    if (!d) return fail(d.error());
    if (d->signed_) return fail(document_signed());
    if (d->author_user_id != who.id || is_report(d->kind)) return fail(not_author());
    auto changed = c.execute(sql::kDeleteDraft, {id});
    if (!changed) return fail(changed.error());
    if (*changed == 0) return fail(document_signed());
    return impl.audit(c, who, "document.discard", id, "draft", ctx);
  });
}

Result<DocumentView> DocumentService::sign(const Who& who, int64_t id, std::string_view pin, const Ctx& ctx) {
  Impl impl{*this};
  auto draft = store::read_tx(db_, [&](store::Connection& c) { return Impl::load(c, id); });
  if (!draft) return fail(draft.error());
  if (draft->signed_) return fail(document_signed());
  if (is_report(draft->kind)) {
    if (!who.has_role(Role::doctor)) return fail(Error::forbidden());
    if (!draft->interpreter.empty() && draft->interpreter != who.username)
      return fail(Error{"not_author", "this report is for " + draft->interpreter + " to sign", {}, {}});
  } else if (draft->author_user_id != who.id) {
    return fail(not_author());
  }

  // The certificate serial is part of the signed bytes, so read it first;
  // sign() then refuses if the credential changed meanwhile.
  auto credential = keys_.latest(who.id);
  if (!credential) return fail(credential.error());
  if (!*credential)
    return fail(Error::conflict("signing_key_missing", "you have no signing key yet: ask the administrator to enrol you"));
  SignerIdentity signer{who.id, who.display_name, (*credential)->serial};
  int64_t now = clock_.now_ms();
  auto bytes = author_signed_bytes(*draft, signer, now);
  if (!bytes) return fail(bytes.error());
  auto outcome = keys_.sign(who.id, pin, *bytes);
  if (!outcome) {
    if (outcome.error().code == "wrong_pin" || outcome.error().code == "pin_locked")
      (void)db_.write([&](store::Connection& c) {
        return impl.audit(c, who, "document.sign", id, outcome.error().code, ctx, "failed");
      });
    return fail(outcome.error());
  }
  if (outcome->credential.serial != signer.certificate_serial)
    return fail(Error::conflict("credential_changed", "your certificate changed while signing: sign again"));
  std::string timestamp;
  if (tsa_) {
    auto token = tsa_->stamp(outcome->signature, TimePoint(std::chrono::milliseconds(now)));
    if (!token) return fail(token.error());
    timestamp = crypto::base64(*token);
  }
  std::string hash = crypto::sha256_hex(*bytes);

  return store::write_tx(db_, [&](store::Connection& c) -> Result<DocumentView> {
    std::string review = draft->kind == DocumentKind::prescription ? "pending" : "none";
    auto changed = c.execute(sql::kMarkSigned, {id, hash, now, who.id, who.display_name, review});
    if (!changed) return fail(changed.error());
    if (*changed == 0) return fail(document_signed());
    // The content must be what was signed: an edit between reading the
    // draft and now would make the signature cover other bytes.
    auto stored = Impl::load(c, id);
    if (!stored) return fail(stored.error());
    if (stored->content != draft->content)
      return fail(Error::conflict("document_changed", "the draft changed while signing: sign again"));
    auto inserted = c.execute(sql::kInsertSignature,
                              {id, std::string("author"), who.id, who.display_name, outcome->credential.id,
                               outcome->credential.algorithm, hash, crypto::base64(outcome->signature),
                               outcome->credential.certificate_pem, outcome->chain_pem, now, std::string(),
                               timestamp});
    if (!inserted) return fail(inserted.error());
    if (stored->replaces)
      if (auto s = c.execute(sql::kMarkSuperseded, {*stored->replaces, id}); !s) return fail(s.error());
    if (is_report(stored->kind)) {
      notify::Notification n;
      n.patient_id = stored->patient_id;
      n.kind = "report_ready";
      n.title = "您的检查报告已出 Your report is ready";
      n.body = "报告 Report #" + std::to_string(id) + " 已由医生签名发布 has been signed and released.";
      n.created_at_ms = now;
      if (auto s = notify::enqueue(c, n); !s) return fail(s.error());
    }
    if (auto a = impl.audit(c, who, "document.sign", id, outcome->credential.algorithm + " " +
                                                             outcome->credential.serial, ctx);
        !a)
      return fail(a.error());
    return impl.view(c, std::move(*stored));
  });
}

Result<DocumentView> DocumentService::revise(const Who& who, int64_t id, const Ctx& ctx) {
  if (!who.has_role(Role::doctor)) return fail(Error::forbidden());
  Impl impl{*this};
  return store::write_tx(db_, [&](store::Connection& c) -> Result<DocumentView> {
    auto old = impl.read_one(c, who, id, "", ctx, "document.read");
    if (!old) return fail(old.error());
    if (!old->signed_) return fail(Error::conflict("not_signed", "only a signed document is revised; edit the draft"));
    if (old->superseded_by)
      return fail(Error::conflict("document_signed", "a newer version exists: revise document " +
                                                         std::to_string(*old->superseded_by)));
    auto drafts = c.query(sql::kDraftReplacing, {id});
    if (!drafts) return fail(drafts.error());
    if (!drafts->empty())
      return fail(Error::conflict("draft_exists", "a correction is already being written")
                      .with("draft_id", drafts->front().integer(0)));
    int64_t now = clock_.now_ms();
    auto rows = c.query(sql::kInsertDocument,
                        {std::string(kind_name(old->kind)), old->patient_id, who.id, int64_t{old->version + 1}, id,
                         old->content, now, std::string("staff"), store::Value{}, std::string(),
                         int64_t{old->abnormal_count}});
    if (!rows) return fail(rows.error());
    int64_t new_id = rows->front().integer(0);
    if (auto a = impl.audit(c, who, "document.revise", new_id, "replaces " + std::to_string(id), ctx); !a)
      return fail(a.error());
    auto d = Impl::load(c, new_id);
    if (!d) return fail(d.error());
    return impl.view(c, std::move(*d));
  });
}

Result<DocumentView> DocumentService::get(const Who& who, int64_t id, std::string_view break_glass, const Ctx& ctx) {
  Impl impl{*this};
  return store::write_tx(db_, [&](store::Connection& c) -> Result<DocumentView> {
    auto d = impl.read_one(c, who, id, break_glass, ctx, "document.read");
    if (!d) return fail(d.error());
    return impl.view(c, std::move(*d));
  });
}

Result<std::vector<DocumentView>> DocumentService::list(const Who& who, int64_t patient_id, std::string_view kind,
                                                        std::string_view break_glass, const Ctx& ctx) {
  if (!kind.empty() && !parse_kind(kind)) return fail(Error::invalid("kind", "unknown document kind"));
  Impl impl{*this};
  return store::write_tx(db_, [&](store::Connection& c) -> Result<std::vector<DocumentView>> {
    if (auto ok = impl.may_read_patient(c, who, patient_id, break_glass, ctx); !ok) return fail(ok.error());
    auto rows = c.query(sql::kSelectPatientDocuments, {patient_id});
    if (!rows) return fail(rows.error());
    std::vector<DocumentView> out;
    bool patient = who.kind == auth::PrincipalKind::patient;
    for (const auto& r : *rows) {
      Document d = sql::read_document(r);
      if (!kind.empty() && kind_name(d.kind) != kind) continue;
      if (patient && !d.signed_) continue;
      auto v = impl.view(c, std::move(d));
      if (!v) return fail(v.error());
      out.push_back(std::move(*v));
    }
    if (auto a = impl.audit(c, who, "document.list", 0,
                            "patient " + std::to_string(patient_id) + ", " + std::to_string(out.size()) + " shown", ctx);
        !a)
      return fail(a.error());
    return out;
  });
}

Result<VerificationReport> DocumentService::verify(const Who& who, int64_t id, std::string_view break_glass,
                                                   const Ctx& ctx) {
  Impl impl{*this};
  auto trust = impl.trust();
  if (!trust) return fail(trust.error());
  return store::write_tx(db_, [&](store::Connection& c) -> Result<VerificationReport> {
    auto d = impl.read_one(c, who, id, break_glass, ctx, "document.verify");
    if (!d) return fail(d.error());
    auto sigs = Impl::signatures(c, id);
    if (!sigs) return fail(sigs.error());
    return verify_document(*d, *sigs, *trust, impl.timestamp_checker(*trust));
  });
}

Result<PublicVerification> DocumentService::public_verify(int64_t id, std::string_view code, const Ctx& ctx) {
  if (!crypto::constant_time_equal(code, verify_code(id))) return fail(Error::not_found("document"));
  Impl impl{*this};
  auto trust = impl.trust();
  if (!trust) return fail(trust.error());
  return store::write_tx(db_, [&](store::Connection& c) -> Result<PublicVerification> {
    auto d = Impl::load(c, id);
    if (!d) return fail(d.error());
    auto sigs = Impl::signatures(c, id);
    if (!sigs) return fail(sigs.error());
    auto basics = patients_.basics(c, d->patient_id);
    if (!basics) return fail(basics.error());
    if (auto a = audit_.append(c, {"anonymous", "document.public_verify", "document", std::to_string(id), "success",
                                   "verify code"},
                               ctx);
        !a)
      return fail(a.error());
    return PublicVerification{verify_document(*d, *sigs, *trust, impl.timestamp_checker(*trust)), *d,
                              crypto::mask_name(basics->name)};
  });
}

Status DocumentService::refer(const Who& who, int64_t patient_id, int64_t to_user_id, std::string_view reason,
                              const Ctx& ctx) {
  if (reason.empty()) return fail(Error::invalid("reason", "is required"));
  if (to_user_id == who.id) return fail(Error::invalid("to_user_id", "is yourself"));
  Impl impl{*this};
  return db_.write([&](store::Connection& c) -> Status {
    if (auto ok = impl.may_read_patient(c, who, patient_id, "", ctx); !ok) return fail(ok.error());
    auto rows = c.query(sql::kInsertReferral, {patient_id, who.id, to_user_id, std::string(reason), clock_.now_ms()});
    if (!rows) {
      if (rows.error().code == "constraint_violation") return fail(Error::invalid("to_user_id", "no such user"));
      return fail(rows.error());
    }
    return audit_.append(c, {who.audit_name(), "document.refer", "patient", std::to_string(patient_id), "success",
                             "to user " + std::to_string(to_user_id)},
                         ctx);
  });
}

}  // namespace stork::clinical
