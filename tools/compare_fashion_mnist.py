#!/usr/bin/python3
"""Runs the main job's recipe in PyTorch 1.13 and in extensor, on the same data, at the
same thread count, and prints both test accuracies and the ratio of epoch times.

Same architecture (784-512-256-10, ReLU), initialization (PyTorch's Linear default, which
extensor's Linear reproduces), loss (cross-entropy), optimizer (SGD with momentum),
learning-rate schedule (cosine annealing to 0, stepped per batch, or constant), batch
size, epochs, and shuffled batches. Run with Debian's PyTorch (/usr/bin/python3 has it):

    /usr/bin/python3 tools/compare_fashion_mnist.py [--epochs 10] [--threads 1]
        [--batch-size 64] [--lr 0.05] [--momentum 0.9] [--schedule cosine|constant]
        [--binary build/examples/fashion_mnist_mlp]
"""
import argparse
import csv
import gzip
import os
import subprocess
import sys
import tempfile
import time

import numpy as np
import torch


def read_idx(path):
    with gzip.open(path, "rb") as f:
        data = f.read()
    ndim = data[3]
    dims = [int.from_bytes(data[4 + 4 * i:8 + 4 * i], "big") for i in range(ndim)]
    return np.frombuffer(data, dtype=np.uint8, offset=4 + 4 * ndim).reshape(dims)


def load(root, split):
    images = read_idx(os.path.join(root, f"{split}-images-idx3-ubyte.gz")).astype(np.float32) / 255.0
    labels = read_idx(os.path.join(root, f"{split}-labels-idx1-ubyte.gz")).astype(np.int64)
    return torch.from_numpy(images).reshape(-1, 1, 28, 28), torch.from_numpy(labels)


def run_torch(args):
    torch.set_num_threads(args.threads)
    torch.manual_seed(args.seed)
    x_train, y_train = load(args.data_dir, "train")
    x_test, y_test = load(args.data_dir, "t10k")
    model = torch.nn.Sequential(torch.nn.Flatten(), torch.nn.Linear(784, 512), torch.nn.ReLU(),
                                torch.nn.Linear(512, 256), torch.nn.ReLU(), torch.nn.Linear(256, 10))
    optimizer = torch.optim.SGD(model.parameters(), lr=args.lr, momentum=args.momentum)
    steps_per_epoch = (len(y_train) + args.batch_size - 1) // args.batch_size
    scheduler = None
    if args.schedule == "cosine":
        scheduler = torch.optim.lr_scheduler.CosineAnnealingLR(optimizer, T_max=args.epochs * steps_per_epoch)
    criterion = torch.nn.CrossEntropyLoss()
    generator = torch.Generator().manual_seed(args.seed)
    epochs = []
    for epoch in range(1, args.epochs + 1):
        start = time.perf_counter()
        order = torch.randperm(len(y_train), generator=generator)
        for i in range(0, len(order), args.batch_size):
            idx = order[i:i + args.batch_size]
            loss = criterion(model(x_train[idx]), y_train[idx])
            optimizer.zero_grad(set_to_none=True)
            loss.backward()
            optimizer.step()
            if scheduler is not None:
                scheduler.step()
        seconds = time.perf_counter() - start
        with torch.no_grad():
            accuracy = (model(x_test).argmax(1) == y_test).double().mean().item()
        print(f"pytorch  epoch {epoch}: test accuracy {accuracy:.4f}, {seconds:.2f}s", flush=True)
        epochs.append((accuracy, seconds))
    return epochs


def run_extensor(args):
    with tempfile.TemporaryDirectory() as tmp:
        metrics = os.path.join(tmp, "metrics.csv")
        cmd = [args.binary, "--epochs", str(args.epochs), "--threads", str(args.threads), "--batch-size",
               str(args.batch_size), "--lr", str(args.lr), "--momentum", str(args.momentum), "--schedule", args.schedule, "--seed",
               str(args.seed), "--data-dir", args.data_dir, "--metrics", metrics]
        subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL)
        with open(metrics) as f:
            rows = list(csv.DictReader(f))
    epochs = [(float(r["test_accuracy"]), float(r["seconds"])) for r in rows]
    for i, (accuracy, seconds) in enumerate(epochs, 1):
        print(f"extensor epoch {i}: test accuracy {accuracy:.4f}, {seconds:.2f}s", flush=True)
    return epochs


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--epochs", type=int, default=10)
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--batch-size", type=int, default=64)
    parser.add_argument("--lr", type=float, default=0.05)
    parser.add_argument("--schedule", choices=["cosine", "constant"], default="cosine")
    parser.add_argument("--momentum", type=float, default=0.9)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--data-dir", default="/usr/share/datasets/fashion-mnist")
    parser.add_argument("--binary", default="build/examples/fashion_mnist_mlp")
    args = parser.parse_args()
    print(f"torch {torch.__version__}, {args.threads} thread(s) on both sides, load {os.getloadavg()[0]:.2f}")
    ours = run_extensor(args)
    theirs = run_torch(args)
    median = lambda xs: sorted(xs)[len(xs) // 2]
    ours_time, theirs_time = median([s for _, s in ours]), median([s for _, s in theirs])
    print(f"final test accuracy: extensor {ours[-1][0]:.4f}, pytorch {theirs[-1][0]:.4f} "
          f"(difference {100 * (ours[-1][0] - theirs[-1][0]):+.2f} points)")
    print(f"median epoch time: extensor {ours_time:.2f}s, pytorch {theirs_time:.2f}s, "
          f"ratio {ours_time / theirs_time:.3f} (target <= 0.25)")


if __name__ == "__main__":
    sys.exit(main())
