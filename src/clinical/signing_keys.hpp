#pragma once
// Who may sign, with which key: the CAs we trust, every doctor's and
// pharmacist's credential (a key in a PKCS#11 token or a PIN-encrypted
// software keystore, with the certificate the CA issued for it), the CRLs,
// and signing itself.
//
// The CA's own private key never enters the database: `stork keys` opens it
// from its PIN-encrypted file for enrolment, renewal and revocation, and
// the server only needs certificates and CRLs to verify.
//
// Wrong PINs are counted per credential (the count survives restarts and
// is shared by every node); at max_pin_failures the credential is locked
// until `stork keys unlock`. Signing is CPU work and, for a keystore,
// scrypt-slow by design: call it from worker threads.
//
// Thread-safe: state is in the database; the PKCS#11 module serializes
// itself.
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "clinical/model.hpp"
#include "clinical/verification.hpp"
#include "core/clock.hpp"
#include "crypto/field_cipher.hpp"
#include "crypto/pkcs11_token.hpp"
#include "crypto/timestamp.hpp"
#include "crypto/signature.hpp"
#include "crypto/x509_ca.hpp"
#include "store/database.hpp"

namespace stork::clinical {

struct SigningSettings {
  int max_pin_failures = 5;
  int certificate_days = 730;  // a doctor's certificate; renewal issues a new one
};

struct EnrolRequest {
  int64_t user_id = 0;
  std::string common_name;  // the name on the certificate
  crypto::SignatureAlgorithm algorithm = crypto::SignatureAlgorithm::ecdsa_p256_sha256;
  std::string storage = "pkcs11";  // or "keystore"
  std::string pin;                 // the user's PIN for her token or keystore
  std::string token_label;         // pkcs11: the token to use (initialised when so_pin is given)
  std::string so_pin;              // pkcs11: initialise a fresh SoftHSM token with this SO PIN
};

struct SignOutcome {
  std::string signature;  // DER
  Credential credential;
  std::string chain_pem;  // the issuing CA's certificate
};

// The hospital CA as `stork keys` opens it: its certificate row and key.
struct OpenAuthority {
  Authority row;
  crypto::CertificateAuthority ca;
};

class SigningKeys {
 public:
  SigningKeys(store::Database& db, const Clock& clock, SigningSettings settings,
              std::shared_ptr<crypto::Pkcs11Module> module);

  // A new hospital CA: its key sealed into key_file under ca_pin, its
  // certificate trusted from now on, an empty CRL. Errors: validation_failed
  // (common_name, ca_pin), unavailable (file).
  Result<Authority> create_hospital_ca(crypto::SignatureAlgorithm algorithm, const std::string& common_name,
                                       const std::string& key_file, const std::string& ca_pin, int years);
  // Trusts an external CA's certificate (and its CRL, when given).
  Result<Authority> import_ca(const std::string& certificate_pem, const std::string& crl_pem);
  // Opens the hospital CA whose certificate matches the key in key_file.
  // Errors: wrong_pin, not_found (no hospital CA with that key).
  Result<OpenAuthority> open_hospital_ca(const std::string& key_file, const std::string& ca_pin);
  Result<std::vector<Authority>> authorities();
  // The local time-stamping authority (RFC 3161): an ECDSA key, sealed in
  // the database with the field-encryption key so every node can stamp,
  // and a timeStamping certificate from the hospital CA.
  Status create_timestamp_authority(const OpenAuthority& authority, const crypto::FieldCipher& cipher);
  // Null when none was created.
  Result<std::shared_ptr<const crypto::TimestampAuthority>> timestamp_authority(const crypto::FieldCipher& cipher);
  // Anchors and CRLs for verification.
  Result<TrustMaterial> trust();

  // A key pair made in the token (or sealed in a keystore) and a
  // certificate for it; any earlier credential of the user is replaced.
  Result<Credential> enrol(const EnrolRequest& request, const OpenAuthority& authority);
  // A new certificate for the same key (no PIN needed: the public key is in
  // the old certificate). Errors: not_found, certificate_revoked.
  Result<Credential> renew(int64_t user_id, const OpenAuthority& authority);
  // Revokes the certificate with this serial from now and publishes a new
  // CRL. Errors: not_found, already_revoked.
  Result<Credential> revoke(const std::string& serial, const std::string& reason, const OpenAuthority& authority);
  // Clears a credential's wrong-PIN count.
  Status unlock(int64_t user_id);
  Result<std::vector<Credential>> list();
  Result<std::optional<Credential>> latest(int64_t user_id);

  // Signs bytes with the user's current credential and PIN. Errors (409):
  // signing_key_missing, certificate_revoked, certificate_expired,
  // certificate_not_yet_valid, pin_locked, wrong_pin (with attempts_left).
  Result<SignOutcome> sign(int64_t user_id, std::string_view pin, std::string_view bytes);

 private:
  Result<Authority> add_authority(const std::string& kind, const crypto::X509Certificate& certificate,
                                  const std::string& crl_pem);
  Result<Credential> store_credential(const EnrolRequest& request, const std::string& key_id,
                                      const std::string& keystore_pem, const crypto::X509Certificate& certificate,
                                      int64_t authority_id);
  Result<std::string> sign_with(const Credential& credential, std::string_view pin, std::string_view bytes);
  Result<std::string> authority_pem(int64_t authority_id);

  store::Database& db_;
  const Clock& clock_;
  SigningSettings settings_;
  std::shared_ptr<crypto::Pkcs11Module> module_;
};

}  // namespace stork::clinical
