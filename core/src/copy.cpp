// Copies between layouts and dtypes: contiguous(), clone(), to().
#include "core/src/check.hpp"
#include "core/src/strided_loop.hpp"
#include "core/src/tensor_hooks.hpp"
#include "extensor/core/tensor.hpp"

namespace ex {

namespace detail {

Tensor empty_unchecked(const Shape& shape, DType dtype) {
  auto impl = std::make_shared<TensorImpl>();
  impl->storage = Storage::allocate(static_cast<std::size_t>(shape.numel()) * ex::itemsize(dtype));
  impl->shape = shape;
  impl->strides = contiguous_strides(shape);
  impl->dtype = dtype;
  return Tensor(std::move(impl));
}

namespace {

constexpr std::int64_t kTile = 32;  // 32 x 32 elements of each side stay in L1

// True when the copy reads its innermost dim with a stride but the next dim densely:
// the transposing copy (contiguous() of a transpose or permute). Going row by row
// touches a new cache line per element; tiles reuse every line they load.
template <class In>
bool wants_tiles(const StridedLoop<2>& loop) {
  const std::size_t nd = loop.ndim();
  return nd >= 2 && loop.numel() >= kTile * kTile && loop.stride(1, nd - 1) != sizeof(In) &&
         loop.stride(1, nd - 2) == sizeof(In) && loop.size(nd - 1) >= kTile && loop.size(nd - 2) >= kTile;
}

template <class Out, class In>
void tiled_copy(const StridedLoop<2>& loop, char* out, const char* in) {
  const std::size_t nd = loop.ndim();
  const std::int64_t rows = loop.size(nd - 2), cols = loop.size(nd - 1);
  const std::int64_t tiles_r = (rows + kTile - 1) / kTile, tiles_c = (cols + kTile - 1) / kTile;
  const std::int64_t per_outer = tiles_r * tiles_c, outer = loop.numel() / (rows * cols);
  const std::int64_t os_r = loop.stride(0, nd - 2), os_c = loop.stride(0, nd - 1);
  const std::int64_t is_r = loop.stride(1, nd - 2), is_c = loop.stride(1, nd - 1);
  const std::int64_t grain = std::max<std::int64_t>(1, kGrainElements / (kTile * kTile));
  parallel_for(0, outer * per_outer, grain, [&](std::int64_t begin, std::int64_t end) {
    for (std::int64_t task = begin; task < end; ++task) {
      // Byte offsets of this task's index over the dims before the last two.
      std::int64_t o = task / per_outer, off_out = 0, off_in = 0;
      for (std::size_t d = nd - 2; d-- > 0;) {
        const std::int64_t i = o % loop.size(d);
        o /= loop.size(d);
        off_out += i * loop.stride(0, d);
        off_in += i * loop.stride(1, d);
      }
      const std::int64_t t = task % per_outer;
      const std::int64_t r0 = t / tiles_c * kTile, c0 = t % tiles_c * kTile;
      const std::int64_t r1 = std::min(rows, r0 + kTile), c1 = std::min(cols, c0 + kTile);
      for (std::int64_t r = r0; r < r1; ++r) {
        char* o_row = out + off_out + r * os_r;
        const char* i_row = in + off_in + r * is_r;
        for (std::int64_t c = c0; c < c1; ++c)
          *reinterpret_cast<Out*>(o_row + c * os_c) = convert<Out>(*reinterpret_cast<const In*>(i_row + c * is_c));
      }
    }
  });
}

}  // namespace

void copy_convert(const Tensor& src, const Tensor& dst) {
  if (!(src.shape() == dst.shape()))
    fail("copy_convert: source shape {} differs from destination shape {}", src.shape(), dst.shape());
  dispatch(src.dtype(), [&]<class In>() {
    dispatch(dst.dtype(), [&]<class Out>() {
      const Strides &so = dst.strides(), &si = src.strides();
      const StridedLoop<2> loop(dst.shape(), {&so, &si}, {sizeof(Out), sizeof(In)});
      if (wants_tiles<In>(loop)) {
        tiled_copy<Out, In>(loop, static_cast<char*>(dst.raw_data()), static_cast<const char*>(src.raw_data()));
      } else {
        map_unary<Out, In>(src, dst, [](In v) { return convert<Out>(v); });
      }
    });
  });
}

}  // namespace detail

Tensor Tensor::contiguous() const { return is_contiguous() ? *this : clone(); }

Tensor Tensor::clone() const {
  EX_TENSOR_METHOD_HOOK(clone);
  Tensor out = detail::empty_unchecked(shape(), dtype());
  detail::copy_convert(*this, out);
  return out;
}

Tensor Tensor::to(DType dtype_) const {
  if (dtype_ == dtype()) return *this;
  EX_TENSOR_METHOD_HOOK(to, dtype_);
  Tensor out = detail::empty_unchecked(shape(), dtype_);
  detail::copy_convert(*this, out);
  return out;
}

}  // namespace ex
