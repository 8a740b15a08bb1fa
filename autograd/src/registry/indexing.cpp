// Registry entries of indexing: basic indexing records as the view ops it is made of;
// advanced indexing records one "index" node (linear: its backward scatters the gradient
// back, and that backward's derivative is index again); index_put_ records in place,
// its gradients written with index and index_put_ themselves, so they differentiate again.

#include "extensor/autograd/ops/indexing.hpp"

#include <memory>

#include "autograd/src/registry/entry.hpp"
#include "common/check.hpp"
#include "core/src/convert.hpp"
#include "core/src/kernels/elementwise.hpp"
#include "core/src/kernels/indexing.hpp"

namespace ex {

namespace {

using Plan = std::shared_ptr<const kernels::IndexPlan>;

Plan plan_of(const Tensor& x, const std::vector<TensorIndex>& indices, const char* fn) {
  return std::make_shared<const kernels::IndexPlan>(kernels::plan_index(x.shape(), indices, fn));
}

// x indexed by a plan made for its shape.
Tensor index_with(const Tensor& x, const Plan& plan) {
  // The view steps record through Tensor's view members when x requires grad.
  if (!plan->advanced()) return kernels::apply_view_steps(x, *plan);
  const auto run = [&] { return kernels::gather(kernels::apply_view_steps(x, *plan), *plan, "index"); };
  if (!should_record(x)) return run();
  return record(entry<"index">, {x}, no_grad(run), [plan, shape = x.shape()](const Tensor& g) {
    return linear_backward(
        entry<"index">, g, [&] { return kernels::index_backward(g, shape, *plan, "index_backward"); },
        [plan](const TensorList& up) { return index_with(up[0], plan); });
  });
}

// The write itself, with recording off.
void write(const Tensor& x, const kernels::IndexPlan& plan, const Tensor& value, bool accumulate) {
  const Tensor basic = kernels::apply_view_steps(x, plan);
  if (plan.advanced()) {
    kernels::put(basic, plan, value, accumulate, "index_put_");
  } else {
    ex::detail::check_no_internal_overlap("index_put_", basic);
    const Tensor v = kernels::value_for(value, basic.shape(), "index_put_");
    if (accumulate)
      kernels::add_(basic, v);
    else
      kernels::copy_(basic, v);
  }
  x.storage()->bump_version();
}

Tensor index_put_with(const Tensor& x, const Plan& plan, const Tensor& value, bool accumulate) {
  const Tensor v = kernels::value_for(value, plan->result_shape, "index_put_");  // validates before writing
  if (!should_record(x, value)) {
    write(x, *plan, value, accumulate);
    return x;
  }
  check_inplace(x, entry<"index_put_">);
  no_grad([&] { write(x, *plan, value, accumulate); });
  return record_inplace(entry<"index_put_">, {x, value}, x,
                        [plan, accumulate, value_shape = value.shape(), broadcast_shape = v.shape()](
                            const Tensor& g, const NeedsGrad& needs) {
                          Tensor gx, gv;
                          if (needs[0])
                            gx = accumulate ? g : index_put_with(clone(g), plan, zeros({}, g.dtype()), false);
                          if (needs[1]) gv = reshape(sum_to(index_with(g, plan), broadcast_shape), value_shape);
                          return std::pair{gx, gv};
                        });
}

}  // namespace

Tensor index(const Tensor& x, const std::vector<TensorIndex>& indices) {
  ex::detail::defined("index", x);
  return index_with(x, plan_of(x, indices, "index"));
}

Tensor index_put_(const Tensor& x, const std::vector<TensorIndex>& indices, const Tensor& value, bool accumulate) {
  ex::detail::defined("index_put_", x, "self");
  ex::detail::defined("index_put_", value, "value");
  const Plan plan = plan_of(x, indices, "index_put_");
  if ((plan->advanced() || accumulate) && value.dtype() != x.dtype())
    ex::detail::fail("index_put_: value has dtype {} but self has dtype {}; they must match (convert value with to())",
                     value.dtype(), x.dtype());
  return index_put_with(x, plan, value, accumulate);
}

Tensor index_put_(const Tensor& x, const std::vector<TensorIndex>& indices, const Scalar& value) {
  ex::detail::defined("index_put_", x, "self");
  Tensor v = ex::detail::allocate(Shape{}, x.dtype(), "index_put_");
  dispatch(x.dtype(), [&]<class T>() { *v.data<T>() = ex::detail::checked_scalar<T>(value, x.dtype(), "index_put_"); });
  return index_put_(x, indices, v);
}

// Tensor's indexing members, declared in core (extensor/core/tensor.hpp).
Tensor Tensor::operator[](std::int64_t i) const { return ex::index(*this, {i}); }
Tensor Tensor::operator[](const Tensor& index) const { return ex::index(*this, {index}); }
Tensor Tensor::index(const std::vector<TensorIndex>& indices) const { return ex::index(*this, indices); }
Tensor Tensor::index_put_(const std::vector<TensorIndex>& indices, const Tensor& value) const {
  return ex::index_put_(*this, indices, value);
}
Tensor Tensor::index_put_(const std::vector<TensorIndex>& indices, const Scalar& value) const {
  return ex::index_put_(*this, indices, value);
}

}  // namespace ex
