#include "crypto/timestamp.hpp"

#include <openssl/asn1.h>
#include <openssl/bn.h>
#include <openssl/err.h>
#include <openssl/objects.h>
#include <openssl/pkcs7.h>
#include <openssl/ts.h>
#include <openssl/x509.h>
#include <openssl/x509_vfy.h>
#include <openssl/x509v3.h>

#include <cctype>
#include <chrono>
#include <climits>
#include <ctime>
#include <memory>
#include <optional>
#include <stdexcept>

#include "crypto/evp_detail.hpp"
#include "crypto/hash.hpp"

namespace stork::crypto {
namespace {

using std::chrono::milliseconds;
using BigNum = std::unique_ptr<BIGNUM, decltype(&BN_free)>;
using Object = std::unique_ptr<ASN1_OBJECT, decltype(&ASN1_OBJECT_free)>;
using Pkcs7 = std::unique_ptr<PKCS7, decltype(&PKCS7_free)>;
using RespCtx = std::unique_ptr<TS_RESP_CTX, decltype(&TS_RESP_CTX_free)>;
using Resp = std::unique_ptr<TS_RESP, decltype(&TS_RESP_free)>;
using Req = std::unique_ptr<TS_REQ, decltype(&TS_REQ_free)>;
using Imprint = std::unique_ptr<TS_MSG_IMPRINT, decltype(&TS_MSG_IMPRINT_free)>;
using Algor = std::unique_ptr<X509_ALGOR, decltype(&X509_ALGOR_free)>;
using TstInfo = std::unique_ptr<TS_TST_INFO, decltype(&TS_TST_INFO_free)>;
using VerifyCtx = std::unique_ptr<TS_VERIFY_CTX, decltype(&TS_VERIFY_CTX_free)>;
using Store = std::unique_ptr<X509_STORE, decltype(&X509_STORE_free)>;
using StoreCtx = std::unique_ptr<X509_STORE_CTX, decltype(&X509_STORE_CTX_free)>;

// A stack that borrows its certificates: freeing it leaves them alone.
struct FreeStack {
  void operator()(STACK_OF(X509) * s) const { sk_X509_free(s); }
};
using CertStack = std::unique_ptr<STACK_OF(X509), FreeStack>;

CertStack stack_of(std::span<const X509Certificate> certs) {
  CertStack stack(sk_X509_new_null());
  for (const auto& c : certs)
    if (!stack || sk_X509_push(stack.get(), c.native()) <= 0) return CertStack();
  return stack;
}

std::string common_name(X509* cert) {
  const X509_NAME* name = X509_get_subject_name(cert);
  const int i = X509_NAME_get_index_by_NID(name, NID_commonName, -1);
  if (i < 0) return {};
  unsigned char* utf8 = nullptr;
  const int n = ASN1_STRING_to_UTF8(&utf8, X509_NAME_ENTRY_get_data(X509_NAME_get_entry(name, i)));
  if (n < 0) return {};
  std::string out(reinterpret_cast<char*>(utf8), static_cast<size_t>(n));
  OPENSSL_free(utf8);
  return out;
}

std::string hex_of(const ASN1_INTEGER* serial) {
  BigNum bn(ASN1_INTEGER_to_BN(serial, nullptr), BN_free);
  char* hex = bn ? BN_bn2hex(bn.get()) : nullptr;
  if (!hex) return {};
  std::string out(hex);
  OPENSSL_free(hex);
  return out;
}

// genTime with its fraction: ASN1_TIME_to_tm() reads but drops it.
std::optional<TimePoint> gen_time_of(const ASN1_GENERALIZEDTIME* t) {
  std::tm tm{};
  if (!t || ASN1_TIME_to_tm(t, &tm) != 1) return std::nullopt;
  TimePoint at = std::chrono::system_clock::from_time_t(timegm(&tm));
  const std::string_view text(reinterpret_cast<const char*>(ASN1_STRING_get0_data(t)),
                              static_cast<size_t>(ASN1_STRING_length(t)));
  const auto dot = text.find('.');
  if (dot == std::string_view::npos) return at;
  int scale = 100;  // milliseconds per digit; finer digits are dropped
  for (size_t i = dot + 1; i < text.size() && scale > 0; ++i, scale /= 10) {
    if (!std::isdigit(static_cast<unsigned char>(text[i]))) break;
    at += milliseconds((text[i] - '0') * scale);
  }
  return at;
}

// Certificates parsed from a token know nothing of the GM/T 0009 SM2 ID, so
// a TSA certificate issued by an SM2 hospital CA would not verify without it.
void attach_sm2_ids(STACK_OF(X509) * certs) {
  for (int i = 0; i < sk_X509_num(certs); ++i) {
    X509* cert = sk_X509_value(certs, i);
    if (X509_get_signature_nid(cert) != NID_SM2_with_SM3) continue;
    ASN1_OCTET_STRING* id = ASN1_OCTET_STRING_new();
    if (!id ||
        ASN1_OCTET_STRING_set(id, reinterpret_cast<const unsigned char*>(detail::kSm2Id.data()),
                              static_cast<int>(detail::kSm2Id.size())) != 1) {
      ASN1_OCTET_STRING_free(id);
      throw std::runtime_error("cannot set the SM2 distinguishing ID");
    }
    X509_set0_distinguishing_id(cert, id);
  }
}

// Hands OpenSSL the caller's time instead of the system clock's.
int time_from_caller(TS_RESP_CTX*, void* data, long* sec, long* usec) {
  const auto ms = to_ms(*static_cast<const TimePoint*>(data));
  const auto floor_sec = ms >= 0 ? ms / 1000 : (ms - 999) / 1000;
  *sec = static_cast<long>(floor_sec);
  *usec = static_cast<long>((ms - floor_sec * 1000) * 1000);
  return 1;
}

// 64 random bits: unique without a counter to keep across restarts or nodes.
ASN1_INTEGER* random_serial(TS_RESP_CTX*, void*) {
  BigNum bn(BN_new(), BN_free);
  if (!bn || BN_rand(bn.get(), 64, BN_RAND_TOP_ANY, BN_RAND_BOTTOM_ANY) != 1) return nullptr;
  return BN_to_ASN1_INTEGER(bn.get(), nullptr);
}

// The DER TimeStampReq that TS_RESP_create_response() insists on reading.
detail::Bio request_for(std::string_view data) {
  const std::string digest = sha256(data);
  Req req(TS_REQ_new(), TS_REQ_free);
  Imprint imprint(TS_MSG_IMPRINT_new(), TS_MSG_IMPRINT_free);
  Algor algo(X509_ALGOR_new(), X509_ALGOR_free);
  detail::Bio bio = detail::memory_bio();
  const bool ok =
      req && imprint && algo && bio && TS_REQ_set_version(req.get(), 1) == 1 &&
      X509_ALGOR_set0(algo.get(), OBJ_nid2obj(NID_sha256), V_ASN1_NULL, nullptr) == 1 &&
      TS_MSG_IMPRINT_set_algo(imprint.get(), algo.get()) == 1 &&
      TS_MSG_IMPRINT_set_msg(imprint.get(),
                             reinterpret_cast<unsigned char*>(const_cast<char*>(digest.data())),
                             static_cast<int>(digest.size())) == 1 &&
      TS_REQ_set_msg_imprint(req.get(), imprint.get()) == 1 &&
      TS_REQ_set_cert_req(req.get(), 1) == 1 &&  // embed the TSA certificate
      i2d_TS_REQ_bio(bio.get(), req.get()) == 1;
  return ok ? std::move(bio) : detail::Bio(nullptr, BIO_free);
}

TimestampProblem problem(TimestampFailure failure, std::string message) {
  return TimestampProblem{failure, std::move(message)};
}

// TS_RESP_verify_token() reports only through the error queue; its reason
// tells a forged token from an untrusted TSA.
TimestampProblem problem_from_error_queue(TimePoint gen_time) {
  int reason = 0;
  std::string detail;
  const char* data = nullptr;
  int flags = 0;
  while (const unsigned long e = ERR_get_error_all(nullptr, nullptr, nullptr, &data, &flags)) {
    if (ERR_GET_LIB(e) != ERR_LIB_TS || reason != 0) continue;
    reason = ERR_GET_REASON(e);
    // The data, when there is one, is the more precise: "Verify
    // error:certificate has expired" beats "certificate verify error".
    const char* text = ERR_reason_error_string(e);
    detail = data && (flags & ERR_TXT_STRING) && *data ? data : text ? text : "unknown error";
    if (detail.rfind("Verify error:", 0) == 0) detail.erase(0, 13);
  }
  switch (reason) {
    case TS_R_CERTIFICATE_VERIFY_ERROR:
      return problem(TimestampFailure::untrusted,
                     "the TSA certificate is not trusted for time stamping at " +
                         format_utc(to_ms(gen_time)) + ": " + detail);
    case TS_R_SIGNATURE_FAILURE:
    case TS_R_ESS_SIGNING_CERTIFICATE_ERROR:
      return problem(TimestampFailure::signature_invalid,
                     "the timestamp token does not carry a valid TSA signature: " + detail);
    default:
      return problem(TimestampFailure::malformed, "the timestamp token cannot be checked: " +
                                                      (detail.empty() ? "unknown error" : detail));
  }
}

}  // namespace

// --- TimestampAuthority ---

Result<TimestampAuthority> TimestampAuthority::create(SigningKey key, X509Certificate certificate,
                                                      std::vector<X509Certificate> chain,
                                                      std::string policy_oid) {
  FieldErrors errors;
  if (key.algorithm() != SignatureAlgorithm::ecdsa_p256_sha256)
    errors.add("private_key", "must be an ECDSA P-256 key: OpenSSL 3.0 cannot stamp with SM2");
  else if (!(key.public_key() == certificate.public_key()))
    errors.add("private_key", "is not the key of the TSA certificate");
  // The check TS_RESP_CTX_set_signer_cert() makes: critical EKU timeStamping
  // only, and keyUsage (if any) no more than digitalSignature/nonRepudiation.
  if (X509_check_purpose(certificate.native(), X509_PURPOSE_TIMESTAMP_SIGN, 0) != 1)
    errors.add("certificate", "must allow time stamping (critical extendedKeyUsage timeStamping)");
  if (chain.empty()) {
    errors.add("chain", "must hold the issuers of the TSA certificate up to the root");
  } else {
    // Catches a wrong chain now rather than in every verifier; validity
    // dates are left to verification at genTime.
    Store store(X509_STORE_new(), X509_STORE_free);
    StoreCtx ctx(X509_STORE_CTX_new(), X509_STORE_CTX_free);
    CertStack issuers = stack_of(std::span(chain).first(chain.size() - 1));
    const bool ready =
        store && ctx && issuers && X509_STORE_add_cert(store.get(), chain.back().native()) == 1 &&
        X509_STORE_CTX_init(ctx.get(), store.get(), certificate.native(), issuers.get()) == 1;
    if (!ready) throw std::runtime_error("cannot set up certificate verification");
    X509_VERIFY_PARAM_set_flags(X509_STORE_CTX_get0_param(ctx.get()), X509_V_FLAG_NO_CHECK_TIME);
    if (X509_verify_cert(ctx.get()) != 1)
      errors.add("chain",
                 std::string("does not lead from the TSA certificate to its last element: ") +
                     X509_verify_cert_error_string(X509_STORE_CTX_get_error(ctx.get())));
  }
  Object policy(OBJ_txt2obj(policy_oid.c_str(), 1), ASN1_OBJECT_free);
  if (!policy) errors.add("policy_oid", "must be a dotted OID such as 1.3.6.1.4.1.99999.1.1");
  ERR_clear_error();
  if (auto ok = errors.status(); !ok) return fail(std::move(ok.error()));
  return TimestampAuthority(std::move(key), std::move(certificate), std::move(chain),
                            std::move(policy_oid));
}

Result<std::string> TimestampAuthority::stamp(std::string_view data, TimePoint now) const {
  // A context per call: TS_RESP_CTX keeps the request it works on, so one
  // shared context would need a lock; building one is cheap next to signing.
  RespCtx ctx(TS_RESP_CTX_new(), TS_RESP_CTX_free);
  CertStack chain = stack_of(chain_);
  Object policy(OBJ_txt2obj(policy_oid_.c_str(), 1), ASN1_OBJECT_free);
  detail::Bio request = request_for(data);
  const bool ready = ctx && chain && policy && request &&
                     TS_RESP_CTX_set_signer_cert(ctx.get(), certificate_.native()) == 1 &&
                     TS_RESP_CTX_set_signer_key(ctx.get(), key_.native()) == 1 &&
                     TS_RESP_CTX_set_signer_digest(ctx.get(), EVP_sha256()) == 1 &&
                     TS_RESP_CTX_set_ess_cert_id_digest(ctx.get(), EVP_sha256()) == 1 &&
                     TS_RESP_CTX_set_certs(ctx.get(), chain.get()) == 1 &&
                     TS_RESP_CTX_set_def_policy(ctx.get(), policy.get()) == 1 &&
                     TS_RESP_CTX_add_md(ctx.get(), EVP_sha256()) == 1 &&
                     TS_RESP_CTX_set_clock_precision_digits(ctx.get(), 3) == 1;
  if (!ready) {
    ERR_clear_error();
    return fail(Error::internal("cannot set up the time-stamping authority"));
  }
  TS_RESP_CTX_set_time_cb(ctx.get(), time_from_caller, &now);
  TS_RESP_CTX_set_serial_cb(ctx.get(), random_serial, nullptr);

  Resp response(TS_RESP_create_response(ctx.get(), request.get()), TS_RESP_free);
  PKCS7* token = response ? TS_RESP_get_token(response.get()) : nullptr;
  const bool granted = token && ASN1_INTEGER_get(TS_STATUS_INFO_get0_status(
                                    TS_RESP_get_status_info(response.get()))) == TS_STATUS_GRANTED;
  unsigned char* der = nullptr;
  const int n = granted ? i2d_PKCS7(token, &der) : -1;
  ERR_clear_error();
  if (n <= 0) return fail(Error::internal("the time-stamping authority refused to stamp"));
  std::string out(reinterpret_cast<char*>(der), static_cast<size_t>(n));
  OPENSSL_free(der);
  return out;
}

// --- verification ---

std::string_view TimestampProblem::code() const {
  switch (failure) {
    case TimestampFailure::malformed:
      return "timestamp_malformed";
    case TimestampFailure::imprint_mismatch:
      return "timestamp_imprint_mismatch";
    case TimestampFailure::signature_invalid:
      return "timestamp_signature_invalid";
    case TimestampFailure::untrusted:
      break;
  }
  return "timestamp_untrusted";
}

std::expected<TimestampInfo, TimestampProblem> verify_timestamp(
    std::string_view token_der, std::string_view data, std::span<const X509Certificate> anchors) {
  // Parse first: the chain is checked at genTime, so that is needed early.
  const auto* p = reinterpret_cast<const unsigned char*>(token_der.data());
  Pkcs7 token(token_der.size() <= LONG_MAX
                  ? d2i_PKCS7(nullptr, &p, static_cast<long>(token_der.size()))
                  : nullptr,
              PKCS7_free);
  const bool whole =
      token && p == reinterpret_cast<const unsigned char*>(token_der.data()) + token_der.size();
  const bool signed_data = whole && PKCS7_type_is_signed(token.get()) && token->d.sign;
  TstInfo tst(signed_data ? PKCS7_to_TS_TST_INFO(token.get()) : nullptr, TS_TST_INFO_free);
  const auto gen_time = tst ? gen_time_of(TS_TST_INFO_get_time(tst.get())) : std::nullopt;
  ERR_clear_error();
  if (!gen_time)
    return std::unexpected(
        problem(TimestampFailure::malformed, "the data is not a DER RFC 3161 TimeStampToken"));
  if (token->d.sign->cert) attach_sm2_ids(token->d.sign->cert);

  Store store(X509_STORE_new(), X509_STORE_free);
  VerifyCtx ctx(TS_VERIFY_CTX_new(), TS_VERIFY_CTX_free);
  bool ready = store && ctx;
  for (const auto& a : anchors) ready = ready && X509_STORE_add_cert(store.get(), a.native()) == 1;
  if (!ready) throw std::runtime_error("cannot set up timestamp verification");
  // Every certificate must have been valid when the token was made, not now.
  X509_VERIFY_PARAM_set_time(X509_STORE_get0_param(store.get()),
                             std::chrono::system_clock::to_time_t(*gen_time));
  TS_VERIFY_CTX_set_store(ctx.get(), store.release());  // the context owns it
  // The imprint is compared below, to insist on SHA-256 and say so clearly.
  TS_VERIFY_CTX_set_flags(ctx.get(), TS_VFY_SIGNATURE | TS_VFY_VERSION);
  ERR_clear_error();
  if (TS_RESP_verify_token(ctx.get(), token.get()) != 1)
    return std::unexpected(problem_from_error_queue(*gen_time));

  TS_MSG_IMPRINT* imprint = TS_TST_INFO_get_msg_imprint(tst.get());
  const X509_ALGOR* algo = TS_MSG_IMPRINT_get_algo(imprint);
  const ASN1_OCTET_STRING* digest = TS_MSG_IMPRINT_get_msg(imprint);
  const ASN1_OBJECT* oid = nullptr;
  X509_ALGOR_get0(&oid, nullptr, nullptr, algo);
  if (OBJ_obj2nid(oid) != NID_sha256)
    return std::unexpected(problem(TimestampFailure::imprint_mismatch,
                                   "the timestamp token stamps a digest other than SHA-256"));
  const std::string_view stamped(reinterpret_cast<const char*>(ASN1_STRING_get0_data(digest)),
                                 static_cast<size_t>(ASN1_STRING_length(digest)));
  if (!constant_time_equal(stamped, sha256(data)))
    return std::unexpected(
        problem(TimestampFailure::imprint_mismatch, "the timestamp token stamps different data"));

  TimestampInfo info;
  info.gen_time = *gen_time;
  info.serial_hex = hex_of(TS_TST_INFO_get_serial(tst.get()));
  char policy[128] = {};
  if (OBJ_obj2txt(policy, sizeof policy, TS_TST_INFO_get_policy_id(tst.get()), 1) > 0)
    info.policy_oid = policy;
  // The signer was found and checked above; this borrows it from the token.
  CertStack signers(PKCS7_get0_signers(token.get(), nullptr, 0));
  if (signers && sk_X509_num(signers.get()) == 1)
    info.tsa_subject_cn = common_name(sk_X509_value(signers.get(), 0));
  ERR_clear_error();
  return info;
}

}  // namespace stork::crypto
