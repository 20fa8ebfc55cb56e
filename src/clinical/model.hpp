#pragma once
// Rows of the clinical module, as the repo reads them.
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "clinical/content.hpp"

namespace stork::clinical {

enum class ReviewStatus { none, pending, approved, rejected };

struct Document {
  int64_t id = 0;
  DocumentKind kind = DocumentKind::record;
  int64_t patient_id = 0;
  std::optional<int64_t> author_user_id;  // none for a report received from a LIS
  bool signed_ = false;
  int version = 1;
  std::optional<int64_t> replaces;
  std::optional<int64_t> superseded_by;
  std::string content;       // canonical JSON
  std::string content_hash;  // sha256 hex of the author's signed bytes, once signed
  int64_t created_at_ms = 0;
  int64_t updated_at_ms = 0;
  std::optional<int64_t> signed_at_ms;
  std::optional<int64_t> signer_user_id;
  std::string signer_name;
  std::string review_status = "none";
  std::optional<int64_t> reviewer_user_id;
  std::string reviewer_name;
  std::optional<int64_t> reviewed_at_ms;
  std::string review_reason;
  std::optional<int64_t> dispensed_at_ms;
  std::string source = "staff";  // staff, hl7, rest
  std::string interpreter;       // a report's intended reporting doctor (username), "" for any
  int abnormal_count = 0;
};

struct StoredSignature {
  int64_t id = 0;
  int64_t document_id = 0;
  std::string role;  // author, reviewer
  int64_t user_id = 0;
  std::string signer_name;
  int64_t credential_id = 0;
  std::string algorithm;
  std::string signed_hash;      // sha256 hex of the bytes signed
  std::string signature;        // base64 DER
  std::string certificate_pem;  // the signer's
  std::string chain_pem;        // issuers up to the root
  int64_t signed_at_ms = 0;
  std::string decision;         // a reviewer's: approve
  std::string timestamp_token;  // base64 DER RFC 3161 token over the signature, or ""
};

struct Credential {
  int64_t id = 0;
  int64_t user_id = 0;
  std::string algorithm;
  std::string storage;  // pkcs11, keystore
  std::string token_label;
  std::string key_id;
  std::string keystore_pem;
  std::string certificate_pem;
  std::string serial;
  int64_t authority_id = 0;
  std::string subject;
  int64_t not_before_ms = 0;
  int64_t not_after_ms = 0;
  std::string status;  // active, revoked, replaced
  std::optional<int64_t> revoked_at_ms;
  int failed_pins = 0;
  int64_t created_at_ms = 0;
};

struct Authority {
  int64_t id = 0;
  std::string kind;  // hospital, external
  std::string subject;
  std::string serial;
  std::string certificate_pem;
  std::string crl_pem;  // latest CRL, "" when none yet
};

}  // namespace stork::clinical
