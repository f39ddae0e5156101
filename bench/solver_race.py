#!/usr/bin/env python3
"""Time and iterations for each cuNMF solver to reach a target loss, and the loss against time.

For a dense and a sparse X (those of cpu_vs_sklearn.py: Fashion-MNIST-sized synthetic images, and
term counts of man-page paragraphs), rank 20, float64, from the same random initial factors (one
--seed), it runs `cunmf factorize` once per solver with the loss checked at every iteration (the
trace) and once with a single check at the end (the time per iteration, free of the checks'
cost). The loss after i iterations is placed at i x (time per iteration).

Target: the loss that MU reaches after --iters iterations (its last). The table gives, for every
solver, the first iteration whose loss is at or below it and the time that makes. Frobenius
solvers are compared with MU Frobenius; KL solvers with MU KL. A solver the `cunmf` at hand does not
know (older builds) is skipped and said so.

Usage: bench/solver_race.py --cunmf build/src/cunmf [--backend cpu|cuda] [--iters 300]
                            [--out DIR]   (writes results.md and loss_vs_time.png there)
"""
import argparse
import datetime
import json
import os
import subprocess
import sys
import tempfile

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import cpu_vs_sklearn  # noqa: E402  (the data)

# (solver, loss) pairs raced; the first of each loss is the reference that sets the target.
RACES = {"frobenius": ["mu", "cd", "als", "pgd", "anls-bpp"], "kl": ["mu", "cd"]}


def run(cunmf, x_path, solver, loss, iters, check_every, backend, seed, work):
    summary = os.path.join(work, "summary.json")
    command = [cunmf, "factorize", x_path, "-k", "20", "--backend", backend, "--dtype", "float64",
               "--solver", solver, "--loss", loss, "--seed", str(seed), "--max-iter", str(iters),
               "--tol", "0", "--check-every", str(check_every), "--out-w",
               os.path.join(work, "W.npy"), "--out-h", os.path.join(work, "H.npy"), "--summary",
               summary, "--quiet"]
    result = subprocess.run(command, capture_output=True, text=True)
    if result.returncode != 0:
        return None, result.stderr.strip()
    with open(summary) as f:
        return json.load(f), None


def race(cunmf, kind, x_path, x_norm2, args, work):
    rows, curves = [], {}
    for loss, solvers in RACES.items():
        traces, skipped = {}, []
        for solver in solvers:
            trace, error = run(cunmf, x_path, solver, loss, args.iters, 1, args.backend, args.seed, work)
            if trace is None:
                skipped.append({"kind": kind, "loss": loss, "solver": solver,
                                "skipped": error.splitlines()[-1] if error else "failed"})
                continue
            timing, _ = run(cunmf, x_path, solver, loss, args.iters, args.iters, args.backend,
                            args.seed, work)
            per_iteration = timing["seconds"] / timing["iterations"]
            traces[solver] = (np.array(trace["history_iterations"]), np.array(trace["loss_history"]),
                              per_iteration)
        if "mu" not in traces:
            continue
        target = traces["mu"][1][-1]
        for solver, (its, losses, per_iteration) in traces.items():
            reached = np.nonzero(losses <= target)[0]
            first = int(its[reached[0]]) if reached.size else None
            row = {"kind": kind, "loss": loss, "solver": solver, "ms_per_iteration": 1e3 * per_iteration,
                   "target": target, "iterations": first,
                   "seconds": None if first is None else first * per_iteration,
                   "final": float(losses[-1])}
            if loss == "frobenius":
                row["target_relative_error"] = float(np.sqrt(2 * target / x_norm2))
            rows.append(row)
            curves[(kind, loss, solver)] = (its * per_iteration, losses)
        rows += skipped
    return rows, curves


def table(rows):
    lines = ["| X | loss | solver | ms/iteration | iterations to target | time to target | loss after all |",
             "|---|---|---|---:|---:|---:|---:|"]
    for r in rows:
        if "skipped" in r:
            lines.append(f"| {r['kind']} | {r['loss']} | {r['solver']} | not run ({r['skipped'][:70]}) | | | |")
            continue
        its = "not reached" if r["iterations"] is None else str(r["iterations"])
        secs = "—" if r["seconds"] is None else f"{r['seconds']:.3f} s"
        lines.append(f"| {r['kind']} | {r['loss']} | {r['solver']} | {r['ms_per_iteration']:.2f} | "
                     f"{its} | {secs} | {r['final']:.6e} |")
    return "\n".join(lines)


def plot(curves, path):
    try:
        import matplotlib
        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
        from matplotlib.ticker import NullFormatter
    except ImportError:
        print("matplotlib is not installed: no plot (pip install matplotlib)")
        return
    panels = sorted({(kind, loss) for kind, loss, _ in curves})
    columns = 2
    rows = (len(panels) + columns - 1) // columns
    fig, axes = plt.subplots(rows, columns, figsize=(6 * columns, 4 * rows), squeeze=False)
    for ax, (kind, loss) in zip(axes.flat, panels):
        lowest, highest = float("inf"), 0.0
        for (k, l, solver), (times, losses) in sorted(curves.items()):
            if (k, l) == (kind, loss):
                ax.plot(times[1:], losses[1:], label=solver)
                lowest, highest = min(lowest, losses[1:].min()), max(highest, losses[1:].max())
        ax.set_xscale("log")
        ax.xaxis.set_minor_formatter(NullFormatter())
        if highest > 10 * lowest:  # a log axis within one decade would have no labelled tick
            ax.set_yscale("log")
            ax.yaxis.set_minor_formatter(NullFormatter())
        ax.set_xlabel("seconds")
        ax.set_ylabel(f"{loss} loss")
        ax.set_title(f"{kind} X")
        ax.legend()
    fig.tight_layout()
    fig.savefig(path, dpi=110)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--cunmf", default=os.path.join(HERE, "..", "build", "src", "cunmf"))
    parser.add_argument("--backend", default="cpu")
    parser.add_argument("--iters", type=int, default=300)
    parser.add_argument("--seed", type=int, default=5)
    parser.add_argument("--out")
    args = parser.parse_args()
    rows, curves = [], {}
    with tempfile.TemporaryDirectory(prefix="cunmf-race-") as work:
        for kind in ("dense", "sparse"):
            paths, description, shape, nnz, _ = cpu_vs_sklearn.write_inputs(work, kind, "float64", 20, 17)
            if kind == "dense":
                x_norm2 = float(np.sum(np.load(paths["X"]) ** 2))
            else:
                import scipy.io
                x_norm2 = float(scipy.io.mmread(paths["X"]).power(2).sum())
            r, c = race(args.cunmf, f"{kind} {shape[0]}×{shape[1]}", paths["X"], x_norm2, args, work)
            rows += r
            curves.update(c)
            print(table(r), flush=True)
    report = (f"- date: {datetime.date.today()}, backend {args.backend}, {os.cpu_count()} logical CPUs, "
              f"float64, rank 20, {args.iters} iterations, seed {args.seed}\n"
              f"- target: the loss MU reaches after {args.iters} iterations (per loss)\n\n"
              + table(rows) + "\n")
    print("\n" + report)
    if args.out:
        os.makedirs(args.out, exist_ok=True)
        with open(os.path.join(args.out, "solvers.md"), "w") as f:
            f.write(report)
        plot(curves, os.path.join(args.out, "solvers_loss_vs_time.png"))


if __name__ == "__main__":
    main()
