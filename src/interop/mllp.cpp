#include "interop/mllp.hpp"

#include <utility>

namespace stork::interop {

std::string mllp_frame(std::string_view message) {
  std::string out;
  out.reserve(message.size() + 3);
  out.push_back(kMllpStart);
  out.append(message);
  out.push_back(kMllpEnd);
  out.push_back(kMllpTrailer);
  return out;
}

Status MllpDecoder::feed(std::string_view bytes, std::vector<std::string>& out) {
  if (failure_) return fail(*failure_);
  size_t i = 0;
  while (i < bytes.size()) {
    switch (state_) {
      case State::idle: {
        const size_t start = bytes.find(kMllpStart, i);
        const size_t skipped = (start == std::string_view::npos ? bytes.size() : start) - i;
        discarded_ += skipped;
        if (start == std::string_view::npos) return {};
        state_ = State::body;
        frame_.clear();
        i = start + 1;
        break;
      }
      case State::body: {
        const size_t stop = bytes.find_first_of(std::string_view("\x0B\x1C", 2), i);
        const size_t end = stop == std::string_view::npos ? bytes.size() : stop;
        if (frame_.size() + (end - i) > max_frame_bytes_) {
          failure_ =
              Error{"mllp_frame_too_large",
                    "an MLLP frame is larger than " + std::to_string(max_frame_bytes_) + " bytes",
                    {}};
          frame_.clear();
          frame_.shrink_to_fit();
          return fail(*failure_);
        }
        frame_.append(bytes.substr(i, end - i));
        i = end;
        if (stop == std::string_view::npos) return {};
        if (bytes[stop] == kMllpStart) {
          // A new frame before the end of this one: the sender restarted.
          discarded_ += frame_.size() + 1;
          ++abandoned_;
          frame_.clear();
        } else {
          state_ = State::after_end;
        }
        ++i;
        break;
      }
      case State::after_end: {
        if (bytes[i] != kMllpTrailer) {
          failure_ = Error{"mllp_bad_trailer", "an MLLP frame must end with 0x1C 0x0D", {}};
          return fail(*failure_);
        }
        out.push_back(std::move(frame_));
        frame_ = std::string();
        state_ = State::idle;
        ++i;
        break;
      }
    }
  }
  return {};
}

}  // namespace stork::interop
