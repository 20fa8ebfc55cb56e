#pragma once
// argon2id password hashing (libargon2), PHC string format, so parameters
// can be raised later and old hashes still verify.
#include <cstdint>
#include <string>
#include <string_view>

namespace stork::crypto {

struct Argon2Params {
  uint32_t time_cost = 2;          // OWASP 2023 minimum for argon2id
  uint32_t memory_kib = 19 * 1024;  // 19 MiB
  uint32_t parallelism = 1;
};

// Cheap parameters so test suites can create many accounts; never in serving.
inline constexpr Argon2Params kTestArgon2{1, 1024, 1};

std::string hash_password(std::string_view password, const Argon2Params& params = {});
bool verify_password(std::string_view password, const std::string& encoded);

}  // namespace stork::crypto
