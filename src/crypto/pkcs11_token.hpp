#pragma once
// Doctors' signing keys inside PKCS#11 tokens ("UKEY"): SoftHSM2 in tests
// and the demo, the vendor's module in production. Key material never
// leaves the token: keys are generated inside it (private key sensitive and
// not extractable) and every signature is made by the token.
//
// How: libp11 (0.4.12) finds tokens, initialises them, logs in, stores
// certificates and turns a token key into an EVP_PKEY that OpenSSL signs
// ECDSA with. libp11 0.4.12 cannot generate EC keys, so key generation, key
// attributes and the SM2 path use the module's own CK_FUNCTION_LIST (the
// same loaded module; libp11 initialised it first).
//
// Signatures have exactly the format of SigningKey::sign (DER (r, s)), so
// VerifyingKey::verify checks token and software signatures alike.
//
// SM2 in a token: PKCS#11 has no standard SM2 mechanism, and SoftHSM2 has
// none at all. A vendor module that offers one plugs in through
// Pkcs11Options::sm2_sign_mechanism: that mechanism must sign a 32-byte
// digest e = SM3(Z_A || M) (Z_A with the GM/T 0009 default ID
// "1234567812345678", see sm2_digest() below) and return r || s, 32 bytes
// each, as most UKEY modules' SM2 mechanisms do. SM2 keys are generated with
// sm2_keygen_mechanism over the SM2 curve (OID 1.2.156.10197.1.301). Without
// a configured SM2 mechanism that the token lists, SM2 is refused with the
// conflict `unsupported_algorithm` (this is what SoftHSM2 gives).
//
// PINs: sign() logs in, signs and logs out, and every operation closes its
// sessions, so each signature needs the PIN again. SoftHSM2 2.6 never locks
// a PIN (it only raises CKF_USER_PIN_COUNT_LOW), so callers that must limit
// guesses count wrong_pin answers themselves; a vendor token that locks
// answers pin_locked.
//
// Thread safety: a Pkcs11Module may be used from any thread. One mutex per
// module serialises every call into libp11 and the module, because a
// PKCS#11 login is shared by all sessions of the process: two concurrent
// log-in/sign/log-out sequences on one token would log each other out.
// Signing is short; calls block (keep them off I/O threads).
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

#include "core/error.hpp"
#include "crypto/signature.hpp"
#include "crypto/x509_ca.hpp"

namespace stork::crypto {

struct Pkcs11Options {
  // A vendor mechanism (CK_MECHANISM_TYPE) that signs an SM2 digest e,
  // returning r || s; 0 = none, so SM2 is unsupported (SoftHSM2).
  unsigned long sm2_sign_mechanism = 0;
  // The mechanism that generates SM2 key pairs; CKM_EC_KEY_PAIR_GEN by
  // default, with CKA_EC_PARAMS naming the SM2 curve.
  unsigned long sm2_keygen_mechanism = 0x1040;  // CKM_EC_KEY_PAIR_GEN
};

// A key pair in a token: CKA_ID as lower-case hex, and its public key.
struct TokenKey {
  std::string token_label;
  std::string key_id_hex;
  VerifyingKey public_key;
};

// How a private key is protected, as the token reports it.
struct KeyProtection {
  bool sensitive = false;          // CKA_SENSITIVE
  bool extractable = true;         // CKA_EXTRACTABLE
  bool always_sensitive = false;   // CKA_ALWAYS_SENSITIVE
  bool never_extractable = false;  // CKA_NEVER_EXTRACTABLE
};

// Errors common to the calls below: not_found for an unknown token or key;
// unavailable when the module fails in a way that is not the caller's.
class Pkcs11Module {
 public:
  // Loads the module (a shared library path). A module is loaded once per
  // process: while one Pkcs11Module for `module_path` is alive, load()
  // returns it again (and ignores `options`), because a second
  // initialisation would be torn down by the first one's finalisation.
  // SoftHSM2 reads SOFTHSM2_CONF when it is loaded. Errors: unavailable.
  static Result<std::shared_ptr<Pkcs11Module>> load(const std::string& module_path,
                                                    Pkcs11Options options = {});
  ~Pkcs11Module();
  Pkcs11Module(const Pkcs11Module&) = delete;
  Pkcs11Module& operator=(const Pkcs11Module&) = delete;

  // Enrolment: initialises the first uninitialised token with label, SO PIN
  // and user PIN. Errors: validation_failed ("token_label" empty or over 32
  // bytes, "so_pin" / "pin" shorter than 6), conflict token_exists (a token
  // has that label), conflict no_free_token.
  Status init_token(std::string_view label, std::string_view so_pin, std::string_view user_pin);
  // Labels of the initialised tokens.
  std::vector<std::string> token_labels();

  // A key pair generated inside the token: CKA_TOKEN, private key
  // sensitive and not extractable, a random 16-byte CKA_ID, CKA_LABEL
  // key_label; P-256 or the SM2 curve. Errors: wrong_pin, pin_locked,
  // conflict unsupported_algorithm (SM2 without a vendor mechanism).
  Result<TokenKey> generate_key(std::string_view token_label, std::string_view pin,
                                SignatureAlgorithm algorithm, std::string_view key_label);

  // The public key of key_id_hex (no PIN needed).
  Result<VerifyingKey> public_key(std::string_view token_label, std::string_view key_id_hex);

  Result<KeyProtection> protection(std::string_view token_label, std::string_view pin,
                                   std::string_view key_id_hex);

  // Stores certificate beside the key (same CKA_ID, label = subject CN),
  // for tokens that must carry their certificate. Errors: validation_failed
  // ("certificate") when it is not for this key; wrong_pin, pin_locked.
  Status store_certificate(std::string_view token_label, std::string_view pin,
                           std::string_view key_id_hex, const X509Certificate& certificate);
  // The certificate stored beside key_id_hex. Errors: not_found.
  Result<X509Certificate> certificate(std::string_view token_label, std::string_view key_id_hex);

  // Logs in with pin, signs message (ECDSA with SHA-256, or SM2 with SM3
  // through the vendor mechanism), logs out. Errors: conflict wrong_pin
  // (CKR_PIN_INCORRECT), conflict pin_locked (CKR_PIN_LOCKED), conflict
  // unsupported_algorithm, validation_failed ("algorithm") when the key is
  // of another algorithm, not_found, unavailable.
  Result<std::string> sign(std::string_view token_label, std::string_view pin,
                           std::string_view key_id_hex, SignatureAlgorithm algorithm,
                           std::string_view message);

 private:
  struct State;  // the libp11 context and the module's raw function list
  Pkcs11Module(std::unique_ptr<State> state, Pkcs11Options options);
  std::mutex mutex_;
  std::unique_ptr<State> state_;  // GUARDED_BY(mutex_)
  Pkcs11Options options_;
};

// e = SM3(Z_A || message), Z_A = SM3(ENTL || ID || a || b || xG || yG ||
// xA || yA) with ID "1234567812345678": the digest an SM2 token mechanism
// signs. REQUIRES: key.algorithm() == sm2_sm3.
std::string sm2_digest(const VerifyingKey& key, std::string_view message);

}  // namespace stork::crypto
