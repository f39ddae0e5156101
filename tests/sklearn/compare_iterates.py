#!/usr/bin/env python3
"""Checks that a cuNMF solver produces scikit-learn's iterates.

This file holds the CTest tests `sklearn_mu_iterates` (--solver mu) and `sklearn_cd_iterates`
(--solver cd): it builds a dense random matrix and a real sparse term-count matrix (documents x
terms from the system's man pages, or a fallback text source), runs
sklearn.decomposition.NMF(solver=..., init="custom", tol=0, max_iter=N) (cd with shuffle=False) and
`cunmf factorize --solver ... --backend cpu --dtype float64 --tol 0` from the same W0, H0 for every
loss the solver supports (mu: Frobenius, KL and the beta-divergences of BETAS; cd: Frobenius),
without and with L1/L2 regularization (alpha_W, alpha_H, l1_ratio: REGULARIZATIONS below; the
beta-divergences on the sparse input without: scikit-learn's beta denominator there is a Python loop
over rows and columns, and beta <= 0 is not defined where the sparse X has zeros), and compares the
final factors: it
passes when ||W_ours - W_sk||_F / ||W_sk||_F and the same for H are both <= 1e-8 in every case. The
dense X goes to the CLI as C-order and as Fortran-order .npy, the sparse X as a Matrix Market
coordinate file.

`--self-check` runs instead a small pure-numpy implementation of scikit-learn's rules against
scikit-learn on the same inputs, to show that the tolerance is achievable and that a mismatch is
the library's, not this script's. MU: W updated before H; KL ratio X / max(WH, float32 eps); KL
denominators sum(H) and sum(W); entries of H below float64 eps set to 0 after each KL H update.
Beta-divergence: numerator (X * WH^(beta-2)) H^T, denominator WH^(beta-1) H^T, WH raised to EPS32
before negative powers, the quotient raised to gamma(beta); W (beta < 1) and H (beta <= 1) below
float64 eps set to 0.
CD: for each column t in order, every row's W[i, t] <- max(W[i, t] - grad / HHt[t, t], 0) with
grad = (W HHt)[i, t] - XHt[i, t] from the current W, skipped when HHt[t, t] = 0; then the same for
H with X^T. It also runs the same rules with H updated first, to show the comparison notices such a
change.

Exit status: 0 when every case passes, 1 otherwise, 77 (CTest's skip code) only when numpy, scipy
or scikit-learn are missing and CUNMF_ALLOW_SKIP_SKLEARN=1 is set.
"""
import argparse
import collections
import glob
import gzip
import json
import os
import re
import subprocess
import sys
import warnings

SKIP_EXIT_CODE = 77

try:
    import numpy as np
    import scipy.sparse as sp
    from sklearn.decomposition import NMF
    from sklearn.exceptions import ConvergenceWarning
    import sklearn
except ImportError as error:
    message = (f"compare_iterates.py needs numpy, scipy and scikit-learn for {sys.executable} ({error}); "
               "install them with `python3 -m pip install scikit-learn scipy numpy` "
               "(scripts/install-deps.sh does)")
    if os.environ.get("CUNMF_ALLOW_SKIP_SKLEARN") == "1":
        print(f"SKIPPED: {message}; skipping because CUNMF_ALLOW_SKIP_SKLEARN=1")
        sys.exit(SKIP_EXIT_CODE)
    print(f"FAILED: {message}. Set CUNMF_ALLOW_SKIP_SKLEARN=1 to skip this test instead.")
    sys.exit(1)

EPS32 = np.finfo(np.float32).eps  # scikit-learn's EPSILON (1.19e-7)
EPS64 = np.finfo(np.float64).eps  # its threshold on H after a KL update (2.22e-16)
# The beta-divergences compared besides beta = 2 and 1 (issue 16): Itakura-Saito, between IS and
# KL, between KL and Frobenius, above Frobenius.
BETAS = [0.0, 0.5, 1.5, 3.0]
# our --loss name ("beta:B": --loss beta --beta B) -> scikit-learn's beta_loss
LOSSES = {"frobenius": "frobenius", "kl": "kullback-leibler",
          **{f"beta:{b:g}": b for b in BETAS}}
SOLVER_LOSSES = {"mu": ["frobenius", "kl"] + [f"beta:{b:g}" for b in BETAS],
                 "cd": ["frobenius"]}  # what each solver supports
# (alpha_W, alpha_H, l1_ratio) of each case: none, and a mix of L1 and L2 with alpha_H != alpha_W
# (scikit-learn scales W's by n_features and H's by n_samples, so a swap would show).
REGULARIZATIONS = [(0.0, 0.0, 0.0), (0.002, 0.005, 0.4)]


def beta_of(loss):
    """The beta of a --loss name."""
    return {"frobenius": 2.0, "kl": 1.0}.get(loss) if not loss.startswith("beta:") \
        else float(loss.split(":")[1])


def compared(kind, loss, regularization):
    """Whether a case runs: the beta-divergences on the sparse input only without regularization
    and with beta > 0 (see the docstring)."""
    if kind != "sparse" or not loss.startswith("beta:"):
        return True
    return regularization == REGULARIZATIONS[0] and beta_of(loss) > 0


def penalty_weights(X, regularization):
    """scikit-learn's (>= 1.2) l1_reg_W, l1_reg_H, l2_reg_W, l2_reg_H for X and (alpha_W, alpha_H,
    l1_ratio)."""
    alpha_w, alpha_h, l1_ratio = regularization
    n_samples, n_features = X.shape
    return (n_features * alpha_w * l1_ratio, n_samples * alpha_h * l1_ratio,
            n_features * alpha_w * (1.0 - l1_ratio), n_samples * alpha_h * (1.0 - l1_ratio))

# ---------------------------------------------------------------------------------------------
# Inputs


def dense_input(rng, rows=150, cols=90):
    return rng.random((rows, cols))


ROFF_COMMENT = re.compile(r'^[.\']\s*\\"')
ROFF_ESCAPE = re.compile(r"\\(?:f\[[^\]]*\]|f.|\(..|\*\[[^\]]*\]|\*\(..|\*.|s[-+]?\d|.)")
TOKEN = re.compile(r"[a-z]{3,}")


def man_page_text(path):
    """The text of a gzip'ed man page with its roff markup crudely removed; '' for a .so link."""
    with gzip.open(path, "rt", encoding="utf-8", errors="replace") as f:
        lines = f.read().splitlines()
    if lines and lines[0].startswith(".so "):
        return ""
    kept = []
    for line in lines:
        if ROFF_COMMENT.match(line):
            continue
        if line.startswith((".", "'")):  # a request: keep its arguments, drop its name
            line = line.split(None, 1)[1] if len(line.split(None, 1)) > 1 else ""
        kept.append(line)
    return ROFF_ESCAPE.sub(" ", "\n".join(kept))


def plain_text(path):
    with open(path, encoding="utf-8", errors="replace") as f:
        return f.read()


def document_source():
    """(description, paths, reader) of the first text source found on this machine."""
    man = sorted(p for p in glob.glob("/usr/share/man/man*/*.gz") if not os.path.islink(p))
    if man:
        return "man pages (/usr/share/man/man*/*.gz)", man, man_page_text
    copyrights = sorted(glob.glob("/usr/share/doc/*/copyright"))
    if copyrights:
        return "copyright files (/usr/share/doc/*/copyright)", copyrights, plain_text
    stdlib = os.path.dirname(os.__file__)
    return f"python stdlib sources ({stdlib}/*.py)", sorted(glob.glob(f"{stdlib}/*.py")), plain_text


def term_count_input(rng, max_docs, max_terms, min_df=3, min_tokens=30):
    """Documents x terms CSR of float64 counts, no empty rows or columns; also the source's name."""
    source, paths, read = document_source()
    docs = []
    for i in rng.permutation(len(paths)):  # a spread-out sample, fixed by the seed
        if len(docs) == max_docs:
            break
        try:
            tokens = TOKEN.findall(read(paths[i]).lower())
        except (OSError, EOFError):
            continue
        if len(tokens) >= min_tokens:
            docs.append(collections.Counter(tokens))
    df = collections.Counter(term for doc in docs for term in doc)
    frequent = sorted((t for t, d in df.items() if d >= min_df), key=lambda t: (-df[t], t))
    column = {t: j for j, t in enumerate(sorted(frequent[:max_terms]))}
    rows, cols, vals = [], [], []
    for i, doc in enumerate(docs):
        for term, count in doc.items():
            if term in column:
                rows.append(i)
                cols.append(column[term])
                vals.append(float(count))
    X = sp.csr_matrix((vals, (rows, cols)), shape=(len(docs), len(column)), dtype=np.float64)
    X = X[X.getnnz(axis=1) > 0][:, X.getnnz(axis=0) > 0].tocsr()
    X.sort_indices()
    if X.nnz == 0:
        sys.exit(f"FAILED: no term counts could be built from {source}")
    return X, f"{source}: {X.shape[0]} documents, {X.shape[1]} terms"


def initial_factors(X, k, rng):
    scale = np.sqrt(X.mean() / k)
    return scale * rng.random((X.shape[0], k)), scale * rng.random((k, X.shape[1]))


# ---------------------------------------------------------------------------------------------
# The factorizations


def run_sklearn(solver, X, W0, H0, loss, max_iter, regularization):
    # Some scikit-learn versions test convergence every 10 iterations even with tol=0 and stop when
    # the error rose by rounding (mu), or when the projected gradient is exactly 0 (cd): the caller
    # checks that n_iter_ is max_iter.
    alpha_w, alpha_h, l1_ratio = regularization
    model = NMF(n_components=W0.shape[1], solver=solver, beta_loss=LOSSES[loss], init="custom",
                tol=0.0, max_iter=max_iter, shuffle=False, alpha_W=alpha_w, alpha_H=alpha_h,
                l1_ratio=l1_ratio)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        W = model.fit_transform(X, W=W0.copy(), H=H0.copy())
    return W, model.components_, model.n_iter_


def write_matrix_market(path, X):
    coo = X.tocoo()
    with open(path, "w") as f:
        f.write("%%MatrixMarket matrix coordinate real general\n")
        f.write(f"{X.shape[0]} {X.shape[1]} {X.nnz}\n")
        for i, j, v in zip(coo.row, coo.col, coo.data):
            f.write(f"{i + 1} {j + 1} {float(v)!r}\n")


def run_cunmf(cunmf, solver, work_dir, name, x_path, W0, H0, loss, max_iter, regularization):
    """(W, H, iterations) from the CLI, or raises RuntimeError with its output."""
    paths = {p: os.path.join(work_dir, f"{name}.{p}") for p in
             ("w0.npy", "h0.npy", "w.npy", "h.npy", "summary.json")}
    np.save(paths["w0.npy"], W0)
    np.save(paths["h0.npy"], H0)
    loss_flags = ["--loss", "beta", "--beta", repr(beta_of(loss))] if loss.startswith("beta:") \
        else ["--loss", loss]
    command = [cunmf, "factorize", x_path, "--rank", str(W0.shape[1]), "--solver", solver] + \
              loss_flags + [
               "--init", "custom", "--init-w", paths["w0.npy"], "--init-h", paths["h0.npy"],
               "--dtype", "float64", "--backend", "cpu", "--max-iter", str(max_iter), "--tol", "0",
               "--out-w", paths["w.npy"], "--out-h", paths["h.npy"],
               "--summary", paths["summary.json"], "--quiet",
               "--alpha-w", repr(regularization[0]), "--alpha-h", repr(regularization[1]),
               "--l1-ratio", repr(regularization[2])]
    run = subprocess.run(command, capture_output=True, text=True)
    if run.returncode != 0:
        raise RuntimeError(f"`{' '.join(command)}` exited {run.returncode}:\n"
                           f"{run.stdout}{run.stderr}")
    with open(paths["summary.json"]) as f:
        iterations = json.load(f)["iterations"]
    return np.load(paths["w.npy"]), np.load(paths["h.npy"]), iterations


def reference_mu(X, W0, H0, loss, max_iter, regularization, h_first=False):
    """scikit-learn's MU rules in plain numpy; h_first swaps the order. The penalties' gradient
    l1 + l2 F joins each denominator."""
    l1_w, l1_h, l2_w, l2_h = penalty_weights(X, regularization)
    W, H = W0.copy(), H0.copy()
    sparse = sp.issparse(X)
    if sparse:
        rows = np.repeat(np.arange(X.shape[0]), np.diff(X.indptr))

    def kl_ratio():  # X / max(WH, EPS32), WH evaluated only at X's non-zeros when X is sparse
        if sparse:
            wh = np.einsum("ij,ji->i", W[rows], H[:, X.indices])
            return sp.csr_matrix((X.data / np.maximum(wh, EPS32), X.indices, X.indptr), X.shape)
        return X / np.maximum(W @ H, EPS32)

    beta = beta_of(loss)
    gamma = 1.0 / (2.0 - beta) if beta < 1 else 1.0 / (beta - 1.0) if beta > 2 else 1.0

    def beta_weights():  # X * WH^(beta-2) and WH^(beta-1), WH raised to EPS32 before negative powers
        WH = W @ H
        below_two = np.maximum(WH, EPS32) if beta < 2 else WH
        below_one = np.maximum(WH, EPS32) if beta < 1 else WH
        power = below_two ** (beta - 2)
        weighted = sp.csr_matrix(X.multiply(power)) if sparse else X * power
        return weighted, below_one ** (beta - 1)

    def update_w():
        if loss == "frobenius":
            numerator, denominator = X @ H.T, W @ (H @ H.T)
        elif loss == "kl":
            numerator, denominator = kl_ratio() @ H.T, H.sum(axis=1)[np.newaxis, :]
        else:
            weighted, powers = beta_weights()
            numerator, denominator = weighted @ H.T, powers @ H.T
        denominator = denominator + l1_w + l2_w * W
        denominator = np.where(denominator == 0, EPS32, denominator)
        W_new = W * (numerator / denominator) ** gamma
        if beta < 1:
            W_new[W_new < EPS64] = 0.0
        return W_new

    def update_h():
        if loss == "frobenius":
            numerator, denominator = W.T @ X, (W.T @ W) @ H
        elif loss == "kl":
            numerator, denominator = W.T @ kl_ratio(), W.sum(axis=0)[:, np.newaxis]
        else:
            weighted, powers = beta_weights()
            numerator, denominator = (weighted.T @ W).T, W.T @ powers
        denominator = denominator + l1_h + l2_h * H
        denominator = np.where(denominator == 0, EPS32, denominator)
        H_new = H * (numerator / denominator) ** gamma
        if beta <= 1:
            H_new[H_new < EPS64] = 0.0
        return H_new

    for _ in range(max_iter):
        if h_first:
            H = update_h()
            W = update_w()
        else:
            W = update_w()
            H = update_h()
    return W, H


def reference_cd(X, W0, H0, loss, max_iter, regularization, h_first=False):
    """scikit-learn's cd rules (shuffle=False) in plain numpy; h_first swaps the order. Rows are
    independent given the Gram matrix, so each column is updated for all rows at once; the columns
    go in order, each seeing the ones already updated. L2 adds to the Gram's diagonal, L1 is
    subtracted from A G."""
    assert loss == "frobenius"
    l1_w, l1_h, l2_w, l2_h = penalty_weights(X, regularization)
    W, Ht = W0.copy(), np.ascontiguousarray(H0.T)

    def sweep(A, F, G, l1, l2):  # F (rows x k) for A ~ F G^T, in place
        AG, GtG = A @ G - l1, G.T @ G + l2 * np.eye(G.shape[1])
        for t in range(F.shape[1]):
            if GtG[t, t] != 0:
                grad = F @ GtG[t, :] - AG[:, t]
                F[:, t] = np.maximum(F[:, t] - grad / GtG[t, t], 0.0)

    for _ in range(max_iter):
        if h_first:
            sweep(X.T, Ht, W, l1_h, l2_h)
            sweep(X, W, Ht, l1_w, l2_w)
        else:
            sweep(X, W, Ht, l1_w, l2_w)
            sweep(X.T, Ht, W, l1_h, l2_h)
    return W, Ht.T


REFERENCES = {"mu": reference_mu, "cd": reference_cd}


# ---------------------------------------------------------------------------------------------
# The comparison


def relative_difference(A, B):
    if A.shape != B.shape:
        return float("inf")
    return float(np.linalg.norm(A - B) / np.linalg.norm(B))


def print_table(title, header, rows):
    print(f"\n{title}")
    widths = [max(len(str(r[c])) for r in [header] + rows) for c in range(len(header))]
    for r in [header] + rows:
        print("  ".join(str(v).ljust(w) for v, w in zip(r, widths)))


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--solver", choices=sorted(SOLVER_LOSSES), default="mu",
                        help="the solver compared (scikit-learn's and ours of the same name)")
    parser.add_argument("--cunmf", help="the cunmf executable (not needed with --self-check)")
    parser.add_argument("--work-dir", default="sklearn_scratch", help="folder for the files")
    parser.add_argument("--self-check", action="store_true",
                        help="compare a pure-numpy version of scikit-learn's rules instead")
    parser.add_argument("--rank", type=int, default=8)
    parser.add_argument("--max-iter", type=int, default=200)
    parser.add_argument("--tolerance", type=float, default=1e-8)
    parser.add_argument("--max-docs", type=int, default=300)
    parser.add_argument("--max-terms", type=int, default=2000)
    parser.add_argument("--seed", type=int, default=20240607)
    args = parser.parse_args()
    if not args.self_check and not args.cunmf:
        parser.error("--cunmf is required unless --self-check is given")
    os.makedirs(args.work_dir, exist_ok=True)
    print(f"scikit-learn {sklearn.__version__}, numpy {np.__version__}, "
          f"python {sys.version.split()[0]}")

    rng = np.random.default_rng(args.seed)
    X_dense = dense_input(rng)
    X_sparse, corpus = term_count_input(rng, args.max_docs, args.max_terms)
    print(f"sparse input from {corpus}")
    dense_c = os.path.join(args.work_dir, "dense_c.npy")
    dense_f = os.path.join(args.work_dir, "dense_f.npy")
    sparse_mtx = os.path.join(args.work_dir, "terms.mtx")
    np.save(dense_c, np.ascontiguousarray(X_dense))
    np.save(dense_f, np.asfortranarray(X_dense))
    write_matrix_market(sparse_mtx, X_sparse)
    inputs = [("dense", X_dense, [("dense C-order .npy", dense_c),
                                  ("dense F-order .npy", dense_f)]),
              ("sparse", X_sparse, [("sparse term counts .mtx", sparse_mtx)])]

    header = ["input", "shape", "nnz", "loss", "alpha_W/H, l1_ratio", "relW", "relH", "sk n_iter_",
              "ours iters", "result"]
    if args.self_check:
        header = ["input", "shape", "nnz", "loss", "alpha_W/H, l1_ratio", "relW (W first)",
                  "relH (W first)",
                  "relW (H first)", "relH (H first)", "sk n_iter_", "result"]
    rows, all_pass = [], True
    reference = REFERENCES[args.solver]
    for kind, X, files in inputs:
        for loss, regularization in [(loss, r) for loss in SOLVER_LOSSES[args.solver]
                                     for r in REGULARIZATIONS if compared(kind, loss, r)]:
            W0, H0 = initial_factors(X, args.rank, rng)
            W_sk, H_sk, sk_iter = run_sklearn(args.solver, X, W0, H0, loss, args.max_iter,
                                              regularization)
            nnz = X.nnz if sp.issparse(X) else np.count_nonzero(X)
            common = [f"{X.shape[0]}x{X.shape[1]}", nnz, loss,
                      "{:g}/{:g}, {:g}".format(*regularization)]
            if sk_iter != args.max_iter:
                print(f"NOTE: scikit-learn stopped after {sk_iter} iterations, not "
                      f"{args.max_iter} ({kind}, {loss}): the factors are not comparable")
            if args.self_check:
                W, H = reference(X, W0, H0, loss, args.max_iter, regularization)
                W2, H2 = reference(X, W0, H0, loss, args.max_iter, regularization, h_first=True)
                rel = [relative_difference(W, W_sk), relative_difference(H, H_sk)]
                ok = max(rel) <= args.tolerance and sk_iter == args.max_iter
                rows.append([kind] + common + [f"{r:.2e}" for r in rel] +
                            [f"{relative_difference(W2, W_sk):.2e}",
                             f"{relative_difference(H2, H_sk):.2e}", sk_iter,
                             "pass" if ok else "FAIL"])
                all_pass &= ok
                continue
            for name, path in files:
                case = (f"{kind}_{loss.replace(':', '')}_{'f' if 'F-order' in name else 'c'}_"
                        f"{regularization[0]:g}")
                try:
                    W, H, iters = run_cunmf(args.cunmf, args.solver, args.work_dir, case, path, W0,
                                            H0, loss, args.max_iter, regularization)
                except RuntimeError as error:
                    print(f"ERROR: {error}")
                    rows.append([name] + common + ["error", "error", sk_iter, "-", "FAIL"])
                    all_pass = False
                    continue
                rel = [relative_difference(W, W_sk), relative_difference(H, H_sk)]
                ok = max(rel) <= args.tolerance and sk_iter == args.max_iter == iters
                rows.append([name] + common + [f"{r:.2e}" for r in rel] +
                            [sk_iter, iters, "pass" if ok else "FAIL"])
                all_pass &= ok

    what = "numpy reference of scikit-learn's rules" if args.self_check else "cunmf (cpu, float64)"
    print_table(f"{what} vs scikit-learn NMF(solver='{args.solver}'), k={args.rank}, "
                f"{args.max_iter} iterations, pass when relW and relH <= {args.tolerance:g}", header, rows)
    print("\nPASSED" if all_pass else "\nFAILED")
    return 0 if all_pass else 1


if __name__ == "__main__":
    sys.exit(main())
