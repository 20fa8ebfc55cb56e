#include "patients/qr_image.hpp"

#include <png.h>
#include <qrencode.h>

#include <memory>

namespace stork::patients {
namespace {
constexpr int kQuiet = 4;
}

Result<QrMatrix> encode_qr(std::string_view text) {
  const std::string copy(text);
  std::unique_ptr<QRcode, decltype(&QRcode_free)> code(
      QRcode_encodeString8bit(copy.c_str(), 0, QR_ECLEVEL_M), &QRcode_free);
  if (!code) return fail(Error::internal("QR encoding failed"));
  QrMatrix m;
  m.width = code->width;
  m.dark.resize(static_cast<size_t>(m.width * m.width));
  for (size_t i = 0; i < m.dark.size(); ++i) m.dark[i] = (code->data[i] & 1) != 0;
  return m;
}

std::string qr_svg(const QrMatrix& qr) {
  const int size = qr.width + 2 * kQuiet;
  std::string path;
  for (int y = 0; y < qr.width; ++y)
    for (int x = 0; x < qr.width; ++x)
      if (qr.at(x, y))
        path += "M" + std::to_string(x + kQuiet) + " " + std::to_string(y + kQuiet) + "h1v1h-1z";
  const std::string s = std::to_string(size);
  const std::string px = std::to_string(size * 6);
  return "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"" + px + "\" height=\"" + px + "\" viewBox=\"0 0 " + s +
         " " + s + "\" shape-rendering=\"crispEdges\"><rect width=\"" + s + "\" height=\"" + s +
         "\" fill=\"#fff\"/><path fill=\"#000\" d=\"" + path + "\"/></svg>";
}

Result<std::string> qr_png(const QrMatrix& qr, int scale) {
  const int pixels = (qr.width + 2 * kQuiet) * scale;
  png_structp png = png_create_write_struct(PNG_LIBPNG_VER_STRING, nullptr, nullptr, nullptr);
  if (!png) return fail(Error::internal("png_create_write_struct failed"));
  png_infop info = png_create_info_struct(png);
  std::string out;
  std::vector<png_byte> row(static_cast<size_t>(pixels));
  if (!info || setjmp(png_jmpbuf(png))) {
    png_destroy_write_struct(&png, info ? &info : nullptr);
    return fail(Error::internal("PNG encoding failed"));
  }
  png_set_write_fn(
      png, &out,
      [](png_structp p, png_bytep data, png_size_t n) {
        static_cast<std::string*>(png_get_io_ptr(p))->append(reinterpret_cast<const char*>(data), n);
      },
      nullptr);
  png_set_IHDR(png, info, static_cast<png_uint_32>(pixels), static_cast<png_uint_32>(pixels), 8,
               PNG_COLOR_TYPE_GRAY, PNG_INTERLACE_NONE, PNG_COMPRESSION_TYPE_DEFAULT, PNG_FILTER_TYPE_DEFAULT);
  png_write_info(png, info);
  for (int py = 0; py < pixels; ++py) {
    const int y = py / scale - kQuiet;
    for (int px = 0; px < pixels; ++px) {
      const int x = px / scale - kQuiet;
      const bool dark = x >= 0 && y >= 0 && x < qr.width && y < qr.width && qr.at(x, y);
      row[static_cast<size_t>(px)] = dark ? 0 : 255;
    }
    png_write_row(png, row.data());
  }
  png_write_end(png, nullptr);
  png_destroy_write_struct(&png, &info);
  return out;
}

}  // namespace stork::patients
