#pragma once
// Names on public screens: enough for a patient to recognise her own call,
// not enough to identify her ("张小丽" -> "张*丽", "王丽" -> "王*").
#include <string>
#include <string_view>

namespace stork::triage {

// Keeps the first and the last character (UTF-8 code points) and stars the
// rest; two characters keep the first; one is starred. Latin names are
// treated the same way ("Wang Li" -> "W*****i").
std::string mask_name(std::string_view name);

}  // namespace stork::triage
