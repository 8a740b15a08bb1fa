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

TEST_CASE("load: a PyTorch CNN's state dict (conv, batch norm buffers, pooling) gives PyTorch's outputs") {
  const std::string data = EXTENSOR_NN_DATA_DIR;
  const nn::StateDict state = ex::load(data + "/torch_cnn.safetensors");
  CHECK(state.at("1.num_batches_tracked").dtype() == DType::Int64);
  CHECK(state.at("1.num_batches_tracked").item<std::int64_t>() == 2);
  CHECK(state.at("4.weight").shape() == ex::Shape{6, 2, 3, 3});

  nn::Sequential model(
      nn::Conv2d(nn::Conv2dOptions(1, 4, 3).padding(1)), nn::BatchNorm2d(4), nn::ReLU(), nn::MaxPool2d(2),
      nn::Conv2d(nn::Conv2dOptions(4, 6, 3).padding(1).groups(2).padding_mode(nn::PaddingMode::Reflect)), nn::ReLU(),
      nn::AvgPool2d(nn::AvgPool2dOptions(2).ceil_mode(true)), nn::AdaptiveAvgPool2d(1), nn::Flatten(),
      nn::Linear(6, 3));
  CHECK(model->state_dict().keys() == state.keys());  // names, order and buffers as PyTorch's
  const nn::LoadStateDictResult result = model->load_state_dict(state);
  CHECK(result.missing_keys.empty());
  CHECK(result.unexpected_keys.empty());

  const nn::StateDict io = ex::load(data + "/torch_cnn_io.safetensors");
  CHECK(io.at("eval_output").to_vector<double>()[0] == doctest::Approx(0.0941388).epsilon(1e-5));
  model->eval();
  {
    ex::NoGradGuard no_grad;
    check_same_values(model(io.at("input")), io.at("eval_output"), 1e-5);
  }
  model->train();
  check_same_values(model(io.at("input")), io.at("train_output"), 1e-5);
  const nn::StateDict after = model->state_dict();
  check_same_values(after.at("1.running_mean"), io.at("running_mean"), 1e-6);
  check_same_values(after.at("1.running_var"), io.at("running_var"), 1e-6);
  CHECK(after.at("1.num_batches_tracked").item<std::int64_t>() == 3);
}
