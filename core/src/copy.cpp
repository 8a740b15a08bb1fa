// Copies between layouts and dtypes: contiguous(), clone(), to().
#include <bit>
#include <cstring>
#include <type_traits>
#include <utility>

#include "common/check.hpp"
#include "core/src/simd.hpp"
#include "core/src/strided_loop.hpp"
#include "core/src/tensor_hooks.hpp"
#include "extensor/core/tensor.hpp"

namespace ex {

namespace detail {

Tensor allocate(const Shape& shape, DType dtype, const char* fn) {
  return allocate_strided(shape, contiguous_strides(shape), dtype, fn);
}

Tensor allocate_strided(const Shape& shape, Strides strides, DType dtype, const char* fn) {
  const std::size_t item = ex::itemsize(dtype);
  const std::int64_t numel = checked_numel(shape, fn, item);
  auto impl = std::make_shared<TensorImpl>();
  impl->storage = Storage::allocate(static_cast<std::size_t>(numel) * item, fn);
  impl->shape = shape;
  impl->strides = std::move(strides);
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

// The unsigned integer as wide as T: a plain copy moves bits, whatever T is.
template <class T>
using Bits = std::conditional_t<sizeof(T) == 1, std::uint8_t,
                                std::conditional_t<sizeof(T) == 2, std::uint16_t,
                                                   std::conditional_t<sizeof(T) == 4, std::uint32_t, std::uint64_t>>>;

// One butterfly stage of the register transpose: rows a (row bit Bit clear) and b (set)
// swap row bit Bit with lane bit Bit. Hi = false gives the new a, true the new b.
template <std::size_t Bit, bool Hi, class V, std::size_t... I>
inline V transpose_stage(V a, V b, std::index_sequence<I...>) {
  constexpr std::size_t n = sizeof...(I);
  if constexpr (Hi)
    return __builtin_shufflevector(a, b, ((I & Bit) ? n + I : (I | Bit))...);
  else
    return __builtin_shufflevector(a, b, ((I & Bit) ? n + (I ^ Bit) : I)...);
}

// Transposes L x L elements (L = lanes of one simd::Vec of B) in registers: vector
// c of the block is read at in + c * in_stride, vector r written at out + r * out_stride.
// log2(L) butterfly stages, each a two-source shuffle per vector (vpermt2* on AVX-512).
template <class B>
void transpose_block(const char* in, std::int64_t in_stride, char* out, std::int64_t out_stride) {
  using V = simd::Vec<B>;
  constexpr std::int64_t L = simd::kLanes<B>;
  V v[L];
  for (std::int64_t c = 0; c < L; ++c) v[c] = simd::load(reinterpret_cast<const B*>(in + c * in_stride));
  [&]<std::size_t... Bits>(std::index_sequence<Bits...>) {
    auto stage = [&]<std::size_t Bit>() {
      for (std::int64_t r = 0; r < L; ++r) {
        if (r & static_cast<std::int64_t>(Bit)) continue;
        const V a = v[r], b = v[r | Bit];
        v[r] = transpose_stage<Bit, false>(a, b, std::make_index_sequence<L>{});
        v[r | Bit] = transpose_stage<Bit, true>(a, b, std::make_index_sequence<L>{});
      }
    };
    (stage.template operator()<std::size_t{1} << Bits>(), ...);
  }
  (std::make_index_sequence<std::bit_width(static_cast<std::size_t>(L)) - 1>{});
  for (std::int64_t r = 0; r < L; ++r) std::memcpy(out + r * out_stride, &v[r], sizeof(V));
}

template <class Out, class In>
void tiled_copy(const StridedLoop<2>& loop, char* out, const char* in) {
  const std::size_t nd = loop.ndim();
  const std::int64_t rows = loop.size(nd - 2), cols = loop.size(nd - 1);
  const std::int64_t os_r = loop.stride(0, nd - 2), os_c = loop.stride(0, nd - 1);
  const std::int64_t is_r = loop.stride(1, nd - 2), is_c = loop.stride(1, nd - 1);
  // A same-type copy into rows dense along the columns goes through register transposes
  // of L x L blocks, in larger tiles (several times faster than the element loop on
  // [4096, 1024] float32); anything else element by element in L1-sized tiles.
  using B = Bits<In>;
  constexpr std::int64_t L = simd::kLanes<B>;
  const bool blocks = std::is_same_v<In, Out> && os_c == sizeof(Out) && is_r == sizeof(In);
  const std::int64_t tile = blocks ? std::max<std::int64_t>(kTile, 8 * L) : kTile;
  const std::int64_t tiles_r = (rows + tile - 1) / tile, tiles_c = (cols + tile - 1) / tile;
  const std::int64_t per_outer = tiles_r * tiles_c, outer = loop.numel() / (rows * cols);
  const std::int64_t grain = std::max<std::int64_t>(1, kGrainElements / (tile * tile));
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
      const std::int64_t r0 = t / tiles_c * tile, c0 = t % tiles_c * tile;
      const std::int64_t r1 = std::min(rows, r0 + tile), c1 = std::min(cols, c0 + tile);
      // Elements [ra, rb) x [ca, cb) one by one.
      auto elements = [&](std::int64_t ra, std::int64_t rb, std::int64_t ca, std::int64_t cb) {
        for (std::int64_t r = ra; r < rb; ++r) {
          char* o_row = out + off_out + r * os_r;
          const char* i_row = in + off_in + r * is_r;
          for (std::int64_t c = ca; c < cb; ++c)
            *reinterpret_cast<Out*>(o_row + c * os_c) = convert<Out>(*reinterpret_cast<const In*>(i_row + c * is_c));
        }
      };
      if (!blocks) {
        elements(r0, r1, c0, c1);
        continue;
      }
      const std::int64_t rb = r0 + (r1 - r0) / L * L, cb = c0 + (c1 - c0) / L * L;
      for (std::int64_t r = r0; r < rb; r += L)
        for (std::int64_t c = c0; c < cb; c += L)
          transpose_block<B>(in + off_in + r * is_r + c * is_c, is_c, out + off_out + r * os_r + c * os_c, os_r);
      elements(r0, rb, cb, c1);
      elements(rb, r1, c0, c1);
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

Tensor Tensor::contiguous() const {
  if (!defined()) detail::throw_undefined("contiguous");
  if (is_contiguous()) return *this;
  EX_TENSOR_METHOD_HOOK(clone);  // recorded as a clone
  Tensor out = detail::allocate(shape(), dtype(), "contiguous");
  detail::copy_convert(*this, out);
  return out;
}

Tensor Tensor::clone() const {
  EX_TENSOR_METHOD_HOOK(clone);
  Tensor out = detail::allocate(shape(), dtype(), "clone");
  detail::copy_convert(*this, out);
  return out;
}

Tensor Tensor::to(DType dtype_) const {
  if (dtype_ == dtype()) return *this;
  EX_TENSOR_METHOD_HOOK(to, dtype_);
  Tensor out = detail::allocate(shape(), dtype_, "to");
  detail::copy_convert(*this, out);
  return out;
}

}  // namespace ex
