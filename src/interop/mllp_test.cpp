#include "interop/mllp.hpp"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace stork::interop {
namespace {

using Messages = std::vector<std::string>;

TEST(Mllp, FramesAMessage) { EXPECT_EQ(mllp_frame("MSH|x\r"), std::string("\x0BMSH|x\r\x1C\r")); }

TEST(MllpDecoder, DecodesOneFrame) {
  MllpDecoder dec;
  Messages out;
  ASSERT_TRUE(dec.feed(mllp_frame("MSH|a\r"), out));
  EXPECT_EQ(out, Messages{"MSH|a\r"});
  EXPECT_FALSE(dec.in_frame());
  EXPECT_EQ(dec.discarded_bytes(), 0u);
}

TEST(MllpDecoder, DecodesFramesFedOneByteAtATime) {
  MllpDecoder dec;
  Messages out;
  const std::string wire = mllp_frame("first") + mllp_frame("second");
  for (char c : wire) ASSERT_TRUE(dec.feed(std::string_view(&c, 1), out));
  EXPECT_EQ(out, (Messages{"first", "second"}));
}

TEST(MllpDecoder, DecodesSeveralFramesInOneRead) {
  MllpDecoder dec;
  Messages out;
  ASSERT_TRUE(dec.feed(mllp_frame("a") + mllp_frame("b") + mllp_frame("c").substr(0, 2), out));
  EXPECT_EQ(out, (Messages{"a", "b"}));
  EXPECT_TRUE(dec.in_frame());
  ASSERT_TRUE(dec.feed(mllp_frame("c").substr(2), out));
  EXPECT_EQ(out, (Messages{"a", "b", "c"}));
}

TEST(MllpDecoder, DiscardsAndCountsBytesOutsideFrames) {
  MllpDecoder dec;
  Messages out;
  ASSERT_TRUE(dec.feed("noise" + mllp_frame("a") + "\r\n" + mllp_frame("b"), out));
  EXPECT_EQ(out, (Messages{"a", "b"}));
  EXPECT_EQ(dec.discarded_bytes(), 7u);
}

TEST(MllpDecoder, AbandonsAFrameInterruptedByANewStart) {
  MllpDecoder dec;
  Messages out;
  ASSERT_TRUE(dec.feed("\x0Bhalf a mess" + mllp_frame("whole"), out));
  EXPECT_EQ(out, Messages{"whole"});
  EXPECT_EQ(dec.abandoned_frames(), 1u);
  EXPECT_EQ(dec.discarded_bytes(), 12u);
}

TEST(MllpDecoder, FailsForGoodOnAFrameLargerThanTheLimit) {
  MllpDecoder dec(10);
  Messages out;
  ASSERT_TRUE(dec.feed(mllp_frame("0123456789"), out));  // exactly the limit
  const auto status = dec.feed(
      "\x0B"
      "0123456789A",
      out);
  ASSERT_FALSE(status);
  EXPECT_EQ(status.error().code, "mllp_frame_too_large");
  EXPECT_TRUE(dec.failed());
  EXPECT_FALSE(dec.feed(mllp_frame("ok"), out));
  EXPECT_EQ(out, Messages{"0123456789"});
}

TEST(MllpDecoder, StopsAnEndlessFrameWithoutBufferingIt) {
  MllpDecoder dec(1 << 20);
  Messages out;
  ASSERT_TRUE(dec.feed("\x0B", out));
  const std::string chunk(64 * 1024, 'x');
  int fed = 0;
  while (dec.feed(chunk, out)) ++fed;
  EXPECT_EQ(fed, 16);  // 16 chunks fill 1 MiB; the 17th overflows it
  EXPECT_TRUE(out.empty());
}

TEST(MllpDecoder, RefusesAnEndBlockWithoutCarriageReturn) {
  MllpDecoder dec;
  Messages out;
  const auto status = dec.feed(
      "\x0B"
      "abc\x1C"
      "x",
      out);
  ASSERT_FALSE(status);
  EXPECT_EQ(status.error().code, "mllp_bad_trailer");
  EXPECT_TRUE(out.empty());
}

TEST(MllpDecoder, AcceptsTheTrailerInTheNextRead) {
  MllpDecoder dec;
  Messages out;
  ASSERT_TRUE(
      dec.feed("\x0B"
               "abc\x1C",
               out));
  EXPECT_TRUE(out.empty());
  ASSERT_TRUE(dec.feed("\r", out));
  EXPECT_EQ(out, Messages{"abc"});
}

}  // namespace
}  // namespace stork::interop
