#pragma once
// Grad mode: whether forward ops record on the calling thread's tape. Thread-local, on
// by default, like PyTorch's.

namespace ex {

namespace autograd::detail {
extern thread_local bool grad_mode_enabled;
}

// Thread-local switch for recording. Ops record a node only when this is on and some
// input requires grad.
struct GradMode {
  static bool is_enabled() noexcept { return autograd::detail::grad_mode_enabled; }
  static void set_enabled(bool enabled) noexcept { autograd::detail::grad_mode_enabled = enabled; }
};

// Turns recording off for its scope (inference, optimizer updates, initialization) and
// restores the previous mode on exit.
class NoGradGuard {
 public:
  NoGradGuard() noexcept : previous_(GradMode::is_enabled()) { GradMode::set_enabled(false); }
  ~NoGradGuard() { GradMode::set_enabled(previous_); }
  NoGradGuard(const NoGradGuard&) = delete;
  NoGradGuard& operator=(const NoGradGuard&) = delete;

 private:
  bool previous_;
};

// Turns recording back on inside a NoGradGuard scope, restoring the previous mode on exit.
class EnableGradGuard {
 public:
  EnableGradGuard() noexcept : previous_(GradMode::is_enabled()) { GradMode::set_enabled(true); }
  ~EnableGradGuard() { GradMode::set_enabled(previous_); }
  EnableGradGuard(const EnableGradGuard&) = delete;
  EnableGradGuard& operator=(const EnableGradGuard&) = delete;

 private:
  bool previous_;
};

}  // namespace ex
