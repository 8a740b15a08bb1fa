#!/usr/bin/env python3
"""Plots the per-epoch metrics CSVs the main jobs write into one PNG.

Usage:
  tools/plot_metrics.py RUN.csv [RUN.csv ...] -o OUT.png [--label NAME ...] [--title TEXT]

Each CSV has a header line with an `epoch` column, then one row per epoch, e.g.
`epoch,train_loss,test_loss,test_accuracy,seconds`. The left panel shows the loss
columns (names ending in `loss`: train solid, test dashed), the right one the accuracy
columns (names ending in `accuracy`); other columns are ignored and an empty field
leaves a gap. Runs are overlaid, one colour each, labelled by --label (given once per
file, in order) or by the file name's stem. Bad input exits with status 2 and one line on stderr.
"""

import argparse
import csv
import math
import sys
from pathlib import Path

PROG = "plot_metrics.py"


def fail(where, problem):
    print(f"{PROG}: {where}: {problem}", file=sys.stderr)
    sys.exit(2)


try:
    import matplotlib

    matplotlib.use("Agg")  # files only: no display needed
    import matplotlib.pyplot as plt
    from matplotlib.ticker import MaxNLocator
except ImportError:
    fail("matplotlib", "not importable (apt-get install python3-matplotlib)")


def read_metrics(path):
    """Returns {column: [float per row]}, rows in file order, NaN where a field is empty."""
    try:
        with open(path, newline="", encoding="utf-8") as f:
            lines = [row for row in csv.reader(f) if row]  # blank lines are not rows
    except (OSError, UnicodeDecodeError, csv.Error) as e:
        fail(path, getattr(e, "strerror", None) or str(e))
    if not lines:
        fail(path, "empty file (expected a header line with an epoch column)")
    header = [name.strip() for name in lines[0]]
    duplicates = sorted({name for name in header if header.count(name) > 1})
    if duplicates:
        fail(path, f"column {duplicates[0]} appears more than once in the header")
    if "epoch" not in header:
        fail(path, f"no epoch column in the header ({','.join(header)})")
    if len(lines) == 1:
        fail(path, "no rows after the header")
    columns = {name: [] for name in header}
    for line_number, row in enumerate(lines[1:], start=2):
        if len(row) != len(header):
            fail(path, f"line {line_number}: {len(row)} fields, the header has {len(header)}")
        for name, field in zip(header, row):
            field = field.strip()
            if not field and name != "epoch":
                columns[name].append(math.nan)  # not measured in this epoch: a gap in the line
                continue
            try:
                value = float(field)
            except ValueError:
                fail(path, f"line {line_number}: {name} {field!r} is not a number")
            if name == "epoch" and not math.isfinite(value):
                fail(path, f"line {line_number}: epoch {field!r} is not a finite number")
            columns[name].append(value)
    return columns


def line_style(column):
    if column.startswith("train"):
        return "-"
    if column.startswith(("test", "val")):
        return "--"
    return ":"


def draw(axes, runs, suffix):
    """Draws every run's columns whose names end in suffix."""
    drawn = False
    for run_index, (label, columns) in enumerate(runs):
        colour = f"C{run_index % 10}"  # the default cycle: one colour per run, in both panels
        for name, values in columns.items():
            if not name.endswith(suffix):
                continue
            axes.plot(columns["epoch"], values, line_style(name),
                      color=colour, marker=".", label=f"{label} {name}" if len(runs) > 1 else name)
            drawn = True
    if drawn:
        axes.legend(fontsize="small")
    else:
        axes.text(0.5, 0.5, f"no {suffix} column", ha="center", va="center", transform=axes.transAxes)
    axes.set_xlabel("epoch")
    axes.xaxis.set_major_locator(MaxNLocator(integer=True))
    axes.grid(True, alpha=0.3)


def main():
    parser = argparse.ArgumentParser(prog=PROG, description=__doc__.splitlines()[0])
    parser.add_argument("csv", nargs="+", help="metrics CSV of one run")
    parser.add_argument("-o", "--output", required=True, metavar="PNG", help="the PNG to write")
    parser.add_argument("--label", action="append", default=[], metavar="NAME",
                        help="a run's name in the legends, once per file in order (default: the file's stem)")
    parser.add_argument("--title", metavar="TEXT", help="a title above both panels")
    args = parser.parse_intermixed_args()  # files may follow the options
    if args.label and len(args.label) != len(args.csv):
        fail("--label", f"{len(args.label)} label(s) for {len(args.csv)} file(s)")
    labels = args.label or [Path(p).stem for p in args.csv]
    runs = [(label, read_metrics(path)) for label, path in zip(labels, args.csv)]

    plt.style.use("default")  # the same picture whatever the user's matplotlibrc says
    figure, (loss_axes, accuracy_axes) = plt.subplots(1, 2, figsize=(9, 3.5), dpi=100)
    draw(loss_axes, runs, "loss")
    loss_axes.set_title("loss")
    draw(accuracy_axes, runs, "accuracy")
    accuracy_axes.set_title("accuracy")
    if args.title:
        figure.suptitle(args.title)
    figure.tight_layout()
    try:
        # No Software entry: the bytes do not depend on the matplotlib version.
        figure.savefig(args.output, format="png", metadata={"Software": None})
    except OSError as e:
        fail(args.output, e.strerror or str(e))
    return 0


if __name__ == "__main__":
    sys.exit(main())
