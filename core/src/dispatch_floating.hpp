#pragma once
// Private: dispatch over the floating dtypes only, for kernels that take nothing else.

#include <type_traits>

#include "extensor/core/dtype.hpp"

namespace ex::detail {

// Calls fn.template operator()<T>() with the C++ type of a floating dtype (float16,
// bfloat16, float32, float64). Callers have checked that dtype is floating: for any other
// dtype nothing is called, and no template body is instantiated for the other types.
template <class F>
void dispatch_floating(DType dtype, F&& fn) {
  dispatch(dtype, [&]<class T>() {
    if constexpr (std::is_floating_point_v<compute_t<T>> && !std::is_same_v<T, bool>) fn.template operator()<T>();
  });
}

}  // namespace ex::detail
