// pad: one kernel for the three modes. Each padded dim gets a map from output index to
// the input index it reads (-1 for a constant fill); forward gathers through the maps,
// backward scatter-adds through the same maps, so edges and reflected positions
// accumulate every gradient that read them.

#include "extensor/core/kernels/padding.hpp"

#include <algorithm>
#include <cstdint>
#include <new>
#include <stdexcept>
#include <vector>

#include "common/check.hpp"
#include "core/src/convert.hpp"
#include "core/src/dispatch_floating.hpp"
#include "core/src/kernels/forward.hpp"
#include "core/src/parallel.hpp"

namespace ex {
namespace {

constexpr std::int64_t kMaxPad = std::int64_t{1} << 60;  // keeps in + left + right in int64

const char* mode_name(PadMode mode) {
  return mode == PadMode::Constant ? "constant" : mode == PadMode::Reflect ? "reflect" : "replicate";
}

// Output shape and, per dim, the input index each output index reads (-1: fill).
// A rank-0 input is planned as one dim of size 1 with no pads.
struct PadPlan {
  Shape out_shape;
  std::vector<std::int64_t> in_dims, out_dims;
  std::vector<std::int64_t> left;
  std::vector<std::vector<std::int64_t>> source;
};

PadPlan plan_pad(const char* op, const Shape& in, const std::vector<std::int64_t>& pads, PadMode mode) {
  const auto rank = static_cast<std::int64_t>(in.size());
  if (mode != PadMode::Constant && mode != PadMode::Reflect && mode != PadMode::Replicate)
    detail::fail("{}: invalid pad mode {}", op, static_cast<int>(mode));
  if (pads.size() % 2 != 0) detail::fail("{}: pads must come in (left, right) pairs, got {} values", op, pads.size());
  const auto pairs = static_cast<std::int64_t>(pads.size() / 2);
  if (pairs > rank) detail::fail("{}: {} pad pairs for an input of shape {} (at most one pair per dim)", op, pairs, in);
  if (mode != PadMode::Constant && (pairs < 1 || pairs > 3 || (rank != pairs + 1 && rank != pairs + 2)))
    detail::fail(
        "{}: {} padding takes 1 to 3 pad pairs for the trailing dims of an input with 1 or 2 more dims "
        "([N, C, ...] or [C, ...]), got {} pairs for shape {}",
        op, mode_name(mode), pairs, in);
  PadPlan plan;
  plan.in_dims.assign(in.data(), in.data() + rank);
  if (rank == 0) plan.in_dims = {1};
  plan.out_dims = plan.in_dims;
  plan.source.resize(plan.in_dims.size());
  plan.left.assign(plan.in_dims.size(), 0);
  for (std::int64_t k = 0; k < pairs; ++k) {
    const auto d = static_cast<std::size_t>(rank - 1 - k);
    const std::int64_t size = plan.in_dims[d], left = pads[2 * k], right = pads[2 * k + 1];
    if (left > kMaxPad || left < -kMaxPad || right > kMaxPad || right < -kMaxPad)
      detail::fail("{}: pad ({}, {}) for dim {} is out of range", op, left, right, d);
    const std::int64_t out = size + left + right;
    if (out < 0) detail::fail("{}: pad ({}, {}) makes dim {} of shape {} negative ({})", op, left, right, d, in, out);
    if (mode == PadMode::Reflect && (left >= size || right >= size))
      detail::fail("{}: reflect pad ({}, {}) must be less than the size {} of dim {} of shape {}", op, left, right,
                   size, d, in);
    if (mode == PadMode::Replicate && size == 0 && out > 0)
      detail::fail("{}: replicate pad of the empty dim {} of shape {}", op, d, in);
    plan.out_dims[d] = out;
    plan.left[d] = left;
  }
  plan.out_shape = rank == 0 ? Shape() : Shape(plan.out_dims);
  return plan;
}

// Fills plan.source for the padded dims. Called once the result is allocated (so its
// size has been checked); a result with no elements needs no maps.
void build_source_maps(PadPlan& plan, PadMode mode, const char* op) {
  if (plan.out_shape.numel() == 0) return;
  try {
    for (std::size_t d = 0; d < plan.out_dims.size(); ++d) {
      if (plan.out_dims[d] == plan.in_dims[d] && plan.left[d] == 0) continue;
      const std::int64_t size = plan.in_dims[d], left = plan.left[d], out = plan.out_dims[d];
      std::vector<std::int64_t> src(static_cast<std::size_t>(out));
      for (std::int64_t o = 0; o < out; ++o) {
        std::int64_t i = o - left;
        if (mode == PadMode::Constant) {
          if (i < 0 || i >= size) i = -1;
        } else if (mode == PadMode::Reflect) {
          if (i < 0) i = -i;
          if (i >= size) i = 2 * (size - 1) - i;
        } else {
          i = i < 0 ? 0 : (i >= size ? size - 1 : i);
        }
        src[static_cast<std::size_t>(o)] = i;
      }
      plan.source[d] = std::move(src);
    }
  } catch (const std::bad_alloc&) {
    detail::fail("{}: cannot allocate the index maps for output shape {}: out of memory", op, plan.out_shape);
  } catch (const std::length_error&) {
    detail::fail("{}: cannot allocate the index maps for output shape {}: out of memory", op, plan.out_shape);
  }
}

// The input index dim d of output index o reads.
std::int64_t source_index(const PadPlan& plan, std::size_t d, std::int64_t o) {
  return plan.source[d].empty() ? o : plan.source[d][static_cast<std::size_t>(o)];
}

// Calls row(r, base) for each output row r (all dims but the last) that reads the input,
// base being the offset of its input row under in_strides; rows reading a constant fill
// call fill_row(r). Rows are split over threads in blocks of the leading unpadded dims,
// so two threads never reach one input row.
template <class Row, class FillRow>
void for_each_row(const PadPlan& plan, const std::vector<std::int64_t>& in_strides, Row row, FillRow fill_row) {
  const std::size_t rank = plan.out_dims.size();
  const std::int64_t width = plan.out_dims[rank - 1];
  std::int64_t rows = 1, independent = 1;
  bool leading = true;
  for (std::size_t d = 0; d + 1 < rank; ++d) {
    rows *= plan.out_dims[d];
    leading = leading && plan.source[d].empty();
    if (leading) independent *= plan.out_dims[d];
  }
  if (rows == 0 || width == 0) return;
  const std::int64_t rows_per_block = rows / independent;
  const std::int64_t grain = std::max<std::int64_t>(1, detail::kGrainElements / (width * rows_per_block));
  detail::parallel_for(0, independent, grain, [&](std::int64_t b0, std::int64_t b1) {
    for (std::int64_t r = b0 * rows_per_block; r < b1 * rows_per_block; ++r) {
      std::int64_t rest = r, base = 0;
      bool fill = false;
      for (std::size_t d = rank - 1; d-- > 0;) {
        const std::int64_t o = rest % plan.out_dims[d];
        rest /= plan.out_dims[d];
        const std::int64_t i = source_index(plan, d, o);
        fill = fill || i < 0;
        base += i * in_strides[d];
      }
      if (fill)
        fill_row(r);
      else
        row(r, base);
    }
  });
}

std::vector<std::int64_t> strides_of(const Tensor& t) {
  if (t.dim() == 0) return {0};
  return {t.strides().begin(), t.strides().end()};
}

std::vector<std::int64_t> contiguous_strides(const std::vector<std::int64_t>& dims) {
  std::vector<std::int64_t> strides(dims.size(), 1);
  for (std::size_t d = dims.size(); d-- > 1;) strides[d - 1] = strides[d] * dims[d];
  return strides;
}

}  // namespace

namespace kernels {

Tensor pad(const Tensor& input, const std::vector<std::int64_t>& pads, PadMode mode, double value) {
  const char* op = "pad";
  detail::defined(op, input);
  PadPlan plan = plan_pad(op, input.shape(), pads, mode);
  Tensor out = detail::allocate(plan.out_shape, input.dtype(), op);
  if (out.numel() == 0) return out;
  build_source_maps(plan, mode, op);
  const std::vector<std::int64_t> in_strides = strides_of(input);
  const std::size_t last = plan.out_dims.size() - 1;
  const std::int64_t width = plan.out_dims[last], stride = in_strides[last];
  dispatch(input.dtype(), [&]<class T>() {
    const T fill = detail::checked_scalar<T>(Scalar(value), input.dtype(), op);
    const T* src = static_cast<const T*>(input.raw_data());
    T* dst = static_cast<T*>(out.raw_data());
    for_each_row(
        plan, in_strides,
        [&](std::int64_t r, std::int64_t base) {
          T* out_row = dst + r * width;
          for (std::int64_t j = 0; j < width; ++j) {
            const std::int64_t i = source_index(plan, last, j);
            out_row[j] = i < 0 ? fill : src[base + i * stride];
          }
        },
        [&](std::int64_t r) { std::fill(dst + r * width, dst + (r + 1) * width, fill); });
  });
  return out;
}

}  // namespace kernels

Tensor pad_backward(const Tensor& grad, const Shape& input_shape, const std::vector<std::int64_t>& pads, PadMode mode) {
  const char* op = "pad_backward";
  detail::floating(op, grad, "grad");
  PadPlan plan = plan_pad(op, input_shape, pads, mode);
  if (grad.shape() != plan.out_shape)
    detail::fail("{}: grad has shape {} but padding shape {} gives {}", op, grad.shape(), input_shape, plan.out_shape);
  Tensor result = detail::allocate(input_shape, grad.dtype(), op);
  if (result.numel() == 0) return result;
  build_source_maps(plan, mode, op);
  const Tensor g = grad.contiguous();
  const std::vector<std::int64_t> in_strides = contiguous_strides(plan.in_dims);
  const std::size_t last = plan.out_dims.size() - 1;
  const std::int64_t width = plan.out_dims[last];
  detail::dispatch_floating(grad.dtype(), [&]<class T>() {
    using C = compute_t<T>;
    std::vector<C> acc(static_cast<std::size_t>(result.numel()), C(0));
    const T* gp = static_cast<const T*>(g.raw_data());
    for_each_row(
        plan, in_strides,
        [&](std::int64_t r, std::int64_t base) {
          const T* g_row = gp + r * width;
          for (std::int64_t j = 0; j < width; ++j) {
            const std::int64_t i = source_index(plan, last, j);
            if (i >= 0) acc[static_cast<std::size_t>(base + i)] += static_cast<C>(g_row[j]);
          }
        },
        [](std::int64_t) {});
    T* rp = static_cast<T*>(result.raw_data());
    for (std::size_t k = 0; k < acc.size(); ++k) rp[k] = detail::convert<T>(acc[k]);
  });
  return result;
}

}  // namespace ex
