// Every forward signature a libtorch user writes works through holders and Sequential.
#include <extensor/extensor.hpp>

namespace nn = ex::nn;

struct ByValueImpl : nn::Module {
  ex::Tensor forward(ex::Tensor x) { return x; }
};
TORCH_MODULE(ByValue);

struct ByConstRefImpl : nn::Module {
  ex::Tensor forward(const ex::Tensor& x) { return x; }
};
EX_MODULE(ByConstRef);

struct TwoArgsImpl : nn::Module {
  ex::Tensor forward(const ex::Tensor& x, const ex::Tensor& mask) { return x * mask; }
};
EX_MODULE(TwoArgs);

struct NetImpl : nn::Module {
  NetImpl() {
    fc1 = register_module("fc1", nn::Linear(8, 32));
    seq = register_module("seq", nn::Sequential(nn::Linear(32, 4), ByValue(), nn::ReLU()));
  }
  ex::Tensor forward(ex::Tensor x) { return seq(fc1(x)); }
  nn::Linear fc1{nullptr};
  nn::Sequential seq{nullptr};
};
TORCH_MODULE(Net);

int main() {
  const ex::Tensor x = ex::ones({2, 8});
  Net net;
  ex::Tensor y = net(x);
  y = ByConstRef()(y);
  y = TwoArgs()(y, y);
  nn::Sequential seq(ByValue(), std::make_shared<ByConstRefImpl>(), nn::Identity());
  seq->push_back(nn::Linear(4, 4));
  y = seq(y) + nn::call_forward(*net, x);
  nn::LinearImpl& fc = net->seq->at<nn::LinearImpl>(0);
  (void)fc.weight;
  (void)nn::summary(net, {1, 8});
  nn::CrossEntropyLoss criterion;
  (void)criterion(y, ex::zeros({2}, ex::DType::Int64));
  return y.defined() ? 0 : 1;
}
