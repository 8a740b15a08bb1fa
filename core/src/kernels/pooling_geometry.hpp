#pragma once
// Private: the validation and output-size rules shared by the pooling kernels
// (pooling.cpp, pooling_avg.cpp), and strided access to the [H, W] planes of an NCHW or
// CHW tensor.

#include <algorithm>
#include <array>
#include <cstdint>

#include "core/src/parallel.hpp"
#include "extensor/core/shape.hpp"
#include "extensor/core/tensor.hpp"

namespace ex::kernels::pooling {

using Pair = std::array<std::int64_t, 2>;

// An input of rank 3 ([C, H, W]) or 4 ([N, C, H, W]) seen as planes = N * C planes of
// in_h x in_w, pooled to out_h x out_w; out_shape is the input's shape with the last two
// dims replaced.
struct Geometry {
  std::int64_t planes = 0, channels = 0, in_h = 0, in_w = 0, out_h = 0, out_w = 0;
  Shape out_shape;
};

// The window parameters after validation, stride resolved ({0, 0} -> kernel_size).
struct Window {
  Pair kernel{}, stride{}, padding{}, dilation{1, 1};
  bool ceil_mode = false;
};

// The first of start, start + step, ... that is not negative (step > 0).
std::int64_t first_inside(std::int64_t start, std::int64_t step);

// Checks rank 3 or 4 and nonzero C, H, W (N may be 0), throwing "fn: ...".
Geometry plane_geometry(const char* fn, const Shape& input_shape);

// Validates kernel_size, stride, padding and dilation and computes the output size as
// PyTorch's pooling_output_shape does; throws "fn: ..." for every rule it breaks.
Window check_window(const char* fn, const Shape& input_shape, Pair kernel_size, Pair stride, Pair padding,
                    Pair dilation, bool ceil_mode, Geometry& geometry);

// Throws "fn: ..." unless t is defined and floating-point.
void check_floating_input(const char* fn, const Tensor& t);

// Throws "fn: ..." unless grad is defined, floating, and has shape expected.
void check_grad(const char* fn, const Tensor& grad, const Shape& expected);

// Element offsets of a rank-3 or rank-4 tensor's planes, for strided reads.
struct PlaneStrides {
  std::int64_t channels = 1, batch = 0, channel = 0, row = 0, col = 0;
  explicit PlaneStrides(const Tensor& t) {
    const Strides& s = t.strides();
    const std::size_t r = s.size();
    channels = t.shape()[r - 3];
    batch = r == 4 ? s[0] : 0;
    channel = s[r - 3];
    row = s[r - 2];
    col = s[r - 1];
  }
  std::int64_t plane(std::int64_t p) const { return (p / channels) * batch + (p % channels) * channel; }
};

// Runs fn(begin, end) over the planes, in parallel once a chunk holds enough work
// (elements touched per plane, in double: the product of sizes may exceed int64).
template <class F>
void for_planes(std::int64_t planes, double work_per_plane, F&& fn) {
  const double per_grain = static_cast<double>(detail::kGrainElements) / std::max(1.0, work_per_plane);
  const std::int64_t grain = per_grain < 1 ? 1 : static_cast<std::int64_t>(per_grain);
  detail::parallel_for(0, planes, grain, fn);
}

}  // namespace ex::kernels::pooling
