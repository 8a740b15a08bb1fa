#pragma once
// EX_OPTION: the chained setters of option classes (LinearOptions(4, 2).bias(false),
// SGDOptions(0.1).momentum(0.9), DataLoaderOptions(64).shuffle(true)), in the style of
// PyTorch's TORCH_ARG. One macro for every layer, so all option classes read alike.

#include <utility>

// Declares option `name` of type T in an options class: a setter `name(value)` that
// returns the options object (so setters chain), a getter `name()`, and the member
// `name_`, whose default follows the macro: `EX_OPTION(bool, bias) = true;`.
// Leaves the class in private access.
#define EX_OPTION(T, name)                           \
 public:                                             \
  auto& name(T value) {                              \
    this->name##_ = std::move(value);                \
    return *this;                                    \
  }                                                  \
  const T& name() const noexcept { return name##_; } \
                                                     \
 private:                                            \
  T name##_
