// Raw backward kernels of the reductions: sum_backward, mean_backward,
// max_reduce_backward, min_reduce_backward. Gradchecks over every form (all elements,
// one axis, a list of axes, keepdims), rank 0, zero-size and non-contiguous inputs;
// explicit ties (also across threads' segments and row groups), NaN, float32/float16
// against float64, and every error path.

#include <cmath>
#include <cstdint>
#include <limits>
#include <vector>

#include "gradcheck.hpp"
#include "test_util.hpp"

namespace {

enum class Op { Sum, Mean, Max, Min };

// One call form: all elements (all), one axis, or a list of axes.
struct Form {
  bool all = false;
  bool single = false;
  std::vector<std::int64_t> axes;
  bool keepdims = false;
};

Tensor forward(Op op, const Tensor& x, const Form& f) {
  switch (op) {
    case Op::Sum:
      return f.all ? ex::sum(x) : f.single ? ex::sum(x, f.axes[0], f.keepdims) : ex::sum(x, f.axes, f.keepdims);
    case Op::Mean:
      return f.all ? ex::mean(x) : f.single ? ex::mean(x, f.axes[0], f.keepdims) : ex::mean(x, f.axes, f.keepdims);
    case Op::Max:
      return f.all      ? ex::max_reduce(x)
             : f.single ? ex::max_reduce(x, f.axes[0], f.keepdims)
                        : ex::max_reduce(x, f.axes, f.keepdims);
    case Op::Min:
      return f.all      ? ex::min_reduce(x)
             : f.single ? ex::min_reduce(x, f.axes[0], f.keepdims)
                        : ex::min_reduce(x, f.axes, f.keepdims);
  }
  return {};
}

Tensor backward(Op op, const Tensor& g, const Tensor& x, const Form& f) {
  const Shape& s = x.shape();
  switch (op) {
    case Op::Sum:
      return f.all      ? ex::sum_backward(g, s)
             : f.single ? ex::sum_backward(g, s, f.axes[0], f.keepdims)
                        : ex::sum_backward(g, s, f.axes, f.keepdims);
    case Op::Mean:
      return f.all      ? ex::mean_backward(g, s)
             : f.single ? ex::mean_backward(g, s, f.axes[0], f.keepdims)
                        : ex::mean_backward(g, s, f.axes, f.keepdims);
    case Op::Max: {
      const Tensor y = forward(op, x, f);
      return f.all      ? ex::max_reduce_backward(g, x, y)
             : f.single ? ex::max_reduce_backward(g, x, y, f.axes[0], f.keepdims)
                        : ex::max_reduce_backward(g, x, y, f.axes, f.keepdims);
    }
    case Op::Min: {
      const Tensor y = forward(op, x, f);
      return f.all      ? ex::min_reduce_backward(g, x, y)
             : f.single ? ex::min_reduce_backward(g, x, y, f.axes[0], f.keepdims)
                        : ex::min_reduce_backward(g, x, y, f.axes, f.keepdims);
    }
  }
  return {};
}

void gradcheck(Op op, const Tensor& x, const Form& f) {
  check_gradients([&](const std::vector<Tensor>& in) { return forward(op, in[0], f); },
                  [&](const Tensor& g, const std::vector<Tensor>& in) {
                    const Tensor gx = backward(op, g, in[0], f);
                    CHECK(gx.is_contiguous());
                    CHECK(gx.dtype() == in[0].dtype());
                    return std::vector<Tensor>{gx};
                  },
                  {x});
}

// Every form for a tensor of rank `rank`: all, each single axis (positive and
// negative), some lists, each with keepdims false and true.
std::vector<Form> forms(std::int64_t rank) {
  std::vector<Form> out{{true, false, {}, false}, {false, false, {}, false}, {false, false, {}, true}};
  for (bool keep : {false, true}) {
    for (std::int64_t a = 0; a < std::max<std::int64_t>(rank, 1); ++a) {
      out.push_back({false, true, {a}, keep});
      out.push_back({false, true, {a - std::max<std::int64_t>(rank, 1)}, keep});
    }
    if (rank >= 2) out.push_back({false, false, {0, -1}, keep});
    if (rank >= 3) out.push_back({false, false, {2, 0}, keep});
    if (rank >= 3) out.push_back({false, false, {0, 1, 2}, keep});
  }
  return out;
}

// Distinct values (no ties), so max/min are differentiable under the checker's eps.
Tensor distinct(const Shape& shape) {
  const std::int64_t n = shape.numel();
  std::vector<double> v(static_cast<std::size_t>(n));
  for (std::int64_t i = 0; i < n; ++i) v[i] = std::sin(static_cast<double>(i) * 2.3 + 0.4) * 3.0;
  return ex::tensor(v, shape);
}

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

}  // namespace

TEST_CASE("reduction backward: gradcheck of every form, rank 0..3, zero-size and non-contiguous") {
  for (Op op : {Op::Sum, Op::Mean, Op::Max, Op::Min}) {
    for (const Shape& shape : {Shape{}, Shape{5}, Shape{3, 4}, Shape{2, 3, 4}}) {
      const Tensor x = distinct(shape);
      for (const Form& f : forms(x.dim())) {
        INFO("op " << static_cast<int>(op) << " shape " << shape << " all " << f.all << " axes " << f.axes.size()
                   << (f.axes.empty() ? 0 : f.axes[0]) << " keepdims " << f.keepdims);
        gradcheck(op, x, f);
        gradcheck(op, ex::test::noncontiguous(x), f);
      }
    }
  }
  // Zero-size inputs: an empty kept extent everywhere; sum/mean also over an empty
  // reduced extent (max/min throw there, see the error test).
  for (Op op : {Op::Sum, Op::Mean, Op::Max, Op::Min}) {
    const Tensor x = distinct({2, 0, 3});
    for (bool keep : {false, true}) {
      gradcheck(op, x, {false, true, {0}, keep});
      gradcheck(op, x, {false, false, {0, 2}, keep});
      if (op == Op::Sum || op == Op::Mean) {
        gradcheck(op, x, {false, true, {1}, keep});
        gradcheck(op, x, {true, false, {}, false});
      }
    }
  }
}

TEST_CASE("reduction backward: sum and mean values, non-contiguous grad, dtypes") {
  const Tensor g = ex::tensor<double>({1, 2, 3});
  check_values(ex::sum_backward(g, {2, 3}, 0), {2, 3}, {1, 2, 3, 1, 2, 3});
  check_values(ex::mean_backward(g, {2, 3}, 0), {2, 3}, {0.5, 1, 1.5, 0.5, 1, 1.5});
  check_values(ex::sum_backward(g, {3, 2}, 1, false), {3, 2}, {1, 1, 2, 2, 3, 3});
  check_values(ex::mean_backward(ex::scalar_tensor(6.0, DType::Float64), {2, 3}), {2, 3}, {1, 1, 1, 1, 1, 1});
  // A non-contiguous (transposed) grad with keepdims.
  const Tensor g2 = ex::tensor<double>({1, 2, 3, 4, 5, 6}, {2, 3}).transpose(0, 1);  // [3, 2]
  check_values(ex::sum_backward(g2.unsqueeze(1), {3, 2, 2}, 1, true), {3, 2, 2}, {1, 4, 1, 4, 2, 5, 2, 5, 3, 6, 3, 6});
  // Size-1 reduced dims: a fresh tensor, never grad itself.
  const Tensor g3 = ex::tensor<double>({1, 2});
  const Tensor s3 = ex::sum_backward(g3, {2, 1}, 1);
  CHECK(s3.storage() != g3.storage());
  check_values(s3, {2, 1}, {1, 2});
  // Any dtype for sum; floating for mean, divided in the compute type.
  const Tensor gi = ex::tensor<std::int32_t>({7, 8});
  const Tensor si = ex::sum_backward(gi, {2, 2}, -1);
  CHECK(si.dtype() == DType::Int32);
  check_values(si, {2, 2}, {7, 7, 8, 8});
  for (DType dt : {DType::Float32, DType::Float16, DType::BFloat16}) {
    const Tensor gd = ex::randn({4, 5}, DType::Float64);
    const Tensor ref = ex::mean_backward(gd, {4, 3, 5}, 1);
    const Tensor got = ex::mean_backward(gd.to(dt), {4, 3, 5}, 1);
    CHECK(got.dtype() == dt);
    const double tol = dt == DType::Float32 ? 1e-6 : 1e-2;
    check_values(got, {4, 3, 5}, ref.to_vector<double>(), tol, tol);
  }
  // Large enough to run on threads: a row broadcast and a column broadcast.
  const Tensor gl = ex::randn({300}, DType::Float32);
  const Tensor rows = ex::mean_backward(gl, {300, 257}, 1);
  const Tensor cols = ex::sum_backward(gl, {257, 300}, 0);
  const std::vector<float> gv = gl.to_vector<float>(), rv = rows.to_vector<float>(), cv = cols.to_vector<float>();
  bool ok = true;
  for (std::size_t i = 0; i < 300; ++i)
    for (std::size_t j = 0; j < 257; ++j) ok = ok && rv[i * 257 + j] == gv[i] / 257.0f && cv[j * 300 + i] == gv[i];
  CHECK(ok);
}

TEST_CASE("reduction backward: ties share the gradient equally") {
  const Tensor x = ex::tensor<double>({1, 3, 3, 2});
  const Tensor g = ex::scalar_tensor(4.0, DType::Float64);
  check_values(ex::max_reduce_backward(g, x, ex::max_reduce(x)), {4}, {0, 2, 2, 0});
  check_values(ex::max_reduce_backward(g, x, ex::max_reduce(x, 0), 0), {4}, {0, 2, 2, 0});
  const Tensor xm = ex::tensor<double>({2, 1, 5, 1, 1});
  check_values(ex::min_reduce_backward(g, xm, ex::min_reduce(xm)), {5}, {0, 4.0 / 3, 0, 4.0 / 3, 4.0 / 3});
  // Ties down a column (axis 0) and along rows (axis 1), with keepdims.
  const Tensor m = ex::tensor<double>({1, 5, 7, 1, 2, 7, 0, 5, 7}, {3, 3});
  const Tensor gc = ex::tensor<double>({6, 10, 3});
  check_values(ex::max_reduce_backward(gc, m, ex::max_reduce(m, 0), 0), {3, 3}, {3, 5, 1, 3, 0, 1, 0, 5, 1});
  check_values(ex::min_reduce_backward(gc.view({3, 1}), m, ex::min_reduce(m, 1, true), 1, true), {3, 3},
               {6, 0, 0, 10, 0, 0, 3, 0, 0});
  check_values(ex::max_reduce_backward(g, m, ex::max_reduce(m, {0, 1}), {0, 1}), {3, 3},
               {0, 0, 4.0 / 3, 0, 0, 4.0 / 3, 0, 0, 4.0 / 3});
  // NaN: the NaN elements carry the gradient (y is NaN).
  const Tensor xn = ex::tensor<double>({1, kNaN, 3, kNaN});
  check_values(ex::max_reduce_backward(g, xn, ex::max_reduce(xn)), {4}, {0, 2, 0, 2});
  check_values(ex::min_reduce_backward(g, xn, ex::min_reduce(xn)), {4}, {0, 2, 0, 2});
  // Rank 0 and a single element.
  const Tensor s = ex::scalar_tensor(2.5, DType::Float64);
  check_values(ex::max_reduce_backward(g, s, s), {}, {4});
  check_values(ex::min_reduce_backward(g.view({1, 1}), ex::tensor<double>({2}, {1, 1}), ex::tensor<double>({2}, {1, 1}),
                                       {0, 1}, true),
               {1, 1}, {4});
}

TEST_CASE("reduction backward: ties in large tensors (segments, threads, row groups)") {
  // Long rows (several kChunk segments, split over threads when outputs are few) and
  // long columns (several row groups): ties placed far apart, and rows full of ties.
  for (DType dt : {DType::Float64, DType::Float32, DType::Float16}) {
    INFO("dtype " << dt);
    const bool half = dt == DType::Float16;
    std::vector<double> v(2 * 50000);
    for (std::size_t i = 0; i < v.size(); ++i) v[i] = std::fmod(static_cast<double>(i) * 0.37, 1.0);
    v[10] = v[40000] = v[49999] = 2;                          // row 0: three ties across segments
    for (std::size_t i = 50000; i < v.size(); ++i) v[i] = 0;  // row 1: all ties
    v[50000 + 7] = -1;
    const Tensor x = ex::tensor(v, {2, 50000}).to(dt);
    const Tensor g = ex::tensor<double>({3, 5}).to(dt);
    const std::vector<double> gx = ex::max_reduce_backward(g, x, ex::max_reduce(x, 1), 1).to_vector<double>();
    bool ok = true;
    for (std::size_t i = 0; i < 50000; ++i) {
      const double e0 = (i == 10 || i == 40000 || i == 49999) ? 1.0 : 0.0;
      const double e1 = i == 7 ? 0.0 : 5.0 / 49999;
      ok = ok && std::fabs(gx[i] - e0) <= 1e-6 && std::fabs(gx[50000 + i] - e1) <= e1 * (half ? 1e-3 : 1e-6);
    }
    CHECK(ok);
    // One output over everything.
    const std::vector<double> ga =
        ex::min_reduce_backward(ex::scalar_tensor(2.0, dt), x, ex::min_reduce(x)).to_vector<double>();
    CHECK(ga[50007] == 2.0);
    CHECK(ga[50008] == 0.0);
    // Columns: [1000, 3] over axis 0; column 0 ties at rows 5 and 900, column 1 has no
    // ties, column 2 is constant.
    std::vector<double> c(3000);
    for (std::size_t r = 0; r < 1000; ++r) {
      c[r * 3] = std::fmod(static_cast<double>(r) * 0.61, 1.0);
      c[r * 3 + 1] = std::fmod(static_cast<double>(r) * 0.29, 1.0);
      c[r * 3 + 2] = 1.5;
    }
    c[5 * 3] = c[900 * 3] = 9;
    c[333 * 3 + 1] = 9;
    const Tensor xc = ex::tensor(c, {1000, 3}).to(dt);
    const Tensor gcol = ex::tensor<double>({4, 6, 8}).to(dt);
    const std::vector<double> gcx = ex::max_reduce_backward(gcol, xc, ex::max_reduce(xc, 0), 0).to_vector<double>();
    ok = true;
    for (std::size_t r = 0; r < 1000; ++r) {
      ok = ok && gcx[r * 3] == ((r == 5 || r == 900) ? 2.0 : 0.0);
      ok = ok && gcx[r * 3 + 1] == (r == 333 ? 6.0 : 0.0);
      ok = ok && std::fabs(gcx[r * 3 + 2] - 8.0 / 1000) <= 8.0 / 1000 * (half ? 1e-3 : 1e-6);
    }
    CHECK(ok);
    // Many outputs, every one all ties (rows split over threads by output).
    const Tensor z = ex::zeros({64, 3000}, dt);
    const Tensor gz = ex::full({64}, 6.0, dt);
    const std::vector<double> gzx = ex::max_reduce_backward(gz, z, ex::max_reduce(z, -1), -1).to_vector<double>();
    ok = true;
    for (const double v : gzx) ok = ok && std::fabs(v - 0.002) <= 0.002 * (half ? 1e-3 : 1e-6);
    CHECK(ok);
  }
}

TEST_CASE("reduction backward: float32 and bfloat16 match float64") {
  // The float64 reference runs on the inputs rounded to the dtype (bfloat16 rounding
  // makes ties of its own), so only the arithmetic is compared.
  const Tensor x = distinct({6, 7, 5});
  for (Op op : {Op::Sum, Op::Mean, Op::Max, Op::Min}) {
    for (const Form& f : forms(3)) {
      const Tensor g = ex::randn(forward(op, x, f).shape(), DType::Float64);
      for (DType dt : {DType::Float32, DType::BFloat16}) {
        const Tensor xr = x.to(dt), gr = g.to(dt);
        const std::vector<double> ref =
            backward(op, gr.to(DType::Float64), xr.to(DType::Float64), f).to_vector<double>();
        const Tensor got = backward(op, gr, ex::test::noncontiguous(xr), f);
        CHECK(got.dtype() == dt);
        const double tol = dt == DType::Float32 ? 1e-6 : 1e-2;
        check_values(got, x.shape(), ref, tol, tol);
      }
    }
  }
}

TEST_CASE("reduction backward: errors") {
  const Tensor x = distinct({2, 3});
  const Tensor g = ex::zeros({3}, DType::Float64);
  const Tensor y = ex::max_reduce(x, 0);
  CHECK_THROWS_WITH_AS(ex::sum_backward(g, {2, 3}, 1), doctest::Contains("sum_backward:"), ex::Error);
  CHECK_THROWS_WITH_AS(ex::sum_backward(g, {2, 3}, 0, true), doctest::Contains("sum_backward:"), ex::Error);
  CHECK_THROWS_WITH_AS(ex::sum_backward(g, {2, 3}), doctest::Contains("sum_backward:"), ex::Error);
  CHECK_THROWS_WITH_AS(ex::sum_backward(g, {2, 3}, 2), doctest::Contains("sum_backward:"), ex::Error);
  CHECK_THROWS_WITH_AS(ex::sum_backward(g, {2, 3}, {0, -2}), doctest::Contains("sum_backward:"), ex::Error);
  CHECK_THROWS_WITH_AS(ex::sum_backward(g, {-2, 3}, 0), doctest::Contains("sum_backward:"), ex::Error);
  CHECK_THROWS_WITH_AS(ex::sum_backward(Tensor(), {2, 3}, 0), doctest::Contains("sum_backward:"), ex::Error);
  CHECK_THROWS_WITH_AS(ex::sum_backward(ex::scalar_tensor(1.0), {}, 1), doctest::Contains("sum_backward:"), ex::Error);
  CHECK_THROWS_WITH_AS(ex::mean_backward(g, {2, 3}, -1), doctest::Contains("mean_backward:"), ex::Error);
  CHECK_THROWS_WITH_AS(ex::mean_backward(ex::zeros({3}, DType::Int32), {2, 3}, 0), doctest::Contains("mean_backward:"),
                       ex::Error);
  CHECK_THROWS_WITH_AS(ex::mean_backward(g, {2, 3}, {3}), doctest::Contains("mean_backward:"), ex::Error);
  // max/min: shapes of grad and y, axes, dtypes, a y that is not the forward output,
  // an empty reduced extent.
  CHECK_THROWS_WITH_AS(ex::max_reduce_backward(g, x, y, 1), doctest::Contains("max_reduce_backward:"), ex::Error);
  CHECK_THROWS_WITH_AS(ex::max_reduce_backward(g.view({1, 3}), x, y, 0, true),
                       doctest::Contains("max_reduce_backward:"), ex::Error);
  CHECK_THROWS_WITH_AS(ex::max_reduce_backward(g, x, y.view({1, 3}), 0), doctest::Contains("max_reduce_backward:"),
                       ex::Error);
  CHECK_THROWS_WITH_AS(ex::max_reduce_backward(g, x, y, 5), doctest::Contains("max_reduce_backward:"), ex::Error);
  CHECK_THROWS_WITH_AS(ex::max_reduce_backward(g, x, y, {0, 0}), doctest::Contains("max_reduce_backward:"), ex::Error);
  CHECK_THROWS_WITH_AS(ex::max_reduce_backward(g.to(DType::Float32), x, y, 0),
                       doctest::Contains("max_reduce_backward:"), ex::Error);
  CHECK_THROWS_WITH_AS(ex::max_reduce_backward(g, x, y.to(DType::Float32), 0),
                       doctest::Contains("max_reduce_backward:"), ex::Error);
  const Tensor xi = ex::tensor<std::int32_t>({1, 2});
  CHECK_THROWS_WITH_AS(ex::max_reduce_backward(ex::scalar_tensor(1.0), xi, ex::max_reduce(xi)),
                       doctest::Contains("max_reduce_backward:"), ex::Error);
  CHECK_THROWS_WITH_AS(ex::max_reduce_backward(g, x, y + 1.0, 0), doctest::Contains("max_reduce_backward:"), ex::Error);
  CHECK_THROWS_WITH_AS(ex::min_reduce_backward(g, x, y, -1), doctest::Contains("min_reduce_backward:"), ex::Error);
  CHECK_THROWS_WITH_AS(ex::min_reduce_backward(ex::zeros({2}, DType::Float64), x, ex::min_reduce(x, 1) - 1.0, 1),
                       doctest::Contains("min_reduce_backward:"), ex::Error);
  CHECK_THROWS_WITH_AS(ex::min_reduce_backward(Tensor(), x, y, 0), doctest::Contains("min_reduce_backward:"),
                       ex::Error);
  CHECK_THROWS_WITH_AS(ex::min_reduce_backward(g, x, Tensor(), 0), doctest::Contains("min_reduce_backward:"),
                       ex::Error);
  const Tensor e = ex::zeros({0, 3}, DType::Float64);
  CHECK_THROWS_WITH_AS(ex::min_reduce_backward(g, e, g, 0), doctest::Contains("min_reduce_backward:"), ex::Error);
}
