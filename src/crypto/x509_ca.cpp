#include "crypto/x509_ca.hpp"

#include <openssl/asn1.h>
#include <openssl/bn.h>
#include <openssl/err.h>
#include <openssl/objects.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509_vfy.h>
#include <openssl/x509v3.h>

#include <cctype>
#include <chrono>
#include <ctime>
#include <stdexcept>

#include "crypto/evp_detail.hpp"

namespace stork::crypto {
namespace {

using detail::Bio;
using detail::MdCtx;
using X509Ptr = std::unique_ptr<X509, decltype(&X509_free)>;
using CrlPtr = std::unique_ptr<X509_CRL, decltype(&X509_CRL_free)>;
using BigNum = std::unique_ptr<BIGNUM, decltype(&BN_free)>;
using Asn1Int = std::unique_ptr<ASN1_INTEGER, decltype(&ASN1_INTEGER_free)>;
using Asn1Time = std::unique_ptr<ASN1_TIME, decltype(&ASN1_TIME_free)>;
using Store = std::unique_ptr<X509_STORE, decltype(&X509_STORE_free)>;
using StoreCtx = std::unique_ptr<X509_STORE_CTX, decltype(&X509_STORE_CTX_free)>;

int no_passphrase(char*, int, int, void*) { return 0; }

time_t to_time_t(TimePoint t) {
  return static_cast<time_t>(
      std::chrono::floor<std::chrono::seconds>(t.time_since_epoch()).count());
}

TimePoint from_asn1(const ASN1_TIME* t) {
  std::tm tm{};
  if (!t || ASN1_TIME_to_tm(t, &tm) != 1) return TimePoint{};
  return std::chrono::system_clock::from_time_t(timegm(&tm));
}

Asn1Time asn1_time(TimePoint t) {
  return Asn1Time(ASN1_TIME_set(nullptr, to_time_t(t)), ASN1_TIME_free);
}

std::string when(TimePoint t) { return format_utc(to_ms(t)); }

std::string hex_of(const ASN1_INTEGER* serial) {
  BigNum bn(ASN1_INTEGER_to_BN(serial, nullptr), BN_free);
  char* hex = bn ? BN_bn2hex(bn.get()) : nullptr;
  if (!hex) return {};
  std::string out(hex);
  OPENSSL_free(hex);
  return out;
}

// Nullptr unless serial_hex is 1..40 hex digits (RFC 5280 allows 20 octets).
Asn1Int serial_from_hex(std::string_view serial_hex) {
  Asn1Int none(nullptr, ASN1_INTEGER_free);
  if (serial_hex.empty() || serial_hex.size() > 40) return none;
  for (const char c : serial_hex)
    if (!std::isxdigit(static_cast<unsigned char>(c))) return none;
  const std::string text(serial_hex);
  BIGNUM* raw = nullptr;
  if (BN_hex2bn(&raw, text.c_str()) == 0) return none;
  BigNum bn(raw, BN_free);
  return Asn1Int(BN_to_ASN1_INTEGER(bn.get(), nullptr), ASN1_INTEGER_free);
}

std::string common_name(const X509_NAME* name) {
  const int i = X509_NAME_get_index_by_NID(name, NID_commonName, -1);
  if (i < 0) return {};
  const ASN1_STRING* data = X509_NAME_ENTRY_get_data(X509_NAME_get_entry(name, i));
  unsigned char* utf8 = nullptr;
  const int n = ASN1_STRING_to_UTF8(&utf8, data);
  if (n < 0) return {};
  std::string out(reinterpret_cast<char*>(utf8), static_cast<size_t>(n));
  OPENSSL_free(utf8);
  return out;
}

// X509_verify() hands a certificate's own distinguishing ID to SM2; without
// one OpenSSL 3.0 uses an empty ID and our signatures would not verify.
void attach_sm2_id(X509* cert) {
  if (X509_get_signature_nid(cert) != NID_SM2_with_SM3) return;
  ASN1_OCTET_STRING* id = ASN1_OCTET_STRING_new();
  if (!id ||
      ASN1_OCTET_STRING_set(id, reinterpret_cast<const unsigned char*>(detail::kSm2Id.data()),
                            static_cast<int>(detail::kSm2Id.size())) != 1) {
    ASN1_OCTET_STRING_free(id);
    throw std::runtime_error("cannot set the SM2 distinguishing ID");
  }
  X509_set0_distinguishing_id(cert, id);
}

bool add_extension(X509* cert, X509V3_CTX* v3, int nid, const char* value) {
  X509_EXTENSION* ext = X509V3_EXT_nconf_nid(nullptr, v3, nid, value);
  const bool ok = ext && X509_add_ext(cert, ext, -1) == 1;
  X509_EXTENSION_free(ext);
  return ok;
}

bool set_common_name(X509_NAME* name, const std::string& cn) {
  return X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_UTF8,
                                    reinterpret_cast<const unsigned char*>(cn.c_str()), -1, -1,
                                    0) == 1;
}

// A random positive serial of at most 159 bits: 20 octets in DER at most.
bool set_random_serial(X509* cert) {
  BigNum serial(BN_new(), BN_free);
  return serial && BN_rand(serial.get(), 159, BN_RAND_TOP_ONE, BN_RAND_BOTTOM_ANY) == 1 &&
         BN_to_ASN1_INTEGER(serial.get(), X509_get_serialNumber(cert)) != nullptr;
}

bool set_validity(X509* cert, TimePoint not_before, TimePoint not_after) {
  return ASN1_TIME_set(X509_getm_notBefore(cert), to_time_t(not_before)) != nullptr &&
         ASN1_TIME_set(X509_getm_notAfter(cert), to_time_t(not_after)) != nullptr;
}

Status check_request(std::string_view common_name, TimePoint not_before, TimePoint not_after) {
  FieldErrors errors;
  if (common_name.empty()) errors.add("common_name", "must not be empty");
  if (not_after <= not_before) errors.add("not_after", "must be after not_before");
  return errors.status();
}

std::optional<SignatureAlgorithm> algorithm_of_signature(int nid) {
  if (nid == NID_SM2_with_SM3) return SignatureAlgorithm::sm2_sm3;
  if (nid == NID_ecdsa_with_SHA256) return SignatureAlgorithm::ecdsa_p256_sha256;
  return std::nullopt;
}

// The CRL's signature checked with our own verifier: X509_CRL_verify() has
// no way to pass the SM2 distinguishing ID in OpenSSL 3.0.
bool crl_signed_by(X509_CRL* crl, const VerifyingKey& issuer_key) {
  const ASN1_BIT_STRING* sig = nullptr;
  const X509_ALGOR* alg = nullptr;
  X509_CRL_get0_signature(crl, &sig, &alg);
  const ASN1_OBJECT* oid = nullptr;
  X509_ALGOR_get0(&oid, nullptr, nullptr, alg);
  const auto algorithm = algorithm_of_signature(OBJ_obj2nid(oid));
  if (!sig || !algorithm) return false;
  // The signed bytes are the CRL's first element (tbsCertList), as encoded.
  unsigned char* der = nullptr;
  const int total = i2d_X509_CRL(crl, &der);
  if (total <= 0) return false;
  const unsigned char* p = der;
  long len = 0;
  int tag = 0, cls = 0;
  bool ok = !(ASN1_get_object(&p, &len, &tag, &cls, total) & 0x80);
  const unsigned char* tbs = p;
  ok = ok && !(ASN1_get_object(&p, &len, &tag, &cls, total - (p - der)) & 0x80);
  const auto tbs_len = static_cast<size_t>(p - tbs) + static_cast<size_t>(len);
  ok = ok && tbs + tbs_len <= der + total &&
       issuer_key
           .verify(*algorithm, std::string_view(reinterpret_cast<const char*>(tbs), tbs_len),
                   std::string_view(reinterpret_cast<const char*>(ASN1_STRING_get0_data(sig)),
                                    static_cast<size_t>(ASN1_STRING_length(sig))))
           .has_value();
  OPENSSL_free(der);
  return ok;
}

CertificateProblem problem(CertificateFailure failure, std::string message) {
  return CertificateProblem{failure, std::move(message)};
}

std::string who(X509* cert) {
  return cert ? "the certificate of \"" + common_name(X509_get_subject_name(cert)) + "\""
              : std::string("a certificate");
}

CertificateProblem from_store_error(X509_STORE_CTX* ctx, TimePoint at) {
  const int err = X509_STORE_CTX_get_error(ctx);
  X509* cert = X509_STORE_CTX_get_current_cert(ctx);
  switch (err) {
    case X509_V_ERR_CERT_HAS_EXPIRED:
      return problem(CertificateFailure::expired, who(cert) + " expired at " +
                                                      when(from_asn1(X509_get0_notAfter(cert))) +
                                                      ", before " + when(at));
    case X509_V_ERR_CERT_NOT_YET_VALID:
      return problem(CertificateFailure::not_yet_valid,
                     who(cert) + " is valid only from " +
                         when(from_asn1(X509_get0_notBefore(cert))) + ", after " + when(at));
    case X509_V_ERR_CERT_SIGNATURE_FAILURE:
    case X509_V_ERR_UNABLE_TO_DECODE_ISSUER_PUBLIC_KEY:
      return problem(CertificateFailure::bad_signature,
                     "the signature on " + who(cert) + " does not verify");
    case X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT:
    case X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT_LOCALLY:
    case X509_V_ERR_UNABLE_TO_VERIFY_LEAF_SIGNATURE:
    case X509_V_ERR_DEPTH_ZERO_SELF_SIGNED_CERT:
    case X509_V_ERR_SELF_SIGNED_CERT_IN_CHAIN:
    case X509_V_ERR_CERT_UNTRUSTED:
      return problem(CertificateFailure::untrusted, who(cert) +
                                                        " does not chain to a trusted CA (" +
                                                        X509_verify_cert_error_string(err) + ")");
    default:
      return problem(CertificateFailure::invalid,
                     who(cert) + ": " + X509_verify_cert_error_string(err));
  }
}

}  // namespace

// --- X509Certificate ---

Result<X509Certificate> X509Certificate::adopt(X509* raw) {
  std::shared_ptr<X509> cert(raw, X509_free);
  auto key = VerifyingKey::from_native(X509_get0_pubkey(raw), "certificate");
  ERR_clear_error();
  if (!key) return fail(std::move(key.error()));
  attach_sm2_id(raw);
  return X509Certificate(std::move(cert), std::move(*key));
}

Result<X509Certificate> X509Certificate::from_pem(std::string_view pem) {
  Bio bio = detail::read_bio(pem);
  X509* cert = bio ? PEM_read_bio_X509(bio.get(), nullptr, no_passphrase, nullptr) : nullptr;
  ERR_clear_error();
  if (!cert) return fail(Error::invalid("certificate", "is not a PEM X.509 certificate"));
  return adopt(cert);
}

std::string X509Certificate::pem() const {
  Bio bio = detail::memory_bio();
  if (!bio || PEM_write_bio_X509(bio.get(), cert_.get()) != 1)
    throw std::runtime_error("cannot encode the certificate as PEM");
  return detail::drain(bio.get());
}

std::string X509Certificate::serial_hex() const {
  return hex_of(X509_get0_serialNumber(cert_.get()));
}
std::string X509Certificate::subject_cn() const {
  return common_name(X509_get_subject_name(cert_.get()));
}
std::string X509Certificate::issuer_cn() const {
  return common_name(X509_get_issuer_name(cert_.get()));
}
TimePoint X509Certificate::not_before() const {
  return from_asn1(X509_get0_notBefore(cert_.get()));
}
TimePoint X509Certificate::not_after() const { return from_asn1(X509_get0_notAfter(cert_.get())); }

// --- Crl ---

Result<Crl> Crl::from_pem(std::string_view pem) {
  Bio bio = detail::read_bio(pem);
  X509_CRL* crl = bio ? PEM_read_bio_X509_CRL(bio.get(), nullptr, no_passphrase, nullptr) : nullptr;
  ERR_clear_error();
  if (!crl) return fail(Error::invalid("crl", "is not a PEM X.509 CRL"));
  return Crl(std::shared_ptr<X509_CRL>(crl, X509_CRL_free));
}

std::string Crl::pem() const {
  Bio bio = detail::memory_bio();
  if (!bio || PEM_write_bio_X509_CRL(bio.get(), crl_.get()) != 1)
    throw std::runtime_error("cannot encode the CRL as PEM");
  return detail::drain(bio.get());
}

TimePoint Crl::this_update() const { return from_asn1(X509_CRL_get0_lastUpdate(crl_.get())); }

std::optional<TimePoint> Crl::revoked_at(std::string_view serial_hex) const {
  Asn1Int serial = serial_from_hex(serial_hex);
  if (!serial) return std::nullopt;
  X509_REVOKED* entry = nullptr;
  // 2 means "removeFromCRL": listed, but no longer revoked.
  if (X509_CRL_get0_by_serial(crl_.get(), &entry, serial.get()) != 1 || !entry) return std::nullopt;
  return from_asn1(X509_REVOKED_get0_revocationDate(entry));
}

// --- CertificateAuthority ---

Result<CertificateAuthority> CertificateAuthority::create(SigningKey key,
                                                          std::string_view common_name,
                                                          TimePoint not_before,
                                                          TimePoint not_after) {
  if (auto ok = check_request(common_name, not_before, not_after); !ok) return fail(ok.error());
  X509Ptr cert(X509_new(), X509_free);
  MdCtx ctx(EVP_MD_CTX_new(), EVP_MD_CTX_free);
  X509V3_CTX v3{};
  bool ok = cert && ctx && X509_set_version(cert.get(), X509_VERSION_3) == 1 &&
            set_random_serial(cert.get()) && set_validity(cert.get(), not_before, not_after) &&
            X509_set_pubkey(cert.get(), key.native()) == 1 &&
            set_common_name(X509_get_subject_name(cert.get()), std::string(common_name)) &&
            X509_set_issuer_name(cert.get(), X509_get_subject_name(cert.get())) == 1;
  if (ok) {
    X509V3_set_ctx_nodb(&v3);
    X509V3_set_ctx(&v3, cert.get(), cert.get(), nullptr, nullptr, 0);
  }
  ok = ok && add_extension(cert.get(), &v3, NID_basic_constraints, "critical,CA:TRUE") &&
       add_extension(cert.get(), &v3, NID_key_usage, "critical,keyCertSign,cRLSign") &&
       add_extension(cert.get(), &v3, NID_subject_key_identifier, "hash") &&
       add_extension(cert.get(), &v3, NID_authority_key_identifier, "keyid:always") &&
       detail::init_sign(ctx.get(), key.native(), key.algorithm()) &&
       X509_sign_ctx(cert.get(), ctx.get()) > 0;
  ERR_clear_error();
  if (!ok) throw std::runtime_error("cannot create the CA certificate");
  auto adopted = X509Certificate::adopt(cert.release());
  if (!adopted) return fail(std::move(adopted.error()));
  return CertificateAuthority(std::move(*adopted), std::move(key));
}

Result<CertificateAuthority> CertificateAuthority::load(X509Certificate certificate,
                                                        SigningKey key) {
  if (!(certificate.public_key() == key.public_key()))
    return fail(Error::invalid("private_key", "is not the key of this CA certificate"));
  if (X509_check_ca(certificate.native()) == 0)
    return fail(Error::invalid("certificate", "is not a CA certificate"));
  return CertificateAuthority(std::move(certificate), std::move(key));
}

Result<X509Certificate> CertificateAuthority::issue(const VerifyingKey& subject_key,
                                                    const CertificateRequest& request) const {
  return issue_end_entity(subject_key, request, nullptr);
}

Result<X509Certificate> CertificateAuthority::issue_tsa(const VerifyingKey& subject_key,
                                                        const CertificateRequest& request) const {
  return issue_end_entity(subject_key, request, "critical,timeStamping");
}

Result<X509Certificate> CertificateAuthority::issue_end_entity(
    const VerifyingKey& subject_key, const CertificateRequest& request,
    const char* extended_key_usage) const {
  if (auto ok = check_request(request.common_name, request.not_before, request.not_after); !ok)
    return fail(ok.error());
  X509* ca = certificate_.native();
  X509Ptr cert(X509_new(), X509_free);
  MdCtx ctx(EVP_MD_CTX_new(), EVP_MD_CTX_free);
  X509V3_CTX v3{};
  bool ok = cert && ctx && X509_set_version(cert.get(), X509_VERSION_3) == 1 &&
            set_random_serial(cert.get()) &&
            set_validity(cert.get(), request.not_before, request.not_after) &&
            X509_set_pubkey(cert.get(), subject_key.native()) == 1 &&
            set_common_name(X509_get_subject_name(cert.get()), request.common_name) &&
            X509_set_issuer_name(cert.get(), X509_get_subject_name(ca)) == 1;
  if (ok) {
    X509V3_set_ctx_nodb(&v3);
    X509V3_set_ctx(&v3, ca, cert.get(), nullptr, nullptr, 0);
  }
  ok = ok && add_extension(cert.get(), &v3, NID_basic_constraints, "critical,CA:FALSE") &&
       add_extension(cert.get(), &v3, NID_key_usage, "critical,digitalSignature,nonRepudiation") &&
       (!extended_key_usage ||
        add_extension(cert.get(), &v3, NID_ext_key_usage, extended_key_usage)) &&
       add_extension(cert.get(), &v3, NID_subject_key_identifier, "hash") &&
       add_extension(cert.get(), &v3, NID_authority_key_identifier, "keyid:always") &&
       detail::init_sign(ctx.get(), key_.native(), key_.algorithm()) &&
       X509_sign_ctx(cert.get(), ctx.get()) > 0;
  ERR_clear_error();
  if (!ok) throw std::runtime_error("cannot issue the certificate");
  return X509Certificate::adopt(cert.release());
}

Result<Crl> CertificateAuthority::crl(std::span<const Revocation> revoked, TimePoint this_update,
                                      TimePoint next_update) const {
  CrlPtr crl(X509_CRL_new(), X509_CRL_free);
  if (!crl) throw std::runtime_error("out of memory");
  for (const auto& r : revoked) {
    Asn1Int serial = serial_from_hex(r.serial_hex);
    if (!serial)
      return fail(Error::invalid("serial", "\"" + r.serial_hex + "\" is not a hex serial"));
    X509_REVOKED* entry = X509_REVOKED_new();
    Asn1Time date = asn1_time(r.revoked_at);
    const bool ok = entry && date && X509_REVOKED_set_serialNumber(entry, serial.get()) == 1 &&
                    X509_REVOKED_set_revocationDate(entry, date.get()) == 1 &&
                    X509_CRL_add0_revoked(crl.get(), entry) == 1;
    if (!ok) {
      X509_REVOKED_free(entry);
      throw std::runtime_error("cannot add a CRL entry");
    }
  }
  Asn1Time last = asn1_time(this_update);
  Asn1Time next = asn1_time(next_update);
  Asn1Int number(ASN1_INTEGER_new(), ASN1_INTEGER_free);
  MdCtx ctx(EVP_MD_CTX_new(), EVP_MD_CTX_free);
  const bool ok =
      last && next && number && ctx && X509_CRL_set_version(crl.get(), 1) == 1 &&  // 1 means v2
      X509_CRL_set_issuer_name(crl.get(), X509_get_subject_name(certificate_.native())) == 1 &&
      X509_CRL_set1_lastUpdate(crl.get(), last.get()) == 1 &&
      X509_CRL_set1_nextUpdate(crl.get(), next.get()) == 1 &&
      ASN1_INTEGER_set_int64(number.get(), to_time_t(this_update)) == 1 &&
      X509_CRL_add1_ext_i2d(crl.get(), NID_crl_number, number.get(), 0, 0) == 1 &&
      X509_CRL_sort(crl.get()) == 1 &&
      detail::init_sign(ctx.get(), key_.native(), key_.algorithm()) &&
      X509_CRL_sign_ctx(crl.get(), ctx.get()) > 0;
  ERR_clear_error();
  if (!ok) throw std::runtime_error("cannot sign the CRL");
  return Crl(std::shared_ptr<X509_CRL>(crl.release(), X509_CRL_free));
}

// --- verification ---

std::string_view CertificateProblem::code() const {
  switch (failure) {
    case CertificateFailure::untrusted:
      return "certificate_untrusted";
    case CertificateFailure::bad_signature:
      return "certificate_bad_signature";
    case CertificateFailure::not_yet_valid:
      return "certificate_not_yet_valid";
    case CertificateFailure::expired:
      return "certificate_expired";
    case CertificateFailure::revoked:
      return "certificate_revoked";
    case CertificateFailure::crl_missing:
      return "crl_missing";
    case CertificateFailure::crl_invalid:
      return "crl_invalid";
    case CertificateFailure::key_usage:
      return "certificate_key_usage";
    case CertificateFailure::invalid:
      break;
  }
  return "certificate_invalid";
}

std::expected<void, CertificateProblem> verify_certificate(
    const X509Certificate& leaf, std::span<const X509Certificate> intermediates,
    std::span<const X509Certificate> anchors, std::span<const Crl> crls, TimePoint at) {
  Store store(X509_STORE_new(), X509_STORE_free);
  StoreCtx ctx(X509_STORE_CTX_new(), X509_STORE_CTX_free);
  // The stack borrows the certificates: freeing it leaves them alone.
  struct FreeStack {
    void operator()(STACK_OF(X509) * s) const { sk_X509_free(s); }
  };
  std::unique_ptr<STACK_OF(X509), FreeStack> untrusted(sk_X509_new_null());
  bool ok = store && ctx && untrusted;
  for (const auto& a : anchors) ok = ok && X509_STORE_add_cert(store.get(), a.native()) == 1;
  for (const auto& i : intermediates) ok = ok && sk_X509_push(untrusted.get(), i.native()) > 0;
  ok = ok && X509_STORE_CTX_init(ctx.get(), store.get(), leaf.native(), untrusted.get()) == 1;
  if (!ok) throw std::runtime_error("cannot set up certificate verification");
  X509_VERIFY_PARAM* param = X509_STORE_CTX_get0_param(ctx.get());
  // Sets X509_V_FLAG_USE_CHECK_TIME: validity is judged at `at`, not now.
  X509_VERIFY_PARAM_set_time(param, to_time_t(at));
  X509_VERIFY_PARAM_set_flags(param, X509_V_FLAG_X509_STRICT | X509_V_FLAG_CHECK_SS_SIGNATURE);
  const int verified = X509_verify_cert(ctx.get());
  ERR_clear_error();
  if (verified != 1) return std::unexpected(from_store_error(ctx.get(), at));

  const uint32_t usage = X509_get_key_usage(leaf.native());
  if (usage != UINT32_MAX && !(usage & (KU_DIGITAL_SIGNATURE | KU_NON_REPUDIATION)))
    return std::unexpected(problem(CertificateFailure::key_usage,
                                   who(leaf.native()) + " does not allow signing documents"));

  STACK_OF(X509)* chain = X509_STORE_CTX_get0_chain(ctx.get());
  X509* issuer = chain && sk_X509_num(chain) > 1 ? sk_X509_value(chain, 1) : leaf.native();
  auto issuer_key = VerifyingKey::from_native(X509_get0_pubkey(issuer), "certificate");
  if (!issuer_key)
    return std::unexpected(problem(CertificateFailure::invalid, "the issuer's key is not usable"));
  const std::string serial = leaf.serial_hex();
  bool have_crl = false;
  for (const auto& crl : crls) {
    if (X509_NAME_cmp(X509_CRL_get_issuer(crl.native()), X509_get_subject_name(issuer)) != 0)
      continue;
    if (!crl_signed_by(crl.native(), *issuer_key))
      return std::unexpected(
          problem(CertificateFailure::crl_invalid,
                  "the CRL named after " + who(issuer) + " does not carry its signature"));
    have_crl = true;
    if (const auto revoked = crl.revoked_at(serial); revoked && *revoked <= at)
      return std::unexpected(problem(
          CertificateFailure::revoked,
          who(leaf.native()) + " was revoked at " + when(*revoked) + ", before " + when(at)));
  }
  if (!have_crl)
    return std::unexpected(
        problem(CertificateFailure::crl_missing,
                "no CRL from the issuer of " + who(leaf.native()) + " was given"));
  return {};
}

}  // namespace stork::crypto
