#include "clinical/verification.hpp"

#include "clinical/signed_bytes.hpp"
#include "crypto/hash.hpp"
#include "crypto/random.hpp"

namespace stork::clinical {

namespace {

// The PEM certificates of a chain, in order.
std::vector<crypto::X509Certificate> parse_chain(std::string_view pem) {
  std::vector<crypto::X509Certificate> out;
  constexpr std::string_view kEnd = "-----END CERTIFICATE-----";
  size_t start = 0;
  while (true) {
    size_t begin = pem.find("-----BEGIN CERTIFICATE-----", start);
    if (begin == std::string_view::npos) break;
    size_t end = pem.find(kEnd, begin);
    if (end == std::string_view::npos) break;
    end += kEnd.size();
    if (auto cert = crypto::X509Certificate::from_pem(pem.substr(begin, end - begin))) out.push_back(*cert);
    start = end;
  }
  return out;
}

class Recorder {
 public:
  explicit Recorder(VerificationReport& report, std::string prefix) : report_(report), prefix_(std::move(prefix)) {}
  void pass(std::string_view name, std::string message) {
    report_.checks.push_back({prefix_ + std::string(name), true, "", std::move(message)});
  }
  void fail(std::string_view name, std::string code, std::string message) {
    if (report_.reason.empty()) report_.reason = code;
    report_.checks.push_back({prefix_ + std::string(name), false, std::move(code), std::move(message)});
  }

 private:
  VerificationReport& report_;
  std::string prefix_;
};

void check_signature(const Document& d, const StoredSignature& s, const TrustMaterial& trust,
                     const TimestampChecker& timestamps, VerificationReport& report) {
  Recorder rec(report, s.role == "author" ? "" : "review_");
  SignatureSummary summary{s.role, s.user_id, s.signer_name, s.algorithm, "", s.signed_at_ms, std::nullopt};

  auto certificate = crypto::X509Certificate::from_pem(s.certificate_pem);
  if (!certificate) {
    rec.fail("signature", "certificate_malformed", "the stored certificate cannot be read");
    report.signatures.push_back(summary);
    return;
  }
  summary.certificate_serial = certificate->serial_hex();
  SignerIdentity signer{s.user_id, s.signer_name, certificate->serial_hex()};

  // 1. The bytes rebuilt from the stored fields are the bytes that were signed.
  auto bytes = s.role == "author"
                   ? author_signed_bytes(d, signer, s.signed_at_ms)
                   : reviewer_signed_bytes(d.id, d.content_hash, s.decision, signer, s.signed_at_ms);
  std::string hash = bytes ? crypto::sha256_hex(*bytes) : "";
  // The document row repeats the author's signing time and name (lists and
  // print-outs show them): they must be the signature's.
  const bool row_agrees = s.role != "author" || (hash == d.content_hash && d.signed_at_ms == s.signed_at_ms &&
                                                 d.signer_name == s.signer_name);
  bool hash_ok = bytes && hash == s.signed_hash && row_agrees;
  if (hash_ok) rec.pass("hash", "SHA-256 " + hash.substr(0, 16) + "… matches the signed document");
  else rec.fail("hash", "hash_mismatch", "the document is not the one that was signed: it was changed after signing");

  // 2. The signature is the certificate holder's, over exactly those bytes.
  auto algorithm = crypto::parse_algorithm(s.algorithm);
  std::string der;
  if (!algorithm) {
    rec.fail("signature", "signature_algorithm_unknown", "unknown algorithm " + s.algorithm);
  } else if (!crypto::from_base64(s.signature, der)) {
    rec.fail("signature", "signature_malformed", "the stored signature is not base64");
  } else if (!bytes) {
    rec.fail("signature", "signature_mismatch", "the signed bytes cannot be rebuilt");
  } else if (auto ok = certificate->public_key().verify(*algorithm, *bytes, der); !ok) {
    rec.fail("signature", std::string(crypto::failure_code(ok.error())), std::string(crypto::failure_message(ok.error())));
  } else {
    rec.pass("signature", s.algorithm + " signature by " + certificate->subject_cn() + " verifies");
  }

  // 3 and 4. The certificate was good at the signing time.
  auto chain = parse_chain(s.chain_pem);
  auto good = crypto::verify_certificate(*certificate, chain, trust.anchors, trust.crls,
                                         TimePoint(std::chrono::milliseconds(s.signed_at_ms)));
  using F = crypto::CertificateFailure;
  if (good) {
    rec.pass("certificate_chain", "issued by " + certificate->issuer_cn() + ", valid at the signing time");
    rec.pass("revocation", "not revoked at the signing time");
  } else if (good.error().failure == F::revoked || good.error().failure == F::crl_missing ||
             good.error().failure == F::crl_invalid) {
    rec.pass("certificate_chain", "issued by " + certificate->issuer_cn() + ", valid at the signing time");
    rec.fail("revocation", std::string(good.error().code()), good.error().message);
  } else {
    rec.fail("certificate_chain", std::string(good.error().code()), good.error().message);
  }

  // 5. A timestamp token, when present, covers this signature.
  if (s.timestamp_token.empty()) {
    rec.pass("timestamp", "no timestamp token (signing time as recorded by the server)");
  } else if (!timestamps) {
    rec.fail("timestamp", "timestamp_unchecked", "no time-stamping authority is configured to check the token");
  } else {
    std::string token;
    if (!crypto::from_base64(s.timestamp_token, token)) {
      rec.fail("timestamp", "timestamp_malformed", "the stored timestamp token is not base64");
    } else if (auto at = timestamps(token, der); !at) {
      rec.fail("timestamp", at.error().first, at.error().second);
    } else {
      summary.timestamp_at_ms = *at;
      rec.pass("timestamp", "RFC 3161 timestamp token verifies");
    }
  }
  report.signatures.push_back(summary);
}

}  // namespace

VerificationReport verify_document(const Document& document, const std::vector<StoredSignature>& signatures,
                                   const TrustMaterial& trust, const TimestampChecker& timestamps) {
  VerificationReport report;
  bool has_author = false;
  for (const auto& s : signatures) {
    has_author = has_author || s.role == "author";
    check_signature(document, s, trust, timestamps, report);
  }
  if (!document.signed_ || !has_author) {
    report.reason = "not_signed";
    report.checks.insert(report.checks.begin(), Check{"signed", false, "not_signed", "the document is not signed"});
  }
  report.valid = report.reason.empty();
  return report;
}

}  // namespace stork::clinical
