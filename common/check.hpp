#pragma once
// Private helpers for building ex::Error messages with fmt.

#include <fmt/format.h>
#include <fmt/ranges.h>

#include "extensor/core/dtype.hpp"
#include "extensor/core/error.hpp"
#include "extensor/core/shape.hpp"
#include "extensor/core/tensor.hpp"

template <>
struct fmt::formatter<ex::Shape> : fmt::formatter<std::string_view> {
  auto format(const ex::Shape& s, fmt::format_context& ctx) const {
    return fmt::formatter<std::string_view>::format(s.str(), ctx);
  }
};
template <>
struct fmt::formatter<ex::DType> : fmt::formatter<std::string_view> {
  auto format(ex::DType d, fmt::format_context& ctx) const {
    return fmt::formatter<std::string_view>::format(ex::dtype_name(d), ctx);
  }
};

namespace ex::detail {

// Throws ex::Error with a formatted message; messages start with the function name.
template <class... Args>
[[noreturn]] void fail(fmt::format_string<Args...> format, Args&&... args) {
  throw Error(fmt::format(format, std::forward<Args>(args)...));
}

// t itself; throws "fn: <what> is an undefined tensor" when t is default-constructed.
inline const Tensor& defined(const char* fn, const Tensor& t, const char* what = "input") {
  if (!t.defined()) fail("{}: {} is an undefined tensor (default-constructed)", fn, what);
  return t;
}

// t itself; throws "fn: ..." unless t is defined with a floating dtype.
inline const Tensor& floating(const char* fn, const Tensor& t, const char* what = "input") {
  if (!is_floating(defined(fn, t, what).dtype()))
    fail("{}: {} must be floating-point (float16, bfloat16, float32, float64), got {} with shape {}", fn, what,
         t.dtype(), t.shape());
  return t;
}

// Throws "fn: ..." unless grad is defined with the shape and dtype of v (the forward
// tensor it pairs with, named what).
inline void matches(const char* fn, const Tensor& grad, const Tensor& v, const char* what) {
  defined(fn, grad, "grad");
  defined(fn, v, what);
  if (grad.dtype() != v.dtype())
    fail("{}: grad has dtype {} but {} has dtype {}; they must match", fn, grad.dtype(), what, v.dtype());
  if (grad.shape() != v.shape())
    fail("{}: grad has shape {} but {} has shape {}; they must match", fn, grad.shape(), what, v.shape());
}

// t converted to dtype (t itself when it has it), allocating under fn's name.
inline Tensor to_dtype(const Tensor& t, DType dtype, const char* fn) {
  if (t.dtype() == dtype) return t;
  Tensor out = allocate(t.shape(), dtype, fn);
  copy_convert(t, out);
  return out;
}

}  // namespace ex::detail
