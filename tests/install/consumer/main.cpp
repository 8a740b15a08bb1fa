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
  ex::Tensor t = ex::ones({2, 3});
  double total = 0;
  for (float v : t.to_vector<float>()) total += v;
  std::cout << "sum of ones(" << t.shape() << ") = " << total << "\n";

  ex::manual_seed(0);
  Net net;
  const ex::Tensor x = ex::randn({16, 4});
  const ex::Tensor y = ex::randint(0, 2, {16}, ex::DType::Int64);
  nn::CrossEntropyLoss criterion;
  ex::optim::SGD optimizer(net->parameters(), ex::optim::SGDOptions(0.1));
  double first = 0, last = 0;
  for (int step = 0; step < 20; ++step) {
    optimizer.zero_grad();
    const ex::Tensor loss = criterion(net(x), y);
    loss.backward();
    optimizer.step();
    (step == 0 ? first : last) = loss.item<double>();
  }
  std::cout << net << "\nloss " << first << " -> " << last << "\n";
  return total == 6 && last < first ? 0 : 1;
}
