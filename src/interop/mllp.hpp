#pragma once
// MLLP (HL7 minimal lower layer protocol) framing: <VT> message <FS><CR>,
// VT = 0x0B, FS = 0x1C, CR = 0x0D.
//
// MllpDecoder is a pure incremental decoder: the listener feeds it whatever
// the socket read and gets whole messages back. It keeps at most one frame
// of max_frame_bytes, so a sender that never ends its frame costs bounded
// memory; past the limit the decoder fails for good and the listener drops
// the connection.
//
// Thread safety: none; one decoder per connection.
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/error.hpp"

namespace stork::interop {

inline constexpr char kMllpStart = 0x0B;
inline constexpr char kMllpEnd = 0x1C;
inline constexpr char kMllpTrailer = 0x0D;

// <VT> message <FS><CR>.
std::string mllp_frame(std::string_view message);

class MllpDecoder {
 public:
  // max_frame_bytes: the largest message accepted (without framing bytes).
  explicit MllpDecoder(size_t max_frame_bytes = (size_t{1} << 20) + 4096)
      : max_frame_bytes_(max_frame_bytes) {}

  // Appends each message completed by `bytes` to `out`, in order. Fails with
  // mllp_frame_too_large when a frame outgrows the limit, or mllp_bad_trailer
  // when FS is not followed by CR; messages completed before the fault are
  // still in `out`. After a failure every call fails the same way.
  Status feed(std::string_view bytes, std::vector<std::string>& out);

  // Bytes thrown away: outside any frame (before a VT), and the partial
  // frames abandoned because a new VT came before their end.
  uint64_t discarded_bytes() const { return discarded_; }
  uint64_t abandoned_frames() const { return abandoned_; }
  // True while part of a frame is buffered.
  bool in_frame() const { return state_ != State::idle; }
  bool failed() const { return failure_.has_value(); }

 private:
  enum class State { idle, body, after_end };
  size_t max_frame_bytes_;
  State state_ = State::idle;
  std::string frame_;
  uint64_t discarded_ = 0;
  uint64_t abandoned_ = 0;
  std::optional<Error> failure_;
};

}  // namespace stork::interop
