"""Shared by the peer scripts: reading the data that `cunmf_bench --dump-data DIR` wrote, the
losses in cuNMF's conventions (computed in float64), and the time to reach a target loss.

DIR/manifest.json lists the cases: each has an id, kind (dense/sparse), loss (frobenius/kl),
m, n, nnz, k, iters, the files of X (.npy dense, .mtx sparse), W0 and H0 (.npy), the per-iteration
bytes and flops of the cost model, and cuNMF's own results ("cunmf": seconds_per_iter,
final_loss, trace of [iteration, loss]).
"""

import json
import os

import numpy as np

# cuNMF's epsilon for a WH or a denominator that is exactly zero (float32 machine epsilon; also
# scikit-learn's EPSILON).
EPSILON = float(np.finfo(np.float32).eps)

# The target loss of a case: the loss cuNMF's MU reaches after this fraction of the case's
# iterations (its first loss check at or past it).
TARGET_FRACTION = 0.8


def load_manifest(data_dir):
    with open(os.path.join(data_dir, "manifest.json"), encoding="utf-8") as f:
        return json.load(f)


def parse_list(text, kind=str):
    """A comma-separated command-line value as a list ("" gives [])."""
    return [kind(v) for v in text.split(",") if v]


def select_cases(manifest, kinds=None, losses=None, ranks=None):
    """The manifest's cases, keeping only the given kinds, losses and ranks (None: all)."""
    out = []
    for case in manifest["cases"]:
        if kinds and case["kind"] not in kinds:
            continue
        if losses and case["loss"] not in losses:
            continue
        if ranks and case["k"] not in ranks:
            continue
        out.append(case)
    return out


_X_CACHE = {}


def load_x(data_dir, case, dtype):
    """X of a case: a numpy array (dense) or a scipy CSR matrix (sparse), of `dtype`. The last
    one read is kept, as consecutive cases share it."""
    path = os.path.join(data_dir, case["x"])
    key = (path, np.dtype(dtype).str)
    if key not in _X_CACHE:
        _X_CACHE.clear()
        if path.endswith(".npy"):
            x = np.load(path).astype(dtype, copy=False)
        else:
            import scipy.io
            import scipy.sparse

            x = scipy.sparse.csr_matrix(scipy.io.mmread(path)).astype(dtype)
            x.sort_indices()
        _X_CACHE[key] = x
    return _X_CACHE[key]


def load_init(data_dir, case, dtype):
    """W0 (m x k) and H0 (k x n) of a case, of `dtype`, as fresh writable arrays."""
    w0 = np.load(os.path.join(data_dir, case["w0"])).astype(dtype, copy=True)
    h0 = np.load(os.path.join(data_dir, case["h0"])).astype(dtype, copy=True)
    return np.ascontiguousarray(w0), np.ascontiguousarray(h0)


def target_loss(case):
    """The loss a solver must reach: cuNMF's MU loss at TARGET_FRACTION of the iterations."""
    trace = case["cunmf"]["trace"]
    for iteration, value in trace:
        if iteration >= TARGET_FRACTION * case["iters"]:
            return value
    return trace[-1][1]


def _row_blocks(m, n, budget=1 << 25):
    rows = max(1, budget // max(1, n))
    for start in range(0, m, rows):
        yield start, min(m, start + rows)


def _values_at_nonzeros(x, w, h):
    """(W H)_ij at the stored entries of the CSR matrix x, in float64."""
    rows = np.repeat(np.arange(x.shape[0]), np.diff(x.indptr))
    out = np.empty(x.nnz)
    step = 1 << 20
    for s in range(0, x.nnz, step):
        e = min(x.nnz, s + step)
        out[s:e] = np.einsum("ij,ji->i", w[rows[s:e]], h[:, x.indices[s:e]])
    return out


def loss(x, w, h, kind):
    """The loss of W H against X in cuNMF's conventions, accumulated in float64:
    frobenius: 0.5 ||X - WH||_F^2; kl: sum x log(x / wh) - x + wh (a term with x = 0 is wh; a wh
    of exactly 0 counts as EPSILON)."""
    w = np.asarray(w, dtype=np.float64)
    h = np.asarray(h, dtype=np.float64)
    if hasattr(x, "tocsr"):  # sparse: W H only at the non-zeros
        xv = x.data.astype(np.float64)
        wh = _values_at_nonzeros(x, w, h)
        if kind == "frobenius":
            trace = float(np.sum((w.T @ w) * (h @ h.T)))
            return 0.5 * max(0.0, float(xv @ xv) - 2.0 * float(xv @ wh) + trace)
        wh = np.where(wh == 0.0, EPSILON, wh)
        pos = xv > 0
        total = float(np.sum(xv[pos] * np.log(xv[pos] / wh[pos]))) - float(xv.sum())
        return total + float(w.sum(axis=0) @ h.sum(axis=1))
    total = 0.0
    m, n = x.shape
    for s, e in _row_blocks(m, n):
        xb = np.asarray(x[s:e], dtype=np.float64)
        wh = w[s:e] @ h
        if kind == "frobenius":
            total += 0.5 * float(np.sum((xb - wh) ** 2))
        else:
            wh = np.where(wh == 0.0, EPSILON, wh)
            pos = xb > 0
            total += float(np.sum(xb[pos] * np.log(xb[pos] / wh[pos]))) - float(xb.sum())
            total += float(wh.sum())
    return total


def time_to_target(trace, target):
    """The first time at which a trace of (seconds, loss) points reaches `target`, or None."""
    for seconds, value in trace:
        if value <= target:
            return seconds
    return None


def write_json(path, obj):
    with open(path, "w", encoding="utf-8") as f:
        json.dump(obj, f, indent=1)
        f.write("\n")
