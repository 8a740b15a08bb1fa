// An outside project: only the installed headers and find_package(extensor). Builds a
// model the way a libtorch program does (holders, TORCH_MODULE, Sequential) and trains
// it a few steps.
#include <extensor/extensor.hpp>

#include <iostream>

namespace nn = ex::nn;

struct NetImpl : nn::Module {
  NetImpl() {
    fc1 = register_module("fc1", nn::Linear(4, 8));
    head = register_module("head", nn::Sequential(nn::ReLU(), nn::Linear(8, 2)));
  }
  ex::Tensor forward(ex::Tensor x) { return head(fc1(x)); }
  nn::Linear fc1{nullptr};
  nn::Sequential head{nullptr};
};
TORCH_MODULE(Net);

int main() {
  // Tensor members, operators, indexing and libtorch's literal defaults.
  using ex::indexing::Slice;
  ex::Tensor t = ex::ones({2, 3});
  t += 1;                                                            // in place: every element is 2
  const ex::Tensor m = ex::tensor({{1.0, 2.0}, {3.0, 4.0}});         // float32, as in libtorch
  const double total = t.sum().item<double>();                       // 12
  const double corner = m[1][0].item<double>();                      // 3
  const double column = m.index({Slice(), 1}).sum().item<double>();  // 2 + 4
  const bool one_big = (m > 3.5).to(ex::kInt64).sum().item<std::int64_t>() == 1;
  std::cout << "sum " << total << ", m[1][0] " << corner << ", column " << column << "\n";
  const bool tensor_ok = total == 12 && corner == 3 && column == 6 && one_big && m.dtype() == ex::kFloat32 &&
                         ex::tensor({0, 2}).dtype() == ex::kInt64;

  ex::manual_seed(0);
  Net net;
  const ex::Tensor x = ex::randn({16, 4});
  const ex::Tensor y = ex::randint(0, 2, {16});
  nn::CrossEntropyLoss criterion;
  ex::optim::SGD optimizer(net->parameters(), 0.1);
  double first = 0, last = 0;
  for (int step = 0; step < 20; ++step) {
    optimizer.zero_grad();
    const ex::Tensor loss = criterion(net(x), y);
    loss.backward();
    optimizer.step();
    (step == 0 ? first : last) = loss.item<double>();
  }
  std::cout << net << "\nloss " << first << " -> " << last << "\n";
  return tensor_ok && last < first ? 0 : 1;
}
