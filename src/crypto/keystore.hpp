#pragma once
// A PIN-protected software keystore for one signing key: an encrypted
// PKCS#8 PEM ("BEGIN ENCRYPTED PRIVATE KEY"), AES-256-CBC under a key that
// scrypt (N=2^14, r=8, p=1, 16-byte random salt) derives from the PIN.
// This is where SM2 keys live when no token offers SM2; any tool that reads
// PKCS#8 opens it too (`openssl pkey -in FILE`).
//
// Opening costs about 16 MiB and tens of milliseconds by design (it slows
// PIN guessing): never call it on an I/O thread. Counting wrong PINs is the
// caller's job. Pure functions apart from the file pair; thread-safe.
#include <string>
#include <string_view>

#include "core/error.hpp"
#include "crypto/signature.hpp"

namespace stork::crypto {

inline constexpr size_t kMinPinLength = 6;

// The encrypted PEM. Errors: validation_failed (field "pin") for a PIN
// shorter than kMinPinLength.
Result<std::string> seal_private_key(const SigningKey& key, std::string_view pin);

// The key inside. Errors: wrong_pin when the PIN does not decrypt it;
// validation_failed (field "keystore") when the text is not an encrypted
// PKCS#8 PEM or holds neither an SM2 nor a P-256 key.
Result<SigningKey> open_private_key(std::string_view keystore_pem, std::string_view pin);

// The same through a file, written with mode 0600 (replacing any file of
// that name). Errors as above, and unavailable when the file cannot be
// written or read.
Status write_keystore_file(const std::string& path, const SigningKey& key, std::string_view pin);
Result<SigningKey> read_keystore_file(const std::string& path, std::string_view pin);

}  // namespace stork::crypto
