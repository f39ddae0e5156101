#!/usr/bin/env python3
"""cuNMF's CPU backend against scikit-learn, side by side, on the same data and initial factors.

For each case (dense or sparse X, a solver and a loss) it runs, alternately and `--repeats` times,
`cunmf factorize --backend cpu` and scikit-learn's `NMF(init="custom", tol=0)` from the same W0
and H0, and reports per iteration, as the medians of the repeats:

- time per iteration, by the same method for both: (t(N) - t(1)) / (N - 1), where t is the time of
  the solve alone (cuNMF: the `seconds` of its `--summary`; scikit-learn: the wall time of
  `fit_transform`), which removes input checks, the initial and final loss and the output;
- the ratio ours / scikit-learn's (below 1: cuNMF is faster);
- the whole CLI run (process start, reading X from its file, solving, writing W and H) over
  scikit-learn's `fit_transform` alone, and the CLI's peak resident memory over what X and the
  factors need;
- the relative difference of the final iterates, ||W_ours - W_sk||_F / ||W_sk||_F (and for H), so
  that a speed-up bought with different arithmetic would show.

scikit-learn runs in a child Python process with OPENBLAS_CORETYPE and OPENBLAS_L2_SIZE removed from
its environment (they force an older OpenBLAS kernel on some machines; scikit-learn's users do not
set them), and the kernel numpy's OpenBLAS chose is recorded. Timings need a quiet machine.

Usage: bench/cpu_vs_sklearn.py --cunmf build/src/cunmf [--iters 100] [--repeats 5]
                               [--cases dense-mu-frobenius,...] [--out DIR]
"""
import argparse
import datetime
import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time

import numpy as np
import scipy.io
import scipy.sparse as sp

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "tests", "sklearn"))
import compare_iterates  # noqa: E402  (the man-page corpus reader)

# case name -> (kind, solver, loss, dtype)
CASES = {
    "dense-mu-frobenius": ("dense", "mu", "frobenius", "float64"),
    "dense-mu-kl": ("dense", "mu", "kl", "float64"),
    "dense-cd-frobenius": ("dense", "cd", "frobenius", "float64"),
    "dense-mu-frobenius-f32": ("dense", "mu", "frobenius", "float32"),
    "dense-mu-beta0.5": ("dense", "mu", "beta0.5", "float64"),
    "dense-mu-beta1.5": ("dense", "mu", "beta1.5", "float64"),
    "sparse-mu-frobenius": ("sparse", "mu", "frobenius", "float64"),
    "sparse-mu-kl": ("sparse", "mu", "kl", "float64"),
    "sparse-cd-frobenius": ("sparse", "cd", "frobenius", "float64"),
}
# (The β-divergences only dense: on the sparse case, 0.1% dense, their denominator needs all of
# W·H, O(m·n·k) an iteration for both libraries; scikit-learn's is a Python loop over rows.)
SKLEARN_LOSS = {"frobenius": "frobenius", "kl": "kullback-leibler", "beta0.5": 0.5, "beta1.5": 1.5}


def cli_loss_flags(loss):
    """The CLI's flags for a loss name of CASES: "betaB" is --loss beta --beta B."""
    if loss.startswith("beta"):
        return ["--loss", "beta", "--beta", loss[len("beta"):]]
    return ["--loss", loss]
HIDDEN_ENV = ("OPENBLAS_CORETYPE", "OPENBLAS_L2_SIZE")


# ---------------------------------------------------------------------------------------------
# Data


def dense_images(rng, rows=10000, cols=784, rank=20):
    """A Fashion-MNIST-sized stand-in: rows 'images' of cols pixels in [0, 1], about 40% exact zeros
    (background), made of `rank` non-negative parts plus noise."""
    parts = rng.random((rank, cols)) ** 3
    weights = rng.random((rows, rank)) ** 2
    X = weights @ parts + 0.05 * rng.standard_normal((rows, cols))
    X = np.clip(X / np.quantile(X, 0.99) - 0.25, 0.0, 1.0)
    return np.ascontiguousarray(X)


def paragraph_term_counts(rng, max_docs=60000, max_terms=20000, min_tokens=12, min_df=3):
    """Paragraphs of the machine's man pages x terms, as CSR float64 counts (about 0.1% dense)."""
    source, paths, read = compare_iterates.document_source()
    docs = []
    for i in rng.permutation(len(paths)):
        if len(docs) >= max_docs:
            break
        try:
            text = read(paths[i]).lower()
        except (OSError, EOFError):
            continue
        for paragraph in text.split("\n\n"):
            tokens = compare_iterates.TOKEN.findall(paragraph)
            if len(tokens) >= min_tokens:
                docs.append(tokens)
    docs = docs[:max_docs]
    df = {}
    for doc in docs:
        for term in set(doc):
            df[term] = df.get(term, 0) + 1
    frequent = sorted((t for t, d in df.items() if d >= min_df), key=lambda t: (-df[t], t))
    column = {t: j for j, t in enumerate(sorted(frequent[:max_terms]))}
    rows, cols = [], []
    for i, doc in enumerate(docs):
        for term in doc:
            j = column.get(term)
            if j is not None:
                rows.append(i)
                cols.append(j)
    X = sp.csr_matrix((np.ones(len(rows)), (rows, cols)), shape=(len(docs), len(column)))
    X.sum_duplicates()
    X = X[X.getnnz(axis=1) > 0][:, X.getnnz(axis=0) > 0].tocsr()
    X.sort_indices()
    return X, f"paragraphs of {source}"


def write_inputs(work, kind, dtype, rank, seed):
    """X in its file and W0, H0 (.npy); returns (paths, description, shape, nnz, x_bytes)."""
    rng = np.random.default_rng(seed)
    if kind == "dense":
        X = dense_images(rng).astype(dtype)
        x_path = os.path.join(work, f"X-{dtype}.npy")
        np.save(x_path, X)
        description, nnz, x_bytes = "synthetic images, Fashion-MNIST-sized", X.size, X.nbytes
    else:
        X, description = paragraph_term_counts(rng)
        X = X.astype(dtype)
        x_path = os.path.join(work, f"X-{dtype}.mtx")
        scipy.io.mmwrite(x_path, X)
        nnz = X.nnz
        x_bytes = X.data.nbytes + X.indices.nbytes + X.indptr.nbytes
    scale = np.sqrt(X.mean() / rank)
    W0 = (scale * rng.random((X.shape[0], rank))).astype(dtype)
    H0 = (scale * rng.random((rank, X.shape[1]))).astype(dtype)
    paths = {"X": x_path, "W0": os.path.join(work, f"W0-{kind}-{dtype}.npy"),
             "H0": os.path.join(work, f"H0-{kind}-{dtype}.npy")}
    np.save(paths["W0"], W0)
    np.save(paths["H0"], H0)
    return paths, description, X.shape, nnz, x_bytes


# ---------------------------------------------------------------------------------------------
# The two runners


def run_cunmf(cunmf, paths, solver, loss, dtype, rank, iters, work):
    """One CLI run: (solve seconds, wall seconds, peak RSS bytes, W path, H path)."""
    out = {name: os.path.join(work, f"cunmf-{name}") for name in ("W.npy", "H.npy", "summary.json")}
    for path in out.values():
        if os.path.exists(path):
            os.unlink(path)
    command = ([cunmf, "factorize", paths["X"], "-k", str(rank), "--backend", "cpu", "--solver",
                solver] + cli_loss_flags(loss) +
               ["--dtype", dtype, "--init", "custom", "--init-w", paths["W0"], "--init-h",
                paths["H0"], "--max-iter", str(iters), "--tol", "0", "--check-every",
                str(max(iters, 1)), "--out-w", out["W.npy"], "--out-h", out["H.npy"], "--summary",
                out["summary.json"], "--quiet"])
    # The peak memory comes from GNU time: a child forked from this (large) Python process would
    # report this process's resident size, which Linux carries across exec into ru_maxrss.
    rss_file = os.path.join(work, "cunmf-rss")
    timer = ["/usr/bin/time", "-f", "%M", "-o", rss_file] if os.path.exists("/usr/bin/time") else []
    start = time.perf_counter()
    status = subprocess.run(timer + command).returncode
    wall = time.perf_counter() - start
    if status != 0:
        sys.exit(f"FAILED: {' '.join(command)} exited with status {status}")
    with open(out["summary.json"]) as f:
        summary = json.load(f)
    peak = float("nan")
    if timer:
        with open(rss_file) as f:
            peak = 1024.0 * int(f.read().split()[-1])
    return summary["seconds"], wall, peak, out["W.npy"], out["H.npy"]


def sklearn_worker(args):
    """Runs in the child process: the scikit-learn fits of one case, as JSON on stdout."""
    import sklearn
    import threadpoolctl
    from sklearn.decomposition import NMF

    X = np.load(args.x) if args.x.endswith(".npy") else scipy.io.mmread(args.x).tocsr()
    W0, H0 = np.load(args.w0), np.load(args.h0)
    X = X.astype(W0.dtype)
    times = {}
    for iters in (1, args.iters):
        model = NMF(n_components=W0.shape[1], init="custom", solver=args.solver,
                    beta_loss=SKLEARN_LOSS[args.loss], tol=0, max_iter=iters, shuffle=False)
        start = time.perf_counter()
        W = model.fit_transform(X, W=W0.copy(), H=H0.copy())
        times[iters] = time.perf_counter() - start
    np.save(args.w_out, W)
    np.save(args.h_out, model.components_)
    blas = [info for info in threadpoolctl.threadpool_info() if info["user_api"] == "blas"]
    print(json.dumps({"t1": times[1], "tN": times[args.iters], "sklearn": sklearn.__version__,
                      "numpy": np.__version__,
                      "blas": [(b.get("internal_api"), b.get("version"), b.get("architecture"),
                                b.get("num_threads")) for b in blas]}))


def run_sklearn(paths, solver, loss, iters, work):
    env = {k: v for k, v in os.environ.items() if k not in HIDDEN_ENV}
    w_out, h_out = os.path.join(work, "sklearn-W.npy"), os.path.join(work, "sklearn-H.npy")
    command = [sys.executable, os.path.abspath(__file__), "--sklearn-worker", "--x", paths["X"],
               "--w0", paths["W0"], "--h0", paths["H0"], "--solver", solver, "--loss", loss,
               "--iters", str(iters), "--w-out", w_out, "--h-out", h_out]
    result = json.loads(subprocess.run(command, env=env, check=True, capture_output=True,
                                       text=True).stdout)
    return result, w_out, h_out


def relative_difference(ours, theirs):
    a, b = np.load(ours).astype(np.float64), np.load(theirs).astype(np.float64)
    return float(np.linalg.norm(a - b) / max(np.linalg.norm(b), np.finfo(float).tiny))


# ---------------------------------------------------------------------------------------------
# One case


def measure(case, args, work, inputs):
    kind, solver, loss, dtype = CASES[case]
    paths, description, shape, nnz, x_bytes = inputs[(kind, dtype)]
    ours_1, ours_n, walls, rss, theirs_per_iter, theirs_fit = [], [], [], [], [], []
    for _ in range(args.repeats):
        s1 = run_cunmf(args.cunmf, paths, solver, loss, dtype, args.rank, 1, work)[0]
        sn, wall, peak, w_ours, h_ours = run_cunmf(args.cunmf, paths, solver, loss, dtype,
                                                   args.rank, args.iters, work)
        ours_1.append(s1)
        ours_n.append(sn)
        walls.append(wall)
        rss.append(peak)
        sk, w_sk, h_sk = run_sklearn(paths, solver, loss, args.iters, work)
        theirs_per_iter.append((sk["tN"] - sk["t1"]) / (args.iters - 1))
        theirs_fit.append(sk["tN"])
    ours_per_iter = [(n - one) / (args.iters - 1) for one, n in zip(ours_1, ours_n)]
    factor_bytes = (shape[0] + shape[1]) * args.rank * np.dtype(dtype).itemsize
    row = {
        "case": case, "data": description, "shape": list(shape), "nnz": int(nnz), "dtype": dtype,
        "rank": args.rank, "iters": args.iters, "repeats": args.repeats,
        "ours_ms": 1e3 * statistics.median(ours_per_iter),
        "sklearn_ms": 1e3 * statistics.median(theirs_per_iter),
        "cli_wall_s": statistics.median(walls), "sklearn_fit_s": statistics.median(theirs_fit),
        "peak_rss_mb": max(rss) / 2**20, "x_and_factors_mb": (x_bytes + factor_bytes) / 2**20,
        "diff_w": relative_difference(w_ours, w_sk), "diff_h": relative_difference(h_ours, h_sk),
        "ours_all_ms": [1e3 * t for t in ours_per_iter],
        "sklearn_all_ms": [1e3 * t for t in theirs_per_iter],
        "sklearn_env": {k: sk[k] for k in ("sklearn", "numpy", "blas")},
    }
    row["ratio"] = row["ours_ms"] / row["sklearn_ms"]
    row["cli_ratio"] = row["cli_wall_s"] / row["sklearn_fit_s"]
    row["rss_ratio"] = row["peak_rss_mb"] / row["x_and_factors_mb"]
    return row


def table(rows):
    lines = ["| case | X | cuNMF ms/it | sklearn ms/it | ratio | CLI run / sklearn fit | "
             "peak RSS / (X + factors) | iterate diff (W, H) |", "|---|---|---:|---:|---:|---:|---:|---|"]
    for r in rows:
        shape = f"{r['shape'][0]}×{r['shape'][1]}" + (f", nnz {r['nnz']}" if "sparse" in r["case"] else "")
        lines.append(f"| {r['case']} | {shape} | {r['ours_ms']:.2f} | {r['sklearn_ms']:.2f} | "
                     f"{r['ratio']:.2f} | {r['cli_ratio']:.2f} | {r['peak_rss_mb']:.0f} MB / "
                     f"{r['x_and_factors_mb']:.0f} MB = {r['rss_ratio']:.2f} | "
                     f"{r['diff_w']:.1e}, {r['diff_h']:.1e} |")
    return "\n".join(lines)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--cunmf", default=os.path.join(HERE, "..", "build", "src", "cunmf"))
    parser.add_argument("--iters", type=int, default=100)
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--rank", type=int, default=20)
    parser.add_argument("--cases", default=",".join(CASES))
    parser.add_argument("--seed", type=int, default=17)
    parser.add_argument("--out", help="folder for results.md and results.json")
    parser.add_argument("--sklearn-worker", action="store_true", help=argparse.SUPPRESS)
    for name in ("--x", "--w0", "--h0", "--solver", "--loss", "--w-out", "--h-out"):
        parser.add_argument(name, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.sklearn_worker:
        return sklearn_worker(args)
    if args.iters < 2:
        sys.exit("--iters must be at least 2")
    cases = args.cases.split(",")
    unknown = [c for c in cases if c not in CASES]
    if unknown:
        sys.exit(f"unknown case(s) {unknown}; known: {', '.join(CASES)}")
    with tempfile.TemporaryDirectory(prefix="cunmf-vs-sklearn-") as work:
        inputs = {}
        for case in cases:
            kind, _, _, dtype = CASES[case]
            if (kind, dtype) not in inputs:
                inputs[(kind, dtype)] = write_inputs(work, kind, dtype, args.rank, args.seed)
        rows = []
        for case in cases:
            rows.append(measure(case, args, work, inputs))
            print(table(rows[-1:]).splitlines()[-1], flush=True)
    commit = subprocess.run(["git", "-C", HERE, "rev-parse", "--short", "HEAD"],
                            capture_output=True, text=True).stdout.strip()
    header = [f"- date: {datetime.date.today()}, commit {commit}, {os.cpu_count()} logical CPUs "
              f"({platform.processor() or platform.machine()}), load average at the end "
              f"{os.getloadavg()[0]:.2f}",
              f"- scikit-learn {rows[0]['sklearn_env']['sklearn']}, numpy "
              f"{rows[0]['sklearn_env']['numpy']}, BLAS (api, version, kernel, threads): "
              f"{rows[0]['sklearn_env']['blas']}",
              f"- {args.iters} iterations, rank {args.rank}, medians of {args.repeats} alternating "
              f"runs; command: bench/cpu_vs_sklearn.py --iters {args.iters} --repeats "
              f"{args.repeats} --cases {args.cases}"]
    report = "\n".join(header) + "\n\n" + table(rows) + "\n"
    print("\n" + report)
    if args.out:
        os.makedirs(args.out, exist_ok=True)
        with open(os.path.join(args.out, "results.md"), "w") as f:
            f.write(report)
        with open(os.path.join(args.out, "results.json"), "w") as f:
            json.dump(rows, f, indent=1)


if __name__ == "__main__":
    main()
