// Advanced-index kernels: gather (x.index with tensor indices) and put (index_put_ and
// the scatter-add of index_backward). Both walk the result as [pre, n, post] rows: pre
// the axes before the indexed ones, n the broadcast index positions, post the axes
// after, with element offsets precomputed per part, so any strides work.
#include "core/src/kernels/indexing.hpp"

#include <algorithm>
#include <type_traits>

#include "common/check.hpp"
#include "core/src/kernels/elementwise.hpp"
#include "core/src/parallel.hpp"
#include "extensor/core/creation.hpp"
#include "extensor/core/kernels/indexing.hpp"

namespace ex::kernels {

namespace {

// Element offsets, in row-major order, of every position of t's axes [lo, hi).
std::vector<std::int64_t> offsets(const Tensor& t, std::size_t lo, std::size_t hi) {
  const Shape& shape = t.shape();
  const Strides& strides = t.strides();
  std::int64_t n = 1;
  for (std::size_t a = lo; a < hi; ++a) n *= shape[a];
  std::vector<std::int64_t> out(static_cast<std::size_t>(n));
  std::vector<std::int64_t> coord(hi, 0);
  std::int64_t offset = 0;
  for (std::size_t i = 0; i < out.size(); ++i) {
    out[i] = offset;
    for (std::size_t a = hi; a-- > lo;) {  // the next position
      offset += strides[a];
      if (++coord[a] < shape[a]) break;
      offset -= coord[a] * strides[a];
      coord[a] = 0;
    }
  }
  return out;
}

// basic with its advanced axes moved together (to the front when they are not adjacent
// already), the position of the first, and the offsets of the index positions in it.
struct Indexed {
  Tensor view;
  std::size_t first;
  std::vector<std::int64_t> mid;  // element offset of each broadcast index position
};

Indexed indexed(const Tensor& basic, const IndexPlan& plan) {
  const std::vector<std::int64_t>& axes = plan.axes;
  bool adjacent = true;
  for (std::size_t k = 0; k < axes.size(); ++k)
    adjacent = adjacent && axes[k] == axes[0] + static_cast<std::int64_t>(k);
  Indexed out{basic, adjacent ? static_cast<std::size_t>(axes[0]) : 0, {}};
  if (!adjacent) {
    std::vector<std::int64_t> order = axes;
    for (std::int64_t a = 0; a < basic.dim(); ++a)
      if (std::find(axes.begin(), axes.end(), a) == axes.end()) order.push_back(a);
    out.view = basic.permute(order);
  }
  out.mid.assign(static_cast<std::size_t>(plan.index_shape.numel()), 0);
  for (std::size_t k = 0; k < axes.size(); ++k) {
    const Tensor index = plan.indices[k].broadcast_to(plan.index_shape).contiguous();
    const std::int64_t* v = index.data<std::int64_t>();
    const std::int64_t stride = out.view.strides()[out.first + k];
    for (std::size_t b = 0; b < out.mid.size(); ++b) out.mid[b] += v[b] * stride;
  }
  return out;
}

}  // namespace

Tensor gather(const Tensor& basic, const IndexPlan& plan, const char* fn) {
  Tensor out = detail::allocate(plan.result_shape, basic.dtype(), fn);
  if (out.numel() == 0) return out;
  const Indexed src = indexed(basic, plan);
  const std::size_t rank = plan.basic_shape.size(), after = src.first + plan.axes.size();
  const std::vector<std::int64_t> pre = offsets(src.view, 0, src.first), post = offsets(src.view, after, rank);
  const auto n = static_cast<std::int64_t>(src.mid.size());
  const auto inner = static_cast<std::int64_t>(post.size());
  dispatch(basic.dtype(), [&]<class T>() {
    const T* from = src.view.data<T>();
    T* to = out.data<T>();
    detail::parallel_for(0, static_cast<std::int64_t>(pre.size()) * n,
                         std::max<std::int64_t>(1, detail::kGrainElements / std::max<std::int64_t>(inner, 1)),
                         [&](std::int64_t begin, std::int64_t end) {
                           for (std::int64_t row = begin; row < end; ++row) {
                             const auto o = static_cast<std::size_t>(row / n), b = static_cast<std::size_t>(row % n);
                             const T* r = from + pre[o] + src.mid[b];
                             T* w = to + row * inner;
                             for (std::int64_t i = 0; i < inner; ++i) w[i] = r[post[static_cast<std::size_t>(i)]];
                           }
                         });
  });
  return out;
}

Tensor value_for(const Tensor& value, const Shape& shape, const char* fn) {
  detail::defined(fn, value, "value");
  Tensor v = value;
  while (v.dim() > static_cast<std::int64_t>(shape.size()) && v.shape()[0] == 1) v = v.squeeze(0);
  bool ok = v.shape().size() <= shape.size();
  for (std::size_t i = 0; ok && i < v.shape().size(); ++i) {
    const std::int64_t have = v.shape()[v.shape().size() - 1 - i], want = shape[shape.size() - 1 - i];
    ok = have == want || have == 1;
  }
  if (!ok)
    detail::fail("{}: a value of shape {} cannot be broadcast to the indexed shape {}", fn, value.shape(), shape);
  return v;
}

void put(const Tensor& basic, const IndexPlan& plan, const Tensor& value, bool accumulate, const char* fn) {
  detail::check_no_internal_overlap(fn, basic);
  Tensor v = detail::to_dtype(value_for(value, plan.result_shape, fn), basic.dtype(), fn);
  if (v.storage() == basic.storage()) v = v.clone();  // read all of value before writing
  v = v.broadcast_to(plan.result_shape);
  if (v.numel() == 0) return;
  const Indexed dst = indexed(basic, plan);
  const std::size_t rank = plan.basic_shape.size(), after = dst.first + plan.axes.size();
  const std::size_t value_after = dst.first + plan.index_shape.size();
  const std::vector<std::int64_t> pre = offsets(dst.view, 0, dst.first), post = offsets(dst.view, after, rank);
  const std::vector<std::int64_t> value_pre = offsets(v, 0, dst.first), value_mid = offsets(v, dst.first, value_after),
                                  value_post = offsets(v, value_after, plan.result_shape.size());
  dispatch(basic.dtype(), [&]<class T>() {
    T* to = dst.view.data<T>();
    const T* from = v.data<T>();
    // One thread: positions may repeat, and then the writes must not race.
    for (std::size_t o = 0; o < pre.size(); ++o)
      for (std::size_t b = 0; b < dst.mid.size(); ++b) {
        T* w = to + pre[o] + dst.mid[b];
        const T* r = from + value_pre[o] + value_mid[b];
        for (std::size_t i = 0; i < post.size(); ++i) {
          T& out = w[post[i]];
          const T in = r[value_post[i]];
          if (!accumulate)
            out = in;
          else if constexpr (std::is_same_v<T, bool>)
            out = out || in;
          else
            out = static_cast<T>(static_cast<compute_t<T>>(out) + static_cast<compute_t<T>>(in));
        }
      }
  });
}

Tensor index_backward(const Tensor& grad, const Shape& input_shape, const IndexPlan& plan, const char* fn) {
  detail::defined(fn, grad, "grad");
  if (grad.shape() != plan.result_shape)
    detail::fail("{}: grad has shape {}, but indexing a tensor of shape {} gives shape {}", fn, grad.shape(),
                 input_shape, plan.result_shape);
  Tensor out = zeros(input_shape, grad.dtype());
  const Tensor basic = apply_view_steps(out, plan);
  if (plan.advanced())
    put(basic, plan, grad, /*accumulate=*/true, fn);
  else
    detail::copy_convert(grad, basic);
  return out;
}

}  // namespace ex::kernels

namespace ex {

Tensor index_backward(const Tensor& grad, const Shape& input_shape, const std::vector<TensorIndex>& indices) {
  const kernels::IndexPlan plan = kernels::plan_index(input_shape, indices, "index_backward");
  return kernels::index_backward(grad, input_shape, plan, "index_backward");
}

}  // namespace ex
