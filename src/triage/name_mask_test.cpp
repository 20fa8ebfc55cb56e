#include "triage/name_mask.hpp"

#include <gtest/gtest.h>

namespace stork::triage {
namespace {

TEST(NameMask, KeepsTheFirstAndLastCharacterOfChineseNames) {
  EXPECT_EQ(mask_name("张小丽"), "张*丽");
  EXPECT_EQ(mask_name("欧阳娜娜"), "欧**娜");
  EXPECT_EQ(mask_name("王丽"), "王*");
  EXPECT_EQ(mask_name("丽"), "*");
  EXPECT_EQ(mask_name(""), "");
}

TEST(NameMask, TreatsLatinNamesAlike) {
  EXPECT_EQ(mask_name("Wang Li"), "W*****i");
  EXPECT_EQ(mask_name("Al"), "A*");
}

}  // namespace
}  // namespace stork::triage
