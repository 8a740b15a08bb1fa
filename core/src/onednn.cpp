#include "core/src/onednn.hpp"

#include <omp.h>

#include <vector>

#include "common/check.hpp"
#include "extensor/core/logging.hpp"
#include "extensor/core/threading.hpp"

namespace ex::detail::onednn {

dnnl::engine& engine() {
  static dnnl::engine eng(dnnl::engine::kind::cpu, 0);
  return eng;
}

dnnl::stream& stream() {
  thread_local dnnl::stream s(engine());
  // oneDNN sizes its parallel regions from this thread's omp_get_max_threads().
  if (omp_get_max_threads() != get_num_threads()) omp_set_num_threads(get_num_threads());
  return s;
}

std::optional<dnnl::memory::data_type> data_type(DType dtype) {
  using dt = dnnl::memory::data_type;
  switch (dtype) {
    case DType::Float32:
      return dt::f32;
    case DType::BFloat16:
      return dt::bf16;
    case DType::Float16:
      return dt::f16;
    case DType::Int32:
      return dt::s32;
    case DType::Int8:
      return dt::s8;
    case DType::UInt8:
      return dt::u8;
    default:
      return std::nullopt;
  }
}

dnnl::memory::desc desc(const Tensor& t) {
  auto type = data_type(t.dtype());
  if (!type) fail("onednn::desc: dtype {} has no oneDNN type", t.dtype());
  dnnl::memory::dims dims(t.shape().begin(), t.shape().end());
  dnnl::memory::dims strides(t.strides().begin(), t.strides().end());
  if (dims.empty()) {
    dims = {1};
    strides = {1};
  }
  return dnnl::memory::desc(dims, *type, strides);
}

dnnl::memory memory(const Tensor& t) { return memory(t, desc(t)); }
dnnl::memory memory(const Tensor& t, const dnnl::memory::desc& md) { return dnnl::memory(md, engine(), t.raw_data()); }

dnnl::primitive_attr default_attr() {
  dnnl::primitive_attr attr;
  attr.set_scratchpad_mode(dnnl::scratchpad_mode::user);
  return attr;
}

dnnl::memory scratchpad(const dnnl::primitive_desc_base& pd) {
  thread_local std::vector<std::byte, std::allocator<std::byte>> buffer;
  const dnnl::memory::desc md = pd.scratchpad_desc();
  const std::size_t need = md.get_size() + 64;
  if (buffer.size() < need) buffer.resize(need);
  // Align by hand: oneDNN wants 64-byte aligned scratchpads.
  auto addr = reinterpret_cast<std::uintptr_t>(buffer.data());
  void* aligned = reinterpret_cast<void*>((addr + 63) & ~std::uintptr_t{63});
  return dnnl::memory(md, engine(), aligned);
}

std::string impl_name(const dnnl::primitive_desc_base& pd, const char* op) {
  std::string name = pd.impl_info_str();
  if (name.rfind("ref", 0) == 0) logger().warn("{}: oneDNN picked the slow reference implementation '{}'", op, name);
  return name;
}

}  // namespace ex::detail::onednn
