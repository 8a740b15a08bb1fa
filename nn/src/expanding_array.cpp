// ExpandingArray: the braced-list constructor and the Python-style repr.

#include "extensor/nn/expanding_array.hpp"

#include <algorithm>

#include "common/check.hpp"

namespace ex::nn {

template <std::size_t D>
ExpandingArray<D>::ExpandingArray(std::initializer_list<std::int64_t> values) {
  if (values.size() != D) detail::fail("ExpandingArray: expected {} values, got {}", D, values.size());
  std::copy(values.begin(), values.end(), values_.begin());
}

template <std::size_t D>
std::string ExpandingArray<D>::repr(bool as_tuple) const {
  if (scalar_ && !as_tuple) return fmt::format("{}", values_[0]);
  return fmt::format("({})", fmt::join(values_, ", "));
}

template class ExpandingArray<2>;
template class ExpandingArray<4>;

}  // namespace ex::nn
