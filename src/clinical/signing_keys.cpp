#include "clinical/signing_keys.hpp"

#include <chrono>

#include "clinical/repo.hpp"
#include "crypto/keystore.hpp"

namespace stork::clinical {

namespace {

using std::chrono::hours;
using std::chrono::milliseconds;

TimePoint from_ms(int64_t ms) { return TimePoint(milliseconds(ms)); }

Error signing_key_missing() {
  return Error::conflict("signing_key_missing", "you have no signing key yet: ask the administrator to enrol you");
}

}  // namespace

SigningKeys::SigningKeys(store::Database& db, const Clock& clock, SigningSettings settings,
                         std::shared_ptr<crypto::Pkcs11Module> module)
    : db_(db), clock_(clock), settings_(settings), module_(std::move(module)) {}

Result<Authority> SigningKeys::add_authority(const std::string& kind, const crypto::X509Certificate& certificate,
                                             const std::string& crl_pem) {
  return store::write_tx(db_, [&](store::Connection& c) -> Result<Authority> {
    auto rows = c.query(sql::kInsertAuthority, {kind, certificate.subject_cn(), certificate.serial_hex(),
                                                 certificate.pem(), clock_.now_ms()});
    if (!rows) {
      if (rows.error().code == "unique_violation")
        return fail(Error::conflict("authority_exists", "this CA certificate is already trusted"));
      return fail(rows.error());
    }
    Authority a{rows->at(0).integer(0), kind, certificate.subject_cn(), certificate.serial_hex(), certificate.pem(),
                crl_pem};
    if (!crl_pem.empty()) {
      auto crl = crypto::Crl::from_pem(crl_pem);
      if (!crl) return fail(crl.error());
      if (auto s = c.execute(sql::kUpsertCrl, {a.id, crl_pem, to_ms(crl->this_update())}); !s) return fail(s.error());
    }
    return a;
  });
}

Result<Authority> SigningKeys::create_hospital_ca(crypto::SignatureAlgorithm algorithm, const std::string& common_name,
                                                  const std::string& key_file, const std::string& ca_pin, int years) {
  if (years < 1 || years > 30) return fail(Error::invalid("years", "must be between 1 and 30"));
  auto key = crypto::SigningKey::generate(algorithm);
  TimePoint now = clock_.now();
  auto ca = crypto::CertificateAuthority::create(key, common_name, now - hours(1), now + hours(24 * 366 * years));
  if (!ca) return fail(ca.error());
  if (auto s = crypto::write_keystore_file(key_file, key, ca_pin); !s) return fail(s.error());
  auto crl = ca->crl({}, now, now + hours(24 * 7));
  if (!crl) return fail(crl.error());
  return add_authority("hospital", ca->certificate(), crl->pem());
}

Result<Authority> SigningKeys::import_ca(const std::string& certificate_pem, const std::string& crl_pem) {
  auto certificate = crypto::X509Certificate::from_pem(certificate_pem);
  if (!certificate) return fail(certificate.error());
  return add_authority("external", *certificate, crl_pem);
}

Result<std::vector<Authority>> SigningKeys::authorities() {
  return store::read_tx(db_, [&](store::Connection& c) -> Result<std::vector<Authority>> {
    auto rows = c.query(sql::kSelectAuthorities);
    if (!rows) return fail(rows.error());
    std::vector<Authority> out;
    for (const auto& r : *rows) out.push_back({r.integer(0), r.text(1), r.text(2), r.text(3), r.text(4), r.text(5)});
    return out;
  });
}

Result<OpenAuthority> SigningKeys::open_hospital_ca(const std::string& key_file, const std::string& ca_pin) {
  auto key = crypto::read_keystore_file(key_file, ca_pin);
  if (!key) return fail(key.error());
  auto all = authorities();
  if (!all) return fail(all.error());
  for (const auto& a : *all) {
    if (a.kind != "hospital") continue;
    auto certificate = crypto::X509Certificate::from_pem(a.certificate_pem);
    if (!certificate || !(certificate->public_key() == key->public_key())) continue;
    auto ca = crypto::CertificateAuthority::load(*certificate, *key);
    if (!ca) return fail(ca.error());
    return OpenAuthority{a, std::move(*ca)};
  }
  return fail(Error::not_found("hospital CA for the key in " + key_file));
}

namespace {
constexpr std::string_view kTsaKeyColumn = "timestamp_authority.key_sealed";
}

Status SigningKeys::create_timestamp_authority(const OpenAuthority& authority, const crypto::FieldCipher& cipher) {
  auto key = crypto::SigningKey::generate(crypto::SignatureAlgorithm::ecdsa_p256_sha256);
  const auto& ca = authority.ca.certificate();
  auto certificate = authority.ca.issue_tsa(key.public_key(), {ca.subject_cn() + " TSA", clock_.now() - hours(1),
                                                               ca.not_after()});
  if (!certificate) return fail(certificate.error());
  return db_.write([&](store::Connection& c) -> Status {
    auto s = c.execute(sql::kUpsertTsa, {cipher.encrypt(key.pem(), kTsaKeyColumn), certificate->pem(),
                                         std::string(crypto::kPlaceholderTsaPolicy)});
    if (!s) return fail(s.error());
    return {};
  });
}

Result<std::shared_ptr<const crypto::TimestampAuthority>> SigningKeys::timestamp_authority(
    const crypto::FieldCipher& cipher) {
  using Out = std::shared_ptr<const crypto::TimestampAuthority>;
  auto rows = store::read_tx(db_, [&](store::Connection& c) { return c.query(sql::kSelectTsa); });
  if (!rows) return fail(rows.error());
  if (rows->empty()) return Out{};
  const auto& r = rows->front();
  auto pem = cipher.decrypt(r.text(0), kTsaKeyColumn);
  if (!pem) return fail(pem.error());
  auto key = crypto::SigningKey::from_pem(*pem);
  if (!key) return fail(key.error());
  auto certificate = crypto::X509Certificate::from_pem(r.text(1));
  if (!certificate) return fail(certificate.error());
  auto all = authorities();
  if (!all) return fail(all.error());
  for (const auto& a : *all) {
    auto issuer = crypto::X509Certificate::from_pem(a.certificate_pem);
    if (!issuer || issuer->subject_cn() != certificate->issuer_cn()) continue;
    auto tsa = crypto::TimestampAuthority::create(*key, *certificate, {*issuer}, r.text(2));
    if (!tsa) return fail(tsa.error());
    return Out(std::make_shared<crypto::TimestampAuthority>(std::move(*tsa)));
  }
  return fail(Error::not_found("the CA of the time-stamping authority"));
}

Result<TrustMaterial> SigningKeys::trust() {
  auto all = authorities();
  if (!all) return fail(all.error());
  TrustMaterial trust;
  for (const auto& a : *all) {
    if (auto certificate = crypto::X509Certificate::from_pem(a.certificate_pem)) trust.anchors.push_back(*certificate);
    if (!a.crl_pem.empty())
      if (auto crl = crypto::Crl::from_pem(a.crl_pem)) trust.crls.push_back(*crl);
  }
  return trust;
}

Result<Credential> SigningKeys::store_credential(const EnrolRequest& request, const std::string& key_id,
                                                 const std::string& keystore_pem,
                                                 const crypto::X509Certificate& certificate, int64_t authority_id) {
  return store::write_tx(db_, [&](store::Connection& c) -> Result<Credential> {
    if (auto s = c.execute(sql::kReplaceActiveCredentials, {request.user_id}); !s) return fail(s.error());
    auto rows = c.query(sql::kInsertCredential,
                        {request.user_id, std::string(crypto::algorithm_name(certificate.public_key().algorithm())),
                         request.storage, request.token_label, key_id, keystore_pem, certificate.pem(),
                         certificate.serial_hex(), authority_id, certificate.subject_cn(),
                         to_ms(certificate.not_before()), to_ms(certificate.not_after()), clock_.now_ms()});
    if (!rows) return fail(rows.error());
    auto again = c.query(sql::kSelectCredentialBySerial, {certificate.serial_hex()});
    if (!again) return fail(again.error());
    return sql::read_credential(again->at(0));
  });
}

Result<Credential> SigningKeys::enrol(const EnrolRequest& request, const OpenAuthority& authority) {
  TimePoint now = clock_.now();
  crypto::CertificateRequest cert_request{request.common_name, now - hours(1),
                                          now + hours(24 * settings_.certificate_days)};
  if (request.storage == "keystore") {
    auto key = crypto::SigningKey::generate(request.algorithm);
    auto sealed = crypto::seal_private_key(key, request.pin);
    if (!sealed) return fail(sealed.error());
    auto certificate = authority.ca.issue(key.public_key(), cert_request);
    if (!certificate) return fail(certificate.error());
    return store_credential(request, "", *sealed, *certificate, authority.row.id);
  }
  if (request.storage != "pkcs11") return fail(Error::invalid("storage", "must be pkcs11 or keystore"));
  if (!module_) return fail(Error::unavailable("no PKCS#11 module is configured (signing_pkcs11_module)"));
  if (request.token_label.empty()) return fail(Error::invalid("token_label", "is required for a token"));
  if (!request.so_pin.empty())
    if (auto s = module_->init_token(request.token_label, request.so_pin, request.pin); !s) return fail(s.error());
  auto key = module_->generate_key(request.token_label, request.pin, request.algorithm, request.common_name);
  if (!key) return fail(key.error());
  auto certificate = authority.ca.issue(key->public_key, cert_request);
  if (!certificate) return fail(certificate.error());
  if (auto s = module_->store_certificate(request.token_label, request.pin, key->key_id_hex, *certificate); !s)
    return fail(s.error());
  return store_credential(request, key->key_id_hex, "", *certificate, authority.row.id);
}

Result<Credential> SigningKeys::renew(int64_t user_id, const OpenAuthority& authority) {
  auto current = latest(user_id);
  if (!current) return fail(current.error());
  if (!*current) return fail(signing_key_missing());
  const Credential& old = **current;
  if (old.status == "revoked")
    return fail(Error::conflict("certificate_revoked", "a revoked key is not renewed: enrol a new one"));
  auto old_certificate = crypto::X509Certificate::from_pem(old.certificate_pem);
  if (!old_certificate) return fail(old_certificate.error());
  TimePoint now = clock_.now();
  auto certificate = authority.ca.issue(old_certificate->public_key(),
                                        {old.subject, now - hours(1), now + hours(24 * settings_.certificate_days)});
  if (!certificate) return fail(certificate.error());
  EnrolRequest request{user_id, old.subject, old_certificate->public_key().algorithm(), old.storage, "",
                       old.token_label, ""};
  return store_credential(request, old.key_id, old.keystore_pem, *certificate, authority.row.id);
}

Result<Credential> SigningKeys::revoke(const std::string& serial, const std::string& reason,
                                       const OpenAuthority& authority) {
  if (reason.empty()) return fail(Error::invalid("reason", "is required"));
  // A CRL dates revocations in whole seconds: round up, so a signature made
  // earlier in this second is not taken for one made after the revocation.
  // (Signing checks the stored status, so none is made after it.)
  TimePoint now = std::chrono::ceil<std::chrono::seconds>(clock_.now());
  return store::write_tx(db_, [&](store::Connection& c) -> Result<Credential> {
    auto rows = c.query(sql::kSelectCredentialBySerial, {serial});
    if (!rows) return fail(rows.error());
    if (rows->empty()) return fail(Error::not_found("certificate " + serial));
    Credential credential = sql::read_credential(rows->at(0));
    if (credential.authority_id != authority.row.id)
      return fail(Error::conflict("other_authority", "this certificate was issued by another CA"));
    auto changed = c.execute(sql::kRevokeCredential, {credential.id, to_ms(now), reason});
    if (!changed) return fail(changed.error());
    if (*changed == 0) return fail(Error::conflict("already_revoked", "this certificate is already revoked"));
    auto revoked = c.query(sql::kSelectRevocations, {authority.row.id});
    if (!revoked) return fail(revoked.error());
    std::vector<crypto::Revocation> list;
    for (const auto& r : *revoked) list.push_back({r.text(0), from_ms(r.integer(1))});
    auto crl = authority.ca.crl(list, now, now + hours(24 * 7));
    if (!crl) return fail(crl.error());
    if (auto s = c.execute(sql::kUpsertCrl, {authority.row.id, crl->pem(), to_ms(now)}); !s) return fail(s.error());
    credential.status = "revoked";
    credential.revoked_at_ms = to_ms(now);
    return credential;
  });
}

Status SigningKeys::unlock(int64_t user_id) {
  auto current = latest(user_id);
  if (!current) return fail(current.error());
  if (!*current) return fail(signing_key_missing());
  return db_.write([&](store::Connection& c) -> Status {
    auto s = c.execute(sql::kResetFailedPins, {(*current)->id});
    if (!s) return fail(s.error());
    return {};
  });
}

Result<std::vector<Credential>> SigningKeys::list() {
  return store::read_tx(db_, [&](store::Connection& c) -> Result<std::vector<Credential>> {
    auto rows = c.query(sql::kSelectCredentials);
    if (!rows) return fail(rows.error());
    std::vector<Credential> out;
    for (const auto& r : *rows) out.push_back(sql::read_credential(r));
    return out;
  });
}

Result<std::optional<Credential>> SigningKeys::latest(int64_t user_id) {
  return store::read_tx(db_, [&](store::Connection& c) -> Result<std::optional<Credential>> {
    auto rows = c.query(sql::kSelectLatestCredential, {user_id});
    if (!rows) return fail(rows.error());
    if (rows->empty()) return std::optional<Credential>{};
    return std::optional<Credential>(sql::read_credential(rows->at(0)));
  });
}

Result<std::string> SigningKeys::sign_with(const Credential& credential, std::string_view pin,
                                           std::string_view bytes) {
  if (credential.storage == "keystore") {
    auto key = crypto::open_private_key(credential.keystore_pem, pin);
    if (!key) return fail(key.error());
    return key->sign(bytes);
  }
  if (!module_) return fail(Error::unavailable("no PKCS#11 module is configured (signing_pkcs11_module)"));
  auto algorithm = crypto::parse_algorithm(credential.algorithm);
  if (!algorithm) return fail(Error::internal("unknown algorithm " + credential.algorithm));
  return module_->sign(credential.token_label, pin, credential.key_id, *algorithm, bytes);
}

Result<std::string> SigningKeys::authority_pem(int64_t authority_id) {
  auto all = authorities();
  if (!all) return fail(all.error());
  for (const auto& a : *all)
    if (a.id == authority_id) return a.certificate_pem;
  return fail(Error::not_found("CA " + std::to_string(authority_id)));
}

Result<SignOutcome> SigningKeys::sign(int64_t user_id, std::string_view pin, std::string_view bytes) {
  if (pin.empty()) return fail(Error::invalid("pin", "is required"));
  auto current = latest(user_id);
  if (!current) return fail(current.error());
  if (!*current) return fail(signing_key_missing());
  Credential credential = **current;
  int64_t now = clock_.now_ms();
  if (credential.status == "revoked")
    return fail(Error::conflict("certificate_revoked", "your certificate was revoked: signing is refused"));
  if (now > credential.not_after_ms)
    return fail(Error::conflict("certificate_expired", "your certificate has expired: ask for a renewal"));
  if (now < credential.not_before_ms)
    return fail(Error::conflict("certificate_not_yet_valid", "your certificate is not valid yet"));
  if (credential.failed_pins >= settings_.max_pin_failures)
    return fail(Error::conflict("pin_locked", "too many wrong PINs: the administrator must unlock your key"));

  auto signature = sign_with(credential, pin, bytes);
  if (!signature) {
    if (signature.error().code != "wrong_pin") return fail(signature.error());
    auto count = store::write_tx(db_, [&](store::Connection& c) -> Result<int64_t> {
      auto rows = c.query(sql::kCountFailedPin, {credential.id});
      if (!rows) return fail(rows.error());
      return rows->at(0).integer(0);
    });
    if (!count) return fail(count.error());
    int64_t left = std::max<int64_t>(0, settings_.max_pin_failures - *count);
    if (left == 0)
      return fail(Error::conflict("pin_locked", "wrong PIN; too many wrong PINs: your key is now locked"));
    return fail(Error::conflict("wrong_pin", "wrong PIN").with("attempts_left", left));
  }
  if (credential.failed_pins > 0)
    if (auto s = unlock(user_id); !s) return fail(s.error());
  auto chain = authority_pem(credential.authority_id);
  if (!chain) return fail(chain.error());
  return SignOutcome{std::move(*signature), credential, std::move(*chain)};
}

}  // namespace stork::clinical
