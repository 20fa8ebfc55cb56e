#include "triage/name_mask.hpp"

#include <vector>

namespace stork::triage {

std::string mask_name(std::string_view name) {
  // Split into code points by their lead bytes; bytes of a broken sequence
  // simply stay with the code point before them.
  std::vector<std::string_view> chars;
  size_t start = 0;
  for (size_t i = 1; i <= name.size(); ++i) {
    if (i == name.size() || (static_cast<unsigned char>(name[i]) & 0xC0) != 0x80) {
      chars.push_back(name.substr(start, i - start));
      start = i;
    }
  }
  if (chars.empty()) return "";
  if (chars.size() == 1) return "*";
  std::string out(chars.front());
  const size_t stars = chars.size() == 2 ? 1 : chars.size() - 2;
  out.append(stars, '*');
  if (chars.size() > 2) out.append(chars.back());
  return out;
}

}  // namespace stork::triage
