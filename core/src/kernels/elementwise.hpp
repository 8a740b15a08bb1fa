#pragma once
// Private: the broadcasting binary-elementwise engine that the op families share.
//
//   binary_op(op, a, b, compute, out_dtype, fn)         out = fn(a, b), a new tensor
//   binary_op(op, a, scalar, compute, out_dtype, fn)    out = fn(a, scalar)
//   binary_op(op, scalar, b, compute, out_dtype, fn)    out = fn(scalar, b)
//   binary_op_into(op, out, a, b, compute, fn)          writes fn(a, b) into out
//   binary_op_into(op, out, a, scalar, compute, fn)     writes fn(a, scalar) into out
//
// Semantics
// - Shapes broadcast like NumPy; a mismatch throws "<op>: shapes [..] and [..] cannot
//   be broadcast". Rank 0 and zero-size shapes work (a zero-size loop runs nothing).
// - `compute` is the DType the arithmetic happens in; it is the callers' job to pick it
//   (ex::result_type, plus op rules such as "integer division gives float32"). fn is a
//   generic callable that receives two `compute_t<T>` values (float for the half types)
//   where T is compute's C++ type; it is instantiated for all 13 dtypes, so it must
//   compile for each (use `if constexpr`) and the caller must reject unsupported
//   dtypes before calling. fn may throw ex::Error (e.g. integer division by zero); the
//   error reaches the caller even from a parallel loop.
// - The natural output type is bool when fn returns bool (comparisons, logical ops),
//   otherwise T. out_dtype (or, for the _into forms, out's dtype) may differ.
// - Scalars are converted straight to compute_t<T> (a double exponent stays a float for
//   a Half tensor, never rounded to Half), like PyTorch's opmath scalars.
//
// Costs (documented because they are the only hidden copies)
// - An input whose dtype differs from `compute` is first converted to a contiguous
//   tensor of its own (not the broadcast) shape: one extra pass and allocation.
// - An output dtype other than the natural type is computed into a temporary of the
//   natural type and converted afterwards: one extra pass and allocation.
// - binary_op_into clones an input that shares storage with out through a different
//   view (e.g. `a += a.transpose(0, 1)`), so every element reads the old values.
//
// Speed
// - When out is contiguous and each input is either contiguous in the same shape or a
//   single broadcast element (stride 0 everywhere), the loop is one flat pointer loop
//   (no StridedLoop set-up), split over threads above kGrainElements. The inner loops
//   for "both dense", "scalar right" and "scalar left" are plain indexed loops that the
//   compiler vectorizes.
// - The same flat loop runs in memory order when out and the inputs share one dense
//   layout other than row-major (all transposed or permuted alike; an input may also be
//   a single broadcast element). The out-of-place forms allocate their output in that
//   layout (like PyTorch's TensorIterator), so x.t() + y.t() returns a transposed
//   tensor; otherwise their output is contiguous.
// - Otherwise StridedLoop<3> coalesces dims and runs rows; rows whose operands are unit
//   stride or stride 0 still take the vectorizable loops.

#include <algorithm>
#include <cstdint>
#include <type_traits>
#include <utility>
#include <vector>

#include "common/check.hpp"
#include "core/src/simd.hpp"
#include "core/src/strided_loop.hpp"
#include "extensor/core/scalar.hpp"

namespace ex::detail {

// A Scalar converted to the C++ type C: bool is "!= 0"; integer types take the
// integer value (a floating scalar truncates toward zero, NaN gives 0) wrapping
// modulo 2^bits like a static_cast; floating types take the double value.
template <class C>
C scalar_to(const Scalar& s) {
  if constexpr (std::is_same_v<C, bool>) {
    return s.is_floating() ? s.to_double() != 0.0 : s.to_int64() != 0;
  } else if constexpr (std::is_integral_v<C>) {
    return static_cast<C>(s.to_int64());
  } else if constexpr (std::is_same_v<C, Half> || std::is_same_v<C, BFloat16>) {
    return C(static_cast<float>(s.to_double()));
  } else {
    return static_cast<C>(s.to_double());
  }
}

// The C++ type fn returns for two compute_t<T> arguments, and the type the engine
// stores it as: bool when fn returns bool, T otherwise.
template <class T, class F>
using binary_fn_result_t = std::invoke_result_t<F&, compute_t<T>, compute_t<T>>;
template <class T, class F>
using natural_out_t = std::conditional_t<std::is_same_v<binary_fn_result_t<T, F>, bool>, bool, T>;

// How an operand steps through a flat loop over `shape`: 1 when dense row-major
// (size-1 dims may have any stride), 0 when it is one element seen everywhere
// (stride 0 on every dim of size > 1), -1 otherwise.
inline int flat_step(const Shape& shape, const Strides& strides) {
  bool dense = true, single = true;
  std::int64_t expected = 1;
  for (std::size_t i = shape.size(); i-- > 0;) {
    if (shape[i] == 1) continue;
    dense = dense && strides[i] == expected;
    single = single && strides[i] == 0;
    // Only an empty shape, or one no tensor may have (its allocation then throws), multiplies
    // past int64; either way no element is stepped through.
    if (__builtin_mul_overflow(expected, shape[i], &expected)) return -1;
  }
  return dense ? 1 : single ? 0 : -1;
}

// Whether `strides` lay `shape` out densely in some order of its dims (a permutation of
// a contiguous tensor, e.g. a transpose): sorted by stride, the dims of size > 1 step
// like a contiguous tensor's. False for an empty shape.
inline bool is_dense_layout(const Shape& shape, const Strides& strides) {
  if (shape.numel() == 0) return false;
  std::vector<std::pair<std::int64_t, std::int64_t>> dims;  // (stride, size), size > 1
  for (std::size_t i = 0; i < shape.size(); ++i)
    if (shape[i] > 1) dims.emplace_back(strides[i], shape[i]);
  std::sort(dims.begin(), dims.end());
  std::int64_t expected = 1;
  for (const auto& [stride, size] : dims) {
    if (stride != expected) return false;
    expected *= size;
  }
  return true;
}

// How an operand with strides s steps through a flat loop over the memory of an output
// laid out densely by `layout`: 1 when s equals layout on every dim of size > 1, 0 when
// it is one element seen everywhere, -1 otherwise.
inline int layout_step(const Shape& shape, const Strides& layout, const Strides& s) {
  bool same = true, single = true;
  for (std::size_t i = 0; i < shape.size(); ++i) {
    if (shape[i] == 1) continue;
    same = same && s[i] == layout[i];
    single = single && s[i] == 0;
  }
  return same ? 1 : single ? 0 : -1;
}

// Throws "<op>: ..." unless `from` broadcasts to `to` without changing it.
inline void check_broadcasts_to(const char* op, const char* what, const Shape& from, const Shape& to) {
  bool ok = from.size() <= to.size();
  for (std::size_t i = 0; ok && i < from.size(); ++i) {
    const std::int64_t f = from[from.size() - 1 - i], t = to[to.size() - 1 - i];
    ok = f == t || f == 1;
  }
  if (!ok) fail("{}: {} of shape {} cannot be broadcast to the output shape {}", op, what, from, to);
}

// Throws unless every element of out has its own memory (no stride-0 dim of size > 1).
inline void check_no_internal_overlap(const char* op, const Tensor& out) {
  for (std::size_t i = 0; i < out.shape().size(); ++i)
    if (out.shape()[i] > 1 && out.strides()[i] == 0)
      fail(
          "{}: the output of shape {} (strides {}) has elements that share memory (an expanded view); "
          "clone() it before writing",
          op, out.shape(), out.strides());
}

// n elements of out = fn(a, b) with byte strides so, sa, sb. A and B are the stored
// input types (T, or compute_t<T> for a scalar held on the stack), C = compute_t<T>.
template <class C, class Out, class A, class B, class F>
inline void binary_row(char* po, const char* pa, const char* pb, std::int64_t so, std::int64_t sa, std::int64_t sb,
                       std::int64_t n, F& fn) {
  Out* o = reinterpret_cast<Out*>(po);
  const A* x = reinterpret_cast<const A*>(pa);
  const B* y = reinterpret_cast<const B*>(pb);
  constexpr std::int64_t ko = sizeof(Out), ka = sizeof(A), kb = sizeof(B);
  if (so == ko) {
    if (sa == ka && sb == kb) {
      for (std::int64_t i = 0; i < n; ++i) o[i] = convert<Out>(fn(static_cast<C>(x[i]), static_cast<C>(y[i])));
      return;
    }
    if (sa == ka && sb == 0) {
      const C v = static_cast<C>(*y);
      for (std::int64_t i = 0; i < n; ++i) o[i] = convert<Out>(fn(static_cast<C>(x[i]), v));
      return;
    }
    if (sa == 0 && sb == kb) {
      const C u = static_cast<C>(*x);
      for (std::int64_t i = 0; i < n; ++i) o[i] = convert<Out>(fn(u, static_cast<C>(y[i])));
      return;
    }
  }
  for (std::int64_t i = 0; i < n; ++i) {
    const C u = static_cast<C>(*reinterpret_cast<const A*>(pa + i * sa));
    const C v = static_cast<C>(*reinterpret_cast<const B*>(pb + i * sb));
    *reinterpret_cast<Out*>(po + i * so) = convert<Out>(fn(u, v));
  }
}

// Ops whose functor sets kLanewise = true: calling it on simd::Vec<C> (C float or
// double) computes the same function lane by lane, so the streaming loop below may
// run it a vector at a time.
template <class F>
inline constexpr bool kLanewise = requires {
  requires std::remove_cvref_t<F>::kLanewise;
};

// From this many bytes moved (read + written), a dense floating output is written with
// non-temporal stores. Such an op cannot keep its data in a last-level cache (32 MiB
// per core complex on current server parts) for the next op anyway, and streaming
// skips reading each output line before it is overwritten, which made a 1-thread
// [4096, 1024] float32 add clearly faster than with ordinary stores.
inline constexpr std::int64_t kStreamMinBytes = std::int64_t{32} << 20;

inline constexpr std::int64_t kStreamUnroll = 4;  // vectors per iteration of a streaming loop

// n elements of o = fn(a, b) (all of type C) with non-temporal stores, a and b dense
// (DenseA / DenseB) or one element read everywhere; o is dense.
template <bool DenseA, bool DenseB, class C, class F>
void binary_row_stream(C* o, const C* a, const C* b, std::int64_t n, F& fn) {
  using V = simd::Vec<C>;
  constexpr std::int64_t L = simd::kLanes<C>;
  constexpr std::int64_t ka = DenseA ? sizeof(C) : 0, kb = DenseB ? sizeof(C) : 0;
  auto plain = [&](std::int64_t i, std::int64_t len) {
    binary_row<C, C, C, C>(reinterpret_cast<char*>(o + i), reinterpret_cast<const char*>(a) + i * ka,
                           reinterpret_cast<const char*>(b) + i * kb, sizeof(C), ka, kb, len, fn);
  };
  // Up to the first vector-aligned boundary of o with ordinary stores.
  const auto misalign = static_cast<std::int64_t>(reinterpret_cast<std::uintptr_t>(o) % simd::kVecBytes);
  std::int64_t i = std::min(n, misalign == 0 ? 0
                                             : (static_cast<std::int64_t>(simd::kVecBytes) - misalign) /
                                                   static_cast<std::int64_t>(sizeof(C)));
  plain(0, i);
  const V sa = V{} + *a, sb = V{} + *b;
  auto result = [&](std::int64_t j) {
    return fn(DenseA ? simd::load_full(a + j) : sa, DenseB ? simd::load_full(b + j) : sb);
  };
  // kStreamUnroll vectors an iteration, all loaded and computed before the first store:
  // one vector an iteration ran [4096, 1024] float32 add measurably slower (loop overhead
  // and fewer loads in flight).
  for (; i + kStreamUnroll * L <= n; i += kStreamUnroll * L) {
    V r[kStreamUnroll];
#pragma GCC unroll 8
    for (std::int64_t u = 0; u < kStreamUnroll; ++u) r[u] = result(i + u * L);
#pragma GCC unroll 8
    for (std::int64_t u = 0; u < kStreamUnroll; ++u) simd::stream_store(o + i + u * L, r[u]);
  }
  for (; i + L <= n; i += L) simd::stream_store(o + i, result(i));
  plain(i, n - i);
  simd::stream_fence();
}

// n elements of out = fn(a, b) where out is dense and a, b step through it by step_a,
// step_b (1: dense alongside out, 0: one element), split over threads.
template <class C, class Out, class A, class B, class F>
void binary_flat(char* po, const char* pa, const char* pb, std::int64_t n, int step_a, int step_b, F& fn) {
  const std::int64_t ka = step_a * static_cast<std::int64_t>(sizeof(A));
  const std::int64_t kb = step_b * static_cast<std::int64_t>(sizeof(B));
  constexpr std::int64_t ko = sizeof(Out);
  if constexpr (std::is_floating_point_v<C> && std::is_same_v<Out, C> && std::is_same_v<A, C> && std::is_same_v<B, C> &&
                kLanewise<F>) {
    if (n * (ko + ka + kb) >= kStreamMinBytes) {
      const C* ca = reinterpret_cast<const C*>(pa);
      const C* cb = reinterpret_cast<const C*>(pb);
      C* co = reinterpret_cast<C*>(po);
      parallel_for(0, n, kGrainElements, [&](std::int64_t begin, std::int64_t end) {
        const C* ra = ca + begin * step_a;
        const C* rb = cb + begin * step_b;
        if (step_a && step_b)
          binary_row_stream<true, true>(co + begin, ra, rb, end - begin, fn);
        else if (step_a)
          binary_row_stream<true, false>(co + begin, ra, rb, end - begin, fn);
        else if (step_b)
          binary_row_stream<false, true>(co + begin, ra, rb, end - begin, fn);
        else
          binary_row_stream<false, false>(co + begin, ra, rb, end - begin, fn);
      });
      return;
    }
  }
  parallel_for(0, n, kGrainElements, [&](std::int64_t begin, std::int64_t end) {
    binary_row<C, Out, A, B>(po + begin * ko, pa + begin * ka, pb + begin * kb, ko, ka, kb, end - begin, fn);
  });
}

// Runs fn over out's shape; sa and sb are the inputs' element strides broadcast to
// out's shape.
template <class C, class Out, class A, class B, class F>
void binary_run(const Tensor& out, const void* a, const Strides& sa, const void* b, const Strides& sb, F& fn) {
  const Shape& shape = out.shape();
  const std::int64_t n = shape.numel();
  if (n == 0) return;
  char* po = static_cast<char*>(out.raw_data());
  const char* pa = static_cast<const char*>(a);
  const char* pb = static_cast<const char*>(b);
  const int step_a = flat_step(shape, sa), step_b = flat_step(shape, sb);
  if (step_a >= 0 && step_b >= 0 && flat_step(shape, out.strides()) == 1) {
    binary_flat<C, Out, A, B>(po, pa, pb, n, step_a, step_b, fn);
    return;
  }
  // Every operand in one dense layout other than row-major (e.g. all transposed): one
  // flat loop in memory order, like PyTorch's TensorIterator, instead of strided rows.
  if (is_dense_layout(shape, out.strides())) {
    const int layout_a = layout_step(shape, out.strides(), sa), layout_b = layout_step(shape, out.strides(), sb);
    if (layout_a >= 0 && layout_b >= 0) {
      binary_flat<C, Out, A, B>(po, pa, pb, n, layout_a, layout_b, fn);
      return;
    }
  }
  StridedLoop<3> loop(shape, {&out.strides(), &sa, &sb}, {sizeof(Out), sizeof(A), sizeof(B)});
  loop.run({po, const_cast<char*>(pa), const_cast<char*>(pb)},
           [&](const Ptrs<3>& p, const ByteStrides<3>& s, std::int64_t rows) {
             binary_row<C, Out, A, B>(p[0], p[1], p[2], s[0], s[1], s[2], rows, fn);
           });
}

// The output of an out-of-place op over inputs with strides sa, sb (broadcast to shape):
// laid out like the inputs when they share a dense layout other than row-major (both
// transposed alike, or one of them a single element), contiguous otherwise. So
// x.t() + y.t() is one flat loop and returns a transposed result, as in PyTorch.
inline Tensor empty_output(const char* op, const Shape& shape, DType dtype, const Strides& sa, const Strides& sb) {
  if (flat_step(shape, sa) < 0 || flat_step(shape, sb) < 0) {
    for (const Strides* layout : {&sa, &sb})
      if (is_dense_layout(shape, *layout) && layout_step(shape, *layout, sa) >= 0 &&
          layout_step(shape, *layout, sb) >= 0)
        return allocate_strided(shape, *layout, dtype, op);
  }
  return allocate(shape, dtype, op);
}

// Throws "<op>: the first/second operand is an undefined tensor" before anything reads
// the operands (their result dtype is computed before the engine runs).
inline void check_operand(const char* op, const char* what, const Tensor& t) { defined(op, t, what); }
inline void check_operand(const char*, const char*, const Scalar&) {}
template <class A, class B>
void check_operands(const char* op, const A& a, const B& b) {
  check_operand(op, "the first operand", a);
  check_operand(op, "the second operand", b);
}

// The shape a and b broadcast to (validated: negative or overflowing sizes throw).
inline Shape broadcast_result_shape(const char* op, const Tensor& a, const Tensor& b) {
  if (a.shape() == b.shape()) return a.shape();
  return broadcast_shapes(a.shape(), b.shape(), op);
}

// out = fn(a, b) over the broadcast shape, computed in `compute`, returned as out_dtype.
template <class F>
Tensor binary_op(const char* op, const Tensor& a, const Tensor& b, DType compute, DType out_dtype, F&& fn) {
  // Inputs already in the compute dtype and shape are used as they are: no handle
  // copies, no stride vectors, one shape comparison, so a small same-shape call costs
  // little beyond the output's allocation.
  const bool same = a.shape() == b.shape();
  Shape broadcast;
  const Shape& shape = same ? a.shape() : (broadcast = broadcast_result_shape(op, a, b));
  Tensor conv_a, conv_b;
  const Tensor& ca = a.dtype() == compute ? a : (conv_a = to_dtype(a, compute, op));
  const Tensor& cb = b.dtype() == compute ? b : (conv_b = to_dtype(b, compute, op));
  Strides bsa, bsb;
  const Strides& sa = same || ca.shape() == shape ? ca.strides() : (bsa = broadcast_strides(ca, shape));
  const Strides& sb = same || cb.shape() == shape ? cb.strides() : (bsb = broadcast_strides(cb, shape));
  return dispatch(compute, [&]<class T>() {
    using Out = natural_out_t<T, F>;
    Tensor out = empty_output(op, shape, dtype_of<Out>, sa, sb);
    binary_run<compute_t<T>, Out, T, T>(out, ca.raw_data(), sa, cb.raw_data(), sb, fn);
    return to_dtype(out, out_dtype, op);
  });
}

// out = fn(a, s) or fn(s, a) (scalar_first), with s converted to compute_t of `compute`.
template <class F>
Tensor binary_op_scalar(const char* op, const Tensor& a, const Scalar& s, bool scalar_first, DType compute,
                        DType out_dtype, F&& fn) {
  Tensor conv_a;
  const Tensor& ca = a.dtype() == compute ? a : (conv_a = to_dtype(a, compute, op));
  return dispatch(compute, [&]<class T>() {
    using C = compute_t<T>;
    using Out = natural_out_t<T, F>;
    const C v = scalar_to<C>(s);
    const Strides zero(ca.shape().size(), 0);
    Tensor out = empty_output(op, ca.shape(), dtype_of<Out>, ca.strides(), zero);
    if (scalar_first)
      binary_run<C, Out, C, T>(out, &v, zero, ca.raw_data(), ca.strides(), fn);
    else
      binary_run<C, Out, T, C>(out, ca.raw_data(), ca.strides(), &v, zero, fn);
    return to_dtype(out, out_dtype, op);
  });
}
template <class F>
Tensor binary_op(const char* op, const Tensor& a, const Scalar& s, DType compute, DType out_dtype, F&& fn) {
  return binary_op_scalar(op, a, s, false, compute, out_dtype, fn);
}
template <class F>
Tensor binary_op(const char* op, const Scalar& s, const Tensor& b, DType compute, DType out_dtype, F&& fn) {
  return binary_op_scalar(op, b, s, true, compute, out_dtype, fn);
}

// An input for a loop that writes into out: converted to compute, and cloned when it
// reads out's memory through a different view.
inline Tensor prepare_input_into(const char* op, const Tensor& in, const Tensor& out, DType compute) {
  if (in.dtype() != compute) return to_dtype(in, compute, op);
  if (in.storage() == out.storage() &&
      !(in.raw_data() == out.raw_data() && broadcast_strides(in, out.shape()) == out.strides()))
    return in.clone();
  return in;
}

// Runs `body(dst)` where dst is out itself when out's dtype is `natural`, or a
// temporary of that dtype copied into out afterwards.
template <class Body>
void write_through(const char* op, const Tensor& out, DType natural, Body&& body) {
  if (out.dtype() == natural) {
    body(out);
  } else {
    Tensor tmp = allocate(out.shape(), natural, op);
    body(tmp);
    copy_convert(tmp, out);
  }
}

// Writes fn(a, b), computed in `compute`, into out (any strides, any dtype; converted
// like a static_cast). a and b must broadcast to out's shape without changing it, and
// out must not be an expanded view; both throw "<op>: ...". The caller checks that the
// result dtype may be cast to out's dtype.
template <class F>
void binary_op_into(const char* op, const Tensor& out, const Tensor& a, const Tensor& b, DType compute, F&& fn) {
  check_broadcasts_to(op, "self", a.shape(), out.shape());
  check_broadcasts_to(op, "other", b.shape(), out.shape());
  check_no_internal_overlap(op, out);
  const Tensor ca = prepare_input_into(op, a, out, compute);
  const Tensor cb = prepare_input_into(op, b, out, compute);
  dispatch(compute, [&]<class T>() {
    using Out = natural_out_t<T, F>;
    write_through(op, out, dtype_of<Out>, [&](const Tensor& dst) {
      binary_run<compute_t<T>, Out, T, T>(dst, ca.raw_data(), broadcast_strides(ca, dst.shape()), cb.raw_data(),
                                          broadcast_strides(cb, dst.shape()), fn);
    });
  });
}

// Writes fn(a, s) into out; the rules of the tensor form apply.
template <class F>
void binary_op_into(const char* op, const Tensor& out, const Tensor& a, const Scalar& s, DType compute, F&& fn) {
  check_broadcasts_to(op, "self", a.shape(), out.shape());
  check_no_internal_overlap(op, out);
  const Tensor ca = prepare_input_into(op, a, out, compute);
  dispatch(compute, [&]<class T>() {
    using C = compute_t<T>;
    using Out = natural_out_t<T, F>;
    const C v = scalar_to<C>(s);
    const Strides zero(out.shape().size(), 0);
    write_through(op, out, dtype_of<Out>, [&](const Tensor& dst) {
      binary_run<C, Out, T, C>(dst, ca.raw_data(), broadcast_strides(ca, dst.shape()), &v, zero, fn);
    });
  });
}

}  // namespace ex::detail
