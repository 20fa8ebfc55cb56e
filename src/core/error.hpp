#pragma once
// Typed domain errors. Every expected failure travels as a value
// (std::expected<T, Error>); http/problem.cpp maps codes to HTTP statuses.
#include <expected>
#include <string>
#include <string_view>
#include <utility>
#include <variant>
#include <vector>

namespace stork {

// One offending input field, named as the client sent it ("password",
// "roles[1]", "body" for the payload as a whole).
struct FieldError {
  std::string field;
  std::string message;
};

// A member added to the problem document beyond the standard ones, e.g.
// "existing_id": 42 on a duplicate registration.
struct ErrorDetail {
  std::string key;
  std::variant<int64_t, std::string> value;
};

// A stable machine code (snake_case, part of the API contract), a sentence
// for people, and the fields at fault for validation errors.
struct Error {
  std::string code;
  std::string message;
  std::vector<FieldError> fields;
  std::vector<ErrorDetail> details;

  Error with(std::string key, std::variant<int64_t, std::string> value) && {
    details.push_back({std::move(key), std::move(value)});
    return std::move(*this);
  }

  static Error invalid(std::string field, std::string message);
  static Error invalid(std::vector<FieldError> fields);
  static Error not_found(std::string what);
  static Error conflict(std::string code, std::string message);
  static Error forbidden(std::string message = "your role does not allow this");
  static Error unauthenticated(std::string message = "sign in first");
  static Error unavailable(std::string message);
  static Error internal(std::string message);
};

template <class T>
using Result = std::expected<T, Error>;
using Status = std::expected<void, Error>;

inline std::unexpected<Error> fail(Error e) { return std::unexpected<Error>(std::move(e)); }

// Collects validation failures so a request reports every bad field at once.
class FieldErrors {
 public:
  void add(std::string field, std::string message) {
    fields_.push_back({std::move(field), std::move(message)});
  }
  bool empty() const { return fields_.empty(); }
  bool has(std::string_view field) const {
    for (const auto& f : fields_)
      if (f.field == field) return true;
    return false;
  }
  Status status() const {
    if (fields_.empty()) return {};
    return fail(Error::invalid(fields_));
  }

 private:
  std::vector<FieldError> fields_;
};

}  // namespace stork
