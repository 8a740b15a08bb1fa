#pragma once
// Private: the loop of the adaptive optimizers' fused updates. One pass over a parameter,
// its gradient and its state tensors calls an element update at each position; rows
// where every operand is contiguous get a plain pointer loop the compiler vectorizes.

#include <array>
#include <cmath>
#include <cstdint>
#include <utility>

#include "core/src/strided_loop.hpp"
#include "extensor/core/tensor.hpp"

namespace ex::optim::detail {

// a * b + c, rounded once where the CPU has fused multiply-add. PyTorch's vectorized CPU
// kernels fuse exactly there (add with alpha, addcmul), so the updates that call this
// where PyTorch's ops do match PyTorch 1.13's float32 and float64 results to the bit.
template <class C>
inline C mul_add(C a, C b, C c) {
#ifdef __FMA__
  return std::fma(a, b, c);
#else
  return a * b + c;
#endif
}

// The element at i of a row that steps `stride` bytes.
template <class T>
inline T& element_at(char* row, std::int64_t stride, std::int64_t i) {
  return *reinterpret_cast<T*>(row + i * stride);
}

// PyTorch rounds every product its ops do not fuse (momentum * buffer before adding
// g / avg, p * (1 - lr * weight_decay)), so the loops below, and the element updates
// GCC inlines into them, are compiled without implicit contraction into FMAs; mul_add
// writes out the multiply-adds PyTorch does fuse. (Clang, used for the fuzz builds,
// keeps its default and may fuse more: results then differ from PyTorch's in the last
// bit.)
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC push_options
#pragma GCC optimize("fp-contract=off")
#endif

// A contiguous row. The operands never overlap (the state tensors are the optimizer's
// own and a gradient sharing the storage of the parameter or a state is copied first),
// which __restrict tells the compiler so it vectorizes without runtime overlap checks.
template <class P, class Update, class... States>
inline void contiguous_row(std::int64_t n, const Update& update, P* __restrict param, const P* __restrict grad,
                           States* __restrict... states) {
  const Update local = update;  // a copy no store can alias, so its coefficients stay in registers
  for (std::int64_t i = 0; i < n; ++i) local(param[i], grad[i], states[i]...);
}

// Calls update(p, g, s...) for every element position: p (P&) in param, g (P) in grad
// and s (S&) in each tensor of states, all of param's shape with any strides (grad may
// be an expanded view; param and the states may not). P is the C++ type of param's and
// grad's dtype, S that of the states'. Splits large parameters over the OpenMP pool.
template <class P, class S, std::size_t K, class Update>
void for_each_element(const Tensor& param, const Tensor& grad, const std::array<const Tensor*, K>& states,
                      const Update& update) {
  constexpr std::size_t N = K + 2;
  std::array<const Strides*, N> strides{&param.strides(), &grad.strides()};
  std::array<std::int64_t, N> itemsize{sizeof(P), sizeof(P)};
  ex::detail::Ptrs<N> base{static_cast<char*>(param.raw_data()), static_cast<char*>(grad.raw_data())};
  for (std::size_t k = 0; k < K; ++k) {
    strides[k + 2] = &states[k]->strides();
    itemsize[k + 2] = sizeof(S);
    base[k + 2] = static_cast<char*>(states[k]->raw_data());
  }
  const ex::detail::StridedLoop<N> loop(param.shape(), strides, itemsize);
  loop.run(base, [&](const ex::detail::Ptrs<N>& ptr, const ex::detail::ByteStrides<N>& stride, std::int64_t n) {
    [&]<std::size_t... k>(std::index_sequence<k...>) {
      constexpr auto p_size = static_cast<std::int64_t>(sizeof(P)), s_size = static_cast<std::int64_t>(sizeof(S));
      if (stride[0] == p_size && stride[1] == p_size && ((stride[k + 2] == s_size) && ...)) {
        contiguous_row(n, update, reinterpret_cast<P*>(ptr[0]), reinterpret_cast<const P*>(ptr[1]),
                       reinterpret_cast<S*>(ptr[k + 2])...);
      } else {
        for (std::int64_t i = 0; i < n; ++i)
          update(element_at<P>(ptr[0], stride[0], i), element_at<const P>(ptr[1], stride[1], i),
                 element_at<S>(ptr[k + 2], stride[k + 2], i)...);
      }
    }
    (std::make_index_sequence<K>());
  });
}

#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC pop_options
#endif

}  // namespace ex::optim::detail
