#pragma once
// A local time-stamping authority (RFC 3161) over OpenSSL 3's TS API, so a
// signed clinical document can carry proof that its signature existed at a
// given time, and the check of such a timestamp token years later.
//
// The token is the DER TimeStampToken: a CMS (PKCS#7) SignedData holding
// the TSTInfo (message imprint, genTime, serial, policy), with the TSA's
// certificate and chain embedded. `openssl ts -verify -token_in` reads it.
//
// Key algorithm: ECDSA P-256 only. OpenSSL 3.0's TS_RESP_CTX signs through
// PKCS#7, which refuses SM2 keys ("signing not supported for this key
// type"); an SM2 hospital CA may still issue the TSA's P-256 certificate.
//
// Thread safety: TimestampAuthority is immutable after create(); stamp()
// and verify_timestamp() may run on any thread at once. Both are CPU work
// (a signature): keep them off I/O threads.
#include <expected>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "core/clock.hpp"
#include "core/error.hpp"
#include "crypto/signature.hpp"
#include "crypto/x509_ca.hpp"

namespace stork::crypto {

// A placeholder policy under an unassigned private-enterprise arc; each
// hospital replaces it with an OID from its own arc.
inline constexpr std::string_view kPlaceholderTsaPolicy = "1.3.6.1.4.1.99999.1.1";

class TimestampAuthority {
 public:
  // key: the TSA's ECDSA P-256 key. certificate: its certificate, which
  // must carry a critical extendedKeyUsage of timeStamping only (as from
  // CertificateAuthority::issue_tsa). chain: the issuers of certificate,
  // in order up to and including the root (the hospital CA); they are
  // embedded in every token. policy_oid: dotted OID of the TSA policy.
  // Validity dates are not checked here: the clock passed to stamp() is
  // the one that counts. Errors: validation_failed naming the field:
  // "private_key" (SM2, or not the certificate's key), "certificate" (no
  // timeStamping usage), "chain" (empty, or certificate does not chain to
  // its last element), "policy_oid" (not a dotted OID).
  static Result<TimestampAuthority> create(
      SigningKey key, X509Certificate certificate, std::vector<X509Certificate> chain,
      std::string policy_oid = std::string(kPlaceholderTsaPolicy));

  const X509Certificate& certificate() const { return certificate_; }
  const std::string& policy_oid() const { return policy_oid_; }

  // A DER TimeStampToken over sha256(data) with genTime `now` (millisecond
  // precision, from the caller's clock, never the system clock) and a
  // random 64-bit serial. Errors: internal when OpenSSL refuses to stamp,
  // which is a bug, not bad input.
  Result<std::string> stamp(std::string_view data, TimePoint now) const;

 private:
  TimestampAuthority(SigningKey key, X509Certificate certificate,
                     std::vector<X509Certificate> chain, std::string policy_oid)
      : key_(std::move(key)),
        certificate_(std::move(certificate)),
        chain_(std::move(chain)),
        policy_oid_(std::move(policy_oid)) {}
  SigningKey key_;
  X509Certificate certificate_;
  std::vector<X509Certificate> chain_;
  std::string policy_oid_;
};

struct TimestampInfo {
  TimePoint gen_time;
  std::string serial_hex;  // upper-case hex, as X509Certificate::serial_hex()
  std::string tsa_subject_cn;
  std::string policy_oid;
};

enum class TimestampFailure {
  malformed,          // not a TimeStampToken, or not one we can read
  imprint_mismatch,   // a good token, but over other data (or not SHA-256)
  signature_invalid,  // the token was changed after the TSA signed it
  untrusted,          // the TSA certificate does not chain to an anchor at
                      // genTime, or may not stamp time
};

struct TimestampProblem {
  TimestampFailure failure;
  std::string message;  // for people
  // Stable codes: "timestamp_malformed", "timestamp_imprint_mismatch",
  // "timestamp_signature_invalid", "timestamp_untrusted".
  std::string_view code() const;
};

// Checks token_der against the data it stamps: the token's signature, its
// TSA certificate (EKU timeStamping, chaining through the certificates in
// the token to one of anchors, every certificate valid at genTime rather
// than now, since tokens are checked years later), and that the message
// imprint is SHA-256 of data. Revocation of the TSA certificate is not
// checked.
std::expected<TimestampInfo, TimestampProblem> verify_timestamp(
    std::string_view token_der, std::string_view data, std::span<const X509Certificate> anchors);

}  // namespace stork::crypto
