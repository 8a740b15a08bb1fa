// The main job: an MLP (784-512-256-10, ReLU, optional dropout after each hidden layer)
// trained on Fashion-MNIST with cross-entropy and SGD with momentum, from Debian's
// dataset-fashion-mnist files. The command line, schedule, metrics CSV
// (fashion_mnist_metrics.csv next to the executable by default) and checkpoints are
// fashion_mnist_job.hpp's:
//
//   fashion_mnist_mlp [--epochs 10] [--batch-size 64] [--lr 0.05] [--momentum 0.9]
//                     [--schedule cosine|constant] [--dropout 0] [--threads N] [--seed 0] [--data-dir DIR]
//                     [--limit N] [--metrics FILE] [--min-accuracy A] [--save FILE] [--resume FILE]
//                     [--stop-after K]
#include "fashion_mnist_job.hpp"

namespace {

ex::nn::Sequential make_mlp(double dropout) {
  ex::nn::Sequential model(ex::nn::Flatten(), ex::nn::Linear(784, 512), ex::nn::ReLU());
  if (dropout > 0) model->push_back(ex::nn::Dropout(dropout));
  model->push_back(ex::nn::Linear(512, 256));
  model->push_back(ex::nn::ReLU());
  if (dropout > 0) model->push_back(ex::nn::Dropout(dropout));
  model->push_back(ex::nn::Linear(256, 10));
  return model;
}

}  // namespace

int main(int argc, char** argv) {
  return fashion_mnist::run({.name = "fashion_mnist_mlp",
                             .description = "Fashion-MNIST MLP (784-512-256-10) trained with extensor",
                             .metrics_file = "fashion_mnist_metrics.csv",
                             .lr = 0.05,
                             .dropout = 0,
                             .make_model = make_mlp},
                            argc, argv);
}
