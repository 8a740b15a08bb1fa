// The pointwise engine: runs every definition of pointwise_ops.hpp forward and
// backward, and defines the public raw backward kernels of those ops.

#include "core/src/kernels/pointwise.hpp"

#include <tuple>
#include <type_traits>
#include <utility>

#include "common/check.hpp"
#include "core/src/kernels/elementwise.hpp"
#include "core/src/onednn_eltwise.hpp"
#include "core/src/strided_loop.hpp"
#include "extensor/core/creation.hpp"
#include "extensor/core/kernels/activation.hpp"
#include "extensor/core/kernels/math.hpp"

namespace ex::pointwise {
namespace {

template <class T>
inline constexpr bool is_float_v = std::is_floating_point_v<compute_t<T>> && !std::is_same_v<T, bool>;

dnnl::algorithm onednn_algorithm(OneDnn alg) {
  switch (alg) {
    case OneDnn::Relu:
      return dnnl::algorithm::eltwise_relu;
    case OneDnn::Logistic:
      return dnnl::algorithm::eltwise_logistic;
    case OneDnn::Tanh:
      return dnnl::algorithm::eltwise_tanh;
    case OneDnn::GeluErf:
      return dnnl::algorithm::eltwise_gelu_erf;
    case OneDnn::GeluTanh:
    case OneDnn::None:
      break;
  }
  return dnnl::algorithm::eltwise_gelu_tanh;
}

template <class Op>
void check_param(const char* op, double param) {
  if constexpr (requires { Op::check_param(op, param); }) Op::check_param(op, param);
}

// x defined, of a dtype Op::inputs admits; Op's parameter valid.
template <class Op>
void check_forward(const Tensor& x, double param) {
  detail::defined(Op::name, x);
  if (Op::inputs == Inputs::Floating) detail::floating(Op::name, x);
  if (Op::inputs == Inputs::Numeric && x.dtype() == DType::Bool)
    detail::fail("{}: bool tensors are not supported (shape {})", Op::name, x.shape());
  check_param<Op>(Op::name, param);
}

// grad and v (x, or the output y) of one shape and one dtype, which is floating (or,
// for ops with integer backwards, any but bool).
template <class Op>
void check_backward(const Tensor& grad, const Tensor& v, double param) {
  const char* op = Op::backward_name;
  const char* what = Op::saves == Saves::Output ? "y" : "x";
  detail::matches(op, grad, v, what);
  if (!Op::kIntegerBackward || v.dtype() == DType::Bool) detail::floating(op, v, what);
  check_param<Op>(op, param);
}

// The functor the elementwise engine runs backward: (grad, v) -> Op::derivative.
// kLanewise lets large dense float inputs take its streaming loop.
template <class Op, class C>
struct Derivative {
  static constexpr bool kLanewise = Op::kLanewise;
  C param;
  template <class V>
  V operator()(V g, V v) const {
    return Op::template derivative<C, V>(g, v, param);
  }
};

template <class Op>
void forward_own(const Tensor& x, const Tensor& out, double param) {
  dispatch(x.dtype(), [&]<class In>() {
    if constexpr (is_float_v<In>) {
      using C = compute_t<In>;
      const C p = static_cast<C>(param);
      detail::map_unary<In, In>(
          x, out, [p](In v) { return detail::convert<In>(Op::template forward<C>(static_cast<C>(v), p)); });
    } else if constexpr (Op::inputs == Inputs::ToFloat) {
      detail::map_unary<float, In>(x, out,
                                   [](In v) { return Op::template forward<float>(static_cast<float>(v), 0.f); });
    } else if constexpr (Op::inputs == Inputs::Any || (Op::inputs == Inputs::Numeric && !std::is_same_v<In, bool>)) {
      detail::map_unary<In, In>(x, out, [](In v) { return Op::template forward<In>(v, In(0)); });
    }
    // Floating ops never get here with another dtype: check_forward rejected it.
  });
  detail::onednn::set_own_activation_impl();
}

}  // namespace

template <class Op>
Tensor Pointwise<Op>::forward(const Tensor& x, double param) {
  check_forward<Op>(x, param);
  const DType out_dtype = Op::inputs == Inputs::ToFloat && !is_floating(x.dtype()) ? kDefaultFloat : x.dtype();
  Tensor out = detail::allocate(x.shape(), out_dtype, Op::name);
  if (x.numel() == 0) return out;
  if constexpr (Op::onednn != OneDnn::None) {
    const bool own = Op::kOwnFloat32Forward && x.dtype() == DType::Float32;
    if (!own && out_dtype == x.dtype() && detail::onednn::use_for_activation(x, Op::kCheap) &&
        detail::onednn::eltwise_forward(Op::name, onednn_algorithm(Op::onednn), x, out, static_cast<float>(param)))
      return out;
  }
  forward_own<Op>(x, out, param);
  return out;
}

// Only ops marked kOneDnnBackward (gelu) go to oneDNN backward: the others are a few
// flops per element, memory-bound, where our loop matched or beat oneDNN's (figures in
// BENCHMARKS.md, "Measurements behind the code").
template <class Op>
Tensor Pointwise<Op>::backward(const Tensor& grad, const Tensor& v, double param) {
  check_backward<Op>(grad, v, param);
  if constexpr (Op::saves == Saves::Nothing) {
    return zeros(v.shape(), v.dtype());
  } else {
    Tensor out = detail::allocate(v.shape(), v.dtype(), Op::backward_name);
    if (v.numel() == 0) return out;
    if constexpr (Op::kOneDnnBackward) {
      if (detail::onednn::use_for_activation(v) &&
          detail::onednn::eltwise_backward(Op::backward_name, onednn_algorithm(Op::onednn), grad, v, out,
                                           static_cast<float>(param)))
        return out;
    }
    dispatch(v.dtype(), [&]<class T>() {
      using C = compute_t<T>;
      if constexpr (is_float_v<T> || (Op::kIntegerBackward && !std::is_same_v<T, bool>)) {
        Derivative<Op, C> fn{static_cast<C>(param)};
        detail::binary_run<C, T, T, T>(out, grad.raw_data(), grad.strides(), v.raw_data(), v.strides(), fn);
      }
    });
    detail::onednn::set_own_activation_impl();
    return out;
  }
}

// Instantiates the engine for every op of the list: the table's addresses make the
// compiler emit each forward and backward here, for callers that see only pointwise.hpp.
template <class List>
struct Instantiate;
template <class... Ops>
struct Instantiate<OpList<Ops...>> {
  static constexpr auto table = std::tuple{std::pair{&Pointwise<Ops>::forward, &Pointwise<Ops>::backward}...};
};
template struct Instantiate<PointwiseOps>;

}  // namespace ex::pointwise

namespace ex {

using pointwise::Pointwise;

Tensor relu_backward(const Tensor& grad, const Tensor& x) { return Pointwise<pointwise::Relu>::backward(grad, x); }
Tensor leaky_relu_backward(const Tensor& grad, const Tensor& x, double negative_slope) {
  return Pointwise<pointwise::LeakyRelu>::backward(grad, x, negative_slope);
}
Tensor sigmoid_backward(const Tensor& grad, const Tensor& y) {
  return Pointwise<pointwise::Sigmoid>::backward(grad, y);
}
Tensor tanh_backward(const Tensor& grad, const Tensor& y) { return Pointwise<pointwise::Tanh>::backward(grad, y); }
Tensor gelu_backward(const Tensor& grad, const Tensor& x, std::string_view approximate) {
  return pointwise::gelu_is_tanh("gelu_backward", approximate) ? Pointwise<pointwise::GeluTanh>::backward(grad, x)
                                                               : Pointwise<pointwise::GeluErf>::backward(grad, x);
}
Tensor exp_backward(const Tensor& grad, const Tensor& y) { return Pointwise<pointwise::Exp>::backward(grad, y); }
Tensor log_backward(const Tensor& grad, const Tensor& x) { return Pointwise<pointwise::Log>::backward(grad, x); }
Tensor log2_backward(const Tensor& grad, const Tensor& x) { return Pointwise<pointwise::Log2>::backward(grad, x); }
Tensor log10_backward(const Tensor& grad, const Tensor& x) { return Pointwise<pointwise::Log10>::backward(grad, x); }
Tensor log1p_backward(const Tensor& grad, const Tensor& x) { return Pointwise<pointwise::Log1p>::backward(grad, x); }
Tensor sqrt_backward(const Tensor& grad, const Tensor& y) { return Pointwise<pointwise::Sqrt>::backward(grad, y); }
Tensor sin_backward(const Tensor& grad, const Tensor& x) { return Pointwise<pointwise::Sin>::backward(grad, x); }
Tensor cos_backward(const Tensor& grad, const Tensor& x) { return Pointwise<pointwise::Cos>::backward(grad, x); }
Tensor abs_backward(const Tensor& grad, const Tensor& x) { return Pointwise<pointwise::Abs>::backward(grad, x); }
Tensor sign_backward(const Tensor& grad, const Tensor& x) { return Pointwise<pointwise::Sign>::backward(grad, x); }
Tensor ceil_backward(const Tensor& grad, const Tensor& x) { return Pointwise<pointwise::Ceil>::backward(grad, x); }
Tensor floor_backward(const Tensor& grad, const Tensor& x) { return Pointwise<pointwise::Floor>::backward(grad, x); }
Tensor round_backward(const Tensor& grad, const Tensor& x) { return Pointwise<pointwise::Round>::backward(grad, x); }
Tensor trunc_backward(const Tensor& grad, const Tensor& x) { return Pointwise<pointwise::Trunc>::backward(grad, x); }

}  // namespace ex
