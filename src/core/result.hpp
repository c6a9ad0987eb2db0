// Errors a user can cause (a malformed file, a bad request) travel as values, never as crashes.
// `Result<T>` holds either a value or an `Error` whose message names what is wrong (file, line, field).
#pragma once

#include <cassert>
#include <string>
#include <utility>
#include <variant>

namespace voltpool {

struct Error {
  std::string message;
};

template <class T>
class [[nodiscard]] Result {
 public:
  Result(T value) : v_(std::move(value)) {}        // NOLINT: implicit by design
  Result(Error error) : v_(std::move(error)) {}    // NOLINT: implicit by design

  bool ok() const { return v_.index() == 0; }
  explicit operator bool() const { return ok(); }

  // Requires ok().
  T& value() & { assert(ok()); return std::get<0>(v_); }
  const T& value() const& { assert(ok()); return std::get<0>(v_); }
  T&& value() && { assert(ok()); return std::get<0>(std::move(v_)); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }
  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }
  T&& operator*() && { return std::move(*this).value(); }

  // Requires !ok().
  const Error& error() const { assert(!ok()); return std::get<1>(v_); }

 private:
  std::variant<T, Error> v_;
};

}  // namespace voltpool

namespace voltpool {

// The outcome of an operation that returns nothing but can fail: `if (!status) use status.error()`.
using Status = Result<std::monostate>;
inline Status ok_status() { return std::monostate{}; }

}  // namespace voltpool
