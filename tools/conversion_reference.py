#!/usr/bin/python3
"""Prints what PyTorch 1.13 does with the conversions tests/core/test_conversion.cpp pins.

A number stored into a tensor (torch.full, fill_, torch.tensor with a dtype) goes through
PyTorch's checked conversion and raises when it does not fit; a tensor converted with
.to() is not checked (its out-of-range float-to-integer results are undefined behaviour
in C++ and vary by platform). extensor follows the first rule and defines the second
(core/include/extensor/core/dtype.hpp). Run with Debian's python3-torch:

    /usr/bin/python3 tools/conversion_reference.py
"""
import torch

nan, inf = float("nan"), float("inf")
CASES = [
    "torch.full((1,), 300, dtype=torch.uint8)",
    "torch.full((2,), nan, dtype=torch.int32)",
    "torch.full((2,), inf, dtype=torch.int64)",
    "torch.full((1,), 1e300, dtype=torch.float32)",
    "torch.full((1,), 70000.0, dtype=torch.float16)",
    "torch.full((1,), 1e39, dtype=torch.bfloat16)",
    "torch.full((1,), 9.3e18, dtype=torch.int64)",
    "torch.full((1,), 128, dtype=torch.int8)",
    "torch.zeros(1, dtype=torch.int8).fill_(127.9)",
    "torch.full((1,), 2.5, dtype=torch.int32)",
    "torch.full((1,), -2.5, dtype=torch.int32)",
    "torch.full((1,), inf, dtype=torch.float16)",
    "torch.full((1,), 65504.0, dtype=torch.float16)",
    "torch.full((1,), 5, dtype=torch.bool)",
    "torch.full((1,), nan, dtype=torch.bool)",
    "torch.full((1,), -1, dtype=torch.uint8)",  # PyTorch wraps this one; extensor throws
    "torch.arange(0, 300, 100, dtype=torch.uint8)",
    "torch.arange(0, 3, dtype=torch.bool)",
    "torch.linspace(0, 300, 4, dtype=torch.uint8)",
    "torch.tensor([-1, 256, 300]).to(torch.uint8)",
    "torch.tensor([2**63 - 1]).to(torch.int32)",
    "torch.tensor([1e300], dtype=torch.float64).to(torch.float32)",
    "torch.tensor([nan, 0.0, -0.0, 0.1], dtype=torch.float64).to(torch.bool)",
    "torch.tensor([nan, inf, 1e300, 3e9, 300.7, -0.9, 2.5], dtype=torch.float64).to(torch.int32)",
]

print("torch", torch.__version__)
for case in CASES:
    try:
        print(case, "->", eval(case))
    except Exception as e:  # the checked conversion's error
        print(case, "-> raises:", e)
