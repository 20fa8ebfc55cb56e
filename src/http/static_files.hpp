#pragma once
// Serves the built web app (web/dist) from memory. Files are read once at
// start-up: the app is small, and serving never touches the disk on an I/O
// thread. Unknown paths without a file extension get index.html so the
// single-page app's routes work on reload.
#include <optional>
#include <string>
#include <unordered_map>

#include "http/request.hpp"

namespace stork::http {

class StaticFiles {
 public:
  // Loads every regular file under root; a missing root serves nothing.
  explicit StaticFiles(const std::string& root);
  std::optional<Response> serve(const Request& req) const;
  size_t file_count() const { return files_.size(); }

 private:
  struct File {
    std::string content_type;
    std::string body;
  };
  std::unordered_map<std::string, File> files_;  // by URL path, e.g. "/assets/app.js"
};

}  // namespace stork::http
