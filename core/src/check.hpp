#pragma once
// Private helpers for building ex::Error messages with fmt.

#include <fmt/format.h>
#include <fmt/ranges.h>

#include "extensor/core/dtype.hpp"
#include "extensor/core/error.hpp"
#include "extensor/core/shape.hpp"

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

}  // namespace ex::detail
