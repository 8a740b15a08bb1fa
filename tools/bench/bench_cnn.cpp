// bench_cnn: a Fashion-MNIST convolutional network, extensor against libtorch 1.13's C++
// frontend (Debian's libtorch-dev) in one process, at the same thread count
// (ex::set_num_threads and at::set_num_threads; one libgomp pool serves both, and
// oneDNN's), and against bare oneDNN primitives.
//
//   bench_cnn [--threads T] [--reps R] [--min-ms M]
//
// The network, input [B, 1, 28, 28], is examples/fashion_mnist_cnn's: conv 1->32 3x3
// pad 1, BatchNorm2d, ReLU, MaxPool2d 2; conv 32->64 3x3 pad 1, BatchNorm2d, ReLU,
// MaxPool2d 2; Flatten; Linear 3136->128, ReLU, Dropout 0.25; Linear 128->10;
// cross-entropy. Ours is an ex::nn::Sequential of those modules with ex::optim::SGD;
// torch's the same torch::nn modules with torch::optim::SGD; both SGD with lr 0.01 and
// momentum 0.9, from the same initial parameters.
//
// Rows (each with its target):
// (a) one training step, batch 64 (zero_grad, forward, backward, SGD step): ours / torch
//     <= 0.7.
// (b) the floor of that step: the time bare oneDNN primitives take for the step's
//     convolutions (forward, backward data except for the first layer, whose input needs
//     no gradient, and backward weights; inputs already in the primitives' blocked
//     layouts) and its linear layers' matmuls (forward, and both backward products): the
//     step's FLOPs (2 x MACs) at the rate the bare primitives reach on these shapes.
//     Batch norm, relu, pooling, dropout and the loss are not counted. ours / floor <= 1.5.
// (c) each convolution call of the network, batch 64: ex::conv2d (forward, recording
//     off) and ex::conv2d_backward (data and weights asked for separately, as autograd
//     asks for them) against the same bare primitive as a user with dense NCHW / OIHW
//     tensors must run it (reorders in, primitive, reorder out, into buffers allocated
//     once): ours / bare <= 1.10.
// (d) inference, batch 256, NoGradGuard, eval mode (running statistics, no dropout):
//     ours / torch < 1.
//
// Timing: every case is warmed up, then timed in repetitions of at least --min-ms
// (default 20; the case is repeated as often as needed), all cases of a section
// interleaved within each repetition so they see the same load; the figures are medians
// over --reps (default 7), wall clock, printed with the fastest repetition. Before
// timing, ours and torch run the inference forward from the same parameters and must
// agree. Exit status 1 when a target is missed or the results differ.
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <extensor/extensor.hpp>
#include <fstream>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "bench_options.hpp"
#include "bench_timing.hpp"
#include "conv_baseline.hpp"
#include "torch_cnn_side.hpp"
#include "torch_side.hpp"

namespace {

namespace F = ex::nn::functional;

constexpr std::int64_t kBatch = 64, kInferBatch = 256;
constexpr double kLr = 0.01;

bench::Targets g_targets;
int g_differ = 0;

const char* verdict(bool pass) { return g_targets.verdict(pass); }

// Our network: the model examples/fashion_mnist_cnn.cpp trains, built from the same
// nn modules, and its optimizer.
struct OurCnn {
  ex::nn::Sequential model;
  std::unique_ptr<ex::optim::SGD> sgd;

  OurCnn() : model(make_model()) {}
  static ex::nn::Sequential make_model() {
    namespace nn = ex::nn;
    ex::manual_seed(7);
    return nn::Sequential(nn::Conv2d(nn::Conv2dOptions(1, 32, 3).padding(1)), nn::BatchNorm2d(32), nn::ReLU(),
                          nn::MaxPool2d(2), nn::Conv2d(nn::Conv2dOptions(32, 64, 3).padding(1)), nn::BatchNorm2d(64),
                          nn::ReLU(), nn::MaxPool2d(2), nn::Flatten(), nn::Linear(3136, 128), nn::ReLU(),
                          nn::Dropout(0.25), nn::Linear(128, 10));
  }
  void make_trainable() {
    sgd = std::make_unique<ex::optim::SGD>(model->parameters(), ex::optim::SGDOptions(kLr).momentum(0.9));
  }
  torch_cnn_side::Params raw() const {
    const ex::nn::StateDict state = model->state_dict();
    const auto p = [&](const char* name) { return state.at(name).data<float>(); };
    return {p("0.weight"), p("0.bias"), p("1.weight"), p("1.bias"), p("4.weight"),  p("4.bias"),
            p("5.weight"), p("5.bias"), p("9.weight"), p("9.bias"), p("12.weight"), p("12.bias")};
  }

  ex::Tensor forward(const ex::Tensor& x, bool training) {
    model->train(training);
    return model(x);
  }
  double train_step(const ex::Tensor& x, const ex::Tensor& labels) {
    sgd->zero_grad();
    const ex::Tensor loss = ex::cross_entropy(forward(x, true), labels);
    loss.backward();
    sgd->step();
    return loss.item<double>();
  }
};

void print_time(const char* name, const bench::Timing& t, const std::string& extra) {
  std::printf("  %-44s %9.3f %9.3f  %s\n", name, t.median * 1e3, t.min * 1e3, extra.c_str());
}
std::string ratio_text(double ratio, const char* target, bool pass) {
  char buf[96];
  std::snprintf(buf, sizeof buf, "ratio %.3f (target %s) %s", ratio, target, verdict(pass));
  return buf;
}

}  // namespace

int main(int argc, char** argv) {
  bench::CommonOptions opt;
  if (!bench::parse_common_only(argc, argv, "bench_cnn", opt)) return 2;
  ex::set_num_threads(opt.threads);
  torch_side::set_num_threads(opt.threads);

  ex::Generator gen(3);
  const ex::Tensor x = ex::rand({kBatch, 1, 28, 28}, ex::DType::Float32, gen);
  const ex::Tensor labels = ex::randint(0, 10, {kBatch}, ex::DType::Int64, gen);
  const ex::Tensor infer_x = ex::rand({kInferBatch, 1, 28, 28}, ex::DType::Float32, gen);

  OurCnn ours;
  const std::unique_ptr<torch_cnn_side::Cnn> theirs = torch_cnn_side::make_cnn(
      ours.raw(), x.data<float>(), labels.data<std::int64_t>(), kBatch, infer_x.data<float>(), kInferBatch, kLr);
  ours.make_trainable();

  std::printf(
      "bench_cnn: %d thread(s) (ex::get_num_threads %d, torch get_num_threads %d), median (and best) of %d reps "
      "of >= %g ms, wall clock\n",
      opt.threads, ex::get_num_threads(), torch_side::get_num_threads(), opt.reps, opt.min_seconds * 1e3);

  // The same parameters give the same logits (eval mode, before any step).
  {
    ex::NoGradGuard no_grad;
    const std::vector<float> a = ours.forward(infer_x, false).to_vector<float>();
    theirs->infer();
    const std::vector<float> b = theirs->last_logits();
    double worst = a.size() == b.size() ? 0 : 1e30;
    for (std::size_t i = 0; i < a.size() && i < b.size(); ++i)
      worst = std::max(worst, static_cast<double>(std::abs(a[i] - b[i])) / std::max(1.0f, std::abs(b[i])));
    std::printf("inference logits, ours against torch: largest difference %.3g\n", worst);
    if (!(worst <= 1e-4)) {
      std::fprintf(stderr, "bench_cnn: ours and torch's logits differ (%.3g)\n", worst);
      ++g_differ;
    }
  }
  // Torch's matmul goes through libblas (fc layers): the mapped BLAS is known after it.
  const std::string blas = bench::loaded_blas();
  std::printf("torch %s; torch's BLAS: %s (%s)\n%s", torch_side::version().c_str(),
              blas.empty() ? "none mapped" : blas.c_str(),
              blas.find("openblas") != std::string::npos ? "OpenBLAS" : "NOT OpenBLAS: torch's linear layers are slow",
              torch_side::parallel_info().c_str());
  std::printf("extensor: %s\n", ex::backend_info().c_str());

  // (a) The training step.
  double our_loss = 0, their_loss = 0;
  const std::vector<bench::Timing> train = bench::time_interleaved(
      {[&] { our_loss = ours.train_step(x, labels); }, [&] { their_loss = theirs->train_step(); }}, opt);

  // (b) The floor, and (c) the convolutions one by one.
  const bench::ConvShape shapes[2] = {{kBatch, 1, 28, 28, 32, 3, 1, true}, {kBatch, 32, 14, 14, 64, 3, 1, true}};
  std::unique_ptr<bench::BareConv> bare[2] = {bench::make_bare_conv(shapes[0]), bench::make_bare_conv(shapes[1])};
  // The linear layers' products: forward [B, in] x [in, out], input gradient
  // [B, out] x [out, in], weight gradient [out, B] x [B, in].
  struct Mm {
    std::int64_t m, k, n;
  };
  const Mm mms[6] = {{kBatch, 3136, 128}, {kBatch, 128, 3136}, {128, kBatch, 3136},
                     {kBatch, 128, 10},   {kBatch, 10, 128},   {10, kBatch, 128}};
  std::vector<std::unique_ptr<bench::BareMatmul>> bare_mm;
  for (const Mm& m : mms) bare_mm.push_back(bench::make_bare_matmul(m.m, m.k, m.n));

  // Our calls on the same shapes, tensors created once.
  struct OurConv {
    ex::Tensor x, w, b, grad;
  };
  std::vector<OurConv> oc;
  for (const bench::ConvShape& s : shapes) {
    OurConv c{ex::rand({s.n, s.c, s.h, s.w}, ex::DType::Float32, gen),
              ex::rand({s.o, s.c, s.k, s.k}, ex::DType::Float32, gen),
              s.bias ? ex::rand({s.o}, ex::DType::Float32, gen) : ex::Tensor(),
              ex::rand({s.n, s.o, s.h, s.w}, ex::DType::Float32, gen)};
    oc.push_back(c);
  }
  const auto our_forward = [&](int i) {
    ex::NoGradGuard no_grad;
    (void)ex::conv2d(oc[i].x, oc[i].w, oc[i].b, {1, 1}, {1, 1});
  };
  const auto our_backward = [&](int i, ex::Conv2dMask mask) {
    (void)ex::conv2d_backward(oc[i].grad, oc[i].x, oc[i].w, shapes[i].bias, {1, 1}, {1, 1}, {1, 1}, 1, mask);
  };
  std::vector<std::function<void()>> prim_fns;
  for (int i = 0; i < 2; ++i) {
    bench::BareConv* b = bare[i].get();
    prim_fns.insert(prim_fns.end(), {[b] { b->forward_blocked(); }, [b] { b->backward_data_blocked(); },
                                     [b] { b->backward_weights_blocked(); }, [b] { b->forward_plain(); },
                                     [b] { b->backward_data_plain(); }, [b] { b->backward_weights_plain(); },
                                     [&our_forward, i] { our_forward(i); },
                                     [&our_backward, i] {
                                       our_backward(i, {true, false, false});
                                     },
                                     [&our_backward, i] {
                                       our_backward(i, {false, true, true});
                                     }});
  }
  for (auto& m : bare_mm) prim_fns.push_back([p = m.get()] { p->run(); });
  const std::vector<bench::Timing> prim = bench::time_interleaved(prim_fns, opt);

  // (d) Inference.
  const std::vector<bench::Timing> infer = bench::time_interleaved({[&] {
                                                                      ex::NoGradGuard no_grad;
                                                                      (void)ours.forward(infer_x, false);
                                                                    },
                                                                    [&] { (void)theirs->infer(); }},
                                                                   opt);

  std::printf("\n%-46s %9s %9s\n", "row", "ms (med)", "ms (min)");
  std::printf("(a) training step, batch %lld\n", static_cast<long long>(kBatch));
  print_time("ours", train[0], "loss " + std::to_string(our_loss));
  print_time("torch", train[1], "loss " + std::to_string(their_loss));
  const double a_ratio = train[0].median / train[1].median;
  std::printf("  ours / torch %.3f (target <= 0.7) %s\n", a_ratio, verdict(a_ratio <= 0.7));

  std::printf("(b) floor: bare oneDNN primitives on the step's shapes (blocked layouts)\n");
  double floor_s = 0, floor_flops = 0;
  for (int i = 0; i < 2; ++i) {
    const double f = shapes[i].flops();
    const char* names[3] = {"forward", "backward data", "backward weights"};
    for (int pass = 0; pass < 3; ++pass) {
      const bench::Timing& t = prim[9 * i + pass];
      const bool counted = !(i == 0 && pass == 1);  // conv1's input needs no gradient
      char label[96], extra[96];
      std::snprintf(label, sizeof label, "conv%d %s%s", i + 1, names[pass], counted ? "" : " (not in step)");
      std::snprintf(extra, sizeof extra, "%.1f MFLOP, %.1f GFLOP/s", f / 1e6, f / t.median / 1e9);
      print_time(label, t, extra);
      if (counted) {
        floor_s += t.median;
        floor_flops += f;
      }
    }
  }
  for (int m = 0; m < 6; ++m) {
    const bench::Timing& t = prim[18 + m];
    const double f = 2.0 * static_cast<double>(mms[m].m * mms[m].k * mms[m].n);
    char label[96], extra[96];
    std::snprintf(label, sizeof label, "matmul [%lld, %lld] x [%lld, %lld]", static_cast<long long>(mms[m].m),
                  static_cast<long long>(mms[m].k), static_cast<long long>(mms[m].k), static_cast<long long>(mms[m].n));
    std::snprintf(extra, sizeof extra, "%.1f MFLOP, %.1f GFLOP/s", f / 1e6, f / t.median / 1e9);
    print_time(label, t, extra);
    floor_s += t.median;
    floor_flops += f;
  }
  std::printf("  floor: %.1f MFLOP per step in %.3f ms (%.1f GFLOP/s)\n", floor_flops / 1e6, floor_s * 1e3,
              floor_flops / floor_s / 1e9);
  const double b_ratio = train[0].median / floor_s;
  std::printf("  ours / floor %.3f (target <= 1.5) %s\n", b_ratio, verdict(b_ratio <= 1.5));

  std::printf("(c) conv2d calls, batch %lld: ours against bare oneDNN with dense NCHW tensors\n",
              static_cast<long long>(kBatch));
  for (int i = 0; i < 2; ++i) {
    std::printf("  conv%d: %s\n", i + 1, bare[i]->describe().c_str());
    const char* names[3] = {"forward", "backward data", "backward weights"};
    for (int pass = 0; pass < 3; ++pass) {
      const bench::Timing& theirs_t = prim[9 * i + 3 + pass];
      const bench::Timing& ours_t = prim[9 * i + 6 + pass];
      char label[96];
      std::snprintf(label, sizeof label, "conv%d %s: bare (NCHW)", i + 1, names[pass]);
      print_time(label, theirs_t, "");
      std::snprintf(label, sizeof label, "conv%d %s: ours", i + 1, names[pass]);
      const double r = ours_t.median / theirs_t.median;
      print_time(label, ours_t, ratio_text(r, "<= 1.10", r <= 1.10));
    }
  }

  std::printf("(d) inference, batch %lld, eval mode, no grad\n", static_cast<long long>(kInferBatch));
  print_time("ours", infer[0], "");
  print_time("torch", infer[1], "");
  const double d_ratio = infer[0].median / infer[1].median;
  std::printf("  ours / torch %.3f (target < 1) %s\n", d_ratio, verdict(d_ratio < 1));

  std::printf("\n%d target(s) missed; results differ on %d check(s)\n", g_targets.missed, g_differ);
  return g_targets.missed == 0 && g_differ == 0 ? 0 : 1;
}
