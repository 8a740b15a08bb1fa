// Sequential and the shape modules.

#include "extensor/nn/container.hpp"

#include "common/check.hpp"
#include "extensor/autograd/ops/shape.hpp"
#include "extensor/nn/flatten.hpp"

namespace ex::nn {

Sequential::Sequential(std::initializer_list<ModulePtr> modules) : Sequential() {
  for (const ModulePtr& module : modules) push_back(module);
}

ModulePtr Sequential::get(std::int64_t index, const char* fn) const {
  const auto count = static_cast<std::int64_t>(size());
  const std::int64_t i = index < 0 ? index + count : index;
  if (i < 0 || i >= count) detail::fail("{}: index {} is out of range for {} modules", fn, index, count);
  return child_entries()[static_cast<std::size_t>(i)].second;
}

ModulePtr Sequential::operator[](std::int64_t index) const { return get(index, "Sequential::operator[]"); }

void Sequential::throw_wrong_type(std::int64_t index, const Module& module) {
  detail::fail("Sequential::at: module {} is a {}, not the requested type", index, module.name());
}

Tensor Sequential::forward(const Tensor& input) {
  Tensor x = input;
  for (const auto& entry : child_entries()) x = (*entry.second)(x);
  return x;
}

Flatten::Flatten(std::int64_t start_axis, std::int64_t end_axis)
    : Module("Flatten"), start_axis_(start_axis), end_axis_(end_axis) {}
Tensor Flatten::forward(const Tensor& input) { return flatten(input, start_axis_, end_axis_); }
std::string Flatten::extra_repr() const { return fmt::format("start_axis={}, end_axis={}", start_axis_, end_axis_); }

}  // namespace ex::nn
