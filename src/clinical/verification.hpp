#pragma once
// Checks a signed document as it is stored (or as exported to a file): for
// each signature, that the bytes rebuilt from the stored fields hash to what
// was signed, that the signature verifies with the certificate's key, that
// the certificate chains to a trusted CA and was valid at the signing time,
// that the CA's CRL did not revoke it at or before then, and that a
// timestamp token, when there is one, covers the signature.
//
// Pure apart from OpenSSL; safe from any thread.
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "clinical/model.hpp"
#include "crypto/x509_ca.hpp"

namespace stork::clinical {

struct TrustMaterial {
  std::vector<crypto::X509Certificate> anchors;  // CA certificates we trust
  std::vector<crypto::Crl> crls;                 // their latest CRLs
};

struct Check {
  std::string name;     // hash, signature, certificate_chain, revocation, timestamp; review_… for a co-signature
  bool ok = false;
  std::string code;     // on failure: hash_mismatch, signature_mismatch, certificate_revoked, ...
  std::string message;  // for people
};

struct SignatureSummary {
  std::string role;  // author, reviewer
  int64_t user_id = 0;
  std::string signer;
  std::string algorithm;
  std::string certificate_serial;
  int64_t signed_at_ms = 0;
  std::optional<int64_t> timestamp_at_ms;
};

struct VerificationReport {
  bool valid = false;
  std::string reason;  // the first failed check's code; "" when valid
  std::vector<Check> checks;
  std::vector<SignatureSummary> signatures;
};

// Checks an RFC 3161 token over `signature` bytes; returns its time or a
// failure (code, message). Empty when timestamps are not checked.
using TimestampChecker =
    std::function<std::expected<int64_t, std::pair<std::string, std::string>>(std::string_view token_der,
                                                                               std::string_view signature)>;

VerificationReport verify_document(const Document& document, const std::vector<StoredSignature>& signatures,
                                   const TrustMaterial& trust, const TimestampChecker& timestamps = {});

}  // namespace stork::clinical
