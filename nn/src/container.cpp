// Sequential and the shape modules.

#include "extensor/nn/container.hpp"

#include "common/check.hpp"
#include "extensor/autograd/ops/shape.hpp"
#include "extensor/nn/flatten.hpp"

namespace ex::nn {

ModulePtr SequentialImpl::get(std::int64_t index, const char* fn) const {
  const auto count = static_cast<std::int64_t>(size());
  const std::int64_t i = index < 0 ? index + count : index;
  if (i < 0 || i >= count) detail::fail("{}: index {} is out of range for {} modules", fn, index, count);
  return child_entries()[static_cast<std::size_t>(i)].second;
}

ModulePtr SequentialImpl::operator[](std::int64_t index) const { return get(index, "Sequential::operator[]"); }

void SequentialImpl::throw_wrong_type(const char* fn, std::int64_t index, const Module& module) {
  detail::fail("{}: module {} is a {}, not the requested type", fn, index, module.name());
}

Tensor SequentialImpl::forward(const Tensor& input) {
  Tensor x = input;
  for (std::size_t i = 0; i < forwards_.size(); ++i) x = forwards_[i](*child_entries()[i].second, x);
  return x;
}

std::shared_ptr<Module> SequentialImpl::clone() const {
  // The copy shares the children (and their forwards_) until they are replaced; each
  // clone has its original's class, so forwards_ still fits.
  auto copy = std::make_shared<SequentialImpl>(*this);
  copy->replace_children_with_clones();
  return copy;
}

FlattenImpl::FlattenImpl(std::int64_t start_axis, std::int64_t end_axis)
    : Cloneable("Flatten"), start_axis_(start_axis), end_axis_(end_axis) {}
Tensor FlattenImpl::forward(const Tensor& input) { return flatten(input, start_axis_, end_axis_); }
std::string FlattenImpl::extra_repr() const {
  return fmt::format("start_axis={}, end_axis={}", start_axis_, end_axis_);
}

}  // namespace ex::nn
