// A PyTorch 1.13 model's state dict, exported to safetensors by tools/torch_mlp_reference.py
// (through the NumPy writer), loads into the same extensor model and computes PyTorch's
// outputs.
#include "safetensors_util.hpp"

TEST_CASE("load: a PyTorch MLP's state dict gives PyTorch's outputs in the same extensor model") {
  const std::string data = EXTENSOR_NN_DATA_DIR;
  const nn::StateDict state = ex::load(data + "/torch_mlp.safetensors");
  CHECK(state.keys() == Strings{"0.weight", "0.bias", "2.weight", "2.bias"});
  CHECK(state.at("0.weight").shape() == ex::Shape{8, 4});
  CHECK(state.at("2.bias").dtype() == DType::Float32);
  CHECK(ex::load_metadata(data + "/torch_mlp.safetensors") ==
        ex::Metadata{{"format", "pt"}, {"generator", "tools/torch_mlp_reference.py"}, {"torch", "1.13.0a0"}});

  nn::Sequential model(nn::Linear(4, 8), nn::ReLU(), nn::Linear(8, 3));
  CHECK(model->state_dict().keys() == state.keys());                     // PyTorch's Sequential naming
  const nn::LoadStateDictResult result = model->load_state_dict(state);  // strict
  CHECK(result.missing_keys.empty());
  CHECK(result.unexpected_keys.empty());

  const nn::StateDict io = ex::load(data + "/torch_mlp_io.safetensors");
  const Tensor y = model(io.at("input"));
  CHECK(y.dtype() == DType::Float32);
  check_same_values(y, io.at("output"), 1e-6);
  // The committed reference is the one printed by the generator (not zeros).
  CHECK(io.at("output").shape() == ex::Shape{5, 3});
  CHECK(io.at("output").to_vector<double>()[0] == doctest::Approx(0.5114494).epsilon(1e-6));
}
