#include "app/keys_command.hpp"

#include <array>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <sstream>

#include "app/app.hpp"
#include "app/open_database.hpp"
#include "clinical/bundle.hpp"
#include "clinical/verification.hpp"
#include "core/log.hpp"

namespace stork::app {

const char* const kKeysUsage = R"(Usage: stork keys <command> [flags]   (plus the database flags of `stork --help`)

  create-ca  --ca-key FILE [--common-name NAME] [--algorithm ecdsa|sm2] [--years N]
             a hospital CA: its key sealed in FILE under the CA PIN, a CRL,
             and a time-stamping authority for signatures
  import-ca  --certificate FILE [--crl FILE]
             trust an external (licensed third-party) CA's certificate
  enrol      --user USERNAME --ca-key FILE [--storage pkcs11|keystore]
             [--algorithm ecdsa|sm2] [--token LABEL] [--common-name NAME]
             a key pair made in the user's token (or a PIN-encrypted keystore)
             and a certificate from the hospital CA; replaces any earlier key
  list       every credential: user, algorithm, storage, serial, validity, status
  revoke     --serial HEX --reason TEXT --ca-key FILE
             revoke a certificate from now and publish a new CRL
  renew      --user USERNAME --ca-key FILE   a new certificate for the same key
  unlock     --user USERNAME                 clear the wrong-PIN count

PINs come from the environment so they stay out of `ps`: STORK_CA_PIN (the
CA key file), STORK_PIN (the user's token or keystore PIN), STORK_SO_PIN
(a SoftHSM2 token's security officer PIN: initialises a fresh token).
)";

namespace {

constexpr std::array<std::string_view, 11> kKeysFlags = {
    "ca-key", "common-name", "algorithm", "years", "certificate", "crl", "user",
    "storage", "token", "serial", "reason"};

std::string env(const char* name) {
  const char* v = std::getenv(name);
  return v ? v : "";
}

int failed(const Error& e) {
  std::fprintf(stderr, "stork keys: %s", e.message.c_str());
  for (const auto& f : e.fields) std::fprintf(stderr, " (%s: %s)", f.field.c_str(), f.message.c_str());
  std::fprintf(stderr, "\n");
  return e.code == "validation_failed" ? 2 : 1;
}

std::string arg(const KeysArgs& args, const std::string& key, const std::string& fallback = "") {
  auto it = args.find(key);
  return it == args.end() ? fallback : it->second;
}

Result<std::string> read_file(const std::string& path, std::string_view field) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return fail(Error::invalid(std::string(field), "cannot read " + path));
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

Result<crypto::SignatureAlgorithm> algorithm(const KeysArgs& args) {
  std::string a = arg(args, "algorithm", "ecdsa");
  if (a == "ecdsa") return crypto::SignatureAlgorithm::ecdsa_p256_sha256;
  if (a == "sm2") return crypto::SignatureAlgorithm::sm2_sm3;
  return fail(Error::invalid("algorithm", "must be ecdsa or sm2"));
}

Result<int64_t> user_id(Services& services, const std::string& username) {
  if (username.empty()) return fail(Error::invalid("user", "is required: --user USERNAME"));
  auto users = services.auth.list_users();
  if (!users) return fail(users.error());
  for (const auto& u : *users)
    if (u.username == username) return u.id;
  return fail(Error::invalid("user", "no user named " + username));
}

Result<clinical::OpenAuthority> open_ca(Services& services, const KeysArgs& args) {
  std::string file = arg(args, "ca-key");
  if (file.empty()) return fail(Error::invalid("ca-key", "is required: --ca-key FILE"));
  return services.signing.open_hospital_ca(file, env("STORK_CA_PIN"));
}

std::string day(int64_t ms) { return format_utc(ms).substr(0, 10); }

void print_credential(const clinical::Credential& c) {
  std::printf("user %-6lld %-18s %-8s %-40s %s..%s %s%s\n", static_cast<long long>(c.user_id), c.algorithm.c_str(),
              c.storage.c_str(), c.serial.c_str(), day(c.not_before_ms).c_str(), day(c.not_after_ms).c_str(),
              c.status.c_str(), c.failed_pins > 0 ? (" (" + std::to_string(c.failed_pins) + " wrong PINs)").c_str() : "");
}

int run(Services& services, const std::string& command, const KeysArgs& args) {
  if (command == "create-ca") {
    auto alg = algorithm(args);
    if (!alg) return failed(alg.error());
    int years = std::atoi(arg(args, "years", "10").c_str());
    std::string file = arg(args, "ca-key");
    if (file.empty()) return failed(Error::invalid("ca-key", "is required: --ca-key FILE"));
    auto ca = services.signing.create_hospital_ca(*alg, arg(args, "common-name", "Stork Hospital CA"), file,
                                                  env("STORK_CA_PIN"), years);
    if (!ca) return failed(ca.error());
    auto opened = services.signing.open_hospital_ca(file, env("STORK_CA_PIN"));
    if (!opened) return failed(opened.error());
    if (auto s = services.signing.create_timestamp_authority(*opened, services.cipher); !s) return failed(s.error());
    std::printf("hospital CA %s (serial %s); key sealed in %s; time-stamping authority created\n",
                ca->subject.c_str(), ca->serial.c_str(), file.c_str());
    return 0;
  }
  if (command == "import-ca") {
    auto cert = read_file(arg(args, "certificate"), "certificate");
    if (!cert) return failed(cert.error());
    std::string crl;
    if (!arg(args, "crl").empty()) {
      auto text = read_file(arg(args, "crl"), "crl");
      if (!text) return failed(text.error());
      crl = *text;
    }
    auto ca = services.signing.import_ca(*cert, crl);
    if (!ca) return failed(ca.error());
    std::printf("trusted external CA %s (serial %s)\n", ca->subject.c_str(), ca->serial.c_str());
    return 0;
  }
  if (command == "enrol") {
    auto id = user_id(services, arg(args, "user"));
    if (!id) return failed(id.error());
    auto alg = algorithm(args);
    if (!alg) return failed(alg.error());
    auto ca = open_ca(services, args);
    if (!ca) return failed(ca.error());
    clinical::EnrolRequest r{*id, arg(args, "common-name", arg(args, "user")), *alg, arg(args, "storage", "pkcs11"),
                             env("STORK_PIN"), arg(args, "token", "stork-" + arg(args, "user")), env("STORK_SO_PIN")};
    auto c = services.signing.enrol(r, *ca);
    if (!c) return failed(c.error());
    print_credential(*c);
    return 0;
  }
  if (command == "list") {
    auto all = services.signing.list();
    if (!all) return failed(all.error());
    for (const auto& c : *all) print_credential(c);
    return 0;
  }
  if (command == "revoke") {
    auto ca = open_ca(services, args);
    if (!ca) return failed(ca.error());
    auto c = services.signing.revoke(arg(args, "serial"), arg(args, "reason"), *ca);
    if (!c) return failed(c.error());
    print_credential(*c);
    return 0;
  }
  if (command == "renew") {
    auto id = user_id(services, arg(args, "user"));
    if (!id) return failed(id.error());
    auto ca = open_ca(services, args);
    if (!ca) return failed(ca.error());
    auto c = services.signing.renew(*id, *ca);
    if (!c) return failed(c.error());
    print_credential(*c);
    return 0;
  }
  if (command == "unlock") {
    auto id = user_id(services, arg(args, "user"));
    if (!id) return failed(id.error());
    if (auto s = services.signing.unlock(*id); !s) return failed(s.error());
    std::printf("unlocked\n");
    return 0;
  }
  std::fprintf(stderr, "stork keys: unknown command '%s'\n\n%s", command.c_str(), kKeysUsage);
  return 2;
}

}  // namespace

KeysArgs take_keys_args(std::map<std::string, std::string>& flags) {
  KeysArgs out;
  for (auto key : kKeysFlags)
    if (auto it = flags.find(std::string(key)); it != flags.end()) {
      out.insert(*it);
      flags.erase(it);
    }
  return out;
}

int cmd_keys(const Config& config, const std::vector<std::string>& command, const KeysArgs& args) {
  if (command.size() != 2) {
    std::fputs(kKeysUsage, stderr);
    return 2;
  }
  auto db = open_database(config.db, 1);
  if (!db) return failed(db.error());
  SystemClock clock;
  const auto migrations = all_migrations();
  if (auto m = store::migrate(**db, migrations, clock); !m) return failed(m.error());
  auto services = make_services(**db, clock, config);
  if (!services) return failed(services.error());
  return run(**services, command[1], args);
}

int cmd_verify(const std::vector<std::string>& command, const std::map<std::string, std::string>& flags) {
  auto ca_flag = flags.find("ca");
  if (command.size() != 2 || ca_flag == flags.end()) {
    std::fprintf(stderr, "Usage: stork verify FILE --ca CA.pem [--ca ...]\n");
    return 2;
  }
  auto text = read_file(command[1], "file");
  if (!text) return failed(text.error());
  auto bundle = clinical::bundle_from_json(*text);
  if (!bundle) return failed(bundle.error());
  auto ca_text = read_file(ca_flag->second, "ca");
  if (!ca_text) return failed(ca_text.error());
  auto ca = crypto::X509Certificate::from_pem(*ca_text);
  if (!ca) return failed(ca.error());
  clinical::TrustMaterial trust{{*ca}, {}};
  for (const auto& pem : bundle->crl_pems)
    if (auto crl = crypto::Crl::from_pem(pem)) trust.crls.push_back(*crl);
  auto anchors = trust.anchors;
  auto report = clinical::verify_document(
      bundle->document, bundle->signatures, trust,
      [anchors](std::string_view token, std::string_view signature)
          -> std::expected<int64_t, std::pair<std::string, std::string>> {
        auto info = crypto::verify_timestamp(token, signature, anchors);
        if (!info) return std::unexpected(std::pair{std::string(info.error().code()), info.error().message});
        return to_ms(info->gen_time);
      });
  for (const auto& c : report.checks)
    std::printf("%-4s %-22s %s\n", c.ok ? "ok" : "FAIL", c.name.c_str(), c.message.c_str());
  std::printf("%s: document %lld v%d %s\n", report.valid ? "VALID" : ("NOT VALID (" + report.reason + ")").c_str(),
              static_cast<long long>(bundle->document.id), bundle->document.version,
              std::string(clinical::kind_name(bundle->document.kind)).c_str());
  return report.valid ? 0 : 1;
}

}  // namespace stork::app
