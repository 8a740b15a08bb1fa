#!/usr/bin/env python3
"""Writes a small PyTorch 1.13 CNN's state dict, and what it computes for a fixed input,
as safetensors files (through tools/safetensors_numpy.py) for
tests/nn/test_serialize_torch.cpp:

    tests/nn/data/torch_cnn.safetensors     the model's state dict after two training
                                            batches (so the BatchNorm2d running statistics
                                            and num_batches_tracked are not their defaults)
    tests/nn/data/torch_cnn_io.safetensors  "input" [2, 1, 8, 8]; "eval_output" = the model
                                            in eval mode on input; "train_output" = the model
                                            in training mode on input, and the running
                                            statistics that call leaves ("running_mean",
                                            "running_var" of layer 1); float32

The model: Sequential(Conv2d(1, 4, 3, padding=1), BatchNorm2d(4), ReLU(), MaxPool2d(2),
Conv2d(4, 6, 3, padding=1, groups=2, padding_mode="reflect"), ReLU(),
AvgPool2d(2, ceil_mode=True), AdaptiveAvgPool2d(1), Flatten(), Linear(6, 3)).

Run with Debian's PyTorch: /usr/bin/python3 tools/torch_cnn_reference.py. The output is
committed, so the tests need no PyTorch.
"""
import pathlib
import sys

import torch

HERE = pathlib.Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
import safetensors_numpy as st  # noqa: E402

DATA = HERE.parent / "tests" / "nn" / "data"


def model():
    nn = torch.nn
    return nn.Sequential(
        nn.Conv2d(1, 4, 3, padding=1), nn.BatchNorm2d(4), nn.ReLU(), nn.MaxPool2d(2),
        nn.Conv2d(4, 6, 3, padding=1, groups=2, padding_mode="reflect"), nn.ReLU(),
        nn.AvgPool2d(2, ceil_mode=True), nn.AdaptiveAvgPool2d(1), nn.Flatten(), nn.Linear(6, 3))


def main():
    torch.manual_seed(0)
    net = model()
    with torch.no_grad():
        net.train()
        for _ in range(2):
            net(torch.randn(4, 1, 8, 8) * 2 + 0.5)
        state = {name: t.detach().clone().numpy() for name, t in net.state_dict().items()}
        x = torch.randn(2, 1, 8, 8)
        net.eval()
        eval_output = net(x)
        net.train()
        train_output = net(x)
    DATA.mkdir(parents=True, exist_ok=True)
    st.write(DATA / "torch_cnn.safetensors", state,
             {"format": "pt", "generator": "tools/torch_cnn_reference.py", "torch": torch.__version__})
    st.write(DATA / "torch_cnn_io.safetensors", {
        "input": x.numpy(), "eval_output": eval_output.numpy(), "train_output": train_output.numpy(),
        "running_mean": net[1].running_mean.numpy(), "running_var": net[1].running_var.numpy()})
    for name, t in state.items():
        print(name, t.dtype, list(t.shape))
    print("eval_output[0, 0] =", float(eval_output[0, 0]))


if __name__ == "__main__":
    main()
