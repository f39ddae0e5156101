#!/usr/bin/env python3
"""Merges cuNMF's benchmark results (the manifest.json of `cunmf_bench --dump-data`) with the
peers' (bench/peers/torch_mu.py, bench/peers/sklearn_nmf.py) into results.md — time per
iteration side by side with the speed-up ratios, and the time to reach the target loss — and
loss_vs_time.png (loss against time for every solver, one panel per case).

Ratios are peer time / cuNMF time: above 1, cuNMF is faster.
"""

import argparse
import datetime
import json
import math
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "peers"))
import bench_data  # noqa: E402


def load_optional(path):
    if not path or not os.path.exists(path):
        return None
    with open(path, encoding="utf-8") as f:
        return json.load(f)


def by_case(peer, solver):
    if not peer:
        return {}
    return {c["id"]: c for c in peer["cases"] if c.get("solver", "mu") == solver}


def fmt_time(seconds):
    if seconds is None or (isinstance(seconds, float) and math.isnan(seconds)):
        return "—"
    if seconds < 1e-3:
        return f"{seconds * 1e6:.1f} µs"
    if seconds < 1.0:
        return f"{seconds * 1e3:.3f} ms"
    return f"{seconds:.3f} s"


def fmt_ratio(peer_seconds, ours):
    if peer_seconds is None or not ours:
        return "—"
    return f"{peer_seconds / ours:.2f}×"


def sklearn_time(table, c, target):
    """scikit-learn's time to the target, if it was measured for this target."""
    entry = table.get(c["id"], {})
    if entry.get("time_to_target") is None:
        return None
    if not math.isclose(entry.get("target_loss", math.nan), target, rel_tol=1e-12):
        return None  # measured for another target
    return entry["time_to_target"]


def case_label(c):
    size = f"{c['m']}×{c['n']}"
    if c["kind"] == "sparse":
        size += f", nnz {c['nnz']}"
    return f"{c['kind']} {size}"


def ours_trace(c):
    t = c["cunmf"]["seconds_per_iter"]
    return [(it * t, v) for it, v in c["cunmf"]["trace"]]


def write_markdown(path, manifest, torch_r, sk_r, title, notes):
    torch_mu = by_case(torch_r, "mu")
    sk_mu, sk_cd = by_case(sk_r, "mu"), by_case(sk_r, "cd")
    lines = [f"# {title}", ""]
    lines.append(f"- date: {datetime.date.today().isoformat()}")
    lines.append(f"- cuNMF {manifest['cunmf_version']} ({manifest['build']} build), backend "
                 f"device: {manifest['device']}; {manifest['dtype']}"
                 f"{' + TF32' if manifest.get('tf32') else ''}; {manifest['iters']} iterations "
                 "per run, tol = 0, the same X and W0/H0 for every solver")
    if torch_r:
        lines.append(f"- PyTorch {torch_r['version']} on {torch_r['device']}"
                     f"{' (TF32 allowed)' if torch_r.get('tf32') else ''}")
    else:
        lines.append("- PyTorch: not run (not installed)")
    if sk_r:
        lines.append(f"- scikit-learn {sk_r['version']} on the host CPU ({sk_r['threads']} "
                     "logical CPUs)")
    else:
        lines.append("- scikit-learn: not run (not installed)")
    for note in notes:
        lines.append(f"- {note}")
    lines += ["", "## Time per iteration", "",
              "Ratios are the peer's time over cuNMF's: above 1, cuNMF is faster. GB/s and "
              "TFLOP/s are cuNMF's, from the cost model of bench/README.md.", "",
              "| case | loss | k | cuNMF | GB/s | TFLOP/s | PyTorch MU | scikit-learn MU | "
              "scikit-learn CD | PyTorch / cuNMF | sklearn MU / cuNMF |",
              "|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|"]
    for c in manifest["cases"]:
        ours = c["cunmf"]["seconds_per_iter"]
        t = torch_mu.get(c["id"], {}).get("seconds_per_iter")
        mu = sk_mu.get(c["id"], {}).get("seconds_per_iter")
        cd = sk_cd.get(c["id"], {}).get("seconds_per_iter")
        lines.append(
            f"| {case_label(c)} | {c['loss']} | {c['k']} | {fmt_time(ours)} | "
            f"{c['bytes_per_iter'] / ours / 1e9:.1f} | {c['flops_per_iter'] / ours / 1e12:.3f} | "
            f"{fmt_time(t)} | {fmt_time(mu)} | {fmt_time(cd)} | {fmt_ratio(t, ours)} | "
            f"{fmt_ratio(mu, ours)} |")

    lines += ["", "## Time to reach the target loss", "",
              "Target: the loss cuNMF's MU reaches after "
              f"{100 * bench_data.TARGET_FRACTION:.0f}% of the run's iterations. cuNMF and "
              "PyTorch: the first check at or below it × "
              "their time per iteration; scikit-learn: the wall time of the shortest "
              "fit_transform that reaches it. — : not measured, or not reached.", "",
              "| case | loss | k | target | cuNMF | PyTorch MU | scikit-learn MU | "
              "scikit-learn CD | PyTorch final loss / cuNMF |",
              "|---|---|---:|---:|---:|---:|---:|---:|---:|"]
    for c in manifest["cases"]:
        target = bench_data.target_loss(c)
        ours = bench_data.time_to_target(ours_trace(c), target)
        tr = torch_mu.get(c["id"], {})
        torch_time = (bench_data.time_to_target([(s, v) for _, s, v in tr["trace"]], target)
                      if tr.get("trace") else None)
        agree = (f"{tr['final_loss'] / c['cunmf']['final_loss']:.6f}"
                 if tr.get("final_loss") else "—")
        lines.append(
            f"| {case_label(c)} | {c['loss']} | {c['k']} | {target:.6e} | {fmt_time(ours)} | "
            f"{fmt_time(torch_time)} | {fmt_time(sklearn_time(sk_mu, c, target))} | "
            f"{fmt_time(sklearn_time(sk_cd, c, target))} | {agree} |")
    with open(path, "w", encoding="utf-8") as f:
        f.write("\n".join(lines) + "\n")


def write_plot(path, manifest, torch_r, sk_r):
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    import matplotlib.ticker

    torch_mu = by_case(torch_r, "mu")
    sk_mu, sk_cd = by_case(sk_r, "mu"), by_case(sk_r, "cd")
    groups = []  # (kind, loss) in manifest order
    ranks = []
    for c in manifest["cases"]:
        if (c["kind"], c["loss"]) not in groups:
            groups.append((c["kind"], c["loss"]))
        if c["k"] not in ranks:
            ranks.append(c["k"])
    fig, axes = plt.subplots(len(groups), len(ranks), figsize=(4.2 * len(ranks), 3.4 * len(groups)),
                             squeeze=False)
    for c in manifest["cases"]:
        ax = axes[groups.index((c["kind"], c["loss"]))][ranks.index(c["k"])]
        curves = [("cuNMF MU", ours_trace(c), "-")]
        if c["id"] in torch_mu:
            curves.append(("PyTorch MU", [(s, v) for _, s, v in torch_mu[c["id"]]["trace"]], "--"))
        for name, table in (("scikit-learn MU", sk_mu), ("scikit-learn CD", sk_cd)):
            if c["id"] in table and table[c["id"]]["trace"]:
                curves.append((name, [(s, v) for _, s, v in table[c["id"]]["trace"]], "o"))
        for name, points, style in curves:
            points = [(s, v) for s, v in points if s > 0 and v > 0]
            if points:
                xs, ys = zip(*points)
                ax.plot(xs, ys, style, label=name, markersize=3)
        ax.axhline(bench_data.target_loss(c), color="grey", linewidth=0.8, linestyle="-.")
        ax.set_xscale("log")
        ax.xaxis.set_minor_formatter(matplotlib.ticker.NullFormatter())
        ax.ticklabel_format(axis="y", style="sci", scilimits=(-3, 4))
        ax.set_title(f"{case_label(c)}\n{c['loss']}, k = {c['k']}", fontsize=9)
        ax.set_xlabel("seconds")
        ax.set_ylabel("loss")
        ax.tick_params(labelsize=7)
        ax.legend(fontsize=7)
    fig.suptitle(f"loss vs time (time on a log axis) — cuNMF on {manifest['device']}; "
                 "grey: the target loss; scikit-learn: one point per fit_transform run",
                 fontsize=11)
    fig.tight_layout()
    fig.savefig(path, dpi=90)


def main():
    p = argparse.ArgumentParser(description=__doc__)
    p.add_argument("--data", required=True, help="the folder cunmf_bench --dump-data wrote")
    p.add_argument("--torch", default="", help="torch_mu.py's JSON")
    p.add_argument("--sklearn", default="", help="sklearn_nmf.py's JSON")
    p.add_argument("--out-dir", required=True)
    p.add_argument("--title", default="cuNMF benchmark")
    p.add_argument("--note", action="append", default=[], help="a line for the header")
    args = p.parse_args()
    manifest = bench_data.load_manifest(args.data)
    torch_r, sk_r = load_optional(args.torch), load_optional(args.sklearn)
    os.makedirs(args.out_dir, exist_ok=True)
    write_markdown(os.path.join(args.out_dir, "results.md"), manifest, torch_r, sk_r, args.title,
                   args.note)
    try:
        write_plot(os.path.join(args.out_dir, "loss_vs_time.png"), manifest, torch_r, sk_r)
    except ImportError:
        print("matplotlib is not installed: no plot", file=sys.stderr)


if __name__ == "__main__":
    main()
