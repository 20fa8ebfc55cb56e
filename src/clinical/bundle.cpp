#include "clinical/bundle.hpp"

#include <boost/json.hpp>

namespace stork::clinical {
namespace json = boost::json;

namespace {

constexpr std::string_view kFormat = "stork-signed-document/1";

json::value optional(const std::optional<int64_t>& v) { return v ? json::value(*v) : json::value(nullptr); }

// Reads members with one error naming the first bad one.
class Reader {
 public:
  Reader(const json::object& o, std::string prefix) : o_(o), prefix_(std::move(prefix)) {}
  std::string text(std::string_view key) {
    const auto* v = o_.if_contains(key);
    if (v && v->is_string()) return std::string(v->get_string());
    bad(key);
    return {};
  }
  int64_t integer(std::string_view key) {
    const auto* v = o_.if_contains(key);
    if (v && v->is_int64()) return v->get_int64();
    bad(key);
    return 0;
  }
  std::optional<int64_t> opt_integer(std::string_view key) {
    const auto* v = o_.if_contains(key);
    if (!v || v->is_null()) return std::nullopt;
    return integer(key);
  }
  std::optional<Error> error() const { return error_; }

 private:
  void bad(std::string_view key) {
    if (!error_) error_ = Error::invalid(prefix_ + std::string(key), "is missing or of the wrong type");
  }
  const json::object& o_;
  std::string prefix_;
  std::optional<Error> error_;
};

}  // namespace

std::string bundle_to_json(const Bundle& b) {
  const Document& d = b.document;
  json::object doc{{"id", d.id},
                   {"kind", kind_name(d.kind)},
                   {"version", d.version},
                   {"replaces", optional(d.replaces)},
                   {"patient_id", d.patient_id},
                   {"content", d.content},
                   {"content_hash", d.content_hash},
                   {"signed_at", optional(d.signed_at_ms)},
                   {"signer_name", d.signer_name}};
  json::array sigs;
  for (const auto& s : b.signatures)
    sigs.push_back(json::object{{"role", s.role},
                                {"user_id", s.user_id},
                                {"signer_name", s.signer_name},
                                {"algorithm", s.algorithm},
                                {"signed_hash", s.signed_hash},
                                {"signature", s.signature},
                                {"certificate_pem", s.certificate_pem},
                                {"chain_pem", s.chain_pem},
                                {"signed_at", s.signed_at_ms},
                                {"decision", s.decision},
                                {"timestamp_token", s.timestamp_token}});
  json::array crls;
  for (const auto& c : b.crl_pems) crls.emplace_back(c);
  json::object out{{"format", kFormat}, {"document", std::move(doc)}, {"signatures", std::move(sigs)},
                   {"crls", std::move(crls)}};
  return json::serialize(out);
}

Result<Bundle> bundle_from_json(std::string_view text) {
  boost::system::error_code ec;
  json::value value = json::parse(text, ec);
  if (ec || !value.is_object()) return fail(Error::invalid("file", "is not a JSON object"));
  const auto& root = value.get_object();
  const auto* format = root.if_contains("format");
  if (!format || !format->is_string() || format->get_string() != kFormat)
    return fail(Error::invalid("format", "is not " + std::string(kFormat)));
  const auto* doc = root.if_contains("document");
  if (!doc || !doc->is_object()) return fail(Error::invalid("document", "is missing"));
  Bundle b;
  Reader r(doc->get_object(), "document.");
  b.document.id = r.integer("id");
  auto kind = parse_kind(r.text("kind"));
  b.document.version = static_cast<int>(r.integer("version"));
  b.document.replaces = r.opt_integer("replaces");
  b.document.patient_id = r.integer("patient_id");
  b.document.content = r.text("content");
  b.document.content_hash = r.text("content_hash");
  b.document.signed_at_ms = r.opt_integer("signed_at");
  b.document.signer_name = r.text("signer_name");
  if (auto e = r.error()) return fail(*e);
  if (!kind) return fail(Error::invalid("document.kind", "unknown document kind"));
  b.document.kind = *kind;
  b.document.signed_ = b.document.signed_at_ms.has_value();
  const auto* sigs = root.if_contains("signatures");
  if (!sigs || !sigs->is_array()) return fail(Error::invalid("signatures", "is missing"));
  for (size_t i = 0; i < sigs->get_array().size(); ++i) {
    const auto& item = sigs->get_array()[i];
    if (!item.is_object()) return fail(Error::invalid("signatures[" + std::to_string(i) + "]", "is not an object"));
    Reader s(item.get_object(), "signatures[" + std::to_string(i) + "].");
    StoredSignature sig;
    sig.document_id = b.document.id;
    sig.role = s.text("role");
    sig.user_id = s.integer("user_id");
    sig.signer_name = s.text("signer_name");
    sig.algorithm = s.text("algorithm");
    sig.signed_hash = s.text("signed_hash");
    sig.signature = s.text("signature");
    sig.certificate_pem = s.text("certificate_pem");
    sig.chain_pem = s.text("chain_pem");
    sig.signed_at_ms = s.integer("signed_at");
    sig.decision = s.text("decision");
    sig.timestamp_token = s.text("timestamp_token");
    if (auto e = s.error()) return fail(*e);
    b.signatures.push_back(std::move(sig));
  }
  if (const auto* crls = root.if_contains("crls"); crls && crls->is_array())
    for (const auto& c : crls->get_array())
      if (c.is_string()) b.crl_pems.emplace_back(c.get_string());
  return b;
}

}  // namespace stork::clinical
