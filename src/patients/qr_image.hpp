#pragma once
// QR codes as images (libqrencode for the symbol, libpng for PNG).
#include <string>
#include <string_view>
#include <vector>

#include "core/error.hpp"

namespace stork::patients {

// The modules of a QR symbol: width x width, true = dark.
struct QrMatrix {
  int width = 0;
  std::vector<bool> dark;
  bool at(int x, int y) const { return dark[static_cast<size_t>(y * width + x)]; }
};

// Error correction level M (15 %): readable from a scratched phone screen.
Result<QrMatrix> encode_qr(std::string_view text);

// A scalable SVG with a 4-module quiet zone; one path, crisp edges; a
// natural size of 6 px per module.
std::string qr_svg(const QrMatrix& qr);
// A grayscale PNG, `scale` pixels per module, 4-module quiet zone.
Result<std::string> qr_png(const QrMatrix& qr, int scale = 8);

}  // namespace stork::patients
