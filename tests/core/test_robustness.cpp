// Robustness: the size limit (2^62 bytes per tensor, views included), where shapes whose
// byte count passes it or overflows throw ex::Error naming the function before anything
// is allocated or computed, and allocations the machine cannot satisfy throw at once;
// empty tensors with huge dims; printing huge views cheaply; undefined tensors named.

#include <doctest/doctest.h>

#include "test_util.hpp"

#include <extensor/extensor.hpp>
#include <string>

namespace {

using ex::test::error_of;

constexpr std::int64_t k31 = std::int64_t{1} << 31;

bool starts_with(const std::string& s, const std::string& prefix) { return s.rfind(prefix, 0) == 0; }

}  // namespace

TEST_CASE("size limit: creation functions refuse shapes whose byte count passes 2^62, naming themselves") {
  // 2^62 float32 elements are 2^64 bytes: the old byte count wrapped to 0.
  const std::string ones = error_of([] { (void)ex::ones({k31, k31}); });
  CHECK(starts_with(ones, "ones: shape [2147483648, 2147483648]"));
  CHECK(ones.find("bytes") != std::string::npos);
  CHECK(starts_with(error_of([] { (void)ex::zeros({std::int64_t{1} << 61}, DType::Float64); }), "zeros:"));
  CHECK(starts_with(error_of([] { (void)ex::empty({std::int64_t{1} << 61}, DType::Float64); }), "empty:"));
  CHECK(starts_with(error_of([] { (void)ex::full({k31, k31}, 1.0); }), "full:"));
  CHECK(starts_with(error_of([] { (void)ex::rand({k31, k31}); }), "rand:"));
  CHECK(starts_with(error_of([] { (void)ex::randn({k31, k31}); }), "randn:"));
  CHECK(starts_with(error_of([] { (void)ex::randint(0, 5, {k31, k31}); }), "randint:"));
  CHECK(starts_with(error_of([] { (void)ex::arange(0.0, 0x1p61, 1.0, DType::Float64); }), "arange:"));
  CHECK(
      starts_with(error_of([] { (void)ex::linspace(0.0, 1.0, std::int64_t{1} << 61, DType::Float64); }), "linspace:"));
  CHECK(starts_with(error_of([] { (void)ex::eye(std::int64_t{1} << 32, std::int64_t{1} << 32); }), "eye:"));
  const Tensor like = ex::zeros({1}).expand({std::int64_t{1} << 30, std::int64_t{1} << 30});
  CHECK(starts_with(error_of([&] { (void)ex::zeros_like(like, DType::Float64); }), "zeros_like:"));
  CHECK(starts_with(error_of([&] { (void)ex::full_like(like, 2.0, DType::Int64); }), "full_like:"));
  // The element count alone is within 2^62; the bytes are not.
  CHECK(starts_with(error_of([] { (void)ex::zeros({std::int64_t{1} << 60}, DType::Float64); }), "zeros:"));
  CHECK(starts_with(error_of([] { (void)ex::zeros({-1, 3}); }), "zeros: shape [-1, 3] has a negative dimension"));
}

TEST_CASE("size limit: a view may not pass it either, so nbytes() is always exact") {
  // Bool: 2^62 elements are exactly 2^62 bytes, at the limit.
  const Tensor at_limit = ex::zeros({1}, DType::Bool).expand({k31, k31});
  CHECK(at_limit.nbytes() == std::size_t{1} << 62);
  CHECK(starts_with(error_of([] { (void)ex::zeros({1}).expand({k31, k31}); }), "expand:"));
  CHECK(starts_with(error_of([] { (void)ex::zeros({1}).broadcast_to({k31, k31}); }), "broadcast_to:"));
  const Tensor one = ex::zeros({1}, DType::Float64);
  CHECK(starts_with(error_of([&] { (void)ex::make_view(one, {k31, k31}, {0, 0}, 0); }), "make_view:"));
  double value = 0;
  CHECK(starts_with(error_of([&] { (void)ex::from_blob(&value, {k31, k31}, {0, 0}, DType::Float64); }), "from_blob:"));
}

TEST_CASE("size limit: an allocation the machine cannot satisfy throws at once, naming the op") {
  // 2^62 bytes: within the limit, far beyond any machine.
  const Tensor huge = ex::zeros({1}, DType::Bool).expand({k31, k31});
  CHECK(starts_with(error_of([&] { (void)huge.contiguous(); }), "contiguous: cannot allocate"));
  CHECK(starts_with(error_of([&] { (void)huge.clone(); }), "clone: cannot allocate"));
  CHECK(starts_with(error_of([&] { (void)huge.to(DType::Int8); }), "to: cannot allocate"));
  CHECK(starts_with(error_of([&] { (void)ex::logical_not(huge); }), "logical_not: cannot allocate"));
  // Columns of a broadcast [2^61, 2] bool view, transposed: flattening it needs a copy.
  const Tensor pairs = ex::zeros({2}, DType::Bool).expand({std::int64_t{1} << 61, 2}).transpose(0, 1);
  CHECK(starts_with(error_of([&] { (void)ex::reshape(pairs, {-1}); }), "reshape: cannot allocate"));
  // A float32 view of 2^60 elements (2^62 bytes): add must allocate as much.
  const Tensor wide = ex::zeros({1}).expand({std::int64_t{1} << 30, std::int64_t{1} << 30});
  CHECK(starts_with(error_of([&] { (void)ex::add(wide, 1.0); }), "add: cannot allocate"));
  CHECK(starts_with(error_of([&] { (void)ex::exp(wide); }), "exp: cannot allocate"));
  CHECK(starts_with(error_of([&] { (void)ex::relu(wide); }), "relu:"));
  CHECK_THROWS_AS(ex::Storage::allocate(std::size_t{1} << 61, "test"), ex::Error);
}

TEST_CASE("size limit: results whose byte count would pass it are refused before any work") {
  const Tensor col = ex::zeros({1, 1}).expand({k31, 1}), row = ex::zeros({1, 1}).expand({1, k31});
  // Broadcasting [2^31, 1] with [1, 2^31]: 2^62 float32 elements.
  CHECK(starts_with(error_of([&] { (void)ex::add(col, row); }), "add: shape [2147483648, 2147483648]"));
  CHECK(starts_with(error_of([&] { (void)ex::multiply(col, row); }), "multiply:"));
  CHECK(starts_with(error_of([&] { (void)ex::less(col, row); }), "less:"));
  CHECK(starts_with(error_of([&] { (void)ex::matmul(col, row); }), "matmul:"));
  const Tensor vec = ex::zeros({1}).expand({k31});
  CHECK(starts_with(error_of([&] { (void)ex::outer(vec, vec); }), "outer:"));
  // Concatenating two views of 2^61 bool elements each along one axis: 2^62 elements
  // at the limit, allocation fails; beyond int64 the sizes themselves overflow.
  const Tensor half = ex::zeros({1}, DType::Bool).expand({std::int64_t{1} << 61});
  CHECK(starts_with(error_of([&] { (void)ex::concatenate({half, half}); }), "concatenate:"));
  const Tensor at_limit = ex::zeros({1}, DType::Bool).expand({std::int64_t{1} << 62});
  CHECK(starts_with(error_of([&] { (void)ex::concatenate({at_limit, at_limit, at_limit}); }), "concatenate:"));
  CHECK(starts_with(error_of([] { (void)ex::nn::Linear(k31, k31); }), "Linear:"));
}

TEST_CASE("size limit: empty tensors may have dims whose product passes it, and ops on them stay empty") {
  const Tensor e = ex::zeros({0, std::int64_t{1} << 40, std::int64_t{1} << 40});
  CHECK(e.numel() == 0);
  CHECK(e.is_contiguous());  // its inner dims multiply past int64 before the check meets the 0
  CHECK(ex::empty({0, 4294967295, 4294967295}).is_contiguous());
  // A stride of 2^40 times a step of 2^30 passes int64; the view is empty anyway.
  const Tensor stepped = ex::empty({std::int64_t{1} << 40, 0, std::int64_t{1} << 40})
                             .slice(0, 0, std::int64_t{1} << 40, std::int64_t{1} << 30);
  CHECK(stepped.shape() == ex::Shape{1024, 0, std::int64_t{1} << 40});
  CHECK(stepped.numel() == 0);
  CHECK(e.nbytes() == 0);
  const Tensor sum = ex::add(e, 1.0);
  CHECK(sum.shape() == e.shape());
  CHECK(ex::multiply(e, e).numel() == 0);
  CHECK(e.to(DType::Int8).numel() == 0);
  CHECK(e.transpose(0, 2).contiguous().numel() == 0);
  CHECK(ex::sum(e, 1).numel() == 0);
  // Reducing the empty dim away leaves 2^80 elements: beyond the limit.
  CHECK(starts_with(error_of([&] { (void)ex::sum(e, 0); }), "sum: shape [1099511627776, 1099511627776]"));
}

TEST_CASE("printing a huge view reads only the elements it shows") {
  // 2^40 float32 elements would be 4 TiB as a copy.
  const Tensor x = ex::arange(0, 4).to(DType::Float32).slice(0, 1, 2).expand({std::int64_t{1} << 40});
  const std::string text = ex::to_string(x);
  CHECK(text.find("[1., 1., 1.,  ..., 1., 1., 1.]") != std::string::npos);
  CHECK(text.find("shape=[1099511627776]") != std::string::npos);
  const Tensor grid = ex::arange(0, 6).to(DType::Float64).view({2, 3}).transpose(0, 1);
  CHECK(ex::to_string(grid) == "tensor([[0., 3.],\n        [1., 4.],\n        [2., 5.]], shape=[3, 2], dtype=float64)");
}

TEST_CASE("undefined tensors: every function names itself and the argument") {
  const Tensor u, x = ex::zeros({2});
  CHECK(error_of([&] { (void)ex::add(u, x); }) ==
        "add: the first operand is an undefined tensor (default-constructed)");
  CHECK(error_of([&] { (void)ex::multiply(x, u); }) ==
        "multiply: the second operand is an undefined tensor (default-constructed)");
  CHECK(starts_with(error_of([&] { (void)ex::less(u, 1); }), "less: the first operand is an undefined tensor"));
  CHECK(starts_with(error_of([&] { (void)ex::clip(u, 0, 1); }), "clip: input is an undefined tensor"));
  CHECK(starts_with(error_of([&] { (void)ex::sin(u); }), "sin: input is an undefined tensor"));
  CHECK(starts_with(error_of([&] { (void)ex::sum(u); }), "sum: input is an undefined tensor"));
  CHECK(starts_with(error_of([&] { (void)ex::sum(u, 0); }), "sum: input is an undefined tensor"));
  CHECK(starts_with(error_of([&] { (void)ex::copy_(x, u); }), "copy_: src is an undefined tensor"));
  CHECK(starts_with(error_of([&] { (void)ex::copy_(u, x); }), "copy_: self is an undefined tensor"));
  CHECK(starts_with(error_of([&] { (void)ex::empty_like(u); }), "empty_like: like is an undefined tensor"));
  CHECK(starts_with(error_of([&] { (void)ex::full_like(u, 1.0); }), "full_like: like is an undefined tensor"));
  CHECK(starts_with(error_of([&] { (void)ex::zeros_like(u, DType::Int8); }), "zeros_like: like is an undefined"));
  // Members name themselves too, accessors included.
  CHECK(starts_with(error_of([&] { (void)u.reshape({2}); }), "Tensor::reshape: the tensor is undefined"));
  CHECK(starts_with(error_of([&] { (void)u.contiguous(); }), "Tensor::contiguous: the tensor is undefined"));
  CHECK(starts_with(error_of([&] { (void)u.shape(); }), "Tensor::shape: the tensor is undefined"));
  CHECK(starts_with(error_of([&] { (void)u.dtype(); }), "Tensor::dtype: the tensor is undefined"));
  CHECK(ex::to_string(u) == "tensor(undefined)");
}
