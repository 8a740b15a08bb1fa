#!/usr/bin/env python3
"""Writes a PyTorch 1.13 MLP's state dict, and its outputs for a fixed input, as
safetensors files (through tools/safetensors_numpy.py, not torch's own serialization)
for tests/nn/test_serialize_torch.cpp:

    tests/nn/data/torch_mlp.safetensors     Sequential(Linear(4, 8), ReLU(), Linear(8, 3)).state_dict()
    tests/nn/data/torch_mlp_io.safetensors  "input" [5, 4] and "output" = model(input) [5, 3], float32

Run with Debian's PyTorch: /usr/bin/python3 tools/torch_mlp_reference.py. The output is
committed, so the tests need no PyTorch.
"""
import pathlib
import sys

import torch

HERE = pathlib.Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
import safetensors_numpy as st  # noqa: E402

DATA = HERE.parent / "tests" / "nn" / "data"


def main():
    torch.manual_seed(0)
    model = torch.nn.Sequential(torch.nn.Linear(4, 8), torch.nn.ReLU(), torch.nn.Linear(8, 3))
    x = torch.randn(5, 4)
    with torch.no_grad():
        y = model(x)
    DATA.mkdir(parents=True, exist_ok=True)
    state = {name: t.detach().numpy() for name, t in model.state_dict().items()}
    st.write(DATA / "torch_mlp.safetensors", state,
             {"format": "pt", "generator": "tools/torch_mlp_reference.py", "torch": torch.__version__})
    st.write(DATA / "torch_mlp_io.safetensors", {"input": x.numpy(), "output": y.numpy()})
    for name, t in state.items():
        print(name, list(t.shape))


if __name__ == "__main__":
    main()
