#include "crypto/pkcs11_token.hpp"

#include <dlfcn.h>
#include <libp11.h>
#include <openssl/core_names.h>
#include <openssl/ec.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rand.h>
#include <openssl/x509.h>
#include <p11-kit-1/p11-kit/pkcs11.h>

#include <array>
#include <condition_variable>
#include <map>
#include <optional>
#include <stdexcept>

#include "crypto/evp_detail.hpp"

namespace stork::crypto {

// --- plumbing: the module, errors, hex ---

struct Pkcs11Module::State {
  std::string path;
  PKCS11_CTX* ctx = nullptr;  // libp11's view of the module
  void* library = nullptr;    // our own dlopen reference to the same module
  CK_FUNCTION_LIST* p11 = nullptr;

  ~State() {
    // libp11 finalises the module (C_Finalize) when it unloads it.
    if (ctx) {
      PKCS11_CTX_unload(ctx);
      PKCS11_CTX_free(ctx);
    }
    if (library) dlclose(library);
  }
};

namespace {

using detail::Bio;

// DER OIDs for CKA_EC_PARAMS: prime256v1 (1.2.840.10045.3.1.7) and the SM2
// curve (1.2.156.10197.1.301).
constexpr std::string_view kP256Params("\x06\x08\x2a\x86\x48\xce\x3d\x03\x01\x07", 10);
constexpr std::string_view kSm2Params("\x06\x08\x2a\x81\x1c\xcf\x55\x01\x82\x2d", 10);
constexpr size_t kMaxTokenLabel = 32;  // CK_TOKEN_INFO.label
constexpr size_t kMinPin = 6;

std::string to_hex(std::string_view bytes) {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string out;
  for (unsigned char c : bytes) {
    out += kDigits[c >> 4];
    out += kDigits[c & 15];
  }
  return out;
}

std::optional<std::string> from_hex(std::string_view hex) {
  if (hex.empty() || hex.size() % 2 != 0) return std::nullopt;
  auto nibble = [](char c) -> int {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
  };
  std::string out;
  for (size_t i = 0; i < hex.size(); i += 2) {
    const int hi = nibble(hex[i]), lo = nibble(hex[i + 1]);
    if (hi < 0 || lo < 0) return std::nullopt;
    out += static_cast<char>(hi * 16 + lo);
  }
  return out;
}

Result<std::string> parse_key_id(std::string_view key_id_hex) {
  auto id = key_id_hex.size() <= 128 ? from_hex(key_id_hex) : std::nullopt;
  if (!id) return fail(Error::invalid("key_id", "is not a hex CKA_ID"));
  return *id;
}

std::string rv_text(CK_RV rv) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "CKR 0x%lx", static_cast<unsigned long>(rv));
  return buf;
}

Error module_error(std::string_view what, CK_RV rv) {
  return Error::unavailable("the PKCS#11 module failed to " + std::string(what) + " (" +
                            rv_text(rv) + ")");
}

// Wrong and locked PINs are the caller's to handle; anything else is the module's.
Error login_error(CK_RV rv) {
  switch (rv) {
    case CKR_PIN_INCORRECT:
    case CKR_PIN_INVALID:
    case CKR_PIN_LEN_RANGE:
      return Error::conflict("wrong_pin", "the token refused the PIN");
    case CKR_PIN_LOCKED:
      return Error::conflict("pin_locked",
                             "the token's PIN is locked; its security officer must unlock it");
    default:
      return module_error("log in", rv);
  }
}

// libp11 reports a module's CK_RV on the OpenSSL error queue under its own
// library code; this takes the last one and empties the queue.
CK_RV libp11_error() {
  CK_RV rv = CKR_GENERAL_ERROR;
  while (const unsigned long e = ERR_get_error())
    if (ERR_GET_LIB(e) == ERR_get_CKR_code()) rv = ERR_GET_REASON(e);
  return rv;
}

Error not_found_token(std::string_view label) {
  return Error::not_found("token \"" + std::string(label) + "\"");
}
Error not_found_key(std::string_view id_hex) {
  return Error::not_found("key " + std::string(id_hex) + " in the token");
}
Error unsupported_sm2() {
  return Error::conflict("unsupported_algorithm",
                         "this PKCS#11 token offers no SM2 signing mechanism (SM2-SM3): use "
                         "ECDSA-P256-SHA256, or configure the vendor module's SM2 mechanism");
}

// The slots libp11 sees, enumerated afresh for each operation: the token
// list changes (init_token) and libp11's objects are only valid until the
// slots are released. Releasing them closes every session.
class Slots {
 public:
  explicit Slots(PKCS11_CTX* ctx) : ctx_(ctx) {
    if (PKCS11_enumerate_slots(ctx, &slots_, &count_) != 0) {
      slots_ = nullptr;
      count_ = 0;
      ERR_clear_error();
    }
  }
  ~Slots() {
    if (slots_) PKCS11_release_all_slots(ctx_, slots_, count_);
  }
  Slots(const Slots&) = delete;
  Slots& operator=(const Slots&) = delete;

  PKCS11_SLOT* token(std::string_view label) const {
    for (unsigned i = 0; i < count_; ++i) {
      const PKCS11_TOKEN* t = slots_[i].token;
      if (t && t->initialized && t->label && label == t->label) return &slots_[i];
    }
    return nullptr;
  }
  PKCS11_SLOT* free_token() const {
    for (unsigned i = 0; i < count_; ++i)
      if (slots_[i].token && !slots_[i].token->initialized) return &slots_[i];
    return nullptr;
  }
  std::vector<std::string> labels() const {
    std::vector<std::string> out;
    for (unsigned i = 0; i < count_; ++i)
      if (slots_[i].token && slots_[i].token->initialized) out.emplace_back(slots_[i].token->label);
    return out;
  }

 private:
  PKCS11_CTX* ctx_;
  PKCS11_SLOT* slots_ = nullptr;
  unsigned count_ = 0;
};

// Logs a libp11 slot out when the operation ends, whatever happens.
struct Libp11Login {
  PKCS11_SLOT* slot;
  ~Libp11Login() {
    PKCS11_logout(slot);
    ERR_clear_error();
  }
};

// A raw PKCS#11 session, for what libp11 0.4.12 cannot do (EC key
// generation, attributes, vendor SM2 mechanisms). Logs out and closes.
class RawSession {
 public:
  explicit RawSession(CK_FUNCTION_LIST* p11) : p11_(p11) {}
  ~RawSession() {
    if (logged_in_) p11_->C_Logout(handle_);
    if (handle_ != CK_INVALID_HANDLE) p11_->C_CloseSession(handle_);
  }
  RawSession(const RawSession&) = delete;
  RawSession& operator=(const RawSession&) = delete;

  Status open(CK_SLOT_ID slot, bool rw) {
    const CK_FLAGS flags = CKF_SERIAL_SESSION | (rw ? CKF_RW_SESSION : 0);
    const CK_RV rv = p11_->C_OpenSession(slot, flags, nullptr, nullptr, &handle_);
    if (rv != CKR_OK) return fail(module_error("open a session", rv));
    return {};
  }
  Status login(std::string_view pin) {
    std::string copy(pin);
    const CK_RV rv =
        p11_->C_Login(handle_, CKU_USER, reinterpret_cast<CK_UTF8CHAR*>(copy.data()), copy.size());
    if (rv != CKR_OK) return fail(login_error(rv));
    logged_in_ = true;
    return {};
  }
  std::optional<CK_OBJECT_HANDLE> find(CK_OBJECT_CLASS object_class, std::string id) {
    CK_ATTRIBUTE match[] = {{CKA_CLASS, &object_class, sizeof object_class},
                            {CKA_ID, id.data(), id.size()}};
    CK_OBJECT_HANDLE object = CK_INVALID_HANDLE;
    CK_ULONG found = 0;
    if (p11_->C_FindObjectsInit(handle_, match, 2) != CKR_OK) return std::nullopt;
    const CK_RV rv = p11_->C_FindObjects(handle_, &object, 1, &found);
    p11_->C_FindObjectsFinal(handle_);
    if (rv != CKR_OK || found == 0) return std::nullopt;
    return object;
  }
  std::optional<std::string> attribute(CK_OBJECT_HANDLE object, CK_ATTRIBUTE_TYPE type) {
    CK_ATTRIBUTE a = {type, nullptr, 0};
    if (p11_->C_GetAttributeValue(handle_, object, &a, 1) != CKR_OK) return std::nullopt;
    std::string value(a.ulValueLen, '\0');
    a.pValue = value.data();
    if (p11_->C_GetAttributeValue(handle_, object, &a, 1) != CKR_OK) return std::nullopt;
    value.resize(a.ulValueLen);
    return value;
  }
  bool flag(CK_OBJECT_HANDLE object, CK_ATTRIBUTE_TYPE type) {
    const auto value = attribute(object, type);
    return value && value->size() == 1 && (*value)[0] != 0;
  }
  CK_SESSION_HANDLE handle() const { return handle_; }

 private:
  CK_FUNCTION_LIST* p11_;
  CK_SESSION_HANDLE handle_ = CK_INVALID_HANDLE;
  bool logged_in_ = false;
};

std::optional<SignatureAlgorithm> algorithm_of_params(std::string_view ec_params) {
  if (ec_params == kP256Params) return SignatureAlgorithm::ecdsa_p256_sha256;
  if (ec_params == kSm2Params) return SignatureAlgorithm::sm2_sm3;
  return std::nullopt;
}

// CKA_EC_POINT is a DER OCTET STRING around the uncompressed point; some
// modules give the bare point.
std::string unwrap_point(const std::string& ec_point) {
  const auto* p = reinterpret_cast<const unsigned char*>(ec_point.data());
  ASN1_OCTET_STRING* octets =
      d2i_ASN1_OCTET_STRING(nullptr, &p, static_cast<long>(ec_point.size()));
  ERR_clear_error();
  if (!octets) return ec_point;
  std::string point(reinterpret_cast<const char*>(ASN1_STRING_get0_data(octets)),
                    static_cast<size_t>(ASN1_STRING_length(octets)));
  ASN1_OCTET_STRING_free(octets);
  return point;
}

// The public key object with this CKA_ID, as a VerifyingKey.
Result<VerifyingKey> read_public_key(RawSession& session, const std::string& id,
                                     std::string_view id_hex) {
  const auto object = session.find(CKO_PUBLIC_KEY, id);
  if (!object) return fail(not_found_key(id_hex));
  const auto params = session.attribute(*object, CKA_EC_PARAMS);
  const auto point = session.attribute(*object, CKA_EC_POINT);
  const auto algorithm = params ? algorithm_of_params(*params) : std::nullopt;
  if (!algorithm || !point)
    return fail(Error::invalid("key_id", "is neither an SM2 nor a P-256 key"));
  std::string pub = unwrap_point(*point);
  const bool sm2 = *algorithm == SignatureAlgorithm::sm2_sm3;
  char group[16];
  std::snprintf(group, sizeof group, "%s", sm2 ? "SM2" : "prime256v1");
  OSSL_PARAM fields[] = {
      OSSL_PARAM_construct_utf8_string(OSSL_PKEY_PARAM_GROUP_NAME, group, 0),
      OSSL_PARAM_construct_octet_string(OSSL_PKEY_PARAM_PUB_KEY, pub.data(), pub.size()),
      OSSL_PARAM_construct_end()};
  EVP_PKEY_CTX* ctx = EVP_PKEY_CTX_new_from_name(nullptr, sm2 ? "SM2" : "EC", nullptr);
  EVP_PKEY* key = nullptr;
  const bool ok = ctx && EVP_PKEY_fromdata_init(ctx) == 1 &&
                  EVP_PKEY_fromdata(ctx, &key, EVP_PKEY_PUBLIC_KEY, fields) == 1;
  EVP_PKEY_CTX_free(ctx);
  ERR_clear_error();
  if (!ok) return fail(Error::invalid("key_id", "holds a public key OpenSSL cannot read"));
  auto result = VerifyingKey::from_native(key, "key_id");
  EVP_PKEY_free(key);
  return result;
}

// r || s from a token, as the DER (r, s) that VerifyingKey::verify takes.
std::optional<std::string> der_signature(std::string_view raw) {
  if (raw.empty() || raw.size() % 2 != 0) return std::nullopt;
  const auto* p = reinterpret_cast<const unsigned char*>(raw.data());
  const int half = static_cast<int>(raw.size() / 2);
  ECDSA_SIG* sig = ECDSA_SIG_new();
  BIGNUM* r = BN_bin2bn(p, half, nullptr);
  BIGNUM* s = BN_bin2bn(p + half, half, nullptr);
  if (!sig || !r || !s || ECDSA_SIG_set0(sig, r, s) != 1) {
    BN_free(r);
    BN_free(s);
    ECDSA_SIG_free(sig);
    return std::nullopt;
  }
  unsigned char* der = nullptr;
  const int n = i2d_ECDSA_SIG(sig, &der);
  ECDSA_SIG_free(sig);
  if (n <= 0) return std::nullopt;
  std::string out(reinterpret_cast<char*>(der), static_cast<size_t>(n));
  OPENSSL_free(der);
  return out;
}

// The process-wide set of loaded modules (see Pkcs11Module::load).
struct Registry {
  std::mutex mutex;
  std::condition_variable unloaded;
  std::map<std::string, std::weak_ptr<Pkcs11Module>> modules;  // GUARDED_BY(mutex)
};
Registry& registry() {
  static Registry r;
  return r;
}

}  // namespace

// --- loading ---

Pkcs11Module::Pkcs11Module(std::unique_ptr<State> state, Pkcs11Options options)
    : state_(std::move(state)), options_(options) {}

Pkcs11Module::~Pkcs11Module() = default;

Result<std::shared_ptr<Pkcs11Module>> Pkcs11Module::load(const std::string& module_path,
                                                         Pkcs11Options options) {
  Registry& reg = registry();
  std::unique_lock lock(reg.mutex);
  // An expired entry is a module being unloaded right now: wait for it, or
  // its C_Finalize would tear down the one loaded here.
  for (auto it = reg.modules.find(module_path); it != reg.modules.end();
       it = reg.modules.find(module_path)) {
    if (auto live = it->second.lock()) return live;
    reg.unloaded.wait(lock);
  }

  auto state = std::make_unique<State>();
  state->path = module_path;
  state->ctx = PKCS11_CTX_new();
  if (!state->ctx || PKCS11_CTX_load(state->ctx, module_path.c_str()) != 0) {
    ERR_clear_error();
    if (state->ctx) PKCS11_CTX_free(state->ctx);
    state->ctx = nullptr;
    return fail(Error::unavailable("cannot load the PKCS#11 module " + module_path));
  }
  state->library = dlopen(module_path.c_str(), RTLD_NOW | RTLD_LOCAL);
  auto get_list =
      state->library
          ? reinterpret_cast<CK_C_GetFunctionList>(dlsym(state->library, "C_GetFunctionList"))
          : nullptr;
  if (!get_list || get_list(&state->p11) != CKR_OK)
    return fail(Error::unavailable("the PKCS#11 module has no function list: " + module_path));
  // libp11 has initialised the module already; this is only a handshake.
  CK_C_INITIALIZE_ARGS args{};
  args.flags = CKF_OS_LOCKING_OK;
  const CK_RV rv = state->p11->C_Initialize(&args);
  if (rv != CKR_OK && rv != CKR_CRYPTOKI_ALREADY_INITIALIZED)
    return fail(module_error("initialise", rv));

  auto* module = new Pkcs11Module(std::move(state), options);
  std::shared_ptr<Pkcs11Module> shared(module, [path = module_path](Pkcs11Module* m) {
    Registry& reg = registry();
    std::lock_guard guard(reg.mutex);
    delete m;
    reg.modules.erase(path);
    reg.unloaded.notify_all();
  });
  reg.modules[module_path] = shared;
  return shared;
}

// --- tokens ---

Status Pkcs11Module::init_token(std::string_view label, std::string_view so_pin,
                                std::string_view user_pin) {
  FieldErrors errors;
  if (label.empty() || label.size() > kMaxTokenLabel)
    errors.add("token_label", "must be 1 to 32 bytes");
  if (so_pin.size() < kMinPin) errors.add("so_pin", "must have at least 6 characters");
  if (user_pin.size() < kMinPin) errors.add("pin", "must have at least 6 characters");
  if (auto s = errors.status(); !s) return s;

  std::lock_guard lock(mutex_);
  Slots slots(state_->ctx);
  if (slots.token(label))
    return fail(Error::conflict("token_exists",
                                "a token is already labelled \"" + std::string(label) + "\""));
  PKCS11_SLOT* slot = slots.free_token();
  if (!slot) return fail(Error::conflict("no_free_token", "no uninitialised token is present"));

  // libp11 0.4.12 hands the label to C_InitToken as is, which reads the
  // 32 blank-padded bytes of CK_TOKEN_INFO.label.
  std::string padded(label);
  padded.resize(kMaxTokenLabel, ' ');
  const std::string so(so_pin), user(user_pin);
  if (PKCS11_init_token(slot->token, so.c_str(), padded.c_str()) != 0)
    return fail(module_error("initialise the token", libp11_error()));
  // The user PIN is set by the security officer, in a read-write session.
  if (PKCS11_open_session(slot, 1) != 0 || PKCS11_login(slot, 1, so.c_str()) != 0)
    return fail(module_error("log in as security officer", libp11_error()));
  Libp11Login logout{slot};
  if (PKCS11_init_pin(slot->token, user.c_str()) != 0)
    return fail(module_error("set the user PIN", libp11_error()));
  return {};
}

std::vector<std::string> Pkcs11Module::token_labels() {
  std::lock_guard lock(mutex_);
  return Slots(state_->ctx).labels();
}

// --- keys ---

Result<TokenKey> Pkcs11Module::generate_key(std::string_view token_label, std::string_view pin,
                                            SignatureAlgorithm algorithm,
                                            std::string_view key_label) {
  std::lock_guard lock(mutex_);
  Slots slots(state_->ctx);
  PKCS11_SLOT* slot = slots.token(token_label);
  if (!slot) return fail(not_found_token(token_label));
  const CK_SLOT_ID slot_id = PKCS11_get_slotid_from_slot(slot);
  CK_FUNCTION_LIST* p11 = state_->p11;

  const bool sm2 = algorithm == SignatureAlgorithm::sm2_sm3;
  // An SM2 key the token cannot sign with would be useless: ask first.
  CK_MECHANISM_INFO info{};
  if (sm2 && (options_.sm2_sign_mechanism == 0 ||
              p11->C_GetMechanismInfo(slot_id, options_.sm2_sign_mechanism, &info) != CKR_OK ||
              !(info.flags & CKF_SIGN)))
    return fail(unsupported_sm2());

  RawSession session(p11);
  if (auto s = session.open(slot_id, true); !s) return fail(s.error());
  if (auto s = session.login(pin); !s) return fail(s.error());

  std::string id(16, '\0');
  if (RAND_bytes(reinterpret_cast<unsigned char*>(id.data()), static_cast<int>(id.size())) != 1)
    return fail(Error::internal("no randomness for the key id"));
  std::string label(key_label);
  std::string params(sm2 ? kSm2Params : kP256Params);
  CK_BBOOL yes = CK_TRUE, no = CK_FALSE;
  CK_OBJECT_CLASS public_class = CKO_PUBLIC_KEY, private_class = CKO_PRIVATE_KEY;
  CK_KEY_TYPE key_type = CKK_EC;
  CK_ATTRIBUTE public_template[] = {
      {CKA_CLASS, &public_class, sizeof public_class},
      {CKA_KEY_TYPE, &key_type, sizeof key_type},
      {CKA_TOKEN, &yes, sizeof yes},
      {CKA_PRIVATE, &no, sizeof no},
      {CKA_VERIFY, &yes, sizeof yes},
      {CKA_EC_PARAMS, params.data(), params.size()},
      {CKA_ID, id.data(), id.size()},
      {CKA_LABEL, label.data(), label.size()},
  };
  CK_ATTRIBUTE private_template[] = {
      {CKA_CLASS, &private_class, sizeof private_class},
      {CKA_KEY_TYPE, &key_type, sizeof key_type},
      {CKA_TOKEN, &yes, sizeof yes},
      {CKA_PRIVATE, &yes, sizeof yes},
      {CKA_SENSITIVE, &yes, sizeof yes},
      {CKA_EXTRACTABLE, &no, sizeof no},
      {CKA_SIGN, &yes, sizeof yes},
      {CKA_ID, id.data(), id.size()},
      {CKA_LABEL, label.data(), label.size()},
  };
  CK_MECHANISM mechanism = {sm2 ? options_.sm2_keygen_mechanism : CKM_EC_KEY_PAIR_GEN, nullptr, 0};
  CK_OBJECT_HANDLE public_key = CK_INVALID_HANDLE, private_key = CK_INVALID_HANDLE;
  const CK_RV rv = p11->C_GenerateKeyPair(session.handle(), &mechanism, public_template,
                                          std::size(public_template), private_template,
                                          std::size(private_template), &public_key, &private_key);
  if (rv == CKR_CURVE_NOT_SUPPORTED || rv == CKR_DOMAIN_PARAMS_INVALID ||
      rv == CKR_MECHANISM_INVALID)
    return fail(sm2 ? unsupported_sm2()
                    : Error::conflict("unsupported_algorithm",
                                      "this PKCS#11 token cannot generate P-256 keys"));
  if (rv != CKR_OK) return fail(module_error("generate a key pair", rv));

  const std::string id_hex = to_hex(id);
  auto key = read_public_key(session, id, id_hex);
  if (!key) return fail(key.error());
  return TokenKey{std::string(token_label), id_hex, *key};
}

Result<VerifyingKey> Pkcs11Module::public_key(std::string_view token_label,
                                              std::string_view key_id_hex) {
  auto id = parse_key_id(key_id_hex);
  if (!id) return fail(id.error());
  std::lock_guard lock(mutex_);
  Slots slots(state_->ctx);
  PKCS11_SLOT* slot = slots.token(token_label);
  if (!slot) return fail(not_found_token(token_label));
  RawSession session(state_->p11);
  if (auto s = session.open(PKCS11_get_slotid_from_slot(slot), false); !s) return fail(s.error());
  return read_public_key(session, *id, key_id_hex);
}

Result<KeyProtection> Pkcs11Module::protection(std::string_view token_label, std::string_view pin,
                                               std::string_view key_id_hex) {
  auto id = parse_key_id(key_id_hex);
  if (!id) return fail(id.error());
  std::lock_guard lock(mutex_);
  Slots slots(state_->ctx);
  PKCS11_SLOT* slot = slots.token(token_label);
  if (!slot) return fail(not_found_token(token_label));
  RawSession session(state_->p11);
  if (auto s = session.open(PKCS11_get_slotid_from_slot(slot), false); !s) return fail(s.error());
  if (auto s = session.login(pin); !s) return fail(s.error());
  const auto object = session.find(CKO_PRIVATE_KEY, *id);
  if (!object) return fail(not_found_key(key_id_hex));
  return KeyProtection{session.flag(*object, CKA_SENSITIVE), session.flag(*object, CKA_EXTRACTABLE),
                       session.flag(*object, CKA_ALWAYS_SENSITIVE),
                       session.flag(*object, CKA_NEVER_EXTRACTABLE)};
}

// --- certificates ---

Status Pkcs11Module::store_certificate(std::string_view token_label, std::string_view pin,
                                       std::string_view key_id_hex,
                                       const X509Certificate& certificate) {
  auto key = public_key(token_label, key_id_hex);
  if (!key) return fail(key.error());
  if (!(*key == certificate.public_key()))
    return fail(
        Error::invalid("certificate", "is not for the token's key " + std::string(key_id_hex)));
  auto id = parse_key_id(key_id_hex);

  std::lock_guard lock(mutex_);
  Slots slots(state_->ctx);
  PKCS11_SLOT* slot = slots.token(token_label);
  if (!slot) return fail(not_found_token(token_label));
  const std::string pin_copy(pin);
  if (PKCS11_open_session(slot, 1) != 0)
    return fail(module_error("open a session", libp11_error()));
  if (PKCS11_login(slot, 0, pin_copy.c_str()) != 0) return fail(login_error(libp11_error()));
  Libp11Login logout{slot};
  std::string label = certificate.subject_cn();
  if (PKCS11_store_certificate(slot->token, certificate.native(), label.data(),
                               reinterpret_cast<unsigned char*>(id->data()), id->size(),
                               nullptr) != 0)
    return fail(module_error("store the certificate", libp11_error()));
  return {};
}

Result<X509Certificate> Pkcs11Module::certificate(std::string_view token_label,
                                                  std::string_view key_id_hex) {
  auto id = parse_key_id(key_id_hex);
  if (!id) return fail(id.error());
  std::lock_guard lock(mutex_);
  Slots slots(state_->ctx);
  PKCS11_SLOT* slot = slots.token(token_label);
  if (!slot) return fail(not_found_token(token_label));
  PKCS11_CERT* certs = nullptr;
  unsigned count = 0;
  if (PKCS11_enumerate_certs(slot->token, &certs, &count) != 0)
    return fail(module_error("list certificates", libp11_error()));
  for (unsigned i = 0; i < count; ++i) {
    const std::string_view cert_id(reinterpret_cast<const char*>(certs[i].id), certs[i].id_len);
    if (cert_id != *id || !certs[i].x509) continue;
    Bio bio = detail::memory_bio();
    if (!bio || PEM_write_bio_X509(bio.get(), certs[i].x509) != 1)
      return fail(Error::internal("cannot encode the token's certificate"));
    return X509Certificate::from_pem(detail::drain(bio.get()));
  }
  return fail(Error::not_found("certificate of key " + std::string(key_id_hex) + " in the token"));
}

// --- signing ---

Result<std::string> Pkcs11Module::sign(std::string_view token_label, std::string_view pin,
                                       std::string_view key_id_hex, SignatureAlgorithm algorithm,
                                       std::string_view message) {
  auto id = parse_key_id(key_id_hex);
  if (!id) return fail(id.error());
  std::lock_guard lock(mutex_);
  Slots slots(state_->ctx);
  PKCS11_SLOT* slot = slots.token(token_label);
  if (!slot) return fail(not_found_token(token_label));

  if (algorithm == SignatureAlgorithm::sm2_sm3) {
    // No libp11 support for SM2: the vendor mechanism signs e = SM3(Z_A || M).
    const CK_SLOT_ID slot_id = PKCS11_get_slotid_from_slot(slot);
    CK_MECHANISM_INFO info{};
    if (options_.sm2_sign_mechanism == 0 ||
        state_->p11->C_GetMechanismInfo(slot_id, options_.sm2_sign_mechanism, &info) != CKR_OK)
      return fail(unsupported_sm2());
    RawSession session(state_->p11);
    if (auto s = session.open(slot_id, false); !s) return fail(s.error());
    if (auto s = session.login(pin); !s) return fail(s.error());
    auto public_key = read_public_key(session, *id, key_id_hex);
    if (!public_key) return fail(public_key.error());
    if (public_key->algorithm() != algorithm)
      return fail(Error::invalid("algorithm", "the token's key is not an SM2 key"));
    const auto object = session.find(CKO_PRIVATE_KEY, *id);
    if (!object) return fail(not_found_key(key_id_hex));
    std::string e = sm2_digest(*public_key, message);
    CK_MECHANISM mechanism = {options_.sm2_sign_mechanism, nullptr, 0};
    std::array<unsigned char, 128> raw{};
    CK_ULONG len = raw.size();
    CK_RV rv = state_->p11->C_SignInit(session.handle(), &mechanism, *object);
    if (rv == CKR_OK)
      rv = state_->p11->C_Sign(session.handle(), reinterpret_cast<unsigned char*>(e.data()),
                               e.size(), raw.data(), &len);
    if (rv != CKR_OK) return fail(module_error("sign", rv));
    auto der = der_signature({reinterpret_cast<const char*>(raw.data()), len});
    if (!der) return fail(Error::unavailable("the token returned a malformed SM2 signature"));
    return *der;
  }

  const std::string pin_copy(pin);
  if (PKCS11_login(slot, 0, pin_copy.c_str()) != 0) return fail(login_error(libp11_error()));
  Libp11Login logout{slot};
  PKCS11_KEY* keys = nullptr;
  unsigned count = 0;
  if (PKCS11_enumerate_keys(slot->token, &keys, &count) != 0)
    return fail(module_error("list keys", libp11_error()));
  PKCS11_KEY* key = nullptr;
  for (unsigned i = 0; i < count && !key; ++i)
    if (std::string_view(reinterpret_cast<const char*>(keys[i].id), keys[i].id_len) == *id)
      key = &keys[i];
  if (!key) return fail(not_found_key(key_id_hex));

  // The EVP_PKEY delegates to libp11, which asks the token to sign.
  std::unique_ptr<EVP_PKEY, decltype(&EVP_PKEY_free)> pkey(PKCS11_get_private_key(key),
                                                           EVP_PKEY_free);
  if (!pkey) return fail(module_error("open the private key", libp11_error()));
  if (detail::algorithm_of(pkey.get()) != algorithm)
    return fail(Error::invalid("algorithm", "the token's key is not a P-256 key"));
  detail::MdCtx ctx(EVP_MD_CTX_new(), EVP_MD_CTX_free);
  const auto* data = reinterpret_cast<const unsigned char*>(message.data());
  size_t len = 0;
  bool ok = ctx && detail::init_sign(ctx.get(), pkey.get(), algorithm) &&
            EVP_DigestSign(ctx.get(), nullptr, &len, data, message.size()) == 1;
  std::string sig(len, '\0');
  ok = ok && EVP_DigestSign(ctx.get(), reinterpret_cast<unsigned char*>(sig.data()), &len, data,
                            message.size()) == 1;
  if (!ok) return fail(module_error("sign", libp11_error()));
  sig.resize(len);
  return sig;
}

// --- SM2 digest ---

std::string sm2_digest(const VerifyingKey& key, std::string_view message) {
  // a, b, xG, yG of the SM2 curve (GB/T 32918.5).
  static const std::string kCurve = *from_hex(
      "FFFFFFFEFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFF00000000FFFFFFFFFFFFFFFC"    // a
      "28E9FA9E9D9F5E344D5A9E4BCF6509A7F39789F515AB8F92DDBCBD414D940E93"    // b
      "32C4AE2C1F1981195F9904466A39C9948FE30BBFF2660BE1715A4589334C74C7"    // xG
      "BC3736A2F4F6779C59BDCEE36B692153D0A9877CC62A474002DF32E52139F0A0");  // yG
  unsigned char point[65];
  size_t point_len = 0;
  if (EVP_PKEY_get_octet_string_param(key.native(), OSSL_PKEY_PARAM_ENCODED_PUBLIC_KEY, point,
                                      sizeof point, &point_len) != 1 ||
      point_len != sizeof point || point[0] != 0x04)
    throw std::runtime_error("sm2_digest needs an SM2 public key");
  const unsigned char entl[2] = {0x00, static_cast<unsigned char>(detail::kSm2Id.size() * 8)};

  auto sm3 = [](std::initializer_list<std::string_view> parts) {
    detail::MdCtx ctx(EVP_MD_CTX_new(), EVP_MD_CTX_free);
    unsigned char out[32];
    unsigned int len = 0;
    bool ok = ctx && EVP_DigestInit_ex(ctx.get(), EVP_sm3(), nullptr) == 1;
    for (auto part : parts) ok = ok && EVP_DigestUpdate(ctx.get(), part.data(), part.size()) == 1;
    if (!ok || EVP_DigestFinal_ex(ctx.get(), out, &len) != 1)
      throw std::runtime_error("SM3 failed");
    return std::string(reinterpret_cast<char*>(out), len);
  };
  auto bytes = [](const unsigned char* p, size_t n) {
    return std::string_view(reinterpret_cast<const char*>(p), n);
  };
  const std::string z = sm3({bytes(entl, 2), detail::kSm2Id, kCurve, bytes(point + 1, 64)});
  return sm3({z, message});
}

}  // namespace stork::crypto
