// The programs of docs/guide.md, in the guide's order. Each code block of the guide is
// an excerpt of this file or of custom_op.cpp (the docs/guide_snippets test fails when
// one is not), and CTest runs this program, which exits 1 when a result differs from
// what the guide says it is.
#include <cmath>
#include <cstdio>
#include <extensor/extensor.hpp>
#include <iostream>

namespace nn = ex::nn;
using ex::indexing::Slice;

namespace {

bool close(const ex::Tensor& actual, const ex::Tensor& expected) {
  return actual.shape() == expected.shape() &&
         (actual.to(ex::kFloat64) - expected.to(ex::kFloat64)).abs().amax().item<double>() < 1e-6;
}

bool first_tensor_program() {
  ex::Tensor x = ex::tensor({{1.0, 2.0, 3.0}, {4.0, 5.0, 6.0}});  // float32, shape [2, 3]
  ex::Tensor w = ex::ones({3, 2}, ex::dtype(ex::kFloat32).requires_grad(true));
  ex::Tensor y = x.matmul(w).relu();  // [2, 2], recorded on the tape
  ex::Tensor loss = y.sum();          // 42
  loss.backward();                    // w.grad() is [[5, 5], [7, 7], [9, 9]]
  std::cout << "x[1] = " << x[1] << "\n"
            << "x[:, 0:2] = " << x.index({Slice(), Slice(0, 2)}) << "\n"
            << "dloss/dw = " << w.grad() << "\n";
  x += 1;                                 // in place, as x.add_(1)
  ex::Tensor large = x.index({x > 4.0});  // [5, 6, 7]: a mask selects in row-major order
  auto [best, where] = x.max(1);          // per row: values [4, 7], indices [2, 2]

  return x.dtype() == ex::kFloat32 && loss.item<double>() == 42 &&
         close(w.grad(), ex::tensor({{5, 5}, {7, 7}, {9, 9}})) && close(large, ex::tensor({5, 6, 7})) &&
         close(best, ex::tensor({4, 7})) && close(where, ex::tensor({2, 2}));
}

// A model written as in libtorch: the module class NetImpl and its holder Net.
struct NetImpl : nn::Module {
  NetImpl(std::int64_t in, std::int64_t hidden, std::int64_t classes) {
    fc1 = register_module("fc1", nn::Linear(in, hidden));
    fc2 = register_module("fc2", nn::Linear(hidden, classes));
  }
  ex::Tensor forward(const ex::Tensor& x) { return fc2(fc1(x).relu()); }

  nn::Linear fc1{nullptr}, fc2{nullptr};
};
TORCH_MODULE(Net);

// Points of [-1, 1]^2 labelled by the sign of x0 * x1: not linearly separable.
std::pair<ex::Tensor, ex::Tensor> xor_points(std::int64_t n) {
  const ex::Tensor points = ex::rand({n, 2}) * 2 - 1;
  const ex::Tensor labels = (points.index({Slice(), 0}) * points.index({Slice(), 1}) > 0).to(ex::kInt64);
  return {points, labels};
}

bool train_a_module() {
  ex::manual_seed(0);
  auto [points, labels] = xor_points(512);
  Net net(2, 32, 2);
  ex::optim::SGD optimizer(net->parameters(), ex::optim::SGDOptions(0.2).momentum(0.9));
  for (int step = 0; step < 300; ++step) {
    optimizer.zero_grad();
    ex::Tensor loss = ex::cross_entropy(net(points), labels);
    loss.backward();
    optimizer.step();
  }
  ex::NoGradGuard no_grad;
  const ex::Tensor predicted = net(points).argmax(1);
  const double accuracy = predicted.eq(labels).to(ex::kFloat32).mean().item<double>();
  std::cout << net << "\ntraining accuracy " << accuracy << "\n";

  return accuracy > 0.9 && net->named_parameters().at("fc1.weight").shape() == ex::Shape{32, 2};
}

bool raw_backward_kernels() {
  ex::manual_seed(1);
  const ex::Tensor x = ex::randn({4, 3}), w = ex::randn({3, 2});
  // Forward, keeping what the backward kernels read.
  const ex::Tensor z = ex::matmul(x, w);
  const ex::Tensor h = ex::sigmoid(z);
  const ex::Tensor loss = ex::sum(h);
  // Backward by hand, output to input: each kernel takes the upstream gradient first.
  const ex::Tensor grad_h = ex::sum_backward(ex::scalar_tensor(1.0f), h.shape());
  const ex::Tensor grad_z = ex::sigmoid_backward(grad_h, h);  // reads the output
  const auto [grad_x, grad_w] = ex::matmul_backward(grad_z, x, w);

  // The tape computes the same gradient with the same kernels.
  const ex::Tensor leaf = w.detach().requires_grad_();
  ex::sum(ex::sigmoid(ex::matmul(x, leaf))).backward();
  return (grad_w - leaf.grad()).abs().amax().item<double>() == 0 && grad_x.shape() == x.shape();
}

}  // namespace

int main() {
  const bool tensors = first_tensor_program();
  const bool module = train_a_module();
  const bool kernels = raw_backward_kernels();
  std::printf("first program %s, module training %s, raw backward kernels %s\n", tensors ? "ok" : "FAILED",
              module ? "ok" : "FAILED", kernels ? "ok" : "FAILED");
  return tensors && module && kernels ? 0 : 1;
}
