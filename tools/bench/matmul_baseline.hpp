#pragma once
// ex::matmul against a bare oneDNN matmul primitive, shared by bench_matmul (the
// standalone program) and bench_ops (its section 0, so one run prints every ratio).

#include <cstdint>
#include <extensor/extensor.hpp>
#include <string>

namespace bench {

struct MatmulTiming {
  double ex_seconds = 1e30;    // best ex::matmul call
  double dnnl_seconds = 1e30;  // best execute of the bare primitive
  std::string dnnl_impl;       // the baseline primitive's impl_info_str()
  std::string ex_backend;      // ex::matmul's backend, from last_matmul_trace()
  bool same = false;           // both computed the same product (to 1e-2 relative)
};

// Times n x n x n products of two rand tensors of dtype (Float32 or BFloat16) through
// ex::matmul and through one oneDNN primitive over the same dense row-major buffers,
// created once; both are warmed up, then timed alternately, one call each per
// repetition, best of reps. Uses the current ex::get_num_threads().
MatmulTiming time_matmul_against_onednn(ex::DType dtype, std::int64_t n, int reps);

}  // namespace bench
