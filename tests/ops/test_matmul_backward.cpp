// matmul_backward, dot_backward, outer_backward: float64 gradchecks for every matmul
// case (vectors, matrices, batch broadcasting both ways, folded and reduced batch sums,
// views, zero-size dims), float32/bfloat16 against float64, integer values, errors.
#include <utility>
#include <vector>

#include "gradcheck.hpp"
#include "test_util.hpp"

namespace {

Tensor rnd(const Shape& shape, std::uint64_t seed, DType dtype = DType::Float64) {
  ex::Generator gen(seed);
  return ex::randn(shape, dtype, gen);
}

std::vector<Tensor> pair_vec(std::pair<Tensor, Tensor> p) { return {std::move(p.first), std::move(p.second)}; }

void check_matmul(const Tensor& a, const Tensor& b) {
  INFO("a " << a.shape() << " strides " << a.strides() << ", b " << b.shape() << " strides " << b.strides());
  ex::test::check_gradients(
      [](const std::vector<Tensor>& in) { return ex::matmul(in[0], in[1]); },
      [](const Tensor& g, const std::vector<Tensor>& in) { return pair_vec(ex::matmul_backward(g, in[0], in[1])); },
      {a, b});
}

}  // namespace

TEST_CASE("matmul_backward: gradcheck of vector and matrix cases") {
  check_matmul(rnd({4}, 1), rnd({4}, 2));        // 1-D @ 1-D
  check_matmul(rnd({3, 4}, 3), rnd({4, 5}, 4));  // 2-D @ 2-D
  check_matmul(rnd({3, 4}, 5), rnd({4}, 6));     // 2-D @ 1-D
  check_matmul(rnd({4}, 7), rnd({4, 5}, 8));     // 1-D @ 2-D
  check_matmul(rnd({1, 1}, 9), rnd({1, 1}, 10));
  check_matmul(rnd({1}, 11), rnd({1, 3}, 12));
}

TEST_CASE("matmul_backward: gradcheck of batched products with broadcast batch dims") {
  check_matmul(rnd({2, 1, 3, 4}, 1), rnd({5, 4, 6}, 2));  // both operands broadcast
  check_matmul(rnd({3, 4}, 3), rnd({2, 4, 5}, 4));        // a broadcast over the batch
  check_matmul(rnd({2, 3, 4}, 5), rnd({4, 5}, 6));        // b broadcast: folds into one product
  check_matmul(rnd({2, 3, 4}, 7), rnd({2, 4, 5}, 8));     // same batch: nothing summed
  check_matmul(rnd({1, 3, 4}, 9), rnd({2, 4, 5}, 10));
  check_matmul(rnd({3, 2, 3, 4}, 11), rnd({3, 1, 4, 2}, 12));  // kept batch dim before a summed one (folds)
  check_matmul(rnd({2, 1, 3, 4}, 13), rnd({1, 2, 4, 2}, 14));
  check_matmul(rnd({2, 3, 4}, 15), rnd({4}, 16));  // batched @ 1-D
  check_matmul(rnd({4}, 17), rnd({2, 4, 5}, 18));  // 1-D @ batched
  // 1-D @ transposed batch: the first operand's batch sum folds (m == 1, b^T mergeable).
  check_matmul(rnd({4}, 19), rnd({2, 5, 4}, 20).transpose(-1, -2));
}

TEST_CASE("matmul_backward: gradcheck of transposed, sliced and strided operands") {
  check_matmul(rnd({4, 3}, 1).transpose(0, 1), rnd({4, 5}, 2));
  check_matmul(rnd({3, 4}, 3), rnd({5, 4}, 4).transpose(0, 1));
  check_matmul(rnd({4, 3}, 5).transpose(0, 1), rnd({5, 4}, 6).transpose(0, 1));
  check_matmul(rnd({3, 8}, 7).slice(1, 1, 8, 2), rnd({4, 10}, 8).slice(1, 0, 10, 2));
  check_matmul(ex::test::noncontiguous(rnd({2, 3, 4}, 9)), ex::test::noncontiguous(rnd({4, 5}, 10)));
  check_matmul(ex::test::noncontiguous(rnd({3, 4}, 11)), ex::test::noncontiguous(rnd({2, 4, 5}, 12)));
  check_matmul(ex::test::noncontiguous(rnd({4}, 13)), ex::test::noncontiguous(rnd({4}, 14)));
  check_matmul(rnd({2, 4, 3}, 15).transpose(-1, -2), rnd({2, 1, 4, 5}, 16).slice(0, 1, 2));
  check_matmul(rnd({3, 2, 4}, 17).transpose(0, 1), rnd({4, 5}, 18));  // batch dim not outermost in memory
}

TEST_CASE("matmul_backward: a transposed operand gets its gradient in its own layout") {
  // x [6, 4] @ W^T with W [5, 4]: the gradient of W^T is W's gradient transposed, so
  // transposing it back must give a contiguous tensor (no copy needed to store it in W).
  const Tensor x = rnd({6, 4}, 1), w = rnd({5, 4}, 2), g = rnd({6, 5}, 3);
  auto [gx, gwt] = ex::matmul_backward(g, x, w.transpose(0, 1));
  CHECK(gx.is_contiguous());
  CHECK(gwt.transpose(0, 1).is_contiguous());
  // The values are those of the plain formula: gW^T = x^T @ g.
  ex::test::check_values(gwt, {4, 5}, ex::matmul(x.transpose(0, 1), g).to_vector<double>(), 1e-12, 1e-12);
  // The same for the first operand, and for batched column-major operands.
  auto [gat, gb] =
      ex::matmul_backward(g, x.contiguous().transpose(0, 1).contiguous().transpose(0, 1), w.transpose(0, 1));
  CHECK(gat.transpose(0, 1).is_contiguous());
  ex::test::check_values(gat, {6, 4}, gx.to_vector<double>(), 1e-12, 1e-12);
  const Tensor batched = rnd({2, 5, 4}, 4).transpose(-1, -2);  // [2, 4, 5], column-major
  auto [ga3, gb3] = ex::matmul_backward(rnd({2, 3, 5}, 5), rnd({2, 3, 4}, 6), batched);
  CHECK(gb3.transpose(-1, -2).is_contiguous());
}

TEST_CASE("matmul_backward: a non-contiguous grad gives the same gradients") {
  const std::vector<std::pair<Shape, Shape>> cases = {
      {{3, 4}, {4, 5}}, {{3, 4}, {4}}, {{2, 3, 4}, {4, 5}}, {{4}, {4, 5}}};
  for (const auto& [sa, sb] : cases) {
    const Tensor a = rnd(sa, 1), b = rnd(sb, 2);
    const Tensor g = rnd(ex::matmul(a, b).shape(), 3);
    auto [ga, gb] = ex::matmul_backward(g, a, b);
    auto [na, nb] = ex::matmul_backward(ex::test::noncontiguous(g), a, b);
    ex::test::check_values(na, sa, ga.to_vector<double>(), 1e-12, 1e-12);
    ex::test::check_values(nb, sb, gb.to_vector<double>(), 1e-12, 1e-12);
  }
}

TEST_CASE("matmul_backward: zero-size dims give zero or empty gradients") {
  check_matmul(rnd({3, 0}, 1), rnd({0, 5}, 2));  // k = 0: empty gradients
  check_matmul(rnd({0, 4}, 3), rnd({4, 5}, 4));  // m = 0: gb is zeros
  check_matmul(rnd({3, 4}, 5), rnd({4, 0}, 6));  // n = 0: ga is zeros
  check_matmul(rnd({0, 3, 4}, 7), rnd({4, 5}, 8));
  check_matmul(rnd({2, 0, 3, 4}, 9), rnd({1, 4, 5}, 10));
  check_matmul(rnd({0}, 11), rnd({0}, 12));
  auto [ga, gb] = ex::matmul_backward(ex::zeros({0, 3, 5}, DType::Float64), rnd({0, 3, 4}, 13), rnd({4, 5}, 14));
  ex::test::check_values(gb, {4, 5}, std::vector<double>(20, 0.0));
  CHECK(ga.shape() == Shape{0, 3, 4});
  for (const DType dt : {DType::Float32, DType::BFloat16}) {
    auto [ha, hb] = ex::matmul_backward(ex::zeros({3, 0}, dt), ex::ones({3, 4}, dt), ex::ones({4, 0}, dt));
    CHECK(ha.dtype() == dt);
    ex::test::check_values(ha, {3, 4}, std::vector<double>(12, 0.0));
    CHECK(hb.shape() == Shape{4, 0});
  }
}

TEST_CASE("matmul_backward: float32 and bfloat16 match float64") {
  // Large enough for oneDNN (and one case below its threshold), with both batch paths.
  const std::vector<std::pair<Shape, Shape>> cases = {
      {{40, 48}, {48, 56}},    {{4, 40, 48}, {48, 56}},   {{2, 1, 30, 40}, {5, 40, 20}},
      {{30, 40}, {3, 40, 50}}, {{64}, {64, 70}},          {{50, 64}, {64}},
      {{6, 5}, {5, 7}},        {{3, 20, 30}, {3, 30, 10}}};
  for (const auto& [sa, sb] : cases) {
    for (const DType dt : {DType::Float32, DType::BFloat16, DType::Float16}) {
      INFO("a " << sa << ", b " << sb << ", " << ex::dtype_name(dt));
      const Tensor a = rnd(sa, 1, dt), b = rnd(sb, 2, dt);
      const Tensor g = rnd(ex::matmul(a, b).shape(), 3, dt);
      auto [ga, gb] = ex::matmul_backward(g, a, b);
      auto [ra, rb] = ex::matmul_backward(g.to(DType::Float64), a.to(DType::Float64), b.to(DType::Float64));
      CHECK(ga.dtype() == dt);
      CHECK(gb.dtype() == dt);
      // |error| <= ulp(dtype) * sqrt-ish growth; sums here have at most 150 terms of size ~1.
      const double tol = dt == DType::Float32 ? 1e-4 : dt == DType::Float16 ? 5e-2 : 3e-1;
      ex::test::check_values(ga, a.shape(), ra.to_vector<double>(), tol, 1e-2);
      ex::test::check_values(gb, b.shape(), rb.to_vector<double>(), tol, 1e-2);
    }
  }
}

TEST_CASE("matmul_backward: integer values") {
  const Tensor a = ex::arange(0, 6, 1, DType::Int64).reshape({2, 3});
  const Tensor b = ex::arange(0, 12, 1, DType::Int64).reshape({2, 3, 2});
  const Tensor g = ex::ones({2, 2, 2}, DType::Int64);
  auto [ga, gb] = ex::matmul_backward(g, a, b);
  // ga = sum over the batch of g @ b^T; gb[t] = a^T @ g[t].
  auto [ra, rb] = ex::matmul_backward(g.to(DType::Float64), a.to(DType::Float64), b.to(DType::Float64));
  CHECK(ga.dtype() == DType::Int64);
  ex::test::check_values(ga, {2, 3}, ra.to_vector<double>());
  ex::test::check_values(gb, {2, 3, 2}, rb.to_vector<double>());
  ex::test::check_values(ga, {2, 3}, {1 + 13, 5 + 17, 9 + 21, 1 + 13, 5 + 17, 9 + 21});
}

TEST_CASE("dot_backward and outer_backward: gradcheck and dtypes") {
  ex::test::check_gradients(
      [](const std::vector<Tensor>& in) { return ex::dot(in[0], in[1]); },
      [](const Tensor& g, const std::vector<Tensor>& in) { return pair_vec(ex::dot_backward(g, in[0], in[1])); },
      {rnd({5}, 1), ex::test::noncontiguous(rnd({5}, 2))});
  ex::test::check_gradients(
      [](const std::vector<Tensor>& in) { return ex::dot(in[0], in[1]); },
      [](const Tensor& g, const std::vector<Tensor>& in) { return pair_vec(ex::dot_backward(g, in[0], in[1])); },
      {rnd({0}, 1), rnd({0}, 2)});
  for (const auto& [m, n] : std::vector<std::pair<std::int64_t, std::int64_t>>{{3, 4}, {1, 5}, {0, 3}, {3, 0}}) {
    ex::test::check_gradients(
        [](const std::vector<Tensor>& in) { return ex::outer(in[0], in[1]); },
        [](const Tensor& g, const std::vector<Tensor>& in) { return pair_vec(ex::outer_backward(g, in[0], in[1])); },
        {rnd({m}, 3), ex::test::noncontiguous(rnd({n}, 4))});
  }
  // dot: ga = grad * b exactly.
  auto [da, db] = ex::dot_backward(ex::full({}, 2.0, DType::Float32), ex::arange(1, 4, 1, DType::Float32),
                                   ex::arange(4, 7, 1, DType::Float32));
  ex::test::check_values(da, {3}, {8, 10, 12});
  ex::test::check_values(db, {3}, {2, 4, 6});
  // outer promotes: the gradients come back in each input's own dtype.
  const Tensor a = ex::arange(1, 3, 1, DType::Float32), b = ex::arange(1, 4, 1, DType::Float64);
  auto [oa, ob] = ex::outer_backward(ex::ones({2, 3}, DType::Float64), a, b);
  CHECK(oa.dtype() == DType::Float32);
  CHECK(ob.dtype() == DType::Float64);
  ex::test::check_values(oa, {2}, {6, 6});
  ex::test::check_values(ob, {3}, {3, 3, 3});
  auto [ia, ib] = ex::outer_backward(ex::ones({2, 2}, DType::Int64), ex::ones({2}, DType::Int32),
                                     ex::arange(1, 3, 1, DType::Int64));
  CHECK(ia.dtype() == DType::Int32);
  ex::test::check_values(ia, {2}, {3, 3});
  ex::test::check_values(ib, {2}, {2, 2});
}

TEST_CASE("matmul_backward, dot_backward, outer_backward: errors") {
  const Tensor a = ex::ones({2, 3}), b = ex::ones({3, 4}), g = ex::ones({2, 4});
  auto throws = [](auto&& fn, const char* name) { CHECK_THROWS_WITH_AS(fn(), doctest::Contains(name), ex::Error); };
  throws([&] { return ex::matmul_backward(Tensor(), a, b); }, "matmul_backward: grad is an undefined");
  throws([&] { return ex::matmul_backward(g, Tensor(), b); }, "matmul_backward: an argument is an undefined");
  throws([&] { return ex::matmul_backward(g, a, ex::ones({4, 4})); }, "matmul_backward: shapes [2, 3] and [4, 4]");
  throws([&] { return ex::matmul_backward(ex::ones({}), ex::ones({}), b); }, "matmul_backward: both arguments");
  throws([&] { return ex::matmul_backward(g, a, ex::ones({3, 4}, DType::Float64)); }, "matmul_backward: expected");
  throws(
      [&] {
        return ex::matmul_backward(ex::ones({2, 4}, DType::Bool), ex::ones({2, 3}, DType::Bool),
                                   ex::ones({3, 4}, DType::Bool));
      },
      "matmul_backward: dtype bool");
  throws(
      [&] {
        return ex::matmul_backward(ex::ones({2, 2, 2}), ex::ones({2, 2, 3}), ex::ones({3, 3, 2}));
      },
      "matmul_backward: batch dims");
  throws([&] { return ex::matmul_backward(ex::ones({4, 2}), a, b); }, "matmul_backward: grad has shape [4, 2]");
  throws(
      [&] {
        return ex::matmul_backward(ex::ones({2, 1}), ex::ones({2, 3}), ex::ones({3}));
      },
      "matmul_backward: grad has shape [2, 1], but the result of matmul has shape [2]");
  throws(
      [&] {
        return ex::matmul_backward(ex::ones({2, 4}, DType::Float64), a, b);
      },
      "matmul_backward: grad has dtype float64");

  throws([&] { return ex::dot_backward(ex::ones({}), Tensor(), ex::ones({3})); }, "dot_backward: an argument");
  throws([&] { return ex::dot_backward(ex::ones({}), ex::ones({3, 1}), ex::ones({3})); }, "dot_backward: expected two");
  throws([&] { return ex::dot_backward(ex::ones({}), ex::ones({3}), ex::ones({4})); }, "dot_backward: shapes");
  throws([&] { return ex::dot_backward(ex::ones({}), ex::ones({3}), ex::ones({3}, DType::Float64)); },
         "dot_backward: expected both");
  throws(
      [&] {
        return ex::dot_backward(ex::ones({}, DType::Bool), ex::ones({3}, DType::Bool), ex::ones({3}, DType::Bool));
      },
      "dot_backward: dtype bool");
  throws([&] { return ex::dot_backward(ex::ones({1}), ex::ones({3}), ex::ones({3})); }, "dot_backward: grad has shape");
  throws([&] { return ex::dot_backward(Tensor(), ex::ones({3}), ex::ones({3})); },
         "dot_backward: grad is an undefined");

  throws([&] { return ex::outer_backward(ex::ones({2, 3}), Tensor(), ex::ones({3})); }, "outer_backward: an argument");
  throws(
      [&] {
        return ex::outer_backward(ex::ones({2, 3}), ex::ones({2, 1}), ex::ones({3}));
      },
      "outer_backward: expected two");
  throws(
      [&] {
        return ex::outer_backward(ex::ones({2, 2}, DType::Bool), ex::ones({2}, DType::Bool),
                                  ex::ones({2}, DType::Bool));
      },
      "outer_backward: dtype bool");
  throws(
      [&] {
        return ex::outer_backward(ex::ones({3, 2}), ex::ones({2}), ex::ones({3}));
      },
      "outer_backward: grad has shape [3, 2]");
  throws(
      [&] {
        return ex::outer_backward(ex::ones({2, 3}), ex::ones({2}), ex::ones({3}, DType::Float64));
      },
      "outer_backward: grad has dtype float32");
}
