#pragma once
// Graphviz text of the graph behind a tensor.

#include <string>

#include "extensor/core/tensor.hpp"

namespace ex::autograd {

// The graph that produced t, as Graphviz "dot" text: one box per recorded op (its
// registry name and its inputs' shapes), one filled ellipse per leaf that requires grad
// (its shape; "leaf" marked), t itself as a double octagon with its shape, and edges in
// the direction data flowed. Nodes whose saved tensors were freed by a backward are drawn
// dashed. A tensor outside any graph gives a graph with t alone. Render with
// `dot -Tsvg graph.dot -o graph.svg`. Throws ex::Error "to_dot: ..." for an undefined t.
std::string to_dot(const Tensor& t);

}  // namespace ex::autograd
