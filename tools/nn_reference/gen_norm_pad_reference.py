#!/usr/bin/python3
"""PyTorch 1.13 reference values for ex::pad and ex::batch_norm (float64).

Inputs are formulas the C++ tests rebuild exactly: wave(shape, k)[i] = sin(0.7 i + k)
over the flattened index i. Each line is "name: v0 v1 ..." (flattened, repr floats).
Run: /usr/bin/python3 tools/nn_reference/gen_norm_pad_reference.py > tests/ops/data/norm_pad_reference.txt
"""
import torch
import torch.nn.functional as F

torch.manual_seed(0)  # nothing below draws random numbers; kept so edits stay reproducible
D = torch.float64


def wave(shape, k):
    n = 1
    for s in shape:
        n *= s
    return torch.sin(0.7 * torch.arange(n, dtype=D) + k).reshape(shape)


def show(name, t):
    print(f"{name}: " + " ".join(repr(float(v)) for v in t.detach().reshape(-1).tolist()))


# pad: forward, and the input gradient for upstream grad wave(out_shape, 2)
PADS = [
    ("const1d", [2, 3, 5], [2, 1], "constant", 1.5),
    ("const2d_crop", [2, 3, 4], [1, -1, -1, 2], "constant", 0.0),
    ("reflect1d", [2, 3, 5], [3, 2], "reflect", 0.0),
    ("reflect2d", [1, 2, 3, 4], [2, 3, 1, 2], "reflect", 0.0),
    ("replicate1d", [3, 4], [2, 3], "replicate", 0.0),
    ("replicate2d", [1, 2, 3, 3], [1, 2, 3, 0], "replicate", 0.0),
]
for name, shape, pads, mode, value in PADS:
    x = wave(shape, 0).requires_grad_(True)
    y = F.pad(x, pads, mode=mode, value=value) if mode == "constant" else F.pad(x, pads, mode=mode)
    g = wave(list(y.shape), 2)
    (gx,) = torch.autograd.grad(y, x, g)
    show(f"pad {name} out", y)
    show(f"pad {name} grad", gx)

# batch_norm: forward, updated running stats, and gradients for upstream grad wave(shape, 2)
BNS = [
    ("nc_train", [4, 3], True, True),
    ("ncl_train", [2, 3, 4], True, True),
    ("nchw_train", [2, 2, 3, 2], True, True),
    ("nchw_train_noaffine", [2, 2, 3, 2], True, False),
    ("ncl_eval", [2, 3, 4], False, True),
]
for name, shape, training, affine in BNS:
    C = shape[1]
    x = wave(shape, 0).requires_grad_(True)
    rm = 0.1 * wave([C], 3)
    rv = 1.0 + 0.5 * wave([C], 4) ** 2
    w = (1.0 + 0.3 * wave([C], 5)).requires_grad_(True) if affine else None
    b = (0.2 * wave([C], 6)).requires_grad_(True) if affine else None
    y = F.batch_norm(x, rm, rv, w, b, training=training, momentum=0.1, eps=1e-5)
    g = wave(shape, 2)
    inputs = [x] + ([w, b] if affine else [])
    grads = torch.autograd.grad(y, inputs, g)
    show(f"bn {name} out", y)
    show(f"bn {name} running_mean", rm)
    show(f"bn {name} running_var", rv)
    show(f"bn {name} grad_input", grads[0])
    if affine:
        show(f"bn {name} grad_weight", grads[1])
        show(f"bn {name} grad_bias", grads[2])
