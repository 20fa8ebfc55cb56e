// stork-bench-signatures: signatures and verifications per second over a
// ~2 KB canonical JSON clinical document (what bench/signatures runs).
//
//   SOFTHSM2_CONF=/tmp/x/softhsm2.conf stork-bench-signatures --seconds 3 --threads "1 2"
//
// Cases, each for every thread count:
//   sm2-software    SigningKey (SM2 with SM3) / VerifyingKey
//   ecdsa-software  SigningKey (ECDSA P-256, SHA-256) / VerifyingKey
//   ecdsa-token     Pkcs11Module::sign in a SoftHSM2 token: log in, sign,
//                   log out, as the server signs (one mutex per module, so
//                   threads queue on it)
//   ecdsa-token-session  libp11 directly: one login, then only signatures
//                   (the token's own cost without the PIN check)
// SOFTHSM2_CONF must name a configuration whose token directory is empty
// or holds no token labelled "bench"; the script makes a fresh one.
#include <libp11.h>
#include <openssl/evp.h>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <functional>
#include <optional>
#include <sstream>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "clinical/canonical_json.hpp"
#include "crypto/pkcs11_token.hpp"

namespace stork::bench {
namespace {

using crypto::SignatureAlgorithm;
using Clock = std::chrono::steady_clock;

constexpr const char* kUsage =
    R"(Usage: stork-bench-signatures [--seconds S] [--threads "1 2"] [--module PATH]

Signatures and verifications per second: SM2 and ECDSA P-256 software keys,
ECDSA P-256 in a SoftHSM2 token (SOFTHSM2_CONF must be set). Prints a
markdown table.

  --seconds S   time per case and thread count (default 3)
  --threads L   thread counts, space-separated (default "1 2")
  --module P    PKCS#11 module (default /usr/lib/softhsm/libsofthsm2.so)
)";

constexpr std::string_view kToken = "bench";
constexpr std::string_view kPin = "246810";

// An outpatient record of about 2 KB, in canonical form: the bytes a
// clinical signature covers.
std::string document() {
  std::ostringstream json;
  json << R"({"resourceType":"Composition","status":"final","type":"outpatient_record",)"
       << R"("patient":{"card_no":"E2026111800042","name":"王小梅","birth_date":"1994-03-12"},)"
       << R"("author":{"name":"李娜","department":"产科门诊","practitioner_id":1024},)"
       << R"("date":"2026-11-18T09:30:00+08:00","complaint":"孕28周，下肢水肿一周",)"
       << R"("history":"G2P1，既往体健，无高血压病史。本次妊娠早期超声提示单活胎，NT 1.2 mm。",)"
       << R"("examination":{"bp":"128/82","pulse":84,"weight_kg":68.5,"fundal_height_cm":27,)"
       << R"("fetal_heart_rate":142,"edema":"++"},"diagnoses":[)";
  for (int i = 0; i < 6; ++i)
    json << (i ? "," : "") << R"({"icd10":"O26.8)" << i
         << R"(","text":"妊娠相关情况，需随访观察并复查血压、尿蛋白及肝肾功能"})";
  json << R"(],"plan":[)";
  for (int i = 0; i < 8; ++i)
    json << (i ? "," : "") << R"({"order":)" << i
         << R"(,"text":"一周后复诊；监测血压每日两次；低盐饮食；如有头痛、视物模糊立即就诊"})";
  json << R"(],"version":1})";
  auto canonical = clinical::canonical_json(json.str());
  if (!canonical) throw std::runtime_error("document is not JSON");
  return *canonical;
}

struct Row {
  std::string name;
  int threads;
  long ops;
  double seconds;
};

// Runs op on `threads` threads until `seconds` have passed; op returns
// false on failure, which stops the run.
Row measure(std::string name, int threads, double seconds, const std::function<bool()>& op) {
  std::atomic<long> ops{0};
  std::atomic<bool> failed{false};
  const auto start = Clock::now();
  const auto deadline = start + std::chrono::duration<double>(seconds);
  std::vector<std::thread> pool;
  for (int t = 0; t < threads; ++t)
    pool.emplace_back([&] {
      long mine = 0;
      while (Clock::now() < deadline && !failed) {
        if (!op()) failed = true;
        ++mine;
      }
      ops += mine;
    });
  for (auto& thread : pool) thread.join();
  const double elapsed = std::chrono::duration<double>(Clock::now() - start).count();
  if (failed) throw std::runtime_error(name + " failed");
  return {std::move(name), threads, ops.load(), elapsed};
}

// One login, then signatures only: libp11 as a long-lived signer would use it.
std::vector<Row> token_session_rows(const std::string& module_path, const std::string& key_id_hex,
                                    const crypto::VerifyingKey& public_key,
                                    const std::string& message, const std::vector<int>& threads,
                                    double seconds) {
  PKCS11_CTX* ctx = PKCS11_CTX_new();
  PKCS11_SLOT* slots = nullptr;
  unsigned count = 0;
  if (PKCS11_CTX_load(ctx, module_path.c_str()) != 0 ||
      PKCS11_enumerate_slots(ctx, &slots, &count) != 0)
    throw std::runtime_error("libp11 cannot load " + module_path);
  PKCS11_SLOT* slot = nullptr;
  for (unsigned i = 0; i < count; ++i)
    if (slots[i].token && slots[i].token->initialized && kToken == slots[i].token->label)
      slot = &slots[i];
  if (!slot || PKCS11_login(slot, 0, std::string(kPin).c_str()) != 0)
    throw std::runtime_error("cannot log in to the bench token");
  PKCS11_KEY* keys = nullptr;
  unsigned nkeys = 0;
  PKCS11_enumerate_keys(slot->token, &keys, &nkeys);
  EVP_PKEY* key = nkeys == 1 ? PKCS11_get_private_key(&keys[0]) : nullptr;
  if (!key) throw std::runtime_error("no key " + key_id_hex + " in the bench token");

  const auto* data = reinterpret_cast<const unsigned char*>(message.data());
  auto sign = [&](std::string& out) {
    EVP_MD_CTX* md = EVP_MD_CTX_new();
    unsigned char sig[80];
    size_t len = sizeof sig;
    const bool ok = EVP_DigestSignInit(md, nullptr, EVP_sha256(), nullptr, key) == 1 &&
                    EVP_DigestSign(md, sig, &len, data, message.size()) == 1;
    EVP_MD_CTX_free(md);
    out.assign(reinterpret_cast<char*>(sig), ok ? len : 0);
    return ok;
  };
  // Only the first signature is verified: the loop times the token alone.
  std::string first;
  if (!sign(first) ||
      !public_key.verify(SignatureAlgorithm::ecdsa_p256_sha256, message, first).has_value())
    throw std::runtime_error("the session signature does not verify");
  std::vector<Row> rows;
  auto sign_only = [&] {
    std::string sig;
    return sign(sig);
  };
  for (int n : threads) rows.push_back(measure("ecdsa-token-session sign", n, seconds, sign_only));

  EVP_PKEY_free(key);
  PKCS11_logout(slot);
  PKCS11_release_all_slots(ctx, slots, count);
  PKCS11_CTX_unload(ctx);
  PKCS11_CTX_free(ctx);
  return rows;
}

int run(int argc, char** argv) {
  double seconds = 3;
  std::vector<int> threads{1, 2};
  std::string module_path = "/usr/lib/softhsm/libsofthsm2.so";
  for (int i = 1; i < argc; ++i) {
    const std::string flag = argv[i];
    if (flag == "--help" || flag == "-h") {
      std::fputs(kUsage, stdout);
      return 0;
    }
    if (i + 1 >= argc) {
      std::fprintf(stderr, "%s needs a value\n%s", flag.c_str(), kUsage);
      return 2;
    }
    const std::string value = argv[++i];
    if (flag == "--seconds") {
      seconds = std::stod(value);
    } else if (flag == "--threads") {
      threads.clear();
      std::istringstream list(value);
      for (int n; list >> n;) threads.push_back(n);
    } else if (flag == "--module") {
      module_path = value;
    } else {
      std::fprintf(stderr, "unknown flag %s\n%s", flag.c_str(), kUsage);
      return 2;
    }
  }

  const std::string message = document();
  std::printf("# message: %zu bytes of canonical JSON\n", message.size());
  std::vector<Row> rows;

  for (auto algorithm : {SignatureAlgorithm::sm2_sm3, SignatureAlgorithm::ecdsa_p256_sha256}) {
    const auto key = crypto::SigningKey::generate(algorithm);
    const auto public_key = key.public_key();
    const std::string sig = key.sign(message);
    const std::string name =
        algorithm == SignatureAlgorithm::sm2_sm3 ? "sm2-software" : "ecdsa-software";
    for (int n : threads)
      rows.push_back(
          measure(name + " sign", n, seconds, [&] { return !key.sign(message).empty(); }));
    for (int n : threads)
      rows.push_back(measure(name + " verify", n, seconds, [&] {
        return public_key.verify(algorithm, message, sig).has_value();
      }));
  }

  std::string key_id_hex;
  std::optional<crypto::VerifyingKey> token_public_key;
  {
    auto module = crypto::Pkcs11Module::load(module_path);
    if (!module) throw std::runtime_error(module.error().message);
    auto init = (*module)->init_token(kToken, "so-pin-1234", kPin);
    if (!init) throw std::runtime_error(init.error().message);
    auto key =
        (*module)->generate_key(kToken, kPin, SignatureAlgorithm::ecdsa_p256_sha256, "bench");
    if (!key) throw std::runtime_error(key.error().message);
    key_id_hex = key->key_id_hex;
    token_public_key = key->public_key;
    auto sign = [&] {
      return (*module)->sign(kToken, kPin, key_id_hex, SignatureAlgorithm::ecdsa_p256_sha256,
                             message);
    };
    auto first = sign();
    if (!first || !key->public_key.verify(SignatureAlgorithm::ecdsa_p256_sha256, message, *first))
      throw std::runtime_error("the token's signature does not verify");
    for (int n : threads)
      rows.push_back(
          measure("ecdsa-token login+sign+logout", n, seconds, [&] { return sign().has_value(); }));
  }  // the module unloads here, before libp11 loads it again on its own
  for (auto& row :
       token_session_rows(module_path, key_id_hex, *token_public_key, message, threads, seconds))
    rows.push_back(std::move(row));

  std::printf("| case | threads | operations | seconds | per second |\n");
  std::printf("|------|--------:|-----------:|--------:|-----------:|\n");
  for (const auto& row : rows)
    std::printf("| %s | %d | %ld | %.2f | %.0f |\n", row.name.c_str(), row.threads, row.ops,
                row.seconds, static_cast<double>(row.ops) / row.seconds);
  return 0;
}

}  // namespace
}  // namespace stork::bench

int main(int argc, char** argv) {
  try {
    return stork::bench::run(argc, argv);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "stork-bench-signatures: %s\n", e.what());
    return 1;
  }
}
