// sekimori::core::Result<T> — errors as values across module boundaries.
//
// Shaped like std::expected (which GCC 12 lacks): a Result holds either a value or an
// Error. Library code never throws across a module edge and never prints; src/cli turns
// an Error into text and an exit code.
//
//   core::Result<int> parse_port(std::string_view s);
//   core::Result<Config> load(std::string_view path) {
//     SKM_TRY_ASSIGN(int port, parse_port(text));
//     return Config{port};
//   }
//
// Thread-safety: plain values; no shared state. Ownership: a Result owns its value.
#pragma once

#include <cassert>
#include <optional>
#include <string>
#include <utility>
#include <variant>

#include "core/location.h"

namespace sekimori::core {

// An error: a stable machine-readable code ("json.syntax", "cel.parse"), a message for
// people, and where in the user's content it happened when that is known.
struct Error {
  std::string code;
  std::string message;
  std::optional<Location> location;

  // "file:line:col: message [code]" or "message [code]".
  [[nodiscard]] std::string to_string() const;
};

[[nodiscard]] inline Error make_error(std::string code, std::string message,
                                      std::optional<Location> location = std::nullopt) {
  return Error{std::move(code), std::move(message), std::move(location)};
}

template <typename T>
class [[nodiscard]] Result {
 public:
  Result(T value) : v_(std::in_place_index<0>, std::move(value)) {}  // NOLINT: implicit
  Result(Error error) : v_(std::in_place_index<1>, std::move(error)) {}  // NOLINT: implicit

  [[nodiscard]] bool ok() const { return v_.index() == 0; }
  explicit operator bool() const { return ok(); }

  T& value() & {
    assert(ok());
    return std::get<0>(v_);
  }
  const T& value() const& {
    assert(ok());
    return std::get<0>(v_);
  }
  T&& value() && {
    assert(ok());
    return std::get<0>(std::move(v_));
  }
  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }

  const Error& error() const& {
    assert(!ok());
    return std::get<1>(v_);
  }
  Error&& error() && {
    assert(!ok());
    return std::get<1>(std::move(v_));
  }

 private:
  std::variant<T, Error> v_;
};

// Result<void>: success or an Error.
template <>
class [[nodiscard]] Result<void> {
 public:
  // User-provided, not defaulted: `return {};` would otherwise zero the whole object (an
  // Error's worth of bytes, on every success) before constructing it.
  Result() noexcept {}                               // NOLINT(modernize-use-equals-default)
  Result(Error error) : error_(std::move(error)) {}  // NOLINT: implicit
  [[nodiscard]] bool ok() const { return !error_.has_value(); }
  explicit operator bool() const { return ok(); }
  const Error& error() const& {
    assert(!ok());
    return *error_;
  }
  Error&& error() && {
    assert(!ok());
    return std::move(*error_);
  }

 private:
  std::optional<Error> error_;
};

using Status = Result<void>;

}  // namespace sekimori::core

#define SKM_CONCAT_INNER_(a, b) a##b
#define SKM_CONCAT_(a, b) SKM_CONCAT_INNER_(a, b)

// Returns the error of `expr` (a Result) from the enclosing function.
#define SKM_TRY(expr)                                        \
  do {                                                       \
    auto&& skm_try_r_ = (expr);                              \
    if (!skm_try_r_.ok()) return std::move(skm_try_r_).error(); \
  } while (0)

// SKM_TRY_ASSIGN(auto x, f()); binds the value or returns the error.
#define SKM_TRY_ASSIGN(lhs, expr) SKM_TRY_ASSIGN_IMPL_(SKM_CONCAT_(skm_r_, __LINE__), lhs, expr)
#define SKM_TRY_ASSIGN_IMPL_(tmp, lhs, expr)   \
  auto tmp = (expr);                            \
  if (!tmp.ok()) return std::move(tmp).error(); \
  lhs = std::move(tmp).value()
