#!/usr/bin/python3
"""Prints PyTorch 1.13 reference values for extensor's conv2d tests.

Run: /usr/bin/python3 tools/conv_reference/gen_conv_reference.py > tests/ops/data/conv2d_reference.txt

Each case is a block:
  case <name> stride sh sw padding ph pw dilation dh dw groups g bias 0|1
  <tensor name> <rank> <dims...> <values...>     (input, weight, [bias], output,
                                                  grad_output, grad_input, grad_weight, [grad_bias])
in float64, computed in float64.
"""
import torch

torch.manual_seed(20261203)

CASES = [
    # name, input shape, weight shape, bias, stride, padding, dilation, groups
    ("plain", (2, 3, 5, 6), (4, 3, 3, 2), True, (1, 1), (0, 0), (1, 1), 1),
    ("stride2_pad1", (2, 2, 7, 5), (3, 2, 3, 3), True, (2, 2), (1, 1), (1, 1), 1),
    ("dilation2_no_bias", (1, 2, 7, 7), (2, 2, 3, 3), False, (1, 1), (2, 1), (2, 2), 1),
    ("groups2", (2, 4, 5, 5), (6, 2, 3, 3), True, (1, 2), (1, 0), (1, 1), 2),
    ("depthwise", (2, 3, 6, 6), (3, 1, 3, 3), True, (1, 1), (1, 1), (1, 1), 3),
    ("unbatched", (2, 5, 4), (3, 2, 2, 2), True, (1, 1), (0, 1), (1, 1), 1),
]


def emit(name, t):
    t = t.detach().contiguous().view(-1) if t.dim() > 0 else t.detach().view(1)
    print(name, len(shape_of[name]), *shape_of[name], *("%.17g" % v for v in t.tolist()))


for name, ishape, wshape, has_bias, stride, padding, dilation, groups in CASES:
    x = torch.randn(ishape, dtype=torch.float64, requires_grad=True)
    w = torch.randn(wshape, dtype=torch.float64, requires_grad=True)
    b = torch.randn(wshape[0], dtype=torch.float64, requires_grad=True) if has_bias else None
    y = torch.nn.functional.conv2d(x, w, b, stride, padding, dilation, groups)
    gy = torch.randn(y.shape, dtype=torch.float64)
    grads = torch.autograd.grad(y, [x, w] + ([b] if has_bias else []), gy)
    print("case", name, "stride", *stride, "padding", *padding, "dilation", *dilation, "groups", groups, "bias",
          int(has_bias))
    named = [("input", x), ("weight", w)] + ([("bias", b)] if has_bias else []) + [
        ("output", y), ("grad_output", gy), ("grad_input", grads[0]), ("grad_weight", grads[1])
    ] + ([("grad_bias", grads[2])] if has_bias else [])
    shape_of = {n: list(t.shape) for n, t in named}
    for n, t in named:
        emit(n, t)
