#include "store/database.hpp"

#include <cassert>
#include <charconv>

namespace stork::store {

std::string_view backend_name(Backend b) {
  return b == Backend::sqlite ? "sqlite" : "postgresql";
}

bool Row::is_null(size_t i) const { return std::holds_alternative<std::monostate>(values_.at(i)); }

int64_t Row::integer(size_t i) const {
  const Value& v = values_.at(i);
  if (auto p = std::get_if<int64_t>(&v)) return *p;
  if (auto p = std::get_if<double>(&v)) return static_cast<int64_t>(*p);
  if (auto p = std::get_if<std::string>(&v)) {
    if (*p == "t" || *p == "true") return 1;
    if (*p == "f" || *p == "false") return 0;
    int64_t out = 0;
    std::from_chars(p->data(), p->data() + p->size(), out);
    return out;
  }
  assert(false && "integer() on NULL column");
  return 0;
}

double Row::real(size_t i) const {
  const Value& v = values_.at(i);
  if (auto p = std::get_if<double>(&v)) return *p;
  if (auto p = std::get_if<int64_t>(&v)) return static_cast<double>(*p);
  if (auto p = std::get_if<std::string>(&v)) return std::strtod(p->c_str(), nullptr);
  assert(false && "real() on NULL column");
  return 0;
}

std::string Row::text(size_t i) const {
  const Value& v = values_.at(i);
  if (auto p = std::get_if<std::string>(&v)) return *p;
  if (auto p = std::get_if<int64_t>(&v)) return std::to_string(*p);
  if (auto p = std::get_if<double>(&v)) return std::to_string(*p);
  return {};
}

std::optional<int64_t> Row::opt_integer(size_t i) const {
  if (is_null(i)) return std::nullopt;
  return integer(i);
}

std::optional<std::string> Row::opt_text(size_t i) const {
  if (is_null(i)) return std::nullopt;
  return text(i);
}

}  // namespace stork::store
