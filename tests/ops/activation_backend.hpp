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

}  // namespace ex::test
