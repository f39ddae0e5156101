#!/usr/bin/env python3
"""scikit-learn's NMF on the data and initial factors that `cunmf_bench --dump-data DIR` wrote.

For every case: solver='mu' (both losses) and solver='cd' (Frobenius only), init='custom' from
W0/H0, tol=0 (so exactly max_iter iterations run, with no loss computed inside the loop), no
regularization.

- Time per iteration: (t(N) - t(1)) / (N - 1), where t(N) is the wall time of fit_transform with
  max_iter=N (medians of --repeats runs while a run is shorter than 2 s). The difference removes
  what a call does once (input checks, the initial and final loss), so the figure is the
  iterations' own cost.
- Time to reach the target loss (what cuNMF's MU reaches in 80% of the manifest's iterations):
  runs with max_iter = 1, 2, 4, ... until the loss (computed here, in cuNMF's convention, outside
  the timing) reaches the target, then a bisection for the smallest such max_iter; the reported
  time is the wall time of that whole fit_transform call, as a user would see it. Those runs are
  also the loss-versus-time trace. Only for --target-ranks, after every time per iteration, and
  only runs that the remaining --time-budget allows (estimated from the time per iteration).

Writes a JSON file (--out) that bench/make_report.py reads.
"""

import argparse
import os
import statistics
import sys
import time
import warnings

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import bench_data  # noqa: E402


def fit_seconds(x, w0, h0, k, solver, beta_loss, max_iter):
    """Wall time and result of one fit_transform from copies of W0/H0."""
    from sklearn.decomposition import NMF
    from sklearn.exceptions import ConvergenceWarning

    model = NMF(n_components=k, init="custom", solver=solver, beta_loss=beta_loss, tol=0.0,
                max_iter=max_iter, alpha_W=0.0, alpha_H=0.0)
    w, h = w0.copy(), h0.copy()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        start = time.perf_counter()
        w = model.fit_transform(x, W=w, H=h)
        seconds = time.perf_counter() - start
    return seconds, w, model.components_, model.n_iter_


class Budget:
    """Seconds of work left (no limit when 0)."""

    def __init__(self, seconds):
        self.seconds = seconds
        self.start = time.perf_counter()

    def elapsed(self):
        return time.perf_counter() - self.start

    def spent(self):
        return self.seconds > 0 and self.elapsed() > self.seconds

    def allows(self, estimate):
        return self.seconds <= 0 or self.elapsed() + estimate <= self.seconds


def main():
    p = argparse.ArgumentParser(description=__doc__,
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--data", required=True, help="the folder cunmf_bench --dump-data wrote")
    p.add_argument("--out", required=True, help="JSON file to write")
    p.add_argument("--max-iter", type=int, default=0,
                   help="iterations of the timed runs (default: the manifest's)")
    p.add_argument("--kinds", default="", help="comma-separated: dense,sparse (default: all)")
    p.add_argument("--losses", default="", help="comma-separated: frobenius,kl (default: all)")
    p.add_argument("--ranks", default="", help="comma-separated ranks (default: all)")
    p.add_argument("--solvers", default="mu,cd", help="comma-separated: mu,cd")
    p.add_argument("--repeats", type=int, default=3,
                   help="runs of each length whose median is taken, while a run is under 2 s")
    p.add_argument("--target-ranks", default="",
                   help="ranks for which the time to the target loss is measured "
                        "(default: all; 'none' for none)")
    p.add_argument("--target-cap", type=float, default=4.0,
                   help="give up on the target beyond this many times the manifest's iterations")
    p.add_argument("--time-budget", type=float, default=0.0,
                   help="seconds; once spent, the remaining work is skipped (0: no limit)")
    args = p.parse_args()

    import sklearn

    manifest = bench_data.load_manifest(args.data)
    dtype = np.float64 if manifest["dtype"] == "float64" else np.float32
    cases = bench_data.select_cases(manifest, bench_data.parse_list(args.kinds),
                                    bench_data.parse_list(args.losses),
                                    bench_data.parse_list(args.ranks, int))
    target_ranks = None if not args.target_ranks else (
        [] if args.target_ranks == "none" else bench_data.parse_list(args.target_ranks, int))
    budget = Budget(args.time_budget)

    # Phase 1: the time per iteration of every case and solver, smallest ranks first, so that a
    # budget that runs out leaves every input and loss with some results.
    results, work = [], []
    for case in sorted(cases, key=lambda c: c["k"]):
        x = bench_data.load_x(args.data, case, dtype)
        w0, h0 = bench_data.load_init(args.data, case, dtype)
        k, loss = case["k"], case["loss"]
        beta_loss = "kullback-leibler" if loss == "kl" else "frobenius"
        iters = args.max_iter or case["iters"]
        for solver in bench_data.parse_list(args.solvers):
            if solver == "cd" and loss != "frobenius":
                continue  # scikit-learn's coordinate descent minimizes the Frobenius loss only
            entry = {"id": case["id"], "solver": solver, "seconds_per_iter": None,
                     "final_loss": None, "iters": iters, "trace": [], "time_to_target": None,
                     "iterations_to_target": None, "target_loss": bench_data.target_loss(case),
                     "note": None}
            results.append(entry)
            if budget.spent():
                entry["note"] = "skipped: time budget"
                print(f"{case['id']} {solver}: skipped (time budget)", file=sys.stderr)
                continue
            # Medians of a few runs each while they are short (below 2 s), one run otherwise.
            t1s, tns = [], []
            while True:
                t1s.append(fit_seconds(x, w0, h0, k, solver, beta_loss, 1)[0])
                tn, w, h, n_iter = fit_seconds(x, w0, h0, k, solver, beta_loss, iters)
                tns.append(tn)
                if len(tns) >= args.repeats or tn > 2.0 or budget.spent():
                    break
            t1, tn = statistics.median(t1s), statistics.median(tns)
            if n_iter > 1 and tn > t1:
                entry["seconds_per_iter"] = (tn - t1) / (n_iter - 1)
            else:  # too short to tell the fixed cost apart: the plain average
                entry["seconds_per_iter"] = tn / max(1, n_iter)
            entry["fixed_seconds"] = max(0.0, t1 - entry["seconds_per_iter"])
            entry["final_loss"] = bench_data.loss(x, w, h, loss)
            print(f"{case['id']} {solver}: {1e3 * entry['seconds_per_iter']:.3f} ms/iteration",
                  file=sys.stderr, flush=True)
            if target_ranks is None or k in target_ranks:
                work.append((case, entry, beta_loss))

    # Phase 2: the time to reach the target loss, for the chosen ranks, while the budget lasts.
    for case, entry, beta_loss in work:
        x = bench_data.load_x(args.data, case, dtype)
        w0, h0 = bench_data.load_init(args.data, case, dtype)
        k, loss, solver = case["k"], case["loss"], entry["solver"]
        target = entry["target_loss"]
        cap = max(1, int(args.target_cap * case["iters"]))
        trace = []  # (max_iter, seconds, loss)

        def affordable(n):
            return budget.allows(entry["fixed_seconds"] + n * entry["seconds_per_iter"])

        def run(n):
            seconds, w, h, _ = fit_seconds(x, w0, h0, k, solver, beta_loss, n)
            point = (n, seconds, bench_data.loss(x, w, h, loss))
            trace.append(point)
            return point

        # max_iter = 1, 2, 4, ... until the target is reached, then a bisection between the last
        # max_iter above it and the first at or below it.
        n, hi, below, note = 1, None, 0, None
        while n <= cap:
            if not affordable(n):
                note = "time budget"
                break
            point = run(n)
            if point[2] <= target:
                hi = point
                break
            below = n
            n = min(cap, 2 * n) if n < cap else cap + 1
        else:
            note = f"not reached in {cap} iterations"
        while hi is not None and hi[0] - below > 1:
            mid = (below + hi[0]) // 2
            if not affordable(mid):
                note = "time budget: an upper bound"
                break
            point = run(mid)
            if point[2] <= target:
                hi = point
            else:
                below = mid
        trace.sort()
        entry["trace"] = [[it, s, v] for it, s, v in trace]
        entry["time_to_target"] = hi[1] if hi is not None else None
        entry["iterations_to_target"] = hi[0] if hi is not None else None
        entry["note"] = note
        outcome = f"reached at max_iter = {hi[0]}" if hi else "not measured"
        print(f"{case['id']} {solver}: target {outcome}{' (' + note + ')' if note else ''}",
              file=sys.stderr, flush=True)

    bench_data.write_json(args.out, {"peer": "scikit-learn", "version": sklearn.__version__,
                                     "threads": os.cpu_count(), "dtype": manifest["dtype"],
                                     "cases": results})


if __name__ == "__main__":
    main()
