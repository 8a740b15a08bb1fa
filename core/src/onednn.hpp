#pragma once
// Private: the glue between tensors and oneDNN. One CPU engine; a stream, a
// scratchpad and a primitive cache per thread, because oneDNN primitives created in
// the default scratchpad mode must not run on two threads at once (ONEDNN_NOTES.md)
// and each thread may be running its own tape.

#include <dnnl.hpp>

#include <optional>
#include <string>
#include <unordered_map>

#include "extensor/core/tensor.hpp"

namespace ex::detail::onednn {

dnnl::engine& engine();
// This thread's stream; also makes oneDNN use the library's thread count here.
dnnl::stream& stream();

// oneDNN's type for a dtype, or nothing when oneDNN has none we use (f64, f16
// matmul, 16/64-bit ints: see ONEDNN_NOTES.md).
std::optional<dnnl::memory::data_type> data_type(DType dtype);

// A memory descriptor with the tensor's dims and strides (rank 0 becomes [1]).
dnnl::memory::desc desc(const Tensor& t);
// A memory object over the tensor's data, no copy.
dnnl::memory memory(const Tensor& t);
dnnl::memory memory(const Tensor& t, const dnnl::memory::desc& md);

// Attributes every primitive of ours is created with: user-managed scratchpad.
dnnl::primitive_attr default_attr();
// A scratchpad memory for a primitive descriptor, from a buffer owned by this thread.
dnnl::memory scratchpad(const dnnl::primitive_desc_base& pd);

// The implementation oneDNN chose ("brg:avx512_core", "ref:any", ...), and a warning
// through the library logger when it is the slow reference path.
std::string impl_name(const dnnl::primitive_desc_base& pd, const char* op);

// A per-thread cache of primitives (with their descriptors) keyed by a string that
// encodes everything the primitive depends on (shapes, strides, dtypes, attributes).
template <class Entry>
class PrimitiveCache {
 public:
  template <class Make>
  Entry& get(const std::string& key, Make&& make) {
    auto it = entries_.find(key);
    if (it == entries_.end()) {
      if (entries_.size() >= kCapacity) entries_.clear();  // bounded; rebuilds are cheap enough
      it = entries_.emplace(key, make()).first;
    }
    return it->second;
  }

 private:
  static constexpr std::size_t kCapacity = 512;
  std::unordered_map<std::string, Entry> entries_;
};

}  // namespace ex::detail::onednn
