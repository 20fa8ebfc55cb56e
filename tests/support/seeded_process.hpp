#pragma once
// A fixture for tests of the real `stork` binary: a fresh database of the
// backend under test, seeded by `stork seed-demo`, in a temp directory with
// its own key file; serve_args() starts servers on it.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "store/database.hpp"

namespace stork::testing {

class SeededProcess : public ::testing::TestWithParam<store::Backend> {
 protected:
  void SetUp() override;
  void TearDown() override;
  std::vector<std::string> serve_args() const {
    return {"--db", url_, "--key-file", dir_ + "/key", "--web-root", dir_ + "/web"};
  }

  std::string dir_;
  std::string url_;
};

}  // namespace stork::testing
