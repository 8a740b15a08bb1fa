#include "extensor/core/backend.hpp"

#include <dnnl.hpp>

#include <string>

#include "common/check.hpp"
#include "core/src/onednn.hpp"
#include "extensor/core/threading.hpp"

namespace ex {

namespace {
const char* isa_name(dnnl::cpu_isa isa) {
  switch (isa) {
    case dnnl::cpu_isa::sse41:
      return "sse41";
    case dnnl::cpu_isa::avx:
      return "avx";
    case dnnl::cpu_isa::avx2:
      return "avx2";
    case dnnl::cpu_isa::avx512_core:
      return "avx512_core";
    case dnnl::cpu_isa::avx512_core_vnni:
      return "avx512_core_vnni";
    case dnnl::cpu_isa::avx512_core_bf16:
      return "avx512_core_bf16";
    case dnnl::cpu_isa::avx512_core_amx:
      return "avx512_core_amx";
    default:
      return "other";
  }
}
}  // namespace

std::string backend_info() {
  const dnnl_version_t* v = dnnl::version();
  const char* runtime = v->cpu_runtime == DNNL_RUNTIME_OMP ? "OpenMP" : "other runtime";
  return fmt::format("oneDNN {}.{}.{} ({}), ISA {}, {} threads", v->major, v->minor, v->patch, runtime,
                     isa_name(dnnl::get_effective_cpu_isa()), get_num_threads());
}

bool onednn_supports_bf16() {
  // Probed once with a small matmul: oneDNN refuses bfloat16 outright on CPUs without
  // AVX-512 and offers only its reference path on some others.
  static const bool supported = [] {
    try {
      const dnnl::memory::desc md({16, 16}, dnnl::memory::data_type::bf16, dnnl::memory::format_tag::ab);
      const dnnl::matmul::primitive_desc pd(dnnl::matmul::desc(md, md, md), detail::onednn::engine());
      return std::string(pd.impl_info_str()).rfind("ref", 0) != 0;
    } catch (const dnnl::error&) {
      return false;
    }
  }();
  return supported;
}

}  // namespace ex
