#!/usr/bin/python3
"""Prints PyTorch 1.13's values and gradients (of the sum of the result) of the
composite reductions that tests/ops/test_composite_reduction.cpp pins: var and std
(unbiased and biased, over all elements and over an axis with keepdims) and logsumexp
(over all, over an axis), in float64, for a fixed [3, 4] input. Run with Debian's
python3-torch:

    /usr/bin/python3 tools/composite_reduction_reference.py
"""
import torch

X = [[-1.5, 0.25, 2.0, 3.5], [0.5, -2.25, 1.0, 0.0], [4.0, 1.5, -0.75, 2.5]]
CASES = [
    ("var all", lambda x: torch.var(x)),
    ("var axis 1 biased keepdims", lambda x: torch.var(x, 1, unbiased=False, keepdim=True)),
    ("std axis 0", lambda x: torch.std(x, 0)),
    ("logsumexp all", lambda x: torch.logsumexp(x, (0, 1))),
    ("logsumexp axis 1", lambda x: torch.logsumexp(x, 1)),
]


def show(label, values):
    print(f"  // {label}")
    print("  {" + ", ".join(f"{v:.17g}" for v in values) + "},")


for name, fn in CASES:
    x = torch.tensor(X, dtype=torch.float64, requires_grad=True)
    y = fn(x)
    (g,) = torch.autograd.grad(y.sum(), x)
    show(f"{name}: value {list(y.shape)}", y.detach().reshape(-1).tolist())
    show(f"{name}: gradient", g.reshape(-1).tolist())
