// Dataset's default batch (stack the examples) and TensorDataset's row gather.
#include "extensor/data/dataset.hpp"

#include <cstring>

#include "common/check.hpp"
#include "core/src/kernels/forward.hpp"
#include "extensor/core/creation.hpp"
#include "extensor/core/kernels/shape.hpp"

namespace ex::data {

using detail::fail;

void Dataset::check_index(std::int64_t index, const char* fn) const {
  const std::int64_t n = size();
  if (index < 0 || index >= n) fail("{}: index {} is out of range for a dataset of size {}", fn, index, n);
}

Example Dataset::get_batch(const std::vector<std::int64_t>& indices) const {
  if (indices.empty()) fail("get_batch: empty list of indices (no example to take the shapes from)");
  // Check every index first so that the error names get_batch, not the subclass's get.
  for (std::int64_t index : indices) check_index(index, "get_batch");
  std::vector<Tensor> data, targets;
  data.reserve(indices.size());
  targets.reserve(indices.size());
  for (std::int64_t index : indices) {
    Example example = get(index);
    data.push_back(std::move(example.data));
    targets.push_back(std::move(example.target));
  }
  try {
    return {kernels::stack(data), kernels::stack(targets)};
  } catch (const Error& e) {
    fail("get_batch: the examples cannot be stacked ({})", e.what());
  }
}

namespace {

// t, contiguous, after checking it can hold examples along axis 0.
Tensor examples_tensor(const Tensor& t, const char* what) {
  if (!t.defined()) fail("TensorDataset: {} is an undefined tensor", what);
  if (t.dim() == 0) fail("TensorDataset: {} must have an example axis 0, got a rank-0 tensor", what);
  return t.contiguous();
}

// Rows `indices` of the contiguous source [N, ...] copied into a new [k, ...] tensor.
Tensor gather_rows(const Tensor& source, const std::vector<std::int64_t>& indices) {
  Shape shape = source.shape();
  shape[0] = static_cast<std::int64_t>(indices.size());
  Tensor out = empty(shape, source.dtype());
  shape[0] = 1;
  const std::size_t row_bytes = static_cast<std::size_t>(shape.numel()) * source.itemsize();
  const char* src = static_cast<const char*>(source.raw_data());
  char* dst = static_cast<char*>(out.raw_data());
  for (std::size_t i = 0; i < indices.size(); ++i)
    std::memcpy(dst + i * row_bytes, src + static_cast<std::size_t>(indices[i]) * row_bytes, row_bytes);
  return out;
}

}  // namespace

TensorDataset::TensorDataset(Tensor data, Tensor targets)
    : data_(examples_tensor(data, "data")), targets_(examples_tensor(targets, "targets")), size_(data_.size(0)) {
  if (targets_.size(0) != size_)
    fail("TensorDataset: data {} and targets {} differ in size along axis 0 ({} != {})", data_.shape(),
         targets_.shape(), size_, targets_.size(0));
}

Example TensorDataset::get(std::int64_t index) const {
  check_index(index, "TensorDataset::get");
  return {data_.slice(0, index, index + 1).squeeze(0), targets_.slice(0, index, index + 1).squeeze(0)};
}

Example TensorDataset::get_batch(const std::vector<std::int64_t>& indices) const {
  for (std::int64_t index : indices) check_index(index, "TensorDataset::get_batch");
  return {gather_rows(data_, indices), gather_rows(targets_, indices)};
}

}  // namespace ex::data
