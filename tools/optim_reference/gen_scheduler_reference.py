#!/usr/bin/python3
"""Writes tests/optim/data/scheduler_reference.txt: the learning rates (and momenta) that
PyTorch 1.13's learning-rate schedulers set over 200 steps, which
tests/optim/test_scheduler_reference.cpp replays with extensor's schedulers.

Run with the Python that has torch (Debian's python3-torch):
    /usr/bin/python3 tools/optim_reference/gen_scheduler_reference.py [output path]

Every case wraps an optimizer with two parameter groups of different learning rates:
SGD (with momentum) or Adam (whose beta1 OneCycleLR cycles). Each of the 200 steps runs
optimizer.step() (no gradients: nothing moves), an optional change of one group's lr
from outside the scheduler (chainable schedulers continue from it), and
scheduler.step() (ReduceLROnPlateau: scheduler.step(metric)).

File format (whitespace-separated tokens, '#' lines are comments):
    case NAME STEPS OPTIMIZER            starts a case; OPTIMIZER is sgd or adam
    group LR MOMENTUM                    one parameter group: its lr, and SGD's momentum
                                         or Adam's beta1
    scheduler KIND KEY VALUE ...         the scheduler and its arguments, by PyTorch's
                                         names: numbers, comma-separated lists of numbers
                                         (max_lr 0.5,0.05), words (mode max) and 0|1 for
                                         booleans
    child KIND KEY VALUE ...             for KIND SequentialLR: its schedulers, in order
                                         (constructed in that order)
    step K [set_lr GROUP LR] [metric M] lr LR0 LR1 momentum M0 M1
                                         after step K (0: after construction): every
                                         group's lr and momentum (beta1); set_lr is the
                                         change made before step K, metric what step K
                                         was given
    end                                  ends a case
Numbers are Python's repr of float64, which round-trips exactly.
"""

import math
import os
import random
import re
import sys
import warnings

import torch
from torch.optim import lr_scheduler

STEPS = 200
SGD_GROUPS = [(0.1, 0.9), (0.02, 0.5)]  # (lr, momentum)
ADAM_GROUPS = [(0.001, 0.9), (0.0003, 0.8)]  # (lr, beta1)


def plateau_metrics(seed, maximize):
    """A loss that falls, stalls on plateaus and wobbles: what ReduceLROnPlateau watches."""
    rng = random.Random(seed)
    values = []
    for k in range(1, STEPS + 1):
        if 60 <= k < 110:
            base = 0.3
        elif 140 <= k < 170:
            base = 0.2
        else:
            base = 1.0 / (1.0 + k / 20.0)
        value = base + 0.01 * rng.gauss(0.0, 1.0)
        values.append(1.0 - value if maximize else value)
    return values


# name, optimizer, scheduler (kind, kwargs) or ("SequentialLR", kwargs, [children]),
# {step: (group, lr)} outside changes, metrics (ReduceLROnPlateau) or None
CASES = [
    ("step_lr", "sgd", ("StepLR", dict(step_size=30, gamma=0.1)), {}, None),
    ("step_lr_outside_change", "sgd", ("StepLR", dict(step_size=7, gamma=0.5)), {50: (1, 0.05)}, None),
    ("multistep_lr", "sgd", ("MultiStepLR", dict(milestones=[30, 80, 150], gamma=0.1)), {}, None),
    ("multistep_lr_repeated", "sgd", ("MultiStepLR", dict(milestones=[0, 20, 20, 60, 199], gamma=0.5)), {}, None),
    ("exponential_lr", "sgd", ("ExponentialLR", dict(gamma=0.98)), {}, None),
    ("exponential_lr_outside_change", "sgd", ("ExponentialLR", dict(gamma=0.95)), {100: (0, 0.2)}, None),
    ("cosine_lr", "sgd", ("CosineAnnealingLR", dict(T_max=200)), {}, None),
    ("cosine_lr_restarts", "sgd", ("CosineAnnealingLR", dict(T_max=30, eta_min=0.001)), {}, None),
    ("cosine_lr_short", "sgd", ("CosineAnnealingLR", dict(T_max=7, eta_min=1e-4)), {40: (0, 0.05)}, None),
    ("linear_lr_defaults", "sgd", ("LinearLR", dict()), {}, None),
    ("linear_lr_warmup", "sgd", ("LinearLR", dict(start_factor=0.1, end_factor=1.0, total_iters=50)), {}, None),
    ("linear_lr_decay", "sgd", ("LinearLR", dict(start_factor=1.0, end_factor=0.05, total_iters=120)), {}, None),
    ("one_cycle_sgd", "sgd", ("OneCycleLR", dict(max_lr=[0.5, 0.05], total_steps=200)), {}, None),
    ("one_cycle_sgd_linear_three_phase", "sgd",
     ("OneCycleLR", dict(max_lr=1.0, total_steps=200, pct_start=0.25, anneal_strategy="linear", three_phase=True,
                         div_factor=10.0, final_div_factor=100.0, base_momentum=0.8, max_momentum=0.92)), {}, None),
    ("one_cycle_sgd_no_momentum", "sgd",
     ("OneCycleLR", dict(max_lr=0.3, total_steps=250, cycle_momentum=False, pct_start=0.4)), {}, None),
    ("one_cycle_adam", "adam",
     ("OneCycleLR", dict(max_lr=[0.01, 0.003], total_steps=200, base_momentum=0.8, max_momentum=0.9)), {}, None),
    ("one_cycle_adam_three_phase", "adam",
     ("OneCycleLR", dict(max_lr=0.02, total_steps=200, pct_start=0.4, three_phase=True,
                         base_momentum=[0.85, 0.7], max_momentum=[0.95, 0.9])), {}, None),
    ("plateau_min", "sgd", ("ReduceLROnPlateau", dict()), {}, plateau_metrics(1, False)),
    ("plateau_max_abs", "sgd",
     ("ReduceLROnPlateau", dict(mode="max", threshold_mode="abs", threshold=0.01, patience=3, cooldown=5, factor=0.5,
                                min_lr=[0.01, 0.001])), {}, plateau_metrics(2, True)),
    ("plateau_min_eps", "sgd",
     ("ReduceLROnPlateau", dict(factor=0.5, patience=2, threshold=0.05, eps=0.003, min_lr=0.0)), {120: (0, 0.08)},
     plateau_metrics(3, False)),
    ("plateau_max_rel", "adam",
     ("ReduceLROnPlateau", dict(mode="max", patience=0, cooldown=2, factor=0.7)), {}, plateau_metrics(4, True)),
    ("sequential_warmup_cosine", "sgd",
     ("SequentialLR", dict(milestones=[10]),
      [("LinearLR", dict(start_factor=0.1, total_iters=10)), ("CosineAnnealingLR", dict(T_max=190))]), {}, None),
    ("sequential_three", "sgd",
     ("SequentialLR", dict(milestones=[50, 120]),
      [("ExponentialLR", dict(gamma=0.97)), ("StepLR", dict(step_size=20, gamma=0.5)),
       ("MultiStepLR", dict(milestones=[0, 5, 30], gamma=0.3))]), {}, None),
    ("sequential_cosine_then_linear", "sgd",
     ("SequentialLR", dict(milestones=[60]),
      [("CosineAnnealingLR", dict(T_max=40, eta_min=0.005)),
       ("LinearLR", dict(start_factor=1.0, end_factor=0.2, total_iters=60))]), {90: (1, 0.01)}, None),
    # OneCycleLR constructed second replaces the groups' initial_lr: SequentialLR then
    # restarts from max_lr / div_factor, and LinearLR continues from there.
    ("sequential_linear_one_cycle", "sgd",
     ("SequentialLR", dict(milestones=[20]),
      [("LinearLR", dict(start_factor=0.5, total_iters=20)), ("OneCycleLR", dict(max_lr=0.4, total_steps=180))]), {},
     None),
]


def make_optimizer(kind):
    groups = SGD_GROUPS if kind == "sgd" else ADAM_GROUPS
    params = [torch.zeros(2, requires_grad=True) for _ in groups]
    if kind == "sgd":
        return torch.optim.SGD([dict(params=[p], lr=lr, momentum=m) for p, (lr, m) in zip(params, groups)], lr=0.1)
    return torch.optim.Adam([dict(params=[p], lr=lr, betas=(b1, 0.999)) for p, (lr, b1) in zip(params, groups)])


def make_scheduler(optimizer, kind, kwargs):
    return getattr(lr_scheduler, kind)(optimizer, **kwargs)


def momenta(optimizer):
    return [g["momentum"] if "momentum" in g else g["betas"][0] for g in optimizer.param_groups]


def numbers(values):
    return " ".join(repr(float(v)) for v in values)


def argument(value):
    if isinstance(value, bool):
        return str(int(value))
    if isinstance(value, (list, tuple)):
        return ",".join(repr(float(v)) if isinstance(v, float) else str(v) for v in value)
    if isinstance(value, float):
        return repr(value)
    return str(value)


def scheduler_line(prefix, kind, kwargs):
    return " ".join([prefix, kind] + [f"{k} {argument(v)}" for k, v in kwargs.items()])


def run_case(name, optimizer_kind, spec, outside_changes, metrics):
    lines = [f"case {name} {STEPS} {optimizer_kind}"]
    groups = SGD_GROUPS if optimizer_kind == "sgd" else ADAM_GROUPS
    lines += [f"group {repr(lr)} {repr(m)}" for lr, m in groups]
    optimizer = make_optimizer(optimizer_kind)
    if spec[0] == "SequentialLR":
        children = [make_scheduler(optimizer, kind, kwargs) for kind, kwargs in spec[2]]
        scheduler = lr_scheduler.SequentialLR(optimizer, children, **spec[1])
        lines.append(scheduler_line("scheduler", "SequentialLR", spec[1]))
        lines += [scheduler_line("child", kind, kwargs) for kind, kwargs in spec[2]]
    else:
        scheduler = make_scheduler(optimizer, *spec)
        lines.append(scheduler_line("scheduler", *spec))

    def record(step, extra=""):
        lrs = [g["lr"] for g in optimizer.param_groups]
        lines.append(f"step {step}{extra} lr {numbers(lrs)} momentum {numbers(momenta(optimizer))}")

    record(0)
    for step in range(1, STEPS + 1):
        optimizer.step()
        extra = ""
        if step in outside_changes:
            group, lr = outside_changes[step]
            optimizer.param_groups[group]["lr"] = lr
            extra += f" set_lr {group} {repr(lr)}"
        if metrics is not None:
            metric = metrics[step - 1]
            scheduler.step(metric)
            extra += f" metric {repr(metric)}"
        else:
            scheduler.step()
        lrs = [g["lr"] for g in optimizer.param_groups]
        if metrics is None:
            assert scheduler.get_last_lr() == lrs
        assert all(math.isfinite(v) for v in lrs)
        record(step, extra)
    lines.append("end")
    return lines


def main():
    # SequentialLR itself passes an epoch to step() at its milestones, which warns.
    warnings.filterwarnings("ignore", message=re.escape("The epoch parameter in `scheduler.step()`"))
    out_path = sys.argv[1] if len(sys.argv) > 1 else os.path.join(
        os.path.dirname(os.path.abspath(__file__)), "..", "..", "tests", "optim", "data", "scheduler_reference.txt")
    lines = [f"# Learning-rate schedules from PyTorch {torch.__version__}; generated by "
             "tools/optim_reference/gen_scheduler_reference.py, do not edit."]
    for case in CASES:
        lines += run_case(*case)
    with open(out_path, "w") as f:
        f.write("\n".join(lines) + "\n")
    print(f"wrote {len(CASES)} cases to {os.path.normpath(out_path)}")


if __name__ == "__main__":
    main()
