"""W for fixed H: the non-negative least-squares (or KL) problem that ``NMF.transform`` solves.

The C++ library updates both factors in every iteration; it has no "H fixed" mode yet. So
``transform`` solves min over W ≥ 0 of loss(X, W·H), H = ``components_`` fixed, here with NumPy
(X dense or CSR, never densified), in the dtype of X:

- Frobenius: coordinate descent (HALS) sweeps over the columns of W, each set to its exact
  non-negative minimizer with the others fixed (scikit-learn's "cd" update), from X·Hᵀ and H·Hᵀ
  computed once; it stops when the projected-gradient norm (ℓ1) has fallen to ``tol`` times its
  value after the first sweep, or after ``max_iter`` sweeps. The minimizer is unique when H has
  full row rank, so the result does not depend on the solver that fitted H.
- Kullback-Leibler: multiplicative updates of W alone (scikit-learn's "mu" rule, X ⊘ max(WH, ε)),
  the divergence checked every 10 iterations against ``tol`` (relative decrease).

Both start, as scikit-learn's ``transform`` does, from W = sqrt(mean(X) / k) everywhere.
"""
import numpy as np
import scipy.sparse as sp

EPSILON = np.finfo(np.float32).eps  # scikit-learn's (and cuNMF's) ε for zero denominators


def initial_w(X, k, dtype):
    """sqrt(mean(X) / k) in every entry (scikit-learn's start for W when H is fixed)."""
    return np.full((X.shape[0], k), np.sqrt(X.mean() / k), dtype=dtype)


def hals_w(X, H, W, max_iter, tol):
    """Minimizes ½‖X − WH‖²_F over W ≥ 0 by column sweeps from W (updated in place). Returns
    (W, sweeps)."""
    HHt = H @ H.T
    XHt = np.asarray(X @ H.T)
    diagonal = np.diag(HHt)
    W[:, diagonal <= 0] = 0  # a zero row of H: its column of W has no effect; 0 is the minimizer
    violation_init = None
    sweeps = 0
    for sweeps in range(1, max_iter + 1):
        for t in np.flatnonzero(diagonal > 0):
            gradient = W @ HHt[:, t] - XHt[:, t]
            W[:, t] = np.maximum(W[:, t] - gradient / diagonal[t], 0)
        G = W @ HHt - XHt
        violation = np.abs(np.where(W > 0, G, np.minimum(G, 0))).sum()
        if violation_init is None:
            violation_init = violation
        if violation <= tol * violation_init:
            break
    return W, sweeps


def _kl_terms(X, W, H):
    """(X ⊘ max(WH, ε) at X's pattern — dense, or CSR with X's indices —, the KL divergence)."""
    if sp.issparse(X):
        rows = np.repeat(np.arange(X.shape[0]), np.diff(X.indptr))
        wh = np.einsum("ij,ji->i", W[rows], H[:, X.indices])
        wh = np.maximum(wh, EPSILON)
        ratio = sp.csr_matrix((X.data / wh, X.indices, X.indptr), shape=X.shape)
        x = X.data
        positive = x > 0
        divergence = (np.sum(x[positive] * np.log(x[positive] / wh[positive])) - x.sum() +
                      W.sum(axis=0) @ H.sum(axis=1))
        return ratio, divergence
    wh = np.maximum(W @ H, EPSILON)
    ratio = X / wh
    positive = X > 0
    divergence = np.sum(X[positive] * np.log(ratio[positive])) - X.sum() + wh.sum()
    return ratio, divergence


def mu_kl_w(X, H, W, max_iter, tol, check_every=10):
    """Decreases the generalized KL divergence of X from WH over W ≥ 0 by multiplicative updates
    from W (updated in place). Returns (W, iterations)."""
    h_sums = H.sum(axis=1)
    denominator = np.where(h_sums == 0, EPSILON, h_sums)
    _, previous = _kl_terms(X, W, H)
    iterations = 0
    for iterations in range(1, max_iter + 1):
        ratio, _ = _kl_terms(X, W, H)
        W *= np.asarray(ratio @ H.T) / denominator
        if tol > 0 and iterations % check_every == 0:
            _, current = _kl_terms(X, W, H)
            if previous - current < tol * previous:
                break
            previous = current
    return W, iterations
