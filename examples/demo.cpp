// A first look at extensor: tensors, views, dtypes and random numbers.
// (Becomes the Fashion-MNIST training job once nn and optim exist.)
#include <extensor/extensor.hpp>

#include <iostream>

int main() {
  ex::manual_seed(42);
  std::cout << "backend: " << ex::backend_info() << "\n\n";

  ex::Tensor a = ex::arange(0.0, 6.0, 1.0, ex::DType::Float32).reshape({2, 3});
  std::cout << "a = " << a << "\n";
  ex::Tensor at = a.transpose(0, 1);
  std::cout << "a.transpose(0, 1) = " << at << "  (a view: contiguous=" << std::boolalpha << at.is_contiguous()
            << ")\n";
  std::cout << "column 1 of a = " << a.slice(1, 1, 2) << "\n";
  std::cout << "a as float16 = " << a.to(ex::DType::Float16) << "\n";
  std::cout << "a as int8 = " << a.to(ex::DType::Int8) << "\n";
  std::cout << "row [3] broadcast to [2, 3] = " << ex::tensor({1.5f, -2.0f, 0.25f}).broadcast_to({2, 3}) << "\n";
  std::cout << "randn([2, 4]) with seed 42 = " << ex::randn({2, 4}) << "\n";
  std::cout << "eye(3, dtype=float64) = " << ex::eye(3, -1, ex::DType::Float64) << "\n";

  // Bad input throws ex::Error naming the function and the shapes.
  try {
    ex::arange(8).view({2, 4}).transpose(0, 1).view({8});
  } catch (const ex::Error& e) {
    std::cout << "caught ex::Error: " << e.what() << "\n";
  }
  return 0;
}
