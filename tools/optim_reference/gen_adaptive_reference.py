#!/usr/bin/python3
"""Writes tests/optim/data/{adam,adamw,rmsprop,adagrad}_reference.txt: PyTorch 1.13's
trajectories of its adaptive optimizers on a fixed least-squares problem, which
tests/optim/test_adaptive_trajectory.cpp replays with extensor.

Run with the Python that has torch (Debian's python3-torch):
    /usr/bin/python3 tools/optim_reference/gen_adaptive_reference.py [output directory]

The problem is gen_sgd_reference.py's: a linear model pred = X @ W.T + b (W [4, 3], b [4])
fitted to Y with loss = 0.5 * sum((pred - Y)^2) / N. Each case runs STEPS steps of
zero_grad / forward / backward / step from the same W0, b0 with torch's single-tensor
(non-foreach) update, and records W and b after every step. float64 cases are replayed
with extensor's own autograd. float32 cases also record the gradients torch computed at
each step, so the replay feeds the optimizer exactly torch's gradients and the comparison
measures the optimizer alone (float32 matmuls may round differently).

File format (one record per line, whitespace-separated tokens, '#' lines are comments):
    tensor NAME D0 [D1 ...] ; V0 V1 ...     the problem's inputs (float64): X, Y, W0, b0
    case NAME DTYPE STEPS                    starts a case; DTYPE is float64 or float32
    group P0 [P1 ...] ; KEY V KEY V ...      one parameter group (P: W or b) and every
                                             option of the optimizer (booleans 0 or 1;
                                             Adam's betas as beta1 and beta2)
    set STEP GROUP KEY V                     before step STEP, group GROUP's option KEY
                                             (lr, or momentum: beta1 for Adam and AdamW,
                                             momentum for RMSprop) becomes V
    grad K W V0 ... V11 b V0 ... V3          float32 cases: the gradients of step K
    step K W V0 ... V11 b V0 ... V3          parameters after step K (1-based)
    end                                      ends a case
Numbers are Python's repr of float64 (of the float32 values in float32 cases), which
round-trips exactly.
"""

import os
import sys

import torch

sys.dont_write_bytecode = True  # no __pycache__ beside the scripts
from gen_sgd_reference import N, header, problem, values  # noqa: E402 (the same problem and format)

STEPS = 32

# Per optimizer: the torch class, its options in file order with PyTorch's defaults, and
# the cases: (name, dtype, groups [(param names, options)], changes {step: [(group, key, value)]}).
OPTIMIZERS = {
    "adam": (torch.optim.Adam,
             dict(lr=1e-3, beta1=0.9, beta2=0.999, eps=1e-8, weight_decay=0.0, amsgrad=False, maximize=False),
             [
                 ("plain", "float64", [(["W", "b"], dict(lr=0.05))], {}),
                 ("betas_eps", "float64", [(["W", "b"], dict(lr=0.05, beta1=0.8, beta2=0.99, eps=1e-3))], {}),
                 ("weight_decay", "float64", [(["W", "b"], dict(lr=0.05, weight_decay=0.1))], {}),
                 ("amsgrad", "float64", [(["W", "b"], dict(lr=0.05, amsgrad=True))], {}),
                 ("amsgrad_weight_decay", "float64",
                  [(["W", "b"], dict(lr=0.02, beta1=0.5, amsgrad=True, weight_decay=0.3))], {}),
                 ("maximize", "float64", [(["W", "b"], dict(lr=0.01, maximize=True, weight_decay=0.05))], {}),
                 ("two_groups", "float64",
                  [(["W"], dict(lr=0.05, amsgrad=True)), (["b"], dict(lr=0.01, beta2=0.9, weight_decay=0.05))], {}),
                 ("schedule", "float64", [(["W"], dict(lr=0.05)), (["b"], dict(lr=0.02))],
                  {9: [(0, "lr", 0.01), (1, "momentum", 0.5)], 20: [(0, "momentum", 0.95), (1, "lr", 0.1)]}),
                 ("float32", "float32", [(["W", "b"], dict(lr=0.05))], {}),
                 ("float32_amsgrad_weight_decay", "float32",
                  [(["W"], dict(lr=0.05, amsgrad=True, weight_decay=0.1)), (["b"], dict(lr=0.02, maximize=True))],
                  {}),
             ]),
    "adamw": (torch.optim.AdamW,
              dict(lr=1e-3, beta1=0.9, beta2=0.999, eps=1e-8, weight_decay=1e-2, amsgrad=False, maximize=False),
              [
                  ("plain", "float64", [(["W", "b"], dict(lr=0.05))], {}),
                  ("weight_decay", "float64", [(["W", "b"], dict(lr=0.05, weight_decay=0.5))], {}),
                  ("no_weight_decay", "float64", [(["W", "b"], dict(lr=0.05, weight_decay=0.0))], {}),
                  ("amsgrad", "float64", [(["W", "b"], dict(lr=0.05, amsgrad=True, weight_decay=0.2))], {}),
                  ("maximize", "float64", [(["W", "b"], dict(lr=0.01, maximize=True, beta1=0.7))], {}),
                  ("two_groups", "float64",
                   [(["W"], dict(lr=0.05, weight_decay=0.3)), (["b"], dict(lr=0.02, amsgrad=True, eps=1e-4))], {}),
                  ("schedule", "float64", [(["W", "b"], dict(lr=0.05, weight_decay=0.1))],
                   {5: [(0, "lr", 0.1), (0, "momentum", 0.85)], 17: [(0, "lr", 0.01), (0, "momentum", 0.95)]}),
                  ("float32", "float32", [(["W", "b"], dict(lr=0.05, weight_decay=0.1, amsgrad=True))], {}),
              ]),
    "rmsprop": (torch.optim.RMSprop,
                dict(lr=1e-2, alpha=0.99, eps=1e-8, weight_decay=0.0, momentum=0.0, centered=False, maximize=False),
                [
                    ("plain", "float64", [(["W", "b"], dict())], {}),
                    ("alpha_eps", "float64", [(["W", "b"], dict(lr=0.02, alpha=0.9, eps=1e-3))], {}),
                    ("weight_decay", "float64", [(["W", "b"], dict(weight_decay=0.1))], {}),
                    ("momentum", "float64", [(["W", "b"], dict(lr=0.005, momentum=0.9))], {}),
                    ("centered", "float64", [(["W", "b"], dict(centered=True))], {}),
                    ("centered_momentum", "float64",
                     [(["W", "b"], dict(lr=0.005, alpha=0.9, centered=True, momentum=0.8, weight_decay=0.05))], {}),
                    ("maximize", "float64", [(["W", "b"], dict(lr=0.005, maximize=True, momentum=0.5))], {}),
                    ("two_groups", "float64",
                     [(["W"], dict(momentum=0.9, lr=0.002)), (["b"], dict(centered=True, weight_decay=0.2))], {}),
                    ("schedule", "float64", [(["W", "b"], dict(lr=0.005, momentum=0.9))],
                     {9: [(0, "lr", 0.01), (0, "momentum", 0.5)], 21: [(0, "momentum", 0.95)]}),
                    ("float32", "float32", [(["W", "b"], dict(lr=0.005, centered=True, momentum=0.9))], {}),
                ]),
    "adagrad": (torch.optim.Adagrad,
                dict(lr=1e-2, lr_decay=0.0, weight_decay=0.0, initial_accumulator_value=0.0, eps=1e-10,
                     maximize=False),
                [
                    ("plain", "float64", [(["W", "b"], dict(lr=0.1))], {}),
                    ("lr_decay", "float64", [(["W", "b"], dict(lr=0.1, lr_decay=0.05))], {}),
                    ("weight_decay", "float64", [(["W", "b"], dict(lr=0.1, weight_decay=0.1))], {}),
                    ("initial_accumulator_value", "float64",
                     [(["W", "b"], dict(lr=0.1, initial_accumulator_value=0.5, eps=1e-3))], {}),
                    ("maximize", "float64", [(["W", "b"], dict(lr=0.05, maximize=True, lr_decay=0.01))], {}),
                    ("two_groups", "float64",
                     [(["W"], dict(lr=0.2, lr_decay=0.1)), (["b"], dict(lr=0.05, initial_accumulator_value=0.1,
                                                                      weight_decay=0.05))], {}),
                    ("schedule", "float64", [(["W", "b"], dict(lr=0.1))], {11: [(0, "lr", 0.3)], 23: [(0, "lr", 0.05)]}),
                    ("float32", "float32", [(["W", "b"], dict(lr=0.1, lr_decay=0.02, weight_decay=0.05))], {}),
                ]),
}


def torch_options(options):
    """The file's options as torch keyword arguments (beta1, beta2 -> betas)."""
    kwargs = dict(options)
    if "beta1" in kwargs:
        kwargs["betas"] = (kwargs.pop("beta1"), kwargs.pop("beta2"))
    return kwargs


def set_option(group, key, value):
    if key == "momentum" and "betas" in group:
        group["betas"] = (value, group["betas"][1])
    else:
        group[key] = value


def run_case(optimizer_class, defaults, inputs, groups, changes):
    X, Y, W0, b0 = inputs
    params = {"W": W0.clone().requires_grad_(), "b": b0.clone().requires_grad_()}
    torch_groups = [dict(params=[params[n] for n in names], **torch_options(dict(defaults, **options)))
                    for names, options in groups]
    # The first group's options are also the constructor's defaults, as in the replay
    # (Adagrad fills every sum with the constructor's initial_accumulator_value).
    optimizer = optimizer_class(torch_groups, foreach=False, **torch_options(dict(defaults, **groups[0][1])))
    lines = []
    for step in range(1, STEPS + 1):
        for group, key, value in changes.get(step, []):
            set_option(optimizer.param_groups[group], key, value)
        optimizer.zero_grad()
        loss = 0.5 * ((X @ params["W"].T + params["b"] - Y) ** 2).sum() / N
        loss.backward()
        if X.dtype == torch.float32:
            lines.append(f"grad {step} W {values(params['W'].grad)} b {values(params['b'].grad)}")
        optimizer.step()
        lines.append(f"step {step} W {values(params['W'])} b {values(params['b'])}")
    return lines


def option_value(v):
    return str(int(v)) if isinstance(v, bool) else repr(float(v))


def main():
    out_dir = sys.argv[1] if len(sys.argv) > 1 else os.path.join(
        os.path.dirname(os.path.abspath(__file__)), "..", "..", "tests", "optim", "data")
    X, Y, W0, b0 = problem()
    inputs = {"float64": (X, Y, W0, b0), "float32": tuple(t.float() for t in (X, Y, W0, b0))}

    for name, (optimizer_class, defaults, cases) in OPTIMIZERS.items():
        lines = header(optimizer_class.__name__, "gen_adaptive_reference.py", X, Y, W0, b0)
        for case_name, dtype, groups, changes in cases:
            lines.append(f"case {case_name} {dtype} {STEPS}")
            for names, options in groups:
                full = dict(defaults, **options)
                pairs = " ".join(f"{k} {option_value(full[k])}" for k in defaults)
                lines.append(f"group {' '.join(names)} ; {pairs}")
            for step in sorted(changes):
                for group, key, value in changes[step]:
                    lines.append(f"set {step} {group} {key} {repr(float(value))}")
            lines += run_case(optimizer_class, defaults, inputs[dtype], groups, changes)
            lines.append("end")
        path = os.path.join(out_dir, f"{name}_reference.txt")
        with open(path, "w") as f:
            f.write("\n".join(lines) + "\n")
        print(f"wrote {len(cases)} cases to {os.path.normpath(path)}")


if __name__ == "__main__":
    main()
