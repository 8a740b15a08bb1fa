#pragma once
// Private: oneDNN eltwise and softmax primitives over dense tensors, cached per thread,
// for the pointwise engine and softmax; and the activation backend hooks they share
// (which implementation ran last, and from how many elements oneDNN is tried).

#include <dnnl.hpp>

#include <cstdint>
#include <initializer_list>
#include <string>
#include <unordered_map>
#include <utility>

#include "core/src/onednn.hpp"
#include "extensor/core/tensor.hpp"

namespace ex::detail::onednn {

// A cached primitive whose arguments all share one dense memory descriptor; ok is false
// when oneDNN could not build it or would only run its reference path.
struct CachedPrimitive {
  bool ok = false;
  dnnl::primitive prim;
  dnnl::memory::desc md;
  dnnl::primitive_desc pd;
  std::string impl;
};

// Records impl as the implementation the last activation kernel on this thread ran.
void set_last_activation_impl(std::string impl);
// Records that our own loop ran it ("extensor").
inline void set_own_activation_impl() { set_last_activation_impl("extensor"); }
// Whether a float32 or bfloat16 tensor of x's size goes to oneDNN: from
// activation_onednn_min_elements() elements, 16 times that for cheap ops (a compare and
// a multiply, where our loop keeps up with oneDNN longer).
bool use_for_activation(const Tensor& x, bool cheap = false);

// Runs the primitive cached under key (make(entry) builds it on first use) on the
// (oneDNN argument id, dense tensor) pairs. Returns false and writes nothing when
// oneDNN cannot build it or would only run its reference path.
template <class Make>
bool run_cached(const std::string& key, const char* op, std::initializer_list<std::pair<int, const Tensor*>> args,
                Make&& make) {
  thread_local PrimitiveCache<CachedPrimitive> cache;
  CachedPrimitive& entry = cache.get(key, [&] {
    CachedPrimitive c;
    try {
      make(c);
      c.impl = impl_name(c.pd, op);
      c.ok = c.impl.rfind("ref", 0) != 0;  // the reference path is far slower than ours
    } catch (const dnnl::error&) {
      c.ok = false;
    }
    return c;
  });
  if (!entry.ok) return false;
  std::unordered_map<int, dnnl::memory> mems{{DNNL_ARG_SCRATCHPAD, scratchpad(entry.pd)}};
  for (const auto& [arg, t] : args) mems.emplace(arg, dnnl::memory(entry.md, engine(), t->raw_data()));
  entry.prim.execute(stream(), mems);
  stream().wait();
  set_last_activation_impl(entry.impl);
  return true;
}

// out = the eltwise algorithm alg of x (alpha: its parameter, the negative slope for
// relu); x and out of one shape and one dtype, out dense. False when oneDNN declined.
bool eltwise_forward(const char* op, dnnl::algorithm alg, const Tensor& x, const Tensor& out, float alpha);
// out = the gradient of alg at x for the upstream grad, alpha as above.
bool eltwise_backward(const char* op, dnnl::algorithm alg, const Tensor& grad, const Tensor& x, const Tensor& out,
                      float alpha);

}  // namespace ex::detail::onednn
