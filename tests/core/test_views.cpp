// The Tensor member views (core/src/tensor.cpp): aliasing, strides, offsets, copies.
#include "test_util.hpp"

namespace {

Tensor iota(const Shape& shape, DType dtype = DType::Float32) {
  return ex::arange(0.0, static_cast<double>(shape.numel()), 1.0, DType::Float64).reshape(shape).to(dtype);
}

bool shares(const Tensor& a, const Tensor& b) { return a.storage().get() == b.storage().get(); }

// The element of t at a multi-index, through t's strides and offset.
float& at(const Tensor& t, std::initializer_list<std::int64_t> index) {
  std::int64_t off = 0, d = 0;
  for (std::int64_t i : index) off += i * t.stride(d++);
  return t.data<float>()[off];
}

}  // namespace

TEST_CASE("views alias storage: writes through a view show in the base and back") {
  Tensor base = iota({2, 3});
  Tensor tr = base.transpose(0, 1);
  CHECK(shares(tr, base));
  CHECK_FALSE(tr.is_same(base));
  at(tr, {2, 1}) = 50.0f;  // tr[2][1] is base[1][2]
  check_values(base, {2, 3}, {0, 1, 2, 3, 4, 50});
  at(base, {0, 1}) = -1.0f;
  CHECK(at(tr, {1, 0}) == -1.0f);
  Tensor sl = base.slice(1, 1, 3);
  ex::detail::copy_convert(ex::full({2, 2}, 9.0), sl);
  check_values(base, {2, 3}, {0, 9, 9, 3, 9, 9});
  // Views of views keep aliasing.
  Tensor chain = base.unsqueeze(0).permute({2, 0, 1}).squeeze(1).slice(0, 2, 3);  // [1, 2]: column 2
  at(chain, {0, 0}) = 7.0f;
  CHECK(at(base, {0, 2}) == 7.0f);
  CHECK(shares(chain, base));
}

TEST_CASE("strides and offsets after permute, slice, expand, unsqueeze") {
  Tensor t = iota({2, 3, 4});
  CHECK(t.strides() == Shape{12, 4, 1});
  CHECK(t.permute({2, 0, 1}).strides() == Shape{1, 12, 4});
  CHECK(t.permute({-1, -2, -3}).shape() == Shape{4, 3, 2});
  Tensor s = t.slice(2, 1, 4, 2);  // k = 1, 3
  CHECK(s.shape() == Shape{2, 3, 2});
  CHECK(s.strides() == Shape{12, 4, 2});
  CHECK(s.storage_offset() == 1);
  Tensor s2 = s.slice(0, 1, 2).slice(1, 2, 3);  // t[1][2][1, 3]
  CHECK(s2.storage_offset() == 12 + 8 + 1);
  check_values(s2, {1, 1, 2}, {21, 23});
  Tensor e = ex::tensor<float>({1, 2}, {2, 1}).expand({3, 2, 4});
  CHECK(e.strides() == Shape{0, 1, 0});
  check_values(e.slice(0, 0, 1), {1, 2, 4}, {1, 1, 1, 1, 2, 2, 2, 2});
  CHECK(t.unsqueeze(1).strides() == Shape{12, 12, 4, 1});
  CHECK(t.unsqueeze(3).strides() == Shape{12, 4, 1, 1});
  CHECK(t.stride(-1) == 1);
  CHECK(t.size(-3) == 2);
  CHECK_THROWS_WITH_AS(t.stride(3), doctest::Contains("stride:"), ex::Error);
  CHECK_THROWS_WITH_AS(t.size(-4), doctest::Contains("size:"), ex::Error);
}

TEST_CASE("contiguous() of every view kind gives row-major values") {
  Tensor t = iota({2, 3});
  CHECK(t.contiguous().is_same(t));  // already contiguous: no copy
  struct Case {
    const char* name;
    Tensor view;
    Shape shape;
    std::vector<double> values;
  };
  const std::vector<Case> cases = {
      {"transpose", t.transpose(0, 1), {3, 2}, {0, 3, 1, 4, 2, 5}},
      {"permute", t.unsqueeze(0).permute({2, 0, 1}), {3, 1, 2}, {0, 3, 1, 4, 2, 5}},
      {"slice step", t.slice(1, 0, 3, 2), {2, 2}, {0, 2, 3, 5}},
      {"slice rows", t.slice(0, 1, 2), {1, 3}, {3, 4, 5}},
      {"expand", t.slice(1, 1, 2).expand({2, 3}), {2, 3}, {1, 1, 1, 4, 4, 4}},
      {"broadcast_to", t.slice(0, 0, 1).broadcast_to({2, 2, 3}), {2, 2, 3}, {0, 1, 2, 0, 1, 2, 0, 1, 2, 0, 1, 2}},
      {"squeeze", t.slice(1, 2, 3).squeeze(), {2}, {2, 5}},
      {"unsqueeze", t.transpose(0, 1).unsqueeze(1), {3, 1, 2}, {0, 3, 1, 4, 2, 5}},
      {"flatten", t.transpose(0, 1).flatten(), {6}, {0, 3, 1, 4, 2, 5}},
      {"view", t.view({3, 2}), {3, 2}, {0, 1, 2, 3, 4, 5}},
  };
  for (const Case& c : cases) {
    INFO(c.name);
    Tensor cont = c.view.contiguous();
    CHECK(cont.is_contiguous());
    CHECK(cont.strides() == ex::contiguous_strides(c.shape));
    check_values(cont, c.shape, c.values);
    if (c.view.is_contiguous())
      CHECK(cont.is_same(c.view));
    else
      CHECK_FALSE(shares(cont, t));
  }
}

TEST_CASE("reshape views contiguous data and copies non-contiguous data") {
  Tensor t = iota({2, 3, 4});
  Tensor v = t.reshape({6, 4});
  CHECK(v.storage().get() == t.storage().get());
  CHECK(t.slice(0, 1, 2).reshape({3, 4}).storage().get() == t.storage().get());  // rows stay contiguous
  Tensor tr = t.transpose(1, 2);                                                 // [2, 4, 3]
  Tensor c = tr.reshape({2, 12});
  CHECK(c.storage().get() != t.storage().get());
  check_values(c.slice(0, 0, 1), {1, 12}, {0, 4, 8, 1, 5, 9, 2, 6, 10, 3, 7, 11});
  // Splitting a transposed axis needs no copy: strides keep the layout.
  Tensor split = tr.reshape({2, 2, 2, 3});
  CHECK(split.storage().get() == t.storage().get());
  CHECK(split.strides() == Shape{12, 2, 1, 4});
  // A copy does not alias: writes to it leave t alone.
  at(c, {0, 0}) = 100.0f;
  CHECK(at(t, {0, 0, 0}) == 0.0f);
}

TEST_CASE("view throws for strides it cannot express, and for bad shapes") {
  Tensor t = iota({2, 3});
  CHECK_THROWS_WITH_AS(t.transpose(0, 1).view({6}), doctest::Contains("view: cannot view"), ex::Error);
  CHECK_THROWS_WITH_AS(t.slice(1, 0, 2).view({4}), doctest::Contains("use reshape"), ex::Error);
  CHECK_THROWS_WITH_AS(t.view({4, 2}), doctest::Contains("view: shape [4, 2] is invalid"), ex::Error);
  CHECK_THROWS_WITH_AS(t.view({-1, -1}), doctest::Contains("view: only one dimension"), ex::Error);
  CHECK_THROWS_WITH_AS(t.view({-3, 2}), doctest::Contains("view: invalid dimension"), ex::Error);
  check_values(t.transpose(0, 1).view({3, 1, 2}), {3, 1, 2}, {0, 3, 1, 4, 2, 5});
  check_values(t.view({-1}), {6}, {0, 1, 2, 3, 4, 5});
  check_values(t.slice(1, 0, 3, 2).view({2, 2}), {2, 2}, {0, 2, 3, 5});  // no merge needed
  CHECK(t.expand({4, 2, 3}).view({4, 6}).strides() == Shape{0, 1});
}

TEST_CASE("slice: clamping, negative indices, steps") {
  Tensor t = iota({6});
  check_values(t.slice(0, -2, 6), {2}, {4, 5});
  check_values(t.slice(0, -100, -4), {2}, {0, 1});
  check_values(t.slice(0, 4, 100), {2}, {4, 5});
  check_values(t.slice(0, 0, 6, 4), {2}, {0, 4});
  check_values(t.slice(0, 1, -1, 2), {2}, {1, 3});
  check_values(t.slice(0, 4, 1), {0}, {});
  check_values(t.slice(0, 6, 6), {0}, {});
  check_values(t.slice(0, 0, 6, std::numeric_limits<std::int64_t>::max()), {1}, {0});
  CHECK(t.slice(0, 2, 6, 2).strides() == Shape{2});
  CHECK(t.slice(0, 2, 6, 2).storage_offset() == 2);
  CHECK_THROWS_WITH_AS(t.slice(0, 0, 1, 0), doctest::Contains("slice: step must be positive"), ex::Error);
  CHECK_THROWS_WITH_AS(t.slice(0, 0, 1, -1), doctest::Contains("slice:"), ex::Error);
  CHECK_THROWS_WITH_AS(t.slice(1, 0, 1), doctest::Contains("slice: axis 1 is out of range"), ex::Error);
}

TEST_CASE("expand: -1, new leading dims, errors") {
  Tensor t = ex::tensor<float>({1, 2, 3}, {3, 1});
  check_values(t.expand({-1, 2}), {3, 2}, {1, 1, 2, 2, 3, 3});
  CHECK(t.expand({2, 3, 1}).strides() == Shape{0, 1, 1});
  CHECK(t.expand({3, 0}).numel() == 0);
  CHECK_THROWS_WITH_AS(t.expand({3}), doctest::Contains("expand: target shape [3] has fewer dims"), ex::Error);
  CHECK_THROWS_WITH_AS(t.expand({2, 2}), doctest::Contains("expand: shape [3, 1] cannot be broadcast to [2, 2]"),
                       ex::Error);
  CHECK_THROWS_WITH_AS(t.expand({-1, 3, 1}), doctest::Contains("expand: new leading dim -1"), ex::Error);
  CHECK_THROWS_WITH_AS(t.expand({3, -5}), doctest::Contains("expand:"), ex::Error);
  CHECK_THROWS_WITH_AS(t.expand({std::int64_t{1} << 40, std::int64_t{1} << 40, 3, 1}), doctest::Contains("expand:"),
                       ex::Error);
  CHECK_THROWS_WITH_AS(t.broadcast_to({2, 2}), doctest::Contains("broadcast_to:"), ex::Error);
}

TEST_CASE("flatten ranges") {
  Tensor t = iota({2, 3, 4, 5});
  CHECK(t.flatten().shape() == Shape{120});
  CHECK(t.flatten(1, 2).shape() == Shape{2, 12, 5});
  CHECK(t.flatten(-3, -2).shape() == Shape{2, 12, 5});
  CHECK(t.flatten(2).shape() == Shape{2, 3, 20});
  CHECK(t.flatten(3, 3).shape() == Shape{2, 3, 4, 5});
  CHECK(shares(t.flatten(1, 2), t));
  Tensor nc = t.transpose(0, 3);       // [5, 3, 4, 2]
  CHECK(shares(nc.flatten(1, 2), t));  // axes 1, 2 are still adjacent in memory
  CHECK_FALSE(shares(nc.flatten(), t));
  CHECK_THROWS_WITH_AS(t.flatten(2, 1), doctest::Contains("flatten: start axis 2 comes after end axis 1"), ex::Error);
  CHECK_THROWS_WITH_AS(t.flatten(4), doctest::Contains("flatten:"), ex::Error);
}

TEST_CASE("squeeze and unsqueeze with negative axes") {
  Tensor t = iota({1, 2, 1, 3});
  CHECK(t.squeeze().shape() == Shape{2, 3});
  CHECK(t.squeeze(-2).shape() == Shape{1, 2, 3});
  CHECK(t.squeeze(-4).shape() == Shape{2, 1, 3});
  CHECK(t.squeeze(-1).shape() == Shape{1, 2, 1, 3});
  CHECK(t.unsqueeze(-1).shape() == Shape{1, 2, 1, 3, 1});
  CHECK(t.unsqueeze(-5).shape() == Shape{1, 1, 2, 1, 3});
  CHECK(t.unsqueeze(-2).shape() == Shape{1, 2, 1, 1, 3});
  check_values(t.squeeze().unsqueeze(-1), {2, 3, 1}, {0, 1, 2, 3, 4, 5});
  CHECK_THROWS_WITH_AS(t.squeeze(-5), doctest::Contains("squeeze: axis -5 is out of range"), ex::Error);
  CHECK_THROWS_WITH_AS(t.unsqueeze(-6), doctest::Contains("unsqueeze:"), ex::Error);
  CHECK_THROWS_WITH_AS(t.unsqueeze(5), doctest::Contains("unsqueeze:"), ex::Error);
}

TEST_CASE("rank-0 tensors through every view") {
  Tensor s = ex::scalar_tensor(3.0);
  for (const Tensor& v : {s.view({}), s.reshape({}), s.transpose(0, -1), s.permute({}), s.squeeze(), s.squeeze(0),
                          s.squeeze(-1), s.expand({}), s.contiguous()}) {
    CHECK(v.shape() == Shape{});
    CHECK(v.item<double>() == 3.0);
    CHECK(shares(v, s));
  }
  CHECK_FALSE(s.transpose(0, 0).is_same(s));  // a new view, not the same handle
  CHECK_FALSE(s.squeeze(0).is_same(s));
  check_values(s.view({1, 1}), {1, 1}, {3});
  check_values(s.reshape({-1}), {1}, {3});
  check_values(s.unsqueeze(0), {1}, {3});
  check_values(s.unsqueeze(-1), {1}, {3});
  check_values(s.flatten(), {1}, {3});
  check_values(s.expand({2, 2}), {2, 2}, {3, 3, 3, 3});
  CHECK(s.expand({2, 2}).strides() == Shape{0, 0});
  CHECK_THROWS_WITH_AS(s.slice(0, 0, 1), doctest::Contains("slice:"), ex::Error);
  CHECK_THROWS_WITH_AS(s.transpose(0, 1), doctest::Contains("transpose:"), ex::Error);
  CHECK_THROWS_WITH_AS(s.unsqueeze(1), doctest::Contains("unsqueeze:"), ex::Error);
  CHECK_THROWS_WITH_AS(s.permute({0}), doctest::Contains("permute:"), ex::Error);
  CHECK_THROWS_WITH_AS(s.view({2}), doctest::Contains("view:"), ex::Error);
}

TEST_CASE("zero-size tensors through every view") {
  Tensor z = ex::zeros({2, 0, 3});
  CHECK(z.is_contiguous());
  CHECK(z.view({0, 3}).shape() == Shape{0, 3});
  CHECK(z.view({-1}).shape() == Shape{0});
  CHECK(z.reshape({3, 0, 7}).shape() == Shape{3, 0, 7});
  CHECK(z.transpose(0, 2).shape() == Shape{3, 0, 2});
  CHECK(z.transpose(0, 2).view({0}).shape() == Shape{0});
  CHECK(z.permute({1, 2, 0}).shape() == Shape{0, 3, 2});
  CHECK(z.squeeze().shape() == Shape{2, 0, 3});
  CHECK(z.unsqueeze(1).shape() == Shape{2, 1, 0, 3});
  CHECK(z.slice(0, 1, 2).shape() == Shape{1, 0, 3});
  CHECK(z.slice(1, 0, 5).shape() == Shape{2, 0, 3});
  CHECK(z.slice(2, 3, 3).shape() == Shape{2, 0, 0});
  CHECK(z.expand({4, 2, 0, 3}).shape() == Shape{4, 2, 0, 3});
  CHECK(z.flatten(0, 1).shape() == Shape{0, 3});
  CHECK(z.flatten().shape() == Shape{0});
  CHECK(z.transpose(0, 1).contiguous().shape() == Shape{0, 2, 3});
  CHECK(z.transpose(0, 1).contiguous().to_vector<float>().empty());
  CHECK_THROWS_WITH_AS(z.view({-1, 0}), doctest::Contains("view:"), ex::Error);
  // A slice that empties an axis keeps the base offset (nothing is reachable).
  Tensor t = iota({4});
  CHECK(t.slice(0, 3, 3).storage_offset() == 0);
}

TEST_CASE("views of half and bool tensors keep dtype and values") {
  Tensor h = iota({2, 2}, DType::Float16);
  CHECK(h.transpose(0, 1).dtype() == DType::Float16);
  check_values(h.transpose(0, 1).contiguous(), {2, 2}, {0, 2, 1, 3});
  Tensor b = ex::tensor<bool>({true, false, false, true}, {2, 2});
  check_values(b.permute({1, 0}).reshape({4}), {4}, {1, 0, 0, 1});
  check_values(b.slice(1, 1, 2).expand({2, 3}), {2, 3}, {0, 0, 0, 1, 1, 1});
}
