#include "extensor/core/kernels/loss.hpp"

#include <algorithm>
#include <array>
#include <atomic>
#include <cmath>
#include <limits>
#include <mutex>
#include <type_traits>
#include <vector>

#include "common/check.hpp"
#include "core/src/dispatch_floating.hpp"
#include "core/src/kernels/forward.hpp"
#include "core/src/parallel.hpp"
#include "core/src/strided_loop.hpp"
#include "extensor/core/creation.hpp"
#include "extensor/core/kernels/reduction.hpp"

namespace ex {
namespace {

// ---- validation ----

void check_reduction(Reduction reduction, const char* op) {
  if (reduction != Reduction::None && reduction != Reduction::Mean && reduction != Reduction::Sum)
    detail::fail("{}: invalid reduction value {} (expected None, Mean or Sum)", op, static_cast<int>(reduction));
}

void check_defined(const Tensor& t, const char* op, const char* what) {
  if (!t.defined()) detail::fail("{}: the {} tensor is undefined", op, what);
}

void check_floating(const Tensor& t, const char* op, const char* what) {
  check_defined(t, op, what);
  if (!is_floating(t.dtype()))
    detail::fail("{}: {} must be a floating-point tensor (float16, bfloat16, float32, float64), got {} with shape {}",
                 op, what, t.dtype(), t.shape());
}

void check_same_shape(const Tensor& input, const Tensor& target, const char* op) {
  check_defined(target, op, "target");
  if (!(target.shape() == input.shape()))
    detail::fail("{}: target shape {} differs from input shape {} (they must be equal)", op, target.shape(),
                 input.shape());
}

// True when `from` broadcasts to `to` without changing it.
bool broadcasts_to(const Shape& from, const Shape& to) {
  if (from.size() > to.size()) return false;
  const std::size_t lead = to.size() - from.size();
  for (std::size_t i = 0; i < from.size(); ++i)
    if (from[i] != 1 && from[i] != to[lead + i]) return false;
  return true;
}

// An optional elementwise weight (weight, pos_weight): floating, broadcasting to the
// input's shape; returned in the working dtype (undefined stays undefined).
Tensor elementwise_weight(const Tensor& weight, const Shape& shape, DType dtype, const char* op, const char* what) {
  if (!weight.defined()) return {};
  check_floating(weight, op, what);
  if (!broadcasts_to(weight.shape(), shape))
    detail::fail("{}: {} of shape {} does not broadcast to the input shape {}", op, what, weight.shape(), shape);
  return weight.to(dtype);
}

// The upstream gradient of a loss whose per-element shape is `shape`: rank 0 for
// Mean/Sum, `shape` for None.
void check_grad(const Tensor& grad, const Shape& shape, Reduction reduction, const char* op) {
  check_floating(grad, op, "grad");
  const Shape expected = reduction == Reduction::None ? shape : Shape{};
  if (!(grad.shape() == expected))
    detail::fail("{}: grad has shape {}, expected {} (the loss's shape for reduction {})", op, grad.shape(), expected,
                 reduction == Reduction::None ? "None" : "Mean/Sum");
}

// ---- elementwise losses ----

// Operand slots of the elementwise kernels, in the order their value functions take
// them: fn(x, t, w, p, g) -> value, all in the compute type.
enum Slot : unsigned { kInput, kTarget, kWeight, kPosWeight, kGrad, kSlots };
constexpr unsigned kRequired = (1u << kInput) | (1u << kTarget);
constexpr unsigned kOptWeight = 1u << kWeight;
constexpr unsigned kOptPosWeight = 1u << kPosWeight;
constexpr unsigned kOptGrad = 1u << kGrad;
using Operands = std::array<Tensor, kSlots>;

// Operand K's i-th value (byte stride s), or 1 at no cost when K is absent from the
// compile-time mask (absent operands have null pointers, never offset).
template <unsigned Present, unsigned K, class T>
inline compute_t<T> load(const char* p, std::int64_t s, std::int64_t i) {
  if constexpr ((Present >> K) & 1u) {
    return static_cast<compute_t<T>>(*reinterpret_cast<const T*>(p + i * s));
  } else {
    return compute_t<T>(1);
  }
}
template <unsigned Present, unsigned K, class T>
inline compute_t<T> load(const T* p, std::int64_t i) {
  if constexpr ((Present >> K) & 1u) {
    return static_cast<compute_t<T>>(p[i]);
  } else {
    return compute_t<T>(1);
  }
}

// out[i] = fn(x, t, w, p, g) over the present operands (all of out's dtype T, each
// broadcasting to out's shape). Rows where every present operand is dense get a plain
// loop the compiler can vectorize.
template <class T, unsigned Present, class F>
void map_present(const Tensor& out, const Operands& ops, const F& fn) {
  constexpr std::size_t N = kSlots + 1;
  std::array<Strides, N> strides;
  std::array<const Strides*, N> stride_ptrs{};
  std::array<std::int64_t, N> itemsizes{};
  detail::Ptrs<N> base{};
  strides[0] = out.strides();
  base[0] = static_cast<char*>(out.raw_data());
  for (std::size_t k = 0; k < kSlots; ++k) {
    if ((Present >> k) & 1u) {
      strides[k + 1] = detail::broadcast_strides(ops[k], out.shape());
      base[k + 1] = static_cast<char*>(ops[k].raw_data());
    } else {
      strides[k + 1] = Strides(out.shape().size(), 0);
    }
  }
  for (std::size_t k = 0; k < N; ++k) {
    stride_ptrs[k] = &strides[k];
    itemsizes[k] = sizeof(T);
  }
  const detail::StridedLoop<N> loop(out.shape(), stride_ptrs, itemsizes);
  loop.run(base, [&](const detail::Ptrs<N>& p, const detail::ByteStrides<N>& s, std::int64_t n) {
    bool dense = s[0] == sizeof(T);
    for (std::size_t k = 0; k < kSlots; ++k)
      if ((Present >> k) & 1u) dense = dense && s[k + 1] == sizeof(T);
    if (dense) {
      T* o = reinterpret_cast<T*>(p[0]);
      const T* x = reinterpret_cast<const T*>(p[1 + kInput]);
      const T* t = reinterpret_cast<const T*>(p[1 + kTarget]);
      const T* w = reinterpret_cast<const T*>(p[1 + kWeight]);
      const T* q = reinterpret_cast<const T*>(p[1 + kPosWeight]);
      const T* g = reinterpret_cast<const T*>(p[1 + kGrad]);
      for (std::int64_t i = 0; i < n; ++i)
        o[i] = detail::convert<T>(fn(load<Present, kInput>(x, i), load<Present, kTarget>(t, i),
                                     load<Present, kWeight>(w, i), load<Present, kPosWeight>(q, i),
                                     load<Present, kGrad>(g, i)));
    } else {
      for (std::int64_t i = 0; i < n; ++i)
        *reinterpret_cast<T*>(p[0] + i * s[0]) =
            detail::convert<T>(fn(load<Present, kInput, T>(p[1 + kInput], s[1 + kInput], i),
                                  load<Present, kTarget, T>(p[1 + kTarget], s[1 + kTarget], i),
                                  load<Present, kWeight, T>(p[1 + kWeight], s[1 + kWeight], i),
                                  load<Present, kPosWeight, T>(p[1 + kPosWeight], s[1 + kPosWeight], i),
                                  load<Present, kGrad, T>(p[1 + kGrad], s[1 + kGrad], i)));
    }
  });
}

// Calls g.template operator()<Mask>() with Mask = Present plus the bits of Optional that
// are set in `defined`: one instantiation per combination of optional operands.
template <unsigned Present, unsigned Optional, class G>
void with_mask(unsigned defined, G& g) {
  if constexpr (Optional == 0u) {
    g.template operator()<Present>();
  } else {
    constexpr unsigned bit = Optional & (~Optional + 1u);  // lowest optional slot
    if (defined & bit)
      with_mask<Present | bit, Optional & ~bit>(defined, g);
    else
      with_mask<Present, Optional & ~bit>(defined, g);
  }
}

// A new contiguous tensor of the input's shape and `dtype` holding fn over the operands
// (all of `dtype`); Optional names the slots that may be undefined (read as 1).
template <unsigned Optional, class F>
Tensor map_loss(DType dtype, const Operands& ops, const F& fn) {
  Tensor out = empty(ops[kInput].shape(), dtype);
  unsigned defined = 0;
  for (std::size_t k = 0; k < kSlots; ++k)
    if (ops[k].defined()) defined |= 1u << k;
  detail::dispatch_floating(dtype, [&]<class T>() {
    auto run = [&]<unsigned Present>() { map_present<T, Present>(out, ops, fn); };
    with_mask<kRequired, Optional>(defined, run);
  });
  return out;
}

Tensor reduce_elementwise(const Tensor& loss, Reduction reduction) {
  if (reduction == Reduction::Mean) return kernels::mean(loss);
  if (reduction == Reduction::Sum) return kernels::sum(loss);
  return loss;
}

// Input and target of mse/l1/smooth_l1: floating input, same-shaped target of any
// dtype, both in their promoted dtype.
struct Pair {
  Tensor input, target;
  DType dtype;
};

Pair regression_pair(const Tensor& input, const Tensor& target, Reduction reduction, const char* op) {
  check_reduction(reduction, op);
  check_floating(input, op, "input");
  check_same_shape(input, target, op);
  const DType dtype = promote_types(input.dtype(), target.dtype());
  // Both operands in the promoted dtype: the kernels read them as it.
  return {detail::to_dtype(input, dtype, op), detail::to_dtype(target, dtype, op), dtype};
}

// The upstream gradient of an elementwise loss: for None the per-element grad operand,
// for Mean/Sum a scalar (divided by numel for Mean) the value function multiplies in.
struct Upstream {
  Tensor per_element;
  double scale = 1;
};

Upstream upstream(const Tensor& grad, const Shape& shape, Reduction reduction, DType dtype, const char* op) {
  check_grad(grad, shape, reduction, op);
  if (reduction == Reduction::None) return {grad.to(dtype), 1.0};
  double scale = grad.item<double>();
  if (reduction == Reduction::Mean && shape.numel() > 0) scale /= static_cast<double>(shape.numel());
  return {Tensor{}, scale};
}

// The gradient of an elementwise loss with respect to one operand, fn(x, t, w, p) per
// element times the upstream gradient (grad itself, joining the operands, for None; its
// scalar, divided by numel for Mean, otherwise), in `dtype`.
template <unsigned Optional, class F>
Tensor map_times_upstream(Operands ops, const Tensor& grad, Reduction reduction, DType dtype, const char* op,
                          const F& fn) {
  const Upstream up = upstream(grad, ops[kInput].shape(), reduction, dtype, op);
  ops[kGrad] = up.per_element;
  const double s = up.scale;
  return map_loss<Optional | kOptGrad>(
      dtype, ops, [s, &fn](auto x, auto t, auto w, auto p, auto g) { return g * decltype(x)(s) * fn(x, t, w, p); });
}

// sign(d) with sign(0) = 0 (keeping 0's sign) and NaN -> NaN.
template <class C>
inline C sign_of(C d) {
  return d > C(0) ? C(1) : (d < C(0) ? C(-1) : d);
}

void check_beta(double beta, const char* op) {
  if (!(beta >= 0)) detail::fail("{}: beta must be >= 0, got {}", op, beta);
}

// All elements of a BCE input must lie in [0, 1] (PyTorch checks the same; NaN fails).
void check_probabilities(const Tensor& x, const char* op) {
  std::atomic<bool> bad{false};
  std::mutex mutex;
  double found = 0;
  dispatch(x.dtype(), [&]<class T>() {
    using C = compute_t<T>;
    const Strides& st = x.strides();
    const detail::StridedLoop<1> loop(x.shape(), {&st}, {static_cast<std::int64_t>(sizeof(T))});
    loop.run({static_cast<char*>(x.raw_data())},
             [&](const detail::Ptrs<1>& p, const detail::ByteStrides<1>& s, std::int64_t n) {
               bool ok = true;
               for (std::int64_t i = 0; i < n; ++i) {
                 const C v = static_cast<C>(*reinterpret_cast<const T*>(p[0] + i * s[0]));
                 ok = ok && v >= C(0) && v <= C(1);
               }
               if (ok) return;
               for (std::int64_t i = 0; i < n; ++i) {
                 const C v = static_cast<C>(*reinterpret_cast<const T*>(p[0] + i * s[0]));
                 if (!(v >= C(0) && v <= C(1))) {
                   const std::lock_guard<std::mutex> lock(mutex);
                   if (!bad.exchange(true)) found = static_cast<double>(v);
                   return;
                 }
               }
             });
  });
  if (bad) detail::fail("{}: all elements of input should be between 0 and 1, found {}", op, found);
}

// Input, target and weight of binary_cross_entropy: target of the input's dtype and shape.
Operands bce_operands(const Tensor& input, const Tensor& target, const Tensor& weight, Reduction reduction,
                      const char* op) {
  check_reduction(reduction, op);
  check_floating(input, op, "input");
  check_same_shape(input, target, op);
  if (target.dtype() != input.dtype())
    detail::fail("{}: target must have the input's dtype {}, got {} (PyTorch 1.13 rejects it too)", op, input.dtype(),
                 target.dtype());
  check_probabilities(input, op);
  return {input, target, elementwise_weight(weight, input.shape(), input.dtype(), op, "weight"), Tensor{}, Tensor{}};
}

// Input, target, weight and pos_weight of binary_cross_entropy_with_logits in the
// working dtype (input's dtype promoted with the floating target's).
Operands bce_logits_operands(const Tensor& input, const Tensor& target, const Tensor& weight, const Tensor& pos_weight,
                             Reduction reduction, const char* op) {
  check_reduction(reduction, op);
  check_floating(input, op, "input");
  check_same_shape(input, target, op);
  check_floating(target, op, "target");
  const DType dtype = promote_types(input.dtype(), target.dtype());
  return {input.to(dtype), target.to(dtype), elementwise_weight(weight, input.shape(), dtype, op, "weight"),
          elementwise_weight(pos_weight, input.shape(), dtype, op, "pos_weight"), Tensor{}};
}

// log(max(... , e^-100)) clamps: PyTorch's binary_cross_entropy bounds each log at -100.
template <class C>
inline C clamped_log(C v) {
  return std::max(C(std::log(v)), C(-100));
}
// Derivative of clamped_log: 1 / v inside the clamp's range, 0 where it is clamped.
template <class C>
inline C clamped_log_derivative(C v) {
  return std::log(v) > C(-100) ? C(1) / v : C(0);
}

// softplus(-x) = -log(sigmoid(x)) = max(-x, 0) + log1p(exp(-|x|)): finite for any x.
template <class C>
inline C softplus_neg(C x) {
  return std::max(-x, C(0)) + std::log1p(std::exp(-std::fabs(x)));
}

template <class C>
inline C stable_sigmoid(C x) {
  const C e = std::exp(-std::fabs(x));
  const C r = C(1) / (C(1) + e);
  return x >= C(0) ? r : e * r;
}

// ---- class-index losses (cross_entropy, nll_loss) ----

// input [N, C, d...] (or [C]) seen as [outer, classes, inner]; target [N, d...] (or rank
// 0) with one class index per position. Both contiguous.
struct ClassLoss {
  Tensor input, target;
  std::vector<double> weight;  // one per class; empty without weights
  std::int64_t outer = 1, classes = 0, inner = 1;
  double denominator = 0;  // sum of w[y] (or the count) over the non-ignored positions
};

ClassLoss class_loss(const Tensor& input, const Tensor& target, const Tensor& weight, std::int64_t ignore_index,
                     Reduction reduction, const char* op) {
  check_reduction(reduction, op);
  check_floating(input, op, "input");
  check_defined(target, op, "target");
  if (input.dim() == 0) detail::fail("{}: input must be [C], [N, C] or [N, C, d...], got a rank-0 tensor", op);
  if (target.dtype() != DType::Int64)
    detail::fail("{}: target must hold int64 class indices, got {} with shape {}", op, target.dtype(), target.shape());
  Shape expected;  // the target's (and the unreduced loss's) shape
  ClassLoss L;
  if (input.dim() == 1) {
    L.classes = input.shape()[0];
  } else {
    expected = input.shape();
    expected.erase(1);
    L.outer = input.shape()[0];
    L.classes = input.shape()[1];
    for (std::size_t d = 2; d < input.shape().size(); ++d) L.inner *= input.shape()[d];
  }
  if (!(target.shape() == expected))
    detail::fail("{}: target shape {} does not match input shape {} (expected target shape {})", op, target.shape(),
                 input.shape(), expected);
  if (weight.defined()) {
    if (weight.dim() != 1 || weight.numel() != L.classes || weight.dtype() != input.dtype())
      detail::fail("{}: weight must be a 1-D tensor of {} elements (one per class) of dtype {}, got shape {} and {}",
                   op, L.classes, input.dtype(), weight.shape(), weight.dtype());
    L.weight = weight.to_vector<double>();
  }
  L.input = input.contiguous();
  L.target = target.contiguous();
  const std::int64_t* y = L.target.data<std::int64_t>();
  for (std::int64_t p = 0; p < L.target.numel(); ++p) {
    if (y[p] == ignore_index) continue;
    if (y[p] < 0 || y[p] >= L.classes)
      detail::fail("{}: target index {} is out of bounds for {} classes (at flat position {}; ignore_index is {})", op,
                   y[p], L.classes, p, ignore_index);
    L.denominator += L.weight.empty() ? 1.0 : L.weight[static_cast<std::size_t>(y[p])];
  }
  return L;
}

void check_label_smoothing(double label_smoothing, const char* op) {
  if (!(label_smoothing >= 0 && label_smoothing <= 1))
    detail::fail("{}: label_smoothing must be in [0, 1], got {}", op, label_smoothing);
}

// Mean divides by the summed weights of the non-ignored targets (0 / 0 = NaN when all
// are ignored, like PyTorch).
Tensor reduce_class_loss(const Tensor& loss, Reduction reduction, double denominator) {
  if (reduction == Reduction::None) return loss;
  Tensor total = kernels::sum(loss);
  if (reduction == Reduction::Sum) return total;
  return scalar_tensor(total.item<double>() / denominator, loss.dtype());
}

// The upstream gradient of a class loss as a per-position tensor (None) and a scalar
// factor (grad / denominator for Mean, grad for Sum, 1 for None).
std::pair<Tensor, double> class_upstream(const Tensor& grad, const ClassLoss& L, Reduction reduction, const char* op) {
  check_grad(grad, L.target.shape(), reduction, op);
  if (reduction == Reduction::None) return {grad.to(L.input.dtype()).contiguous(), 1.0};
  double scale = grad.item<double>();
  if (reduction == Reduction::Mean) scale /= L.denominator;  // unused when every target is ignored
  return {Tensor{}, scale};
}

// Calls fn(p, o, i) for every position p = o * inner + i, threaded above the grain
// (each position touches `classes` elements).
template <class F>
void for_positions(const ClassLoss& L, const F& fn) {
  const std::int64_t grain = std::max<std::int64_t>(1, detail::kGrainElements / std::max<std::int64_t>(L.classes, 1));
  detail::parallel_for(0, L.outer * L.inner, grain, [&](std::int64_t b, std::int64_t e) {
    for (std::int64_t p = b; p < e; ++p) fn(p, p / L.inner, p % L.inner);
  });
}

// max and sum(exp(x - max)) over the classes of one position (stride `inner`).
template <class T, class C = compute_t<T>>
inline std::pair<C, C> max_and_sumexp(const T* x, std::int64_t n, std::int64_t inner) {
  C m = -std::numeric_limits<C>::infinity();
  C s = 0;
  if (inner == 1) {
#pragma omp simd reduction(max : m)
    for (std::int64_t c = 0; c < n; ++c) m = std::max(m, static_cast<C>(x[c]));
#pragma omp simd reduction(+ : s)
    for (std::int64_t c = 0; c < n; ++c) s += std::exp(static_cast<C>(x[c]) - m);
  } else {
    for (std::int64_t c = 0; c < n; ++c) m = std::max(m, static_cast<C>(x[c * inner]));
    for (std::int64_t c = 0; c < n; ++c) s += std::exp(static_cast<C>(x[c * inner]) - m);
  }
  return {m, s};
}

// What the class-loss kernels read: logits, targets, the class weights (1 without
// weights) in the compute type, and the label-smoothing split (1 - eps, eps / C).
template <class T, class C = compute_t<T>>
struct ClassData {
  ClassData(const ClassLoss& L, double eps)
      : x(L.input.data<T>()),
        y(L.target.data<std::int64_t>()),
        w(static_cast<std::size_t>(L.classes), C(1)),
        keep(C(1 - eps)),
        spread(L.classes > 0 ? C(eps / static_cast<double>(L.classes)) : C(0)) {
    for (std::size_t c = 0; c < L.weight.size(); ++c) w[c] = static_cast<C>(L.weight[c]);
  }
  const T* x;
  const std::int64_t* y;
  std::vector<C> w;
  C keep, spread;
};

// Per-position cross entropy: (1 - eps) w[y] (lse - x[y]) + eps / C sum_c w[c] (lse - x[c]),
// lse = log(sum(exp(x))) over the classes.
template <class T>
void cross_entropy_positions(const ClassLoss& L, std::int64_t ignore_index, double eps, T* loss) {
  using C = compute_t<T>;
  const ClassData<T> d(L, eps);
  const std::int64_t n = L.classes, inner = L.inner;
  for_positions(L, [&](std::int64_t p, std::int64_t o, std::int64_t i) {
    if (d.y[p] == ignore_index) {
      loss[p] = T(0);
      return;
    }
    const T* xr = d.x + o * n * inner + i;
    // -log_softmax(x)_c = (m - x_c) + log(s): exact for x_c near the max even when
    // |x| is large (m + log(s) would round log(s) to the ulp of m first).
    const auto [m, s] = max_and_sumexp(xr, n, inner);
    const C log_s = std::log(s);
    const std::size_t yc = static_cast<std::size_t>(d.y[p]);
    C value = d.keep * d.w[yc] * ((m - static_cast<C>(xr[d.y[p] * inner])) + log_s);
    if (eps > 0) {
      C smooth = 0;
      for (std::int64_t c = 0; c < n; ++c)
        smooth += d.w[static_cast<std::size_t>(c)] * ((m - static_cast<C>(xr[c * inner])) + log_s);
      value += d.spread * smooth;
    }
    loss[p] = detail::convert<T>(value);
  });
}

// grad_logits of one pass: g_p (softmax * A - a), a_c = w_c ((1 - eps) [c == y] + eps / C).
template <class T>
void cross_entropy_grad_positions(const ClassLoss& L, std::int64_t ignore_index, double eps, const T* grad,
                                  double scale, T* out) {
  using C = compute_t<T>;
  const ClassData<T> d(L, eps);
  const std::int64_t n = L.classes, inner = L.inner;
  C weight_sum = 0;
  for (const C v : d.w) weight_sum += v;
  const C spread_total = d.spread * weight_sum;
  for_positions(L, [&](std::int64_t p, std::int64_t o, std::int64_t i) {
    T* orow = out + o * n * inner + i;
    if (d.y[p] == ignore_index) {
      for (std::int64_t c = 0; c < n; ++c) orow[c * inner] = T(0);
      return;
    }
    const T* xr = d.x + o * n * inner + i;
    const C g = static_cast<C>(scale) * (grad ? static_cast<C>(grad[p]) : C(1));
    const auto [m, s] = max_and_sumexp(xr, n, inner);
    const std::size_t yc = static_cast<std::size_t>(d.y[p]);
    const C total = d.keep * d.w[yc] + spread_total;  // A = sum_c a_c
    const C gi = g / s;
    for (std::int64_t c = 0; c < n; ++c)
      orow[c * inner] = detail::convert<T>(gi * std::exp(static_cast<C>(xr[c * inner]) - m) * total -
                                           g * d.spread * d.w[static_cast<std::size_t>(c)]);
    orow[d.y[p] * inner] = detail::convert<T>(gi * std::exp(static_cast<C>(xr[d.y[p] * inner]) - m) * total -
                                              g * (d.spread + d.keep) * d.w[yc]);
  });
}

}  // namespace

// ---- elementwise forward kernels and their backward ----

Tensor kernels::mse_loss(const Tensor& input, const Tensor& target, Reduction reduction) {
  const Pair in = regression_pair(input, target, reduction, "mse_loss");
  const auto f = [](auto x, auto t, auto, auto, auto) { return (x - t) * (x - t); };
  return reduce_elementwise(map_loss<0>(in.dtype, {in.input, in.target}, f), reduction);
}

Tensor mse_loss_backward(const Tensor& grad, const Tensor& input, const Tensor& target, Reduction reduction) {
  constexpr const char* op = "mse_loss_backward";
  const Pair in = regression_pair(input, target, reduction, op);
  const auto f = [](auto x, auto t, auto, auto) { return decltype(x)(2) * (x - t); };
  return map_times_upstream<0>({in.input, in.target}, grad, reduction, in.dtype, op, f).to(input.dtype());
}

Tensor kernels::l1_loss(const Tensor& input, const Tensor& target, Reduction reduction) {
  const Pair in = regression_pair(input, target, reduction, "l1_loss");
  const auto f = [](auto x, auto t, auto, auto, auto) { return std::fabs(x - t); };
  return reduce_elementwise(map_loss<0>(in.dtype, {in.input, in.target}, f), reduction);
}

Tensor l1_loss_backward(const Tensor& grad, const Tensor& input, const Tensor& target, Reduction reduction) {
  constexpr const char* op = "l1_loss_backward";
  const Pair in = regression_pair(input, target, reduction, op);
  const auto f = [](auto x, auto t, auto, auto) { return sign_of(x - t); };
  return map_times_upstream<0>({in.input, in.target}, grad, reduction, in.dtype, op, f).to(input.dtype());
}

Tensor kernels::smooth_l1_loss(const Tensor& input, const Tensor& target, Reduction reduction, double beta) {
  const Pair in = regression_pair(input, target, reduction, "smooth_l1_loss");
  check_beta(beta, "smooth_l1_loss");
  // beta == 0: |d| < 0 never holds, so this is l1_loss without a division by 0.
  const auto f = [beta](auto x, auto t, auto, auto, auto) {
    using C = decltype(x);
    const C d = std::fabs(x - t), b = C(beta);
    return d < b ? C(0.5) * d * d / b : d - C(0.5) * b;
  };
  return reduce_elementwise(map_loss<0>(in.dtype, {in.input, in.target}, f), reduction);
}

Tensor smooth_l1_loss_backward(const Tensor& grad, const Tensor& input, const Tensor& target, Reduction reduction,
                               double beta) {
  constexpr const char* op = "smooth_l1_loss_backward";
  const Pair in = regression_pair(input, target, reduction, op);
  check_beta(beta, op);
  const auto f = [beta](auto x, auto t, auto, auto) {
    using C = decltype(x);
    const C d = x - t, b = C(beta);
    return std::fabs(d) < b ? d / b : sign_of(d);
  };
  return map_times_upstream<0>({in.input, in.target}, grad, reduction, in.dtype, op, f).to(input.dtype());
}

Tensor kernels::binary_cross_entropy(const Tensor& input, const Tensor& target, const Tensor& weight,
                                     Reduction reduction) {
  const Operands ops = bce_operands(input, target, weight, reduction, "binary_cross_entropy");
  const auto f = [](auto x, auto t, auto w, auto, auto) {
    using C = decltype(x);
    return w * ((t - C(1)) * clamped_log(C(1) - x) - t * clamped_log(x));
  };
  return reduce_elementwise(map_loss<kOptWeight>(input.dtype(), ops, f), reduction);
}

Tensor binary_cross_entropy_backward(const Tensor& grad, const Tensor& input, const Tensor& target,
                                     const Tensor& weight, Reduction reduction) {
  constexpr const char* op = "binary_cross_entropy_backward";
  return map_times_upstream<kOptWeight>(
      bce_operands(input, target, weight, reduction, op), grad, reduction, input.dtype(), op,
      [](auto x, auto t, auto w, auto) {
        using C = decltype(x);
        return w * ((C(1) - t) * clamped_log_derivative(C(1) - x) - t * clamped_log_derivative(x));
      });
}

Tensor binary_cross_entropy_target_backward(const Tensor& grad, const Tensor& input, const Tensor& target,
                                            const Tensor& weight, Reduction reduction) {
  constexpr const char* op = "binary_cross_entropy_target_backward";
  return map_times_upstream<kOptWeight>(bce_operands(input, target, weight, reduction, op), grad, reduction,
                                        input.dtype(), op, [](auto x, auto, auto w, auto) {
                                          using C = decltype(x);
                                          return w * (clamped_log(C(1) - x) - clamped_log(x));
                                        });
}

Tensor kernels::binary_cross_entropy_with_logits(const Tensor& input, const Tensor& target, const Tensor& weight,
                                                 Reduction reduction, const Tensor& pos_weight) {
  const Operands ops =
      bce_logits_operands(input, target, weight, pos_weight, reduction, "binary_cross_entropy_with_logits");
  // (1 - t) x + (1 + (p - 1) t) softplus(-x); without pos_weight (p = 1) this is
  // max(x, 0) - x t + log1p(exp(-|x|)).
  const auto f = [](auto x, auto t, auto w, auto p, auto) {
    using C = decltype(x);
    return w * ((C(1) - t) * x + (C(1) + (p - C(1)) * t) * softplus_neg(x));
  };
  return reduce_elementwise(map_loss<kOptWeight | kOptPosWeight>(ops[kInput].dtype(), ops, f), reduction);
}

Tensor binary_cross_entropy_with_logits_backward(const Tensor& grad, const Tensor& input, const Tensor& target,
                                                 const Tensor& weight, Reduction reduction, const Tensor& pos_weight) {
  constexpr const char* op = "binary_cross_entropy_with_logits_backward";
  const Operands ops = bce_logits_operands(input, target, weight, pos_weight, reduction, op);
  return map_times_upstream<kOptWeight | kOptPosWeight>(ops, grad, reduction, ops[kInput].dtype(), op,
                                                        [](auto x, auto t, auto w, auto p) {
                                                          using C = decltype(x);
                                                          return w *
                                                                 ((C(1) + (p - C(1)) * t) * stable_sigmoid(x) - p * t);
                                                        })
      .to(input.dtype());
}

Tensor binary_cross_entropy_with_logits_target_backward(const Tensor& grad, const Tensor& input, const Tensor& target,
                                                        const Tensor& weight, Reduction reduction,
                                                        const Tensor& pos_weight) {
  constexpr const char* op = "binary_cross_entropy_with_logits_target_backward";
  const Operands ops = bce_logits_operands(input, target, weight, pos_weight, reduction, op);
  return map_times_upstream<kOptWeight | kOptPosWeight>(ops, grad, reduction, ops[kInput].dtype(), op,
                                                        [](auto x, auto, auto w, auto p) {
                                                          using C = decltype(x);
                                                          return w * ((p - C(1)) * softplus_neg(x) - x);
                                                        })
      .to(target.dtype());
}

// ---- class-index losses ----

Tensor kernels::cross_entropy(const Tensor& input, const Tensor& target, const Tensor& weight,
                              std::int64_t ignore_index, Reduction reduction, double label_smoothing) {
  constexpr const char* op = "cross_entropy";
  const ClassLoss L = class_loss(input, target, weight, ignore_index, reduction, op);
  check_label_smoothing(label_smoothing, op);
  Tensor loss = detail::allocate(L.target.shape(), input.dtype(), "cross_entropy");
  detail::dispatch_floating(
      input.dtype(), [&]<class T>() { cross_entropy_positions<T>(L, ignore_index, label_smoothing, loss.data<T>()); });
  return reduce_class_loss(loss, reduction, L.denominator);
}

Tensor cross_entropy_backward(const Tensor& grad, const Tensor& logits, const Tensor& target, const Tensor& weight,
                              std::int64_t ignore_index, Reduction reduction, double label_smoothing) {
  constexpr const char* op = "cross_entropy_backward";
  const ClassLoss L = class_loss(logits, target, weight, ignore_index, reduction, op);
  check_label_smoothing(label_smoothing, op);
  const std::pair<Tensor, double> upstream = class_upstream(grad, L, reduction, op);  // captured: no binding
  const Tensor& g = upstream.first;
  const double scale = upstream.second;
  Tensor out = detail::allocate(logits.shape(), logits.dtype(), "cross_entropy_backward");
  detail::dispatch_floating(logits.dtype(), [&]<class T>() {
    cross_entropy_grad_positions<T>(L, ignore_index, label_smoothing, g.defined() ? g.data<T>() : nullptr, scale,
                                    out.data<T>());
  });
  return out;
}

Tensor kernels::nll_loss(const Tensor& input, const Tensor& target, const Tensor& weight, std::int64_t ignore_index,
                         Reduction reduction) {
  const ClassLoss L = class_loss(input, target, weight, ignore_index, reduction, "nll_loss");
  Tensor loss = detail::allocate(L.target.shape(), input.dtype(), "nll_loss");
  detail::dispatch_floating(input.dtype(), [&]<class T>() {
    using C = compute_t<T>;
    const ClassData<T> d(L, 0.0);
    T* out = loss.data<T>();
    for_positions(L, [&](std::int64_t p, std::int64_t o, std::int64_t i) {
      const std::int64_t y = d.y[p];
      out[p] = y == ignore_index ? T(0)
                                 : detail::convert<T>(-d.w[static_cast<std::size_t>(y)] *
                                                      static_cast<C>(d.x[(o * L.classes + y) * L.inner + i]));
    });
  });
  return reduce_class_loss(loss, reduction, L.denominator);
}

Tensor nll_loss_backward(const Tensor& grad, const Tensor& log_probs, const Tensor& target, const Tensor& weight,
                         std::int64_t ignore_index, Reduction reduction) {
  constexpr const char* op = "nll_loss_backward";
  const ClassLoss L = class_loss(log_probs, target, weight, ignore_index, reduction, op);
  const std::pair<Tensor, double> upstream = class_upstream(grad, L, reduction, op);  // captured: no binding
  const Tensor& g = upstream.first;
  const double scale = upstream.second;
  Tensor out = zeros(log_probs.shape(), log_probs.dtype());
  detail::dispatch_floating(log_probs.dtype(), [&]<class T>() {
    using C = compute_t<T>;
    const ClassData<T> d(L, 0.0);
    const T* gp = g.defined() ? g.data<T>() : nullptr;
    T* result = out.data<T>();
    for_positions(L, [&](std::int64_t p, std::int64_t o, std::int64_t i) {
      const std::int64_t y = d.y[p];
      if (y == ignore_index) return;
      const C gv = static_cast<C>(scale) * (gp ? static_cast<C>(gp[p]) : C(1));
      result[(o * L.classes + y) * L.inner + i] = detail::convert<T>(-d.w[static_cast<std::size_t>(y)] * gv);
    });
  });
  return out;
}

}  // namespace ex
