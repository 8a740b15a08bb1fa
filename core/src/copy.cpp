// Copies between layouts and dtypes: contiguous(), clone(), to().
#include "core/src/check.hpp"
#include "core/src/strided_loop.hpp"
#include "extensor/core/tensor.hpp"

namespace ex {

namespace detail {

Tensor empty_unchecked(const Shape& shape, DType dtype) {
  auto impl = std::make_shared<TensorImpl>();
  impl->storage = Storage::allocate(static_cast<std::size_t>(shape.numel()) * ex::itemsize(dtype));
  impl->shape = shape;
  impl->strides = contiguous_strides(shape);
  impl->dtype = dtype;
  return Tensor(std::move(impl));
}

void copy_convert(const Tensor& src, const Tensor& dst) {
  if (!(src.shape() == dst.shape()))
    fail("copy_convert: source shape {} differs from destination shape {}", src.shape(), dst.shape());
  dispatch(src.dtype(), [&]<class In>() {
    dispatch(dst.dtype(), [&]<class Out>() { map_unary<Out, In>(src, dst, [](In v) { return convert<Out>(v); }); });
  });
}

}  // namespace detail

Tensor Tensor::contiguous() const { return is_contiguous() ? *this : clone(); }

Tensor Tensor::clone() const {
  Tensor out = detail::empty_unchecked(shape(), dtype());
  detail::copy_convert(*this, out);
  return out;
}

Tensor Tensor::to(DType dtype_) const {
  if (dtype_ == dtype()) return *this;
  Tensor out = detail::empty_unchecked(shape(), dtype_);
  detail::copy_convert(*this, out);
  return out;
}

}  // namespace ex
