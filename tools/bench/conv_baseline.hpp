#pragma once
// Bare oneDNN primitives for bench_cnn: a 2-D convolution (forward, backward data,
// backward weights) and a matmul, built once over buffers they own, so that timing them
// measures the primitive alone.
#include <cstdint>
#include <memory>
#include <string>

namespace bench {

// A stride-1 convolution with square kernel k and padding pad, float32.
struct ConvShape {
  std::int64_t n, c, h, w, o, k, pad;
  bool bias;
  double flops() const { return 2.0 * static_cast<double>(n * o * h * w * c * k * k); }  // one pass, same size
};

// The three convolution primitives of one shape, created as oneDNN chooses them
// (format_tag::any: blocked layouts on AVX2), with their inputs already in those layouts
// (the *_blocked calls: the primitive alone, the rate the floor is computed from), and the
// same primitives as a user holding dense NCHW / OIHW tensors must run them (the *_plain
// calls: reorders into the primitive's layouts, the primitive, the reorder of the result
// back to NCHW, into buffers allocated once). Inputs are filled with fixed values.
class BareConv {
 public:
  virtual ~BareConv() = default;
  virtual void forward_blocked() = 0;
  virtual void backward_data_blocked() = 0;
  virtual void backward_weights_blocked() = 0;
  virtual void forward_plain() = 0;
  virtual void backward_data_plain() = 0;
  virtual void backward_weights_plain() = 0;
  // The implementations and layouts oneDNN chose, for the report.
  virtual std::string describe() const = 0;
};
std::unique_ptr<BareConv> make_bare_conv(const ConvShape& s);

// A float32 [m, k] x [k, n] matmul primitive over dense row-major buffers.
class BareMatmul {
 public:
  virtual ~BareMatmul() = default;
  virtual void run() = 0;
};
std::unique_ptr<BareMatmul> make_bare_matmul(std::int64_t m, std::int64_t k, std::int64_t n);

}  // namespace bench
