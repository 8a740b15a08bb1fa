#pragma once
// EX_NN_OPTION: the chained setters of module options (LinearOptions(4, 2).bias(false)),
// in the style of PyTorch's TORCH_ARG.

#include <utility>

// Declares option `name` of type T in an options class: a setter `name(value)` that
// returns the options object (so setters chain), a getter `name()`, and the member
// `name_`, whose default follows the macro: `EX_NN_OPTION(bool, bias) = true;`.
// Leaves the class in private access.
#define EX_NN_OPTION(T, name)                        \
 public:                                             \
  auto& name(T value) {                              \
    this->name##_ = std::move(value);                \
    return *this;                                    \
  }                                                  \
  const T& name() const noexcept { return name##_; } \
                                                     \
 private:                                            \
  T name##_
