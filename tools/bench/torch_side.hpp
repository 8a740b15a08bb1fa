#pragma once
// The PyTorch side of bench_ops, behind an interface that includes no libtorch header
// (they take long to compile): bench_ops.cpp hands over float32 inputs it owns and gets
// back an operation it can run and time. Adding a row means adding one entry to the
// table in torch_side.cpp.
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

namespace torch_side {

// A dense row-major float32 array owned by the caller; it must outlive the Op using it.
struct Input {
  const float* data;
  std::vector<std::int64_t> shape;
};

// One PyTorch computation on fixed inputs. The constructor (make) runs it once, which
// also allocates the output that the out= form writes into on every later run().
class Op {
 public:
  virtual ~Op() = default;
  virtual void run() = 0;
  // Sum of |output| in float64, to check that both libraries computed the same thing.
  virtual double checksum() const = 0;
  // "out=" (writes a preallocated output) or "alloc" (returns a new tensor each call).
  virtual const char* form() const = 0;
};

// The op called `name` (see torch_side.cpp for the list) on `inputs`. out_variant picks
// the torch out= overload where the op has one, else the out-of-place call. Throws
// std::invalid_argument for an unknown name.
std::unique_ptr<Op> make(const std::string& name, const std::vector<Input>& inputs, bool out_variant);

// at::set_num_threads / at::get_num_threads (what torch::set_num_threads calls).
void set_num_threads(int n);
int get_num_threads();
// "1.13.1" and at::get_parallel_info()'s first lines, for the report.
std::string version();
std::string parallel_info();

}  // namespace torch_side
