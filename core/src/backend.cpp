#include "extensor/core/backend.hpp"

#include <dnnl.hpp>

#include "core/src/check.hpp"
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

}  // namespace ex
