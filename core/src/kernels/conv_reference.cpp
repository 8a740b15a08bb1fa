// conv2d's direct loops: the float64 kernel (and the reference the oneDNN path is tested
// against). Each loop nest writes a disjoint slice, so the outer index runs in parallel.
#include <algorithm>
#include <cstring>

#include "core/src/kernels/conv.hpp"
#include "core/src/parallel.hpp"

namespace ex::kernels::conv {

namespace {

// Grain for parallel_for over outer indices whose bodies cost `work` multiply-adds each.
std::int64_t grain_for(std::int64_t work) {
  return std::max<std::int64_t>(1, ex::detail::kGrainElements / std::max<std::int64_t>(1, work));
}

// The input row (or column) read by output position out and kernel tap k, or -1 in the
// padding.
std::int64_t source(std::int64_t out, std::int64_t k, std::int64_t stride, std::int64_t pad, std::int64_t dil,
                    std::int64_t size) {
  const std::int64_t i = out * stride - pad + k * dil;
  return i >= 0 && i < size ? i : -1;
}

// A zero-filled float64 tensor, allocated under conv2d_backward's name.
Tensor zeroed(const Shape& shape) {
  Tensor t = ex::detail::allocate(shape, DType::Float64, "conv2d_backward");
  if (t.numel() != 0) std::memset(t.raw_data(), 0, t.nbytes());
  return t;
}

}  // namespace

void reference_forward(const Geometry& g, const Tensor& x, const Tensor& w, const Tensor& b, const Tensor& out) {
  const double* xp = x.data<double>();
  const double* wp = w.data<double>();
  const double* bp = b.defined() ? b.data<double>() : nullptr;
  double* op = out.data<double>();
  const std::int64_t cg = g.group_in(), og = g.group_out();
  const std::int64_t taps = cg * g.kh * g.kw;
  ex::detail::parallel_for(0, g.n * g.o, grain_for(g.oh * g.ow * taps), [&](std::int64_t begin, std::int64_t end) {
    for (std::int64_t no = begin; no < end; ++no) {
      const std::int64_t n = no / g.o, o = no % g.o, c0 = (o / og) * cg;
      double* dst = op + no * g.oh * g.ow;
      for (std::int64_t oy = 0; oy < g.oh; ++oy)
        for (std::int64_t ox = 0; ox < g.ow; ++ox) {
          double acc = bp ? bp[o] : 0.0;
          for (std::int64_t c = 0; c < cg; ++c)
            for (std::int64_t ky = 0; ky < g.kh; ++ky) {
              const std::int64_t iy = source(oy, ky, g.stride[0], g.padding[0], g.dilation[0], g.h);
              if (iy < 0) continue;
              const double* row = xp + ((n * g.c + c0 + c) * g.h + iy) * g.w;
              const double* wrow = wp + ((o * cg + c) * g.kh + ky) * g.kw;
              for (std::int64_t kx = 0; kx < g.kw; ++kx) {
                const std::int64_t ix = source(ox, kx, g.stride[1], g.padding[1], g.dilation[1], g.w);
                if (ix >= 0) acc += row[ix] * wrow[kx];
              }
            }
          dst[oy * g.ow + ox] = acc;
        }
    }
  });
}

Conv2dGradients reference_backward(const Geometry& g, const Tensor& grad, const Tensor& x, const Tensor& w,
                                   Conv2dMask mask) {
  const double* gp = grad.data<double>();
  const double* xp = x.data<double>();
  const double* wp = w.data<double>();
  const std::int64_t cg = g.group_in(), og = g.group_out();
  const std::int64_t taps = cg * g.kh * g.kw;
  Conv2dGradients out;
  if (mask[0]) {
    // Scattered: every output position adds grad * weight into the inputs it read.
    out.input = zeroed({g.n, g.c, g.h, g.w});
    double* ip = out.input.data<double>();
    ex::detail::parallel_for(
        0, g.n * g.groups, grain_for(og * g.oh * g.ow * taps), [&](std::int64_t begin, std::int64_t end) {
          for (std::int64_t ng = begin; ng < end; ++ng) {
            const std::int64_t n = ng / g.groups, c0 = (ng % g.groups) * cg;
            for (std::int64_t o = (ng % g.groups) * og; o < (ng % g.groups + 1) * og; ++o)
              for (std::int64_t oy = 0; oy < g.oh; ++oy)
                for (std::int64_t ox = 0; ox < g.ow; ++ox) {
                  const double gv = gp[((n * g.o + o) * g.oh + oy) * g.ow + ox];
                  for (std::int64_t c = 0; c < cg; ++c)
                    for (std::int64_t ky = 0; ky < g.kh; ++ky) {
                      const std::int64_t iy = source(oy, ky, g.stride[0], g.padding[0], g.dilation[0], g.h);
                      if (iy < 0) continue;
                      double* row = ip + ((n * g.c + c0 + c) * g.h + iy) * g.w;
                      const double* wrow = wp + ((o * cg + c) * g.kh + ky) * g.kw;
                      for (std::int64_t kx = 0; kx < g.kw; ++kx) {
                        const std::int64_t ix = source(ox, kx, g.stride[1], g.padding[1], g.dilation[1], g.w);
                        if (ix >= 0) row[ix] += gv * wrow[kx];
                      }
                    }
                }
          }
        });
  }
  if (mask[1] || mask[2]) {
    if (mask[1]) out.weight = zeroed({g.o, cg, g.kh, g.kw});
    if (mask[2]) out.bias = zeroed({g.o});
    double* wg = mask[1] ? out.weight.data<double>() : nullptr;
    double* bg = mask[2] ? out.bias.data<double>() : nullptr;
    ex::detail::parallel_for(0, g.o, grain_for(g.n * g.oh * g.ow * taps), [&](std::int64_t begin, std::int64_t end) {
      for (std::int64_t o = begin; o < end; ++o) {
        const std::int64_t c0 = (o / og) * cg;
        for (std::int64_t n = 0; n < g.n; ++n)
          for (std::int64_t oy = 0; oy < g.oh; ++oy)
            for (std::int64_t ox = 0; ox < g.ow; ++ox) {
              const double gv = gp[((n * g.o + o) * g.oh + oy) * g.ow + ox];
              if (bg) bg[o] += gv;
              if (!wg) continue;
              for (std::int64_t c = 0; c < cg; ++c)
                for (std::int64_t ky = 0; ky < g.kh; ++ky) {
                  const std::int64_t iy = source(oy, ky, g.stride[0], g.padding[0], g.dilation[0], g.h);
                  if (iy < 0) continue;
                  const double* row = xp + ((n * g.c + c0 + c) * g.h + iy) * g.w;
                  double* wrow = wg + ((o * cg + c) * g.kh + ky) * g.kw;
                  for (std::int64_t kx = 0; kx < g.kw; ++kx) {
                    const std::int64_t ix = source(ox, kx, g.stride[1], g.padding[1], g.dilation[1], g.w);
                    if (ix >= 0) wrow[kx] += gv * row[ix];
                  }
                }
            }
      }
    });
  }
  return out;
}

}  // namespace ex::kernels::conv
