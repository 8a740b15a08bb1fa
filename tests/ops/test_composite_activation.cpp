// softplus, silu, mish, elu, selu and celu (the composite tier): values, first and second derivatives
// against PyTorch 1.13 (tools/composite_reference.py prints them), their derived raw
// backward kernels against the tape, and their errors.

#include <doctest/doctest.h>

#include <extensor/extensor.hpp>
#include <functional>

#include "test_util.hpp"

namespace {

const std::vector<double> kX = {-30.0, -3.0, -0.5, 0.0, 0.25, 2.0, 15.0, 25.0};

struct Reference {
  const char* name;
  std::function<Tensor(const Tensor&)> op;
  std::function<Tensor(const Tensor&, const Tensor&)> backward;
  std::vector<double> value, first, second;
};

// float64 values from tools/composite_reference.py.
std::vector<Reference> references() {
  return {
      {"softplus",
       [](const Tensor& x) { return ex::softplus(x); },
       [](const Tensor& g, const Tensor& x) { return ex::softplus_backward(g, x); },
       {9.3576229688397368e-14, 0.048587351573742062, 0.47407698418010669, 0.69314718055994529, 0.82593941987884356,
        2.1269280110429727, 15.000000305902274, 25},
       {9.3576229688393001e-14, 0.047425873177566788, 0.37754066879814546, 0.5, 0.56217650088579807,
        0.88079707797788243, 0.99999969409777312, 1},
       {9.3576229688384229e-14, 0.045176659730912137, 0.23500371220159449, 0.25, 0.24613408273759835,
        0.10499358540350662, 3.0590213341738715e-07, 0}},
      {"softplus beta 2 threshold 5",
       [](const Tensor& x) { return ex::softplus(x, 2.0, 5.0); },
       [](const Tensor& g, const Tensor& x) { return ex::softplus_backward(g, x, 2.0, 5.0); },
       {4.37825538134826e-27, 0.0012378425688652247, 0.15663084375911143, 0.34657359027997264, 0.48703849209005334,
        2.0090749639589047, 15, 25},
       {8.75651076269652e-27, 0.0024726231566347748, 0.2689414213699951, 0.5, 0.62245933120185459, 0.98201379003790845,
        1, 1},
       {1.751302152539304e-26, 0.0049330185827200961, 0.3932238664829637, 0.5, 0.47000742440318899,
        0.035325412426582214, 0, 0}},
      {"softplus beta -1.5",
       [](const Tensor& x) { return ex::softplus(x, -1.5); },
       [](const Tensor& g, const Tensor& x) { return ex::softplus_backward(g, x, -1.5); },
       {-30, -3.0073651632323961, -0.75791400407659992, -0.46209812037329684, -0.34874884275989343,
        -0.032391567715828039, -1.1279319483146696e-10, -3.4503700038679125e-17},
       {1, 0.98901305736940681, 0.67917869917539297, 0.5, 0.40733340004593022, 0.047425873177566788,
        1.6918979223288786e-10, 5.1755550058018688e-17},
       {-0.0, -0.016299344583337864, -0.32684249064272108, -0.375, -0.36211935187942856, -0.067764989596368203,
        -2.53784688306394e-10, -7.7633325087028032e-17}},
      {"silu",
       [](const Tensor& x) { return ex::silu(x); },
       [](const Tensor& g, const Tensor& x) { return ex::silu_backward(g, x); },
       {-2.8072868906517896e-12, -0.14227761953270035, -0.1887703343990727, 0, 0.14054412522144952, 1.7615941559557646,
        14.999995411466594, 24.9999999996528},
       {-2.7137106609631341e-12, -0.088104106015169617, 0.26003881269734819, 0.5, 0.62371002157019773,
        1.0907842487848955, 1.0000042826297741, 1.000000000333312},
       {-2.6201344312742334e-12, -0.032321404521006174, 0.44122902697702865, 0.5, 0.48461628746851704,
        0.050062168694707011, -3.976724927141717e-06, -3.1942404275766318e-10}},
      {"mish",
       [](const Tensor& x) { return ex::mish(x); },
       [](const Tensor& g, const Tensor& x) { return ex::mish_backward(g, x); },
       {-2.8072868906519209e-12, -0.14564746127562461, -0.22074377465173001, 0, 0.16957240966381759, 1.9439589595339946,
        14.999999999997192, 25},
       {-2.7137106609633922e-12, -0.093393114532320839, 0.28951067791351226, 0.59999999999999998, 0.75417266772059277,
        1.0693179342794896, 1.0000000000054283, 1},
       {-2.6201344312747411e-12, -0.039928713242129238, 0.56397092311326646, 0.64000000000000001, 0.58241640085479518,
        -0.057724667408293989, -1.0482273349356753e-11, 0}},
      // The exponential units' second derivative at x = 0 (the fourth value) is the
      // composition's, alpha * input_scale^2 (times scale); PyTorch 1.13 gives 0 there
      // (its double backward masks x < 0 where its backward masks x <= 0).
      {"elu",
       [](const Tensor& x) { return ex::elu(x); },
       [](const Tensor& g, const Tensor& x) { return ex::elu_backward(g, x); },
       {-0.99999999999990641, -0.95021293163213605, -0.39346934028736658, 0, 0.25, 2, 15, 25},
       {9.3576229688401748e-14, 0.049787068367863944, 0.60653065971263342, 1, 1, 1, 1, 1},
       {9.3576229688401748e-14, 0.049787068367863944, 0.60653065971263342, 1, 0, 0, 0, 0}},
      {"elu alpha 0.5",
       [](const Tensor& x) { return ex::elu(x, 0.5); },
       [](const Tensor& g, const Tensor& x) { return ex::elu_backward(g, x, 0.5); },
       {-0.4999999999999532, -0.47510646581606802, -0.19673467014368329, 0, 0.25, 2, 15, 25},
       {4.6788114844200874e-14, 0.024893534183931972, 0.30326532985631671, 0.5, 1, 1, 1, 1},
       {4.6788114844200874e-14, 0.024893534183931972, 0.30326532985631671, 0.5, 0, 0, 0, 0}},
      {"selu",
       [](const Tensor& x) { return ex::selu(x); },
       [](const Tensor& g, const Tensor& x) { return ex::selu_backward(g, x); },
       {-1.7580993408472121, -1.6705687287671118, -0.69175818780287135, 0, 0.26267524683887011, 2.1014019747109609,
        15.760514810332207, 26.267524683887011},
       {1.6451630773416182e-13, 0.087530612080264872, 1.0663411530445053, 1.7580993408473766, 1.0507009873554805,
        1.0507009873554805, 1.0507009873554805, 1.0507009873554805},
       {1.6451630773416182e-13, 0.087530612080264872, 1.0663411530445053, 1.7580993408473766, 0, 0, 0, 0}},
      {"celu alpha 2",
       [](const Tensor& x) { return ex::celu(x, 2.0); },
       [](const Tensor& g, const Tensor& x) { return ex::celu_backward(g, x, 2.0); },
       {-1.9999993881953591, -1.5537396797031404, -0.44239843385719024, 0, 0.25, 2, 15, 25},
       {3.0590232050182579e-07, 0.22313016014842982, 0.77880078307140488, 1, 1, 1, 1, 1},
       {1.5295116025091289e-07, 0.11156508007421491, 0.38940039153570244, 0.5, 0, 0, 0, 0}},
  };
}

}  // namespace

TEST_CASE("composite activations: values and two derivatives equal PyTorch's (float64)") {
  for (const Reference& r : references()) {
    INFO(r.name);
    const Tensor x = ex::tensor(kX).requires_grad_();
    const Tensor y = r.op(x);
    check_values(y, {8}, r.value, 1e-15, 1e-13);
    const Tensor g = ex::autograd::grad({ex::sum(y)}, {x}, {}, false, /*create_graph=*/true)[0];
    check_values(g, {8}, r.first, 1e-15, 1e-12);
    check_values(ex::autograd::grad({ex::sum(g)}, {x})[0], {8}, r.second, 1e-15, 1e-9);
    // The raw backward is the same derivative, and leaves nothing on the caller's tape.
    const Tensor ones = ex::ones({8}, DType::Float64);
    const Tensor raw = r.backward(ones, x.detach());
    CHECK_FALSE(raw.requires_grad());
    check_values(raw, {8}, r.first, 1e-15, 1e-12);
  }
}

TEST_CASE("composite activations: float32 and bfloat16 keep their dtype") {
  const Tensor x32 = ex::tensor(kX).to(DType::Float32);
  for (const Reference& r : references()) {
    INFO(r.name);
    const Tensor y = r.op(x32);
    CHECK(y.dtype() == DType::Float32);
    check_values(y, {8}, r.value, 1e-6, 1e-5);
    CHECK(r.op(ex::tensor(kX).to(DType::BFloat16)).dtype() == DType::BFloat16);
  }
}

TEST_CASE("composite activations: errors name the op") {
  const Tensor i = ex::tensor<std::int32_t>({1, 2});
  CHECK_THROWS_WITH_AS(ex::softplus(i), doctest::Contains("softplus: dtype int32"), ex::Error);
  CHECK_THROWS_WITH_AS(ex::silu(Tensor()), doctest::Contains("silu:"), ex::Error);
  CHECK_THROWS_WITH_AS(ex::mish(ex::tensor<bool>({true})), doctest::Contains("mish:"), ex::Error);
  CHECK_THROWS_WITH_AS(ex::softplus(ex::tensor(kX), 0.0), doctest::Contains("softplus: beta"), ex::Error);
  const Tensor x = ex::tensor(kX);
  CHECK_THROWS_WITH_AS(ex::silu_backward(ex::ones({3}, DType::Float64), x),
                       doctest::Contains("silu_backward: grad is float64 [3]"), ex::Error);
  CHECK_THROWS_WITH_AS(ex::mish_backward(Tensor(), x), doctest::Contains("mish_backward:"), ex::Error);
  CHECK_THROWS_WITH_AS(ex::elu(i), doctest::Contains("elu: dtype int32"), ex::Error);
  CHECK_THROWS_WITH_AS(ex::elu(x, INFINITY), doctest::Contains("elu: alpha must be finite"), ex::Error);
  CHECK_THROWS_WITH_AS(ex::celu(x, 0.0), doctest::Contains("celu: alpha must be finite and nonzero, got 0"), ex::Error);
  CHECK_THROWS_WITH_AS(ex::selu_backward(ex::ones({2}, DType::Float64), x), doctest::Contains("selu_backward:"),
                       ex::Error);
}

TEST_CASE("elu, selu, celu: infinities stay on their side") {
  const double inf = INFINITY;
  const Tensor x = ex::tensor<double>({-inf, inf, NAN});
  ex::test::check_values(ex::elu(x, 0.5), {3}, {-0.5, inf, NAN});
  ex::test::check_values(ex::selu(x), {3}, {-1.7580993408473766, inf, NAN}, 1e-15, 1e-15);
  ex::test::check_values(ex::celu(x, 2.0), {3}, {-2, inf, NAN});
}
