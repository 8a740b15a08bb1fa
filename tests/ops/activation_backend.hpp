#pragma once
// Shared by the activation suites: forcing one backend of the activation kernels.

#include <cstdint>
#include <extensor/extensor.hpp>

namespace ex::test {

// Forces one backend for the lifetime of the object: oneDNN (threshold 0) or our own
// loops (threshold out of reach).
struct ActivationBackend {
  explicit ActivationBackend(bool onednn)
      : previous(ex::kernels::set_activation_onednn_min_elements(onednn ? 0 : std::int64_t{1} << 62)) {}
  ~ActivationBackend() { ex::kernels::set_activation_onednn_min_elements(previous); }
  ActivationBackend(const ActivationBackend&) = delete;
  ActivationBackend& operator=(const ActivationBackend&) = delete;
  std::int64_t previous;
};

// Whether the oneDNN backend runs dtype dt with oneDNN: float32 always, bfloat16 only
// where oneDNN has fast bfloat16 kernels on this CPU (elsewhere our loops take it).
inline bool onednn_runs(DType dt) {
  return dt == DType::Float32 || (dt == DType::BFloat16 && ex::onednn_supports_bf16());
}

// Whether oneDNN runs softmax and log_softmax backward in dtype dt (float32 or
// bfloat16): oneDNN 2.6 has fast kernels for them only from AVX-512 on, where it has
// bfloat16 ones; elsewhere it offers its reference path and our loops take them.
inline bool onednn_runs_softmax_backward(DType dt) {
  return (dt == DType::Float32 || dt == DType::BFloat16) && ex::onednn_supports_bf16();
}

}  // namespace ex::test
