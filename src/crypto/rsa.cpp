#include "crypto/rsa.hpp"

#include <openssl/bio.h>
#include <openssl/bn.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rsa.h>
#include <openssl/x509.h>

#include <climits>
#include <stdexcept>

#include "crypto/random.hpp"

namespace stork::crypto {
namespace {

using Bio = std::unique_ptr<BIO, decltype(&BIO_free)>;
using MdCtx = std::unique_ptr<EVP_MD_CTX, decltype(&EVP_MD_CTX_free)>;
using X509Ptr = std::unique_ptr<X509, decltype(&X509_free)>;
using BigNum = std::unique_ptr<BIGNUM, decltype(&BN_free)>;

std::shared_ptr<EVP_PKEY> own(EVP_PKEY* key) { return {key, EVP_PKEY_free}; }

Bio read_bio(std::string_view text) {
  // Lengths beyond int would be truncated by BIO_new_mem_buf.
  if (text.size() > INT_MAX) return Bio(nullptr, BIO_free);
  return Bio(BIO_new_mem_buf(text.data(), static_cast<int>(text.size())), BIO_free);
}

std::string drain(BIO* bio) {
  char* data = nullptr;
  const long n = BIO_get_mem_data(bio, &data);
  return n > 0 ? std::string(data, static_cast<size_t>(n)) : std::string();
}

// Refuses to prompt on the terminal for an encrypted key's passphrase.
int no_passphrase(char*, int, int, void*) { return 0; }

std::string serial_of(const X509* cert) {
  BigNum bn(ASN1_INTEGER_to_BN(X509_get0_serialNumber(cert), nullptr), BN_free);
  if (!bn) return {};
  char* hex = BN_bn2hex(bn.get());
  if (!hex) return {};
  std::string out(hex);
  OPENSSL_free(hex);
  return out;
}

}  // namespace

RsaPrivateKey RsaPrivateKey::generate() {
  EVP_PKEY* key = EVP_RSA_gen(2048);
  if (!key) throw std::runtime_error("RSA-2048 key generation failed");
  return RsaPrivateKey(own(key));
}

Result<RsaPrivateKey> RsaPrivateKey::from_pem(std::string_view pem) {
  Bio bio = read_bio(pem);
  EVP_PKEY* key =
      bio ? PEM_read_bio_PrivateKey(bio.get(), nullptr, no_passphrase, nullptr) : nullptr;
  ERR_clear_error();
  if (!key) return fail(Error::invalid("private_key", "is not an unencrypted PEM private key"));
  auto owned = own(key);
  if (!EVP_PKEY_is_a(key, "RSA")) return fail(Error::invalid("private_key", "is not an RSA key"));
  return RsaPrivateKey(std::move(owned));
}

std::string RsaPrivateKey::pem() const {
  Bio bio(BIO_new(BIO_s_mem()), BIO_free);
  if (!bio ||
      PEM_write_bio_PrivateKey(bio.get(), key_.get(), nullptr, nullptr, 0, nullptr, nullptr) != 1)
    throw std::runtime_error("cannot encode the private key as PEM");
  return drain(bio.get());
}

std::string RsaPrivateKey::sign(std::string_view message) const {
  MdCtx ctx(EVP_MD_CTX_new(), EVP_MD_CTX_free);
  size_t len = 0;
  const auto* data = reinterpret_cast<const unsigned char*>(message.data());
  // RSA keys default to PKCS#1 v1.5 padding, which is what SHA256withRSA means.
  bool ok = ctx && EVP_DigestSignInit(ctx.get(), nullptr, EVP_sha256(), nullptr, key_.get()) == 1 &&
            EVP_DigestSign(ctx.get(), nullptr, &len, data, message.size()) == 1;
  std::string sig(len, '\0');
  ok = ok && EVP_DigestSign(ctx.get(), reinterpret_cast<unsigned char*>(sig.data()), &len, data,
                            message.size()) == 1;
  if (!ok) throw std::runtime_error("SHA256withRSA signing failed");  // a valid key always signs
  sig.resize(len);
  return base64(sig);
}

Certificate Certificate::self_signed(const RsaPrivateKey& key, std::string_view common_name,
                                     int valid_days) {
  X509Ptr cert(X509_new(), X509_free);
  BigNum serial(BN_new(), BN_free);
  bool ok = cert && serial && X509_set_version(cert.get(), 2) == 1;  // 2 means X.509 v3
  // A random positive serial, as CAs issue them; the top bit set keeps its hex length fixed.
  ok = ok && BN_rand(serial.get(), 128, BN_RAND_TOP_ONE, BN_RAND_BOTTOM_ANY) == 1;
  ok = ok && BN_to_ASN1_INTEGER(serial.get(), X509_get_serialNumber(cert.get())) != nullptr;
  ok = ok && X509_gmtime_adj(X509_getm_notBefore(cert.get()), -86400) != nullptr;
  ok = ok && X509_gmtime_adj(X509_getm_notAfter(cert.get()), 86400L * valid_days) != nullptr;
  ok = ok && X509_set_pubkey(cert.get(), key.key_.get()) == 1;
  X509_NAME* name = ok ? X509_get_subject_name(cert.get()) : nullptr;
  const std::string cn(common_name);
  ok = ok && X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_UTF8,
                                        reinterpret_cast<const unsigned char*>(cn.c_str()), -1, -1,
                                        0) == 1;
  ok = ok && X509_set_issuer_name(cert.get(), name) == 1;
  ok = ok && X509_sign(cert.get(), key.key_.get(), EVP_sha256()) > 0;
  Bio bio(BIO_new(BIO_s_mem()), BIO_free);
  ok = ok && bio && PEM_write_bio_X509(bio.get(), cert.get()) == 1;
  if (!ok) throw std::runtime_error("cannot create a self-signed certificate");
  EVP_PKEY* pub = X509_get_pubkey(cert.get());
  if (!pub) throw std::runtime_error("cannot read back the certificate's key");
  return Certificate(own(pub), drain(bio.get()), serial_of(cert.get()));
}

Result<Certificate> Certificate::from_pem(std::string_view pem) {
  Bio bio = read_bio(pem);
  X509Ptr cert(bio ? PEM_read_bio_X509(bio.get(), nullptr, no_passphrase, nullptr) : nullptr,
               X509_free);
  ERR_clear_error();
  if (!cert) return fail(Error::invalid("certificate", "is not a PEM X.509 certificate"));
  EVP_PKEY* pub = X509_get_pubkey(cert.get());
  if (!pub) return fail(Error::invalid("certificate", "has no readable public key"));
  auto owned = own(pub);
  if (!EVP_PKEY_is_a(pub, "RSA"))
    return fail(Error::invalid("certificate", "does not hold an RSA key"));
  // Keep only the certificate itself, re-encoded, whatever surrounded it.
  Bio out(BIO_new(BIO_s_mem()), BIO_free);
  if (!out || PEM_write_bio_X509(out.get(), cert.get()) != 1)
    return fail(Error::invalid("certificate", "cannot be re-encoded"));
  return Certificate(std::move(owned), drain(out.get()), serial_of(cert.get()));
}

bool Certificate::verify(std::string_view message, std::string_view signature_base64) const {
  std::string sig;
  if (!from_base64(signature_base64, sig) || sig.empty()) return false;
  MdCtx ctx(EVP_MD_CTX_new(), EVP_MD_CTX_free);
  const bool ok =
      ctx &&
      EVP_DigestVerifyInit(ctx.get(), nullptr, EVP_sha256(), nullptr, public_key_.get()) == 1 &&
      EVP_DigestVerify(ctx.get(), reinterpret_cast<const unsigned char*>(sig.data()), sig.size(),
                       reinterpret_cast<const unsigned char*>(message.data()), message.size()) == 1;
  // A failed verification leaves entries on this thread's OpenSSL error queue.
  if (!ok) ERR_clear_error();
  return ok;
}

}  // namespace stork::crypto
