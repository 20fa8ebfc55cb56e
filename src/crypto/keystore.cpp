#include "crypto/keystore.hpp"

#include <fcntl.h>
#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/pkcs12.h>
#include <openssl/x509.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <sstream>
#include <stdexcept>

#include "crypto/evp_detail.hpp"
#include "crypto/random.hpp"

namespace stork::crypto {
namespace {

// OpenSSL's own `pkcs8 -scrypt` parameters: 16 MiB of memory, inside the
// 32 MiB that PKCS8_decrypt allows by default.
constexpr uint64_t kScryptN = 1u << 14;
constexpr uint64_t kScryptR = 8;
constexpr uint64_t kScryptP = 1;
constexpr int kSaltBytes = 16;

using P8Info = std::unique_ptr<PKCS8_PRIV_KEY_INFO, decltype(&PKCS8_PRIV_KEY_INFO_free)>;
using Sig = std::unique_ptr<X509_SIG, decltype(&X509_SIG_free)>;
using Algor = std::unique_ptr<X509_ALGOR, decltype(&X509_ALGOR_free)>;

Error wrong_pin() { return Error::conflict("wrong_pin", "the PIN does not open this key"); }

}  // namespace

Result<std::string> seal_private_key(const SigningKey& key, std::string_view pin) {
  if (pin.size() < kMinPinLength)
    return fail(Error::invalid(
        "pin", "must have at least " + std::to_string(kMinPinLength) + " characters"));
  P8Info info(EVP_PKEY2PKCS8(key.native()), PKCS8_PRIV_KEY_INFO_free);
  const std::string salt = random_bytes(kSaltBytes);
  Algor pbe(info ? PKCS5_pbe2_set_scrypt(EVP_aes_256_cbc(),
                                         reinterpret_cast<const unsigned char*>(salt.data()),
                                         kSaltBytes, nullptr, kScryptN, kScryptR, kScryptP)
                 : nullptr,
            X509_ALGOR_free);
  Sig sealed(pbe ? PKCS8_set0_pbe(pin.data(), static_cast<int>(pin.size()), info.get(), pbe.get())
                 : nullptr,
             X509_SIG_free);
  if (sealed) (void)pbe.release();  // now owned by sealed
  detail::Bio bio = detail::memory_bio();
  if (!sealed || !bio || PEM_write_bio_PKCS8(bio.get(), sealed.get()) != 1) {
    ERR_clear_error();
    throw std::runtime_error("cannot encrypt the private key");  // a valid key always encrypts
  }
  return detail::drain(bio.get());
}

Result<SigningKey> open_private_key(std::string_view keystore_pem, std::string_view pin) {
  detail::Bio bio = detail::read_bio(keystore_pem);
  Sig sealed(bio ? PEM_read_bio_PKCS8(bio.get(), nullptr, nullptr, nullptr) : nullptr,
             X509_SIG_free);
  ERR_clear_error();
  if (!sealed) return fail(Error::invalid("keystore", "is not an encrypted PKCS#8 PEM key"));
  // CBC padding catches a wrong PIN 255 times in 256; the other time the
  // decrypted bytes are not a PrivateKeyInfo. Both are a wrong PIN.
  P8Info info(PKCS8_decrypt(sealed.get(), pin.data(), static_cast<int>(pin.size())),
              PKCS8_PRIV_KEY_INFO_free);
  EVP_PKEY* key = info ? EVP_PKCS82PKEY(info.get()) : nullptr;
  ERR_clear_error();
  if (!key) return fail(wrong_pin());
  auto opened = SigningKey::from_native(key, "keystore");
  if (!opened) return fail(Error::invalid("keystore", "holds neither an SM2 nor a P-256 key"));
  return opened;
}

Status write_keystore_file(const std::string& path, const SigningKey& key, std::string_view pin) {
  auto sealed = seal_private_key(key, pin);
  if (!sealed) return fail(std::move(sealed.error()));
  const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  if (fd < 0) return fail(Error::unavailable("cannot write " + path + ": " + std::strerror(errno)));
  // O_CREAT's mode does not apply to a file that already existed.
  bool ok = ::fchmod(fd, 0600) == 0;
  for (size_t done = 0; ok && done < sealed->size();) {
    const ssize_t n = ::write(fd, sealed->data() + done, sealed->size() - done);
    if (n < 0 && errno == EINTR) continue;
    ok = n > 0;
    if (ok) done += static_cast<size_t>(n);
  }
  ok = ::fsync(fd) == 0 && ok;
  ok = ::close(fd) == 0 && ok;
  if (!ok) return fail(Error::unavailable("cannot write " + path + ": " + std::strerror(errno)));
  return {};
}

Result<SigningKey> read_keystore_file(const std::string& path, std::string_view pin) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return fail(Error::unavailable("cannot read " + path));
  std::ostringstream text;
  text << in.rdbuf();
  return open_private_key(text.str(), pin);
}

}  // namespace stork::crypto
