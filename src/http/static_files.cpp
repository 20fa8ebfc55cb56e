#include "http/static_files.hpp"

#include <filesystem>
#include <fstream>
#include <sstream>

namespace stork::http {
namespace {

std::string content_type_for(const std::string& ext) {
  static const std::unordered_map<std::string, std::string> kTypes = {
      {".html", "text/html; charset=utf-8"}, {".js", "text/javascript; charset=utf-8"},
      {".css", "text/css; charset=utf-8"},   {".json", "application/json"},
      {".svg", "image/svg+xml"},             {".png", "image/png"},
      {".jpg", "image/jpeg"},                {".ico", "image/x-icon"},
      {".woff2", "font/woff2"},              {".txt", "text/plain; charset=utf-8"},
      {".webmanifest", "application/manifest+json"}};
  auto it = kTypes.find(ext);
  return it == kTypes.end() ? "application/octet-stream" : it->second;
}

}  // namespace

StaticFiles::StaticFiles(const std::string& root) {
  namespace fs = std::filesystem;
  std::error_code ec;
  if (!fs::is_directory(root, ec)) return;
  for (auto it = fs::recursive_directory_iterator(root, ec); !ec && it != fs::end(it);
       it.increment(ec)) {
    if (!it->is_regular_file()) continue;
    std::ifstream in(it->path(), std::ios::binary);
    std::ostringstream body;
    body << in.rdbuf();
    std::string url(1, '/');
    url += fs::relative(it->path(), root).generic_string();
    files_[url] = File{content_type_for(it->path().extension().string()), body.str()};
  }
}

std::optional<Response> StaticFiles::serve(const Request& req) const {
  std::string path = req.path;
  auto it = files_.find(path);
  if (it == files_.end()) {
    // Paths with an extension are files that do not exist; others are app routes.
    const auto last = path.substr(path.rfind('/') + 1);
    if (last.find('.') != std::string::npos) return std::nullopt;
    path = "/index.html";
    it = files_.find(path);
    if (it == files_.end()) return std::nullopt;
  }
  Response r{200, it->second.content_type, it->second.body, {}};
  // Vite fingerprints assets/, so they may be cached forever; index.html never.
  r.headers.emplace_back("Cache-Control", path.starts_with("/assets/")
                                              ? "public, max-age=31536000, immutable"
                                              : "no-cache");
  return r;
}

}  // namespace stork::http
