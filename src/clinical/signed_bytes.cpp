#include "clinical/signed_bytes.hpp"

#include <boost/json.hpp>

#include "clinical/canonical_json.hpp"

namespace stork::clinical {
namespace json = boost::json;

namespace {

json::object signer_object(const SignerIdentity& s) {
  return {{"user_id", s.user_id}, {"name", s.name}, {"certificate_serial", s.certificate_serial}};
}

}  // namespace

Result<std::string> author_signed_bytes(const Document& d, const SignerIdentity& signer, int64_t signed_at_ms) {
  boost::system::error_code ec;
  json::value content = json::parse(d.content, ec);
  if (ec) return fail(Error::invalid("content", "the stored content is not JSON"));
  json::object body{{"resourceType", fhir_resource(d.kind)},
                    {"kind", kind_name(d.kind)},
                    {"id", d.id},
                    {"version", d.version},
                    {"patient", d.patient_id},
                    {"signer", signer_object(signer)},
                    {"signed_at", signed_at_ms},
                    {"content", std::move(content)}};
  body["replaces"] = d.replaces ? json::value(*d.replaces) : json::value(nullptr);
  return canonical_json(json::serialize(body), "document");
}

Result<std::string> reviewer_signed_bytes(int64_t document_id, std::string_view document_hash,
                                          std::string_view decision, const SignerIdentity& reviewer,
                                          int64_t signed_at_ms) {
  json::object body{{"resourceType", "Provenance"},   {"target", document_id},
                    {"document_hash", document_hash}, {"activity", decision},
                    {"reviewer", signer_object(reviewer)}, {"signed_at", signed_at_ms}};
  return canonical_json(json::serialize(body), "review");
}

}  // namespace stork::clinical
