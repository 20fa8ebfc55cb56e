#pragma once
// A small hospital certificate authority over OpenSSL 3: a self-signed root,
// end-entity certificates for doctors' signing keys, CRLs, and the check a
// signature verifier needs: "was this certificate good at the signing time?"
//
// SM2 and ECDSA P-256 both work. OpenSSL 3.0 signs X.509 with SM2-with-SM3,
// but with an empty distinguishing ID unless told otherwise; certificates
// and CRLs here are signed and checked with the GM/T 0009 default ID
// "1234567812345678", which other SM2 implementations expect (the
// `openssl verify` of Debian 12 needs `-vfyopt distid:1234567812345678`).
//
// Revocation follows the signing time: a certificate revoked at T still
// backs signatures made before T. OpenSSL's CRL check only knows "revoked
// or not", so verify_certificate() reads the CRL entry's date itself.
//
// Thread safety: Certificate, Crl and CertificateAuthority are immutable
// after construction; copies share the OpenSSL objects and may be used
// from any thread.
#include <expected>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "core/clock.hpp"
#include "core/error.hpp"
#include "crypto/signature.hpp"

struct x509_st;      // OpenSSL's X509
struct X509_crl_st;  // OpenSSL's X509_CRL

namespace stork::crypto {

class X509Certificate {
 public:
  // One PEM certificate whose key is SM2 or P-256. Errors: validation_failed
  // (field "certificate").
  static Result<X509Certificate> from_pem(std::string_view pem);

  std::string pem() const;
  // Upper-case hex without leading zeros.
  std::string serial_hex() const;
  std::string subject_cn() const;
  std::string issuer_cn() const;
  TimePoint not_before() const;
  TimePoint not_after() const;
  const VerifyingKey& public_key() const { return public_key_; }

  x509_st* native() const { return cert_.get(); }

 private:
  friend class CertificateAuthority;
  X509Certificate(std::shared_ptr<x509_st> cert, VerifyingKey key)
      : cert_(std::move(cert)), public_key_(std::move(key)) {}
  static Result<X509Certificate> adopt(x509_st* cert);  // takes ownership
  std::shared_ptr<x509_st> cert_;
  VerifyingKey public_key_;
};

class Crl {
 public:
  // Errors: validation_failed (field "crl").
  static Result<Crl> from_pem(std::string_view pem);
  std::string pem() const;
  TimePoint this_update() const;
  // When the certificate with this serial was revoked, if this CRL lists it.
  std::optional<TimePoint> revoked_at(std::string_view serial_hex) const;

  X509_crl_st* native() const { return crl_.get(); }

 private:
  friend class CertificateAuthority;
  explicit Crl(std::shared_ptr<X509_crl_st> crl) : crl_(std::move(crl)) {}
  std::shared_ptr<X509_crl_st> crl_;
};

struct Revocation {
  std::string serial_hex;
  TimePoint revoked_at;
};

struct CertificateRequest {
  std::string common_name;  // the doctor's name, UTF-8
  TimePoint not_before;
  TimePoint not_after;
};

class CertificateAuthority {
 public:
  // A self-signed root: subject and issuer CN=common_name, a random serial,
  // basicConstraints CA:TRUE and keyUsage keyCertSign + cRLSign (both
  // critical), subject and authority key identifiers. Signed with SM2-SM3
  // or ECDSA-SHA256 after the key's algorithm. Errors: validation_failed
  // (field "common_name" when empty, "not_after" when not after not_before).
  static Result<CertificateAuthority> create(SigningKey key, std::string_view common_name,
                                             TimePoint not_before, TimePoint not_after);
  // An existing CA certificate with its key. Errors: validation_failed
  // (field "private_key") when the key is not the certificate's, and
  // (field "certificate") when the certificate is not a CA.
  static Result<CertificateAuthority> load(X509Certificate certificate, SigningKey key);

  const X509Certificate& certificate() const { return certificate_; }

  // An end-entity certificate for subject_key: subject CN=common_name, a
  // random 159-bit serial (unique with overwhelming probability; callers
  // that keep a register still check it), basicConstraints CA:FALSE,
  // critical keyUsage digitalSignature + nonRepudiation. Errors:
  // validation_failed ("common_name", "not_after").
  Result<X509Certificate> issue(const VerifyingKey& subject_key,
                                const CertificateRequest& request) const;
  // A certificate for a time-stamping authority (crypto/timestamp.hpp): as
  // issue(), plus extendedKeyUsage timeStamping only, marked critical as
  // RFC 3161 §2.3 requires. Errors: as issue().
  Result<X509Certificate> issue_tsa(const VerifyingKey& subject_key,
                                    const CertificateRequest& request) const;

  // A v2 CRL listing `revoked`, with thisUpdate/nextUpdate and a CRL number
  // of this_update in seconds (so later CRLs have larger numbers). Errors:
  // validation_failed (field "serial") for a serial that is not hex.
  Result<Crl> crl(std::span<const Revocation> revoked, TimePoint this_update,
                  TimePoint next_update) const;

 private:
  CertificateAuthority(X509Certificate certificate, SigningKey key)
      : certificate_(std::move(certificate)), key_(std::move(key)) {}
  // extended_key_usage: an extendedKeyUsage value such as
  // "critical,timeStamping", or nullptr for none.
  Result<X509Certificate> issue_end_entity(const VerifyingKey& subject_key,
                                           const CertificateRequest& request,
                                           const char* extended_key_usage) const;
  X509Certificate certificate_;
  SigningKey key_;
};

// Why a certificate was not good at a given time.
enum class CertificateFailure {
  untrusted,      // no chain to a trust anchor
  bad_signature,  // a certificate's signature does not verify
  not_yet_valid,  // some certificate of the chain was not yet valid
  expired,        // some certificate of the chain had expired
  revoked,        // the issuer's CRL lists it as revoked at or before then
  crl_missing,    // no CRL from the certificate's issuer was given
  crl_invalid,    // the issuer's CRL does not carry the issuer's signature
  key_usage,      // the certificate may not sign documents
  invalid,        // anything else OpenSSL refuses (the message says what)
};

struct CertificateProblem {
  CertificateFailure failure;
  std::string message;  // for people, e.g. "revoked at 2026-11-27T08:00:00.000Z"
  // Stable codes: "certificate_untrusted", "certificate_expired", ...
  std::string_view code() const;
};

// Was `leaf` good at time `at` (the signing time)? It must chain through
// `intermediates` to one of `anchors` with every certificate valid at `at`;
// it must allow digitalSignature or nonRepudiation; and a CRL among `crls`
// signed by its issuer must be present and must not list it as revoked at
// or before `at`. Only the leaf's revocation is checked: the hospital CA
// issues doctors' certificates directly.
std::expected<void, CertificateProblem> verify_certificate(
    const X509Certificate& leaf, std::span<const X509Certificate> intermediates,
    std::span<const X509Certificate> anchors, std::span<const Crl> crls, TimePoint at);

}  // namespace stork::crypto
