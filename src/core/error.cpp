#include "core/error.hpp"

namespace stork {

Error Error::invalid(std::string field, std::string message) {
  std::string text = field + ": " + message;
  return Error{"validation_failed", std::move(text), {{std::move(field), std::move(message)}}};
}

Error Error::invalid(std::vector<FieldError> fields) {
  std::string text = "invalid input:";
  for (const auto& f : fields) text += " " + f.field + " (" + f.message + ");";
  text.pop_back();
  return Error{"validation_failed", std::move(text), std::move(fields)};
}

Error Error::not_found(std::string what) { return Error{"not_found", what + " not found", {}}; }

Error Error::conflict(std::string code, std::string message) {
  return Error{std::move(code), std::move(message), {}};
}

Error Error::forbidden(std::string message) { return Error{"forbidden", std::move(message), {}}; }

Error Error::unauthenticated(std::string message) {
  return Error{"unauthenticated", std::move(message), {}};
}

Error Error::unavailable(std::string message) {
  return Error{"unavailable", std::move(message), {}};
}

Error Error::internal(std::string message) { return Error{"internal", std::move(message), {}}; }

}  // namespace stork
