// The second main job: a small CNN trained on Fashion-MNIST with cross-entropy and SGD
// with momentum, from Debian's dataset-fashion-mnist files:
//   conv 1->32 3x3 pad 1, BatchNorm2d, ReLU, max-pool 2   [N, 32, 14, 14]
//   conv 32->64 3x3 pad 1, BatchNorm2d, ReLU, max-pool 2  [N, 64, 7, 7]
//   flatten, Linear 3136->128, ReLU, Dropout(--dropout, 0.25), Linear 128->10
// The command line, schedule, metrics CSV (fashion_mnist_cnn_metrics.csv next to the
// executable by default) and checkpoints (the batch-norm running statistics included)
// are fashion_mnist_job.hpp's:
//
//   fashion_mnist_cnn [--epochs 10] [--batch-size 64] [--lr 0.05] [--momentum 0.9]
//                     [--schedule cosine|constant] [--dropout 0.25] [--threads N] [--seed 0] [--data-dir DIR]
//                     [--limit N] [--metrics FILE] [--min-accuracy A] [--save FILE] [--resume FILE]
//                     [--stop-after K]
#include "fashion_mnist_job.hpp"

namespace {

namespace nn = ex::nn;

nn::Sequential make_cnn(double dropout) {
  nn::Sequential model(nn::Conv2d(nn::Conv2dOptions(1, 32, 3).padding(1)), nn::BatchNorm2d(32), nn::ReLU(),
                       nn::MaxPool2d(nn::MaxPool2dOptions(2)),  //
                       nn::Conv2d(nn::Conv2dOptions(32, 64, 3).padding(1)), nn::BatchNorm2d(64), nn::ReLU(),
                       nn::MaxPool2d(nn::MaxPool2dOptions(2)),  //
                       nn::Flatten(), nn::Linear(64 * 7 * 7, 128), nn::ReLU());
  if (dropout > 0) model->push_back(nn::Dropout(dropout));
  model->push_back(nn::Linear(128, 10));
  return model;
}

}  // namespace

int main(int argc, char** argv) {
  return fashion_mnist::run({.name = "fashion_mnist_cnn",
                             .description = "Fashion-MNIST CNN (two conv + batch-norm blocks, two linear layers) "
                                            "trained with extensor",
                             .metrics_file = "fashion_mnist_cnn_metrics.csv",
                             .lr = 0.05,
                             .dropout = 0.25,
                             .make_model = make_cnn},
                            argc, argv);
}
