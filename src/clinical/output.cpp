// A document leaving the system: the signed bundle for offline checks and
// the printable page.
#include "clinical/bundle.hpp"
#include "clinical/print.hpp"
#include "clinical/service.hpp"
#include "clinical/service_impl.hpp"

namespace stork::clinical {

Result<std::string> DocumentService::export_bundle(const Who& who, int64_t id, std::string_view break_glass,
                                                   const Ctx& ctx) {
  Impl impl{*this};
  auto trust = impl.trust();
  if (!trust) return fail(trust.error());
  return store::write_tx(db_, [&](store::Connection& c) -> Result<std::string> {
    auto d = impl.read_one(c, who, id, break_glass, ctx, "document.export");
    if (!d) return fail(d.error());
    if (!d->signed_) return fail(Error::conflict("not_signed", "only a signed document is exported"));
    auto sigs = Impl::signatures(c, id);
    if (!sigs) return fail(sigs.error());
    Bundle bundle{*d, *sigs, {}};
    for (const auto& crl : trust->crls) bundle.crl_pems.push_back(crl.pem());
    return bundle_to_json(bundle);
  });
}

Result<std::string> DocumentService::print(const Who& who, int64_t id, std::string_view break_glass, const Ctx& ctx) {
  Impl impl{*this};
  return store::write_tx(db_, [&](store::Connection& c) -> Result<std::string> {
    auto d = impl.read_one(c, who, id, break_glass, ctx, "document.print");
    if (!d) return fail(d.error());
    auto basics = patients_.basics(c, d->patient_id);
    if (!basics) return fail(basics.error());
    auto v = impl.view(c, *d);
    if (!v) return fail(v.error());
    std::string url = settings_.public_url + "/verify/" + std::to_string(id) + "?code=" + verify_code(id);
    return print_html({*d, *basics, v->signer_serial, v->signer_algorithm, url, settings_.utc_offset_minutes});
  });
}

}  // namespace stork::clinical
