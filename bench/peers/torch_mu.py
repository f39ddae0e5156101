#!/usr/bin/env python3
"""Multiplicative-update NMF written in plain PyTorch, the way a user would, on the data and
initial factors that `cunmf_bench --dump-data DIR` wrote.

The same updates as cuNMF, in the same order (W, then H, in each iteration):
  Frobenius: W <- W * (X H^T) / (W H H^T);         H <- H * (W^T X) / (W^T W H)
  KL:        W <- W * ((X / WH) H^T) / (1 H^T);     H <- H * (W^T (X / WH)) / (W^T 1)
A denominator (or WH) below EPSILON is clamped to it; for KL, H entries below float64 epsilon
then become 0 (scikit-learn's small-value rule, which cuNMF follows). Sparse X is a torch CSR tensor (and one for
X^T); for KL, WH is evaluated only at the non-zeros with torch.sparse.sampled_addmm.

float32 on the GPU when there is one (else the CPU), TF32 off unless --tf32 (the same as
cunmf_bench's default), inference mode, in-place element-wise operations. Time per iteration:
after --warmup iterations, the median over --repeats runs of `iters` iterations from W0/H0,
bracketed by torch.cuda.synchronize(). The loss trace comes from a separate run that computes
the loss (in float64, untimed) every iters/20 iterations; its time axis is iteration x the time
per iteration.

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

import torch  # noqa: E402

EPSILON = bench_data.EPSILON
# scikit-learn's small-value rule for KL (beta <= 1), as cuNMF applies it: H below it becomes 0.
SMALL_VALUE_FLOOR = float(np.finfo(np.float64).eps)


def synchronize(device):
    if device.type == "cuda":
        torch.cuda.synchronize(device)


class DenseProblem:
    def __init__(self, x, device, dtype):
        self.x = torch.from_numpy(np.ascontiguousarray(x)).to(device=device, dtype=dtype)

    def step(self, w, h, loss):
        x = self.x
        if loss == "frobenius":
            w.mul_((x @ h.T).div_((w @ (h @ h.T)).clamp_(min=EPSILON)))
            h.mul_((w.T @ x).div_(((w.T @ w) @ h).clamp_(min=EPSILON)))
        else:
            ratio = x / (w @ h).clamp_(min=EPSILON)
            w.mul_((ratio @ h.T).div_(h.sum(dim=1).clamp_(min=EPSILON)[None, :]))
            ratio = x / (w @ h).clamp_(min=EPSILON)
            h.mul_((w.T @ ratio).div_(w.sum(dim=0).clamp_(min=EPSILON)[:, None]))
            h.masked_fill_(h < SMALL_VALUE_FLOOR, 0.0)

    def loss(self, w, h, loss):
        x, w, h = self.x.double(), w.double(), h.double()
        wh = w @ h
        if loss == "frobenius":
            return 0.5 * float(((x - wh) ** 2).sum())
        wh = torch.where(wh == 0, torch.full_like(wh, EPSILON), wh)
        pos = x > 0
        return float((x[pos] * torch.log(x[pos] / wh[pos])).sum() - x.sum() + wh.sum())


class SparseProblem:
    def __init__(self, x, device, dtype):
        xt = x.T.tocsr()
        xt.sort_indices()
        self.shape = x.shape
        self.x = self._csr(x, device, dtype)
        self.xt = self._csr(xt, device, dtype)
        # Where each stored entry of X sits in X^T, to lay a ratio computed at X's non-zeros out
        # in X^T's order.
        order = x.copy()
        order.data = np.arange(x.nnz, dtype=np.float64)
        order_t = order.T.tocsr()
        order_t.sort_indices()
        self.to_transposed = torch.from_numpy(order_t.data.astype(np.int64)).to(device)
        self.values = self.x.values()

    @staticmethod
    def _csr(a, device, dtype):
        return torch.sparse_csr_tensor(torch.from_numpy(a.indptr.astype(np.int64)),
                                       torch.from_numpy(a.indices.astype(np.int64)),
                                       torch.from_numpy(a.data), size=a.shape,
                                       dtype=dtype, device=device)

    def _ratio(self, w, h):
        """X / WH at the non-zeros of X, as a CSR tensor with X's pattern."""
        wh = torch.sparse.sampled_addmm(self.x, w, h, beta=0.0, alpha=1.0)
        return torch.sparse_csr_tensor(self.x.crow_indices(), self.x.col_indices(),
                                       self.values / wh.values().clamp_(min=EPSILON),
                                       size=self.shape)

    def _transposed(self, r):
        return torch.sparse_csr_tensor(self.xt.crow_indices(), self.xt.col_indices(),
                                       r.values()[self.to_transposed], size=self.shape[::-1])

    def step(self, w, h, loss):
        if loss == "frobenius":
            w.mul_((self.x @ h.T).div_((w @ (h @ h.T)).clamp_(min=EPSILON)))
            h.mul_((self.xt @ w).T.div_(((w.T @ w) @ h).clamp_(min=EPSILON)))
        else:
            r = self._ratio(w, h)
            w.mul_((r @ h.T).div_(h.sum(dim=1).clamp_(min=EPSILON)[None, :]))
            rt = self._transposed(self._ratio(w, h))
            h.mul_((rt @ w).T.div_(w.sum(dim=0).clamp_(min=EPSILON)[:, None]))
            h.masked_fill_(h < SMALL_VALUE_FLOOR, 0.0)

    def loss(self, w, h, loss):
        w64, h64 = w.double(), h.double()
        x = self.values.double()
        wh = torch.sparse.sampled_addmm(self.x.to(torch.float64), w64, h64, beta=0.0,
                                        alpha=1.0).values()
        if loss == "frobenius":
            trace = float(((w64.T @ w64) * (h64 @ h64.T)).sum())
            return 0.5 * max(0.0, float(x @ x) - 2.0 * float(x @ wh) + trace)
        wh = torch.where(wh == 0, torch.full_like(wh, EPSILON), wh)
        pos = x > 0
        return float((x[pos] * torch.log(x[pos] / wh[pos])).sum() - x.sum()
                     + w64.sum(dim=0) @ h64.sum(dim=1))


def timed_run(problem, w0, h0, loss, iters, device):
    w, h = w0.clone(), h0.clone()
    synchronize(device)
    start = time.perf_counter()
    for _ in range(iters):
        problem.step(w, h, loss)
    synchronize(device)
    return time.perf_counter() - start, w, h


def main():
    p = argparse.ArgumentParser(description=__doc__,
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--data", required=True, help="the folder cunmf_bench --dump-data wrote")
    p.add_argument("--out", required=True, help="JSON file to write")
    p.add_argument("--device", default="", help="cuda, cuda:N or cpu (default: cuda if present)")
    p.add_argument("--kinds", default="", help="comma-separated: dense,sparse (default: all)")
    p.add_argument("--losses", default="", help="comma-separated: frobenius,kl (default: all)")
    p.add_argument("--ranks", default="", help="comma-separated ranks (default: all)")
    p.add_argument("--warmup", type=int, default=3, help="untimed iterations first")
    p.add_argument("--repeats", type=int, default=3, help="timed runs; the median is kept")
    p.add_argument("--tf32", action="store_true", help="allow TF32 matmuls")
    args = p.parse_args()

    device = torch.device(args.device or ("cuda" if torch.cuda.is_available() else "cpu"))
    # The CSR tensors are built from scipy's canonical CSR: no invariant checks, no beta notice.
    torch.sparse.check_sparse_tensor_invariants.disable()
    warnings.filterwarnings("ignore", message="Sparse CSR tensor support is in beta")
    torch.backends.cuda.matmul.allow_tf32 = args.tf32
    torch.backends.cudnn.allow_tf32 = args.tf32
    manifest = bench_data.load_manifest(args.data)
    npdtype = np.float64 if manifest["dtype"] == "float64" else np.float32
    dtype = torch.float64 if manifest["dtype"] == "float64" else torch.float32
    cases = bench_data.select_cases(manifest, bench_data.parse_list(args.kinds),
                                    bench_data.parse_list(args.losses),
                                    bench_data.parse_list(args.ranks, int))
    name = torch.cuda.get_device_name(device) if device.type == "cuda" else "cpu"

    results = []
    problem, problem_key = None, None
    with torch.inference_mode():
        for case in cases:
            if problem_key != case["x"]:
                problem = None
                if device.type == "cuda":
                    torch.cuda.empty_cache()
                x = bench_data.load_x(args.data, case, npdtype)
                kind = SparseProblem if case["kind"] == "sparse" else DenseProblem
                problem = kind(x, device, dtype)
                problem_key = case["x"]
            w0n, h0n = bench_data.load_init(args.data, case, npdtype)
            w0 = torch.from_numpy(w0n).to(device)
            h0 = torch.from_numpy(h0n).to(device)
            loss, iters = case["loss"], case["iters"]

            timed_run(problem, w0, h0, loss, args.warmup, device)
            runs = [timed_run(problem, w0, h0, loss, iters, device)[0] for _ in range(args.repeats)]
            per_iter = statistics.median(runs) / iters

            # The trace: the loss every `every` iterations, untimed.
            every = max(1, iters // 20)
            w, h = w0.clone(), h0.clone()
            trace = [[0, 0.0, problem.loss(w, h, loss)]]
            done = 0
            while done < iters:
                step = min(every, iters - done)
                for _ in range(step):
                    problem.step(w, h, loss)
                done += step
                trace.append([done, done * per_iter, problem.loss(w, h, loss)])
            target = bench_data.target_loss(case)
            results.append({"id": case["id"], "solver": "mu", "seconds_per_iter": per_iter,
                            "final_loss": trace[-1][2], "iters": iters, "trace": trace,
                            "target_loss": target,
                            "time_to_target": bench_data.time_to_target(
                                [(s, v) for _, s, v in trace], target)})
            print(f"{case['id']}: {1e3 * per_iter:.3f} ms/iteration, final loss "
                  f"{trace[-1][2]:.6e} (cuNMF {case['cunmf']['final_loss']:.6e})",
                  file=sys.stderr, flush=True)

    bench_data.write_json(args.out, {"peer": "pytorch", "version": torch.__version__,
                                     "device": name, "tf32": args.tf32,
                                     "dtype": manifest["dtype"], "cases": results})


if __name__ == "__main__":
    main()
