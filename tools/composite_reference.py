#!/usr/bin/python3
"""Prints PyTorch 1.13's values, first and second derivatives of the composite
activations that tests/ops/test_composite_activation.cpp pins (softplus with and
without beta/threshold, silu, mish, elu, selu, celu), in float64 and float32. Run with Debian's
python3-torch:

    /usr/bin/python3 tools/composite_reference.py
"""
import torch
import torch.nn.functional as F

X = [-30.0, -3.0, -0.5, 0.0, 0.25, 2.0, 15.0, 25.0]
CASES = [
    ("softplus", lambda x: F.softplus(x)),
    ("softplus beta 2 threshold 5", lambda x: F.softplus(x, beta=2.0, threshold=5.0)),
    ("softplus beta -1.5", lambda x: F.softplus(x, beta=-1.5)),
    ("silu", F.silu),
    ("mish", F.mish),
    ("elu", F.elu),
    ("elu alpha 0.5", lambda x: F.elu(x, alpha=0.5)),
    ("selu", F.selu),
    ("celu alpha 2", lambda x: F.celu(x, alpha=2.0)),
]


def show(label, values):
    print(f"  // {label}")
    print("  {" + ", ".join(f"{v:.17g}" for v in values) + "},")


for dtype in (torch.float64, torch.float32):
    print(f"// {dtype}")
    for name, fn in CASES:
        x = torch.tensor(X, dtype=dtype, requires_grad=True)
        y = fn(x)
        (g,) = torch.autograd.grad(y.sum(), x, create_graph=True)
        (h,) = torch.autograd.grad(g.sum(), x)
        show(f"{name}: value", y.tolist())
        show(f"{name}: first derivative", g.tolist())
        show(f"{name}: second derivative", h.tolist())
