#include "support/softhsm.hpp"

#include <cstdlib>
#include <fstream>
#include <stdexcept>

namespace stork::testing {

SoftHsmDir::SoftHsmDir() {
  std::string pattern = (std::filesystem::temp_directory_path() / "stork-softhsm.XXXXXX").string();
  if (!mkdtemp(pattern.data())) throw std::runtime_error("mkdtemp failed for SoftHSM2");
  path_ = pattern;
  std::filesystem::create_directory(path_ / "tokens");
  std::ofstream(conf_path()) << "directories.tokendir = " << (path_ / "tokens").string() << "\n"
                             << "objectstore.backend = file\n"
                             << "log.level = ERROR\n"
                             << "slots.removable = false\n";
  if (const char* old = std::getenv("SOFTHSM2_CONF")) previous_conf_ = old;
  setenv("SOFTHSM2_CONF", conf_path().c_str(), 1);
}

SoftHsmDir::~SoftHsmDir() {
  if (previous_conf_)
    setenv("SOFTHSM2_CONF", previous_conf_->c_str(), 1);
  else
    unsetenv("SOFTHSM2_CONF");
  std::error_code ignored;
  std::filesystem::remove_all(path_, ignored);
}

std::string SoftHsmDir::module_path() {
  if (const char* path = std::getenv("STORK_SOFTHSM_MODULE")) return path;
  return "/usr/lib/softhsm/libsofthsm2.so";
}

}  // namespace stork::testing
