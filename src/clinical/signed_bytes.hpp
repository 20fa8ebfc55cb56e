#pragma once
// The exact bytes a signature covers: RFC 8785 canonical JSON built from a
// document's stored fields, so a verifier rebuilds them from the database
// row (or an exported bundle) and any changed byte shows.
//
//  author:   {"resourceType", "kind", "id", "version", "replaces", "patient",
//             "signer": {"user_id", "name", "certificate_serial"},
//             "signed_at", "content"}
//  reviewer: {"resourceType": "Provenance", "target", "document_hash",
//             "activity", "reviewer": {...}, "signed_at"}
//
// Pure functions; safe from any thread.
#include <cstdint>
#include <optional>
#include <string>

#include "clinical/model.hpp"
#include "core/error.hpp"

namespace stork::clinical {

struct SignerIdentity {
  int64_t user_id = 0;
  std::string name;
  std::string certificate_serial;
};

// Errors: validation_failed ("content") when the stored content is not JSON,
// which only a changed database row can cause.
Result<std::string> author_signed_bytes(const Document& document, const SignerIdentity& signer,
                                        int64_t signed_at_ms);
Result<std::string> reviewer_signed_bytes(int64_t document_id, std::string_view document_hash,
                                          std::string_view decision, const SignerIdentity& reviewer,
                                          int64_t signed_at_ms);

}  // namespace stork::clinical
