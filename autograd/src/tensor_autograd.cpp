// Tensor's autograd members, and the hooks through which Tensor's view members record.

#include <fmt/format.h>

#include "autograd/src/record.hpp"
#include "common/check.hpp"
#include "core/src/kernels/forward.hpp"
#include "core/src/tensor_hooks.hpp"
#include "extensor/autograd/engine.hpp"
#include "extensor/autograd/ops/shape.hpp"
#include "extensor/core/kernels/arithmetic.hpp"

namespace ex {

namespace autograd::detail {

namespace {

// Each hook records only when grad mode is on and the tensor requires grad; otherwise it
// returns an undefined Tensor and the member does the plain operation.
class RecordingTensorMethods final : public ex::detail::TensorMethodHooks {
 public:
  Tensor view(const Tensor& t, const Shape& s) const override { return should_record(t) ? ex::view(t, s) : Tensor(); }
  Tensor reshape(const Tensor& t, const Shape& s) const override {
    return should_record(t) ? ex::reshape(t, s) : Tensor();
  }
  Tensor transpose(const Tensor& t, std::int64_t a, std::int64_t b) const override {
    return should_record(t) ? ex::transpose(t, a, b) : Tensor();
  }
  Tensor permute(const Tensor& t, const std::vector<std::int64_t>& dims) const override {
    return should_record(t) ? ex::permute(t, dims) : Tensor();
  }
  Tensor squeeze(const Tensor& t) const override { return should_record(t) ? ex::squeeze(t) : Tensor(); }
  Tensor squeeze(const Tensor& t, std::int64_t axis) const override {
    return should_record(t) ? ex::squeeze(t, axis) : Tensor();
  }
  Tensor unsqueeze(const Tensor& t, std::int64_t axis) const override {
    return should_record(t) ? ex::unsqueeze(t, axis) : Tensor();
  }
  Tensor slice(const Tensor& t, std::int64_t axis, std::int64_t start, std::int64_t stop,
               std::int64_t step) const override {
    return should_record(t) ? ex::slice(t, axis, start, stop, step) : Tensor();
  }
  Tensor expand(const Tensor& t, const Shape& s) const override {
    return should_record(t) ? ex::expand(t, s) : Tensor();
  }
  Tensor broadcast_to(const Tensor& t, const Shape& s) const override {
    return should_record(t) ? ex::broadcast_to(t, s) : Tensor();
  }
  Tensor flatten(const Tensor& t, std::int64_t start, std::int64_t end) const override {
    return should_record(t) ? ex::flatten(t, start, end) : Tensor();
  }
  Tensor clone(const Tensor& t) const override { return should_record(t) ? ex::clone(t) : Tensor(); }
  Tensor to(const Tensor& t, DType dtype) const override { return should_record(t) ? ex::to(t, dtype) : Tensor(); }
};

}  // namespace

AutogradMeta& ensure_meta(const Tensor& t) {
  // Installed here because a tensor only gets autograd state through this function.
  static const bool installed = [] {
    static const RecordingTensorMethods hooks;
    ex::detail::install_tensor_method_hooks(&hooks);
    return true;
  }();
  (void)installed;
  TensorImpl* impl = t.unsafe_impl();
  if (!impl->autograd_meta) impl->autograd_meta = make_pooled<AutogradMeta>();
  return *impl->autograd_meta;
}

}  // namespace autograd::detail

using autograd::AutogradMeta;
using autograd::detail::ensure_meta;

namespace {
AutogradMeta* meta_of(const Tensor& t) { return t.unsafe_impl()->autograd_meta.get(); }
}  // namespace

bool Tensor::requires_grad() const {
  impl();
  return autograd::detail::requires_grad(*this);
}

const Tensor& Tensor::requires_grad_(bool requires_grad) const {
  AutogradMeta* meta = meta_of(*this);
  if (meta && meta->grad_fn) {
    if (!requires_grad)
      ex::detail::fail(
          "requires_grad_: this tensor (shape {}) is the result of '{}', not a leaf; use detach() to get a tensor "
          "that does not require grad",
          shape().str(), meta->grad_fn->name());
    return *this;
  }
  if (requires_grad && !is_floating(dtype()))
    throw Error(
        fmt::format("requires_grad_: only floating tensors can require grad, got dtype {}", dtype_name(dtype())));
  if (!requires_grad && !meta) return *this;
  ensure_meta(*this).requires_grad = requires_grad;
  return *this;
}

bool Tensor::is_leaf() const {
  const AutogradMeta* meta = meta_of(*this);
  return !meta || !meta->grad_fn;
}

Tensor Tensor::grad() const {
  AutogradMeta* meta = meta_of(*this);
  if (!meta) return Tensor();
  std::lock_guard lock(meta->mutex);
  return meta->grad;
}

void Tensor::set_grad(const Tensor& grad) const {
  if (grad.defined() && (grad.shape() != shape() || grad.dtype() != dtype()))
    ex::detail::fail("set_grad: gradient of shape {} and dtype {} for a tensor of shape {} and dtype {}",
                     grad.shape().str(), dtype_name(grad.dtype()), shape().str(), dtype_name(dtype()));
  if (!grad.defined() && !meta_of(*this)) return;
  AutogradMeta& meta = ensure_meta(*this);
  std::lock_guard lock(meta.mutex);
  meta.grad = grad;
}

void Tensor::retain_grad() const {
  AutogradMeta* meta = meta_of(*this);
  if (!meta || !meta->requires_grad)
    ex::detail::fail("retain_grad: the tensor (shape {}) does not require grad", shape().str());
  if (!meta->grad_fn || meta->retains_grad) return;  // leaves keep their gradient anyway
  meta->retains_grad = true;
  std::weak_ptr<AutogradMeta> weak = impl_ptr()->autograd_meta;
  meta->grad_fn->add_pre_hook(meta->output_nr, [weak](const Tensor& g) {
    if (auto m = weak.lock()) {
      std::lock_guard lock(m->mutex);
      m->grad = m->grad.defined() ? kernels::add(m->grad, g) : g.clone();
    }
    return Tensor();
  });
}

bool Tensor::retains_grad() const {
  const AutogradMeta* meta = meta_of(*this);
  return meta && meta->retains_grad;
}

Tensor Tensor::detach() const {
  const TensorImpl& self = impl();
  auto alias = std::make_shared<TensorImpl>();
  alias->storage = self.storage;
  alias->shape = self.shape;
  alias->strides = self.strides;
  alias->offset = self.offset;
  alias->dtype = self.dtype;
  return Tensor(std::move(alias));
}

std::shared_ptr<autograd::Node> Tensor::grad_fn() const {
  const AutogradMeta* meta = meta_of(*this);
  return meta ? meta->grad_fn : nullptr;
}

std::string Tensor::grad_fn_name() const {
  const AutogradMeta* meta = meta_of(*this);
  return meta && meta->grad_fn ? std::string(meta->grad_fn->name()) : std::string();
}

void Tensor::backward(const Tensor& grad, std::optional<bool> retain_graph, bool create_graph) const {
  autograd::backward({*this}, grad.defined() ? std::vector<Tensor>{grad} : std::vector<Tensor>{},
                     retain_graph.value_or(create_graph), create_graph);
}

std::size_t Tensor::register_hook(std::function<Tensor(const Tensor&)> fn) const {
  AutogradMeta* meta = meta_of(*this);
  if (!meta || !meta->requires_grad)
    ex::detail::fail("register_hook: the tensor (shape {}) does not require grad", shape().str());
  if (meta->grad_fn) return meta->grad_fn->add_pre_hook(meta->output_nr, std::move(fn));
  static std::atomic<std::size_t> next_leaf_handle{1ull << 62};  // disjoint from node hook handles
  const std::size_t handle = next_leaf_handle.fetch_add(1, std::memory_order_relaxed);
  std::lock_guard lock(meta->mutex);
  meta->hooks.emplace_back(handle, std::move(fn));
  return handle;
}

void Tensor::remove_hook(std::size_t handle) const {
  AutogradMeta* meta = meta_of(*this);
  if (!meta) return;
  if (meta->grad_fn) {
    meta->grad_fn->remove_pre_hook(handle);
    return;
  }
  std::lock_guard lock(meta->mutex);
  std::erase_if(meta->hooks, [handle](const auto& h) { return h.first == handle; });
}

}  // namespace ex
