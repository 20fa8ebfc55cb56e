// The pharmacist's side of a prescription, and the reporting doctor's list
// of reports to sign.
#include "clinical/service.hpp"
#include "clinical/service_impl.hpp"
#include "clinical/signed_bytes.hpp"
#include "crypto/hash.hpp"
#include "crypto/random.hpp"

namespace stork::clinical {

using auth::Role;

namespace {

Result<std::vector<DocumentView>> views_of(DocumentService::Impl& impl, store::Connection& c, const store::Rows& rows) {
  std::vector<DocumentView> out;
  for (const auto& r : rows) {
    auto v = impl.view(c, sql::read_document(r));
    if (!v) return fail(v.error());
    out.push_back(std::move(*v));
  }
  return out;
}

}  // namespace

Result<std::vector<DocumentView>> DocumentService::pending_reports(const Who& who, const Ctx& ctx) {
  if (!who.has_role(Role::doctor)) return fail(Error::forbidden());
  Impl impl{*this};
  return store::write_tx(db_, [&](store::Connection& c) -> Result<std::vector<DocumentView>> {
    auto rows = c.query(sql::kSelectPendingReports);
    if (!rows) return fail(rows.error());
    auto out = views_of(impl, c, *rows);
    if (!out) return fail(out.error());
    if (auto a = impl.audit(c, who, "document.list", 0, "pending reports, " + std::to_string(out->size()) + " shown",
                            ctx);
        !a)
      return fail(a.error());
    return out;
  });
}

Result<std::vector<DocumentView>> DocumentService::review_queue(const Who& who, const Ctx& ctx) {
  if (!who.has_role(Role::pharmacist)) return fail(Error::forbidden());
  Impl impl{*this};
  return store::write_tx(db_, [&](store::Connection& c) -> Result<std::vector<DocumentView>> {
    auto rows = c.query(sql::kSelectReviewQueue);
    if (!rows) return fail(rows.error());
    auto out = views_of(impl, c, *rows);
    if (!out) return fail(out.error());
    if (auto a = impl.audit(c, who, "document.list", 0, "review queue, " + std::to_string(out->size()) + " shown", ctx);
        !a)
      return fail(a.error());
    return out;
  });
}

Result<DocumentView> DocumentService::review(const Who& who, int64_t id, std::string_view decision,
                                             std::string_view reason, std::string_view pin, const Ctx& ctx) {
  if (!who.has_role(Role::pharmacist)) return fail(Error::forbidden());
  if (decision != "approve" && decision != "reject")
    return fail(Error::invalid("decision", "must be approve or reject"));
  if (decision == "reject" && reason.empty()) return fail(Error::invalid("reason", "say why it is rejected"));
  if (reason.size() > 1000) return fail(Error::invalid("reason", "is longer than 1000 characters"));
  Impl impl{*this};
  auto d = store::read_tx(db_, [&](store::Connection& c) { return Impl::load(c, id); });
  if (!d) return fail(d.error());
  if (d->kind != DocumentKind::prescription || d->review_status != "pending")
    return fail(Error::conflict("review_not_pending", "this prescription is not waiting for review"));

  // Approval is a co-signature over the prescription's hash and the decision.
  int64_t now = clock_.now_ms();
  std::optional<SignOutcome> outcome;
  std::string bytes;
  if (decision == "approve") {
    auto credential = keys_.latest(who.id);
    if (!credential) return fail(credential.error());
    if (!*credential)
      return fail(Error::conflict("signing_key_missing", "you have no signing key yet: ask the administrator to enrol you"));
    auto built = reviewer_signed_bytes(id, d->content_hash, decision, {who.id, who.display_name, (*credential)->serial},
                                       now);
    if (!built) return fail(built.error());
    bytes = std::move(*built);
    auto signed_ = keys_.sign(who.id, pin, bytes);
    if (!signed_) return fail(signed_.error());
    if (signed_->credential.serial != (*credential)->serial)
      return fail(Error::conflict("credential_changed", "your certificate changed while signing: sign again"));
    outcome = std::move(*signed_);
  }
  std::string timestamp;
  if (outcome && tsa_) {
    auto token = tsa_->stamp(outcome->signature, TimePoint(std::chrono::milliseconds(now)));
    if (!token) return fail(token.error());
    timestamp = crypto::base64(*token);
  }

  return store::write_tx(db_, [&](store::Connection& c) -> Result<DocumentView> {
    std::string status = decision == "approve" ? "approved" : "rejected";
    auto changed = c.execute(sql::kSetReview, {id, status, who.id, who.display_name, now, std::string(reason)});
    if (!changed) return fail(changed.error());
    if (*changed == 0) return fail(Error::conflict("review_not_pending", "another pharmacist reviewed it first"));
    if (outcome) {
      auto inserted = c.execute(sql::kInsertSignature,
                                {id, std::string("reviewer"), who.id, who.display_name, outcome->credential.id,
                                 outcome->credential.algorithm, crypto::sha256_hex(bytes),
                                 crypto::base64(outcome->signature), outcome->credential.certificate_pem,
                                 outcome->chain_pem, now, std::string(decision), timestamp});
      if (!inserted) return fail(inserted.error());
    }
    if (auto a = impl.audit(c, who, "prescription.review", id, status, ctx); !a) return fail(a.error());
    auto again = Impl::load(c, id);
    if (!again) return fail(again.error());
    return impl.view(c, std::move(*again));
  });
}

Result<DocumentView> DocumentService::dispense(const Who& who, int64_t id, const Ctx& ctx) {
  if (!who.has_role(Role::pharmacist)) return fail(Error::forbidden());
  Impl impl{*this};
  return store::write_tx(db_, [&](store::Connection& c) -> Result<DocumentView> {
    auto d = Impl::load(c, id);
    if (!d) return fail(d.error());
    if (d->kind != DocumentKind::prescription || d->review_status != "approved")
      return fail(Error::conflict("not_approved", "only an approved prescription is dispensed"));
    if (d->dispensed_at_ms) return fail(Error::conflict("already_dispensed", "this prescription was dispensed"));
    auto changed = c.execute(sql::kSetDispensed, {id, clock_.now_ms()});
    if (!changed) return fail(changed.error());
    if (*changed == 0) return fail(Error::conflict("already_dispensed", "this prescription was dispensed"));
    if (auto a = impl.audit(c, who, "prescription.dispense", id, "", ctx); !a) return fail(a.error());
    auto again = Impl::load(c, id);
    if (!again) return fail(again.error());
    return impl.view(c, std::move(*again));
  });
}

}  // namespace stork::clinical
