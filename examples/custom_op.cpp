// A user-defined differentiable op, the role of torch.autograd.Function: softsign(x) =
// x / (1 + |x|), with a hand-written backward d/dx = 1 / (1 + |x|)^2. The op registers
// itself, records on the tape like built-in ops, is checked with ex::autograd::gradcheck,
// and then fits a tiny regression through loss.backward().
//
//   custom_op            prints the gradcheck result and the fit; exit 1 on failure
#include <cstdio>
#include <extensor/extensor.hpp>

namespace {

using ex::Tensor;

// Constructed once: the constructor adds "softsign" to the op registry.
const ex::autograd::CustomOp& softsign() {
  static const ex::autograd::CustomOp op(
      "softsign",
      [](ex::autograd::FunctionContext& ctx, const std::vector<Tensor>& in) {
        const Tensor& x = in.at(0);
        const Tensor denominator = ex::abs(x) + 1.0;
        ctx.save_for_backward({denominator});
        return std::vector<Tensor>{x / denominator};
      },
      [](ex::autograd::FunctionContext& ctx, const std::vector<Tensor>& grads) {
        const Tensor denominator = ctx.saved_tensors()[0];
        return std::vector<Tensor>{grads[0] / (denominator * denominator)};
      });
  return op;
}

Tensor softsign(const Tensor& x) { return softsign()({x})[0]; }

}  // namespace

int main() {
  // 1. Gradient check in float64 against central differences.
  ex::Generator gen(3);
  const auto check = ex::autograd::gradcheck([](const std::vector<Tensor>& in) { return softsign(in[0]); },
                                             {ex::randn({4, 5}, ex::DType::Float64, gen)});
  std::printf("gradcheck(softsign): %s (max |analytic - numeric| %.3g)\n", check ? "passed" : "FAILED",
              check.max_abs_error);
  if (!check) std::printf("%s\n", check.report.c_str());

  // 2. Use it in a model: fit y = softsign(3x - 1) by learning a and b in softsign(a x + b).
  const Tensor x = ex::linspace(-2, 2, 64, ex::DType::Float32).reshape({64, 1});
  const Tensor y = softsign(x * 3.0 - 1.0);
  Tensor a = ex::ones({1}).requires_grad_();
  Tensor b = ex::zeros({1}).requires_grad_();
  double loss_value = 0;
  for (int step = 0; step < 500; ++step) {
    const Tensor loss = ex::mse_loss(softsign(x * a + b), y);
    loss.backward();
    loss_value = loss.item<double>();
    ex::NoGradGuard no_grad;
    ex::sub_(a, a.grad() * 2.0);
    ex::sub_(b, b.grad() * 2.0);
    a.set_grad(Tensor());
    b.set_grad(Tensor());
  }
  const double fitted_a = a.item<double>(), fitted_b = b.item<double>();
  std::printf("fit: a = %.4f (target 3), b = %.4f (target -1), mse %.2e\n", fitted_a, fitted_b, loss_value);
  const bool fitted = std::abs(fitted_a - 3) < 0.05 && std::abs(fitted_b + 1) < 0.05;
  return check && fitted ? 0 : 1;
}
