#pragma once
// A throwaway SoftHSM2 installation for one test: a temporary directory
// holding softhsm2.conf and an empty token directory, with SOFTHSM2_CONF
// pointing at it while the object lives (the previous value comes back
// after). SoftHSM2 reads SOFTHSM2_CONF when the module is loaded, so create
// the SoftHsmDir before crypto::Pkcs11Module::load and release the module
// before the SoftHsmDir. SoftHSM2 always offers one uninitialised token.
//
//   SoftHsmDir hsm;
//   auto module = stork::crypto::Pkcs11Module::load(SoftHsmDir::module_path());
//   (*module)->init_token("dr-li", "so-pin-1234", "123456");
//
// Not thread-safe (it changes the environment): make it on the test's thread.
#include <filesystem>
#include <optional>
#include <string>

namespace stork::testing {

class SoftHsmDir {
 public:
  SoftHsmDir();
  ~SoftHsmDir();
  SoftHsmDir(const SoftHsmDir&) = delete;
  SoftHsmDir& operator=(const SoftHsmDir&) = delete;

  const std::filesystem::path& path() const { return path_; }
  std::filesystem::path conf_path() const { return path_ / "softhsm2.conf"; }
  // $STORK_SOFTHSM_MODULE, or Debian's /usr/lib/softhsm/libsofthsm2.so.
  static std::string module_path();

 private:
  std::filesystem::path path_;
  std::optional<std::string> previous_conf_;
};

}  // namespace stork::testing
