#!/usr/bin/env python3
"""Loss against time, cunmf.NMF and scikit-learn's NMF, from the same initial factors, on a dense
X (planted rank plus noise): each point is a fresh run of `max_iter` iterations (tol=0), timed, so
the two libraries are measured the same way. Writes a PNG (README, "Python").

    python3 examples/python/loss_vs_time.py --rows 4000 --cols 2000 --out examples/python/loss_vs_time.png

The committed picture was made with OMP_NUM_THREADS=1 OPENBLAS_NUM_THREADS=1 (one thread each) on
a machine shared with other builds, where timings with all threads were not repeatable.
"""
import argparse
import os
import time

import numpy as np
from sklearn.decomposition import NMF as SklearnNMF

import cunmf


def planted(rows, cols, rank, seed=0):
    rng = np.random.default_rng(seed)
    return rng.random((rows, rank)) @ rng.random((rank, cols)) + 0.1 * rng.random((rows, cols))


def curve(make, X, W0, H0, iterations):
    """(seconds, relative error) after each count of iterations, each a fresh run."""
    points = []
    for n in iterations:
        model = make(n)
        start = time.perf_counter()
        W = model.fit_transform(X, W=W0.copy(), H=H0.copy())
        seconds = time.perf_counter() - start
        points.append((seconds, np.linalg.norm(X - W @ model.components_) / np.linalg.norm(X)))
    return np.array(points)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=4000)
    parser.add_argument("--cols", type=int, default=2000)
    parser.add_argument("--rank", type=int, default=20)
    parser.add_argument("--out", default="loss_vs_time.png")
    args = parser.parse_args()

    X = planted(args.rows, args.cols, args.rank)
    rng = np.random.default_rng(1)
    scale = np.sqrt(X.mean() / args.rank)
    W0 = scale * rng.random((args.rows, args.rank))
    H0 = scale * rng.random((args.rank, args.cols))
    iterations = [1, 2, 5, 10, 20, 50, 100]
    common = dict(n_components=args.rank, init="custom", tol=0)

    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(6.4, 4.2))
    for solver, color in (("cd", "tab:blue"), ("mu", "tab:orange")):
        ours = curve(lambda n: cunmf.NMF(solver=solver, max_iter=n, backend="cpu", **common),
                     X, W0, H0, iterations)
        theirs = curve(lambda n: SklearnNMF(solver=solver, max_iter=n, **common),
                       X, W0, H0, iterations)
        ax.plot(*ours.T, "o-", color=color, label=f"cunmf.NMF {solver} (CPU)")
        ax.plot(*theirs.T, "s--", color=color, alpha=0.6, label=f"scikit-learn {solver}")
        print(f"{solver}: {iterations[-1]} iterations in {ours[-1, 0]:.2f} s (cunmf) and "
              f"{theirs[-1, 0]:.2f} s (scikit-learn); relative error {ours[-1, 1]:.4f} and "
              f"{theirs[-1, 1]:.4f}")
    ax.set_xscale("log")
    ax.set_yscale("log")
    ax.set_xlabel("seconds (a fresh run for each point: 1 to 100 iterations)")
    ax.set_ylabel("‖X − WH‖_F / ‖X‖_F")
    threads = os.environ.get("OMP_NUM_THREADS", "all")
    ax.set_title(f"X {args.rows} × {args.cols} (float64), rank {args.rank}, same W0 and H0; "
                 f"threads: {threads}", fontsize=10)
    ax.legend(fontsize=8)
    fig.tight_layout()
    fig.savefig(args.out, dpi=90)
    print(f"wrote {args.out}")


if __name__ == "__main__":
    main()
