"""cunmf.NMF computes scikit-learn's iterates from the same initial factors (init="custom"):
solver="mu" (Frobenius, KL and other β-divergences) and solver="cd" (Frobenius, shuffle=False),
with and without
regularization (alpha_W, alpha_H, l1_ratio), float64, dense (C and
Fortran order) and sparse (CSR, CSC, COO), to 1e-8 relative after 100 iterations (measured:
~1e-14). A CSC or COO X gives the CSR answer (scikit-learn's sparse KL MU pairs CSC values with
CSR-order products, so for CSC we compare with scikit-learn given the CSR matrix)."""
import numpy as np
import pytest
import scipy.sparse as sp
from sklearn.decomposition import NMF as SklearnNMF

import cunmf

RANK = 6
ITERATIONS = 100
CASES = [("mu", "frobenius"), ("mu", "kullback-leibler"), ("cd", "frobenius")]


def relative(a, b):
    return np.linalg.norm(a - b) / np.linalg.norm(b)


def problem(kind):
    rng = np.random.default_rng(20261206)
    if kind == "dense":
        X = rng.random((150, 90))
    else:  # a sparse count-like matrix with an empty row and an empty column
        X = sp.random(160, 120, density=0.15, random_state=7, format="csr",
                      data_rvs=lambda n: rng.integers(1, 9, n).astype(np.float64))
        X = X.tolil()
        X[3, :] = 0
        X[:, 5] = 0
        X = X.tocsr()
    m, n = X.shape
    scale = np.sqrt(X.mean() / RANK)
    return X, scale * rng.random((m, RANK)), scale * rng.random((RANK, n))


def sklearn_run(X, W0, H0, solver, loss, **penalty):
    model = SklearnNMF(RANK, init="custom", solver=solver, beta_loss=loss, tol=0.0,
                       max_iter=ITERATIONS, shuffle=False, **penalty)
    W = model.fit_transform(X, W=W0.copy(), H=H0.copy())
    return W, model.components_, model


def cunmf_run(X, W0, H0, solver, loss, **penalty):
    model = cunmf.NMF(RANK, init="custom", solver=solver, beta_loss=loss, tol=0.0,
                      max_iter=ITERATIONS, backend="cpu", **penalty)
    W = model.fit_transform(X, W=W0, H=H0)
    assert model.n_iter_ == ITERATIONS
    return W, model.components_, model


@pytest.mark.parametrize("solver,loss", CASES)
@pytest.mark.parametrize("order", ["C", "F"])
def test_dense_iterates_equal_sklearns(solver, loss, order):
    X, W0, H0 = problem("dense")
    W_sk, H_sk, reference = sklearn_run(X, W0, H0, solver, loss)
    W, H, model = cunmf_run(np.asarray(X, order=order), W0, H0, solver, loss)
    assert relative(W, W_sk) <= 1e-8
    assert relative(H, H_sk) <= 1e-8
    assert model.reconstruction_err_ == pytest.approx(reference.reconstruction_err_, rel=1e-8)


@pytest.mark.parametrize("solver,loss", CASES)
def test_sparse_iterates_equal_sklearns(solver, loss):
    X, W0, H0 = problem("sparse")
    W_sk, H_sk, _ = sklearn_run(X, W0, H0, solver, loss)
    W, H, _ = cunmf_run(X, W0, H0, solver, loss)
    assert relative(W, W_sk) <= 1e-8
    assert relative(H, H_sk) <= 1e-8


@pytest.mark.parametrize("beta", ["itakura-saito", 0.5, 1.5, 3.0])
@pytest.mark.parametrize("kind", ["dense", "sparse"])
def test_beta_divergence_iterates_equal_sklearns(beta, kind):
    X, W0, H0 = problem(kind)
    if beta == "itakura-saito" and kind == "sparse":
        # Not defined where X is 0: both refuse it.
        with pytest.raises(ValueError):
            sklearn_run(X, W0, H0, "mu", beta)
        with pytest.raises(ValueError, match="undefined where x = 0"):
            cunmf_run(X, W0, H0, "mu", beta)
        return
    W_sk, H_sk, reference = sklearn_run(X, W0, H0, "mu", beta)
    W, H, model = cunmf_run(X, W0, H0, "mu", beta)
    assert relative(W, W_sk) <= 1e-8
    assert relative(H, H_sk) <= 1e-8
    assert model.reconstruction_err_ == pytest.approx(reference.reconstruction_err_, rel=1e-6)


@pytest.mark.parametrize("solver,loss", CASES)
@pytest.mark.parametrize("fmt", ["csc", "coo"])
def test_other_sparse_formats_give_the_csr_answer(solver, loss, fmt):
    X, W0, H0 = problem("sparse")
    W_csr, H_csr, _ = cunmf_run(X, W0, H0, solver, loss)
    W, H, _ = cunmf_run(X.asformat(fmt), W0, H0, solver, loss)
    np.testing.assert_array_equal(W, W_csr)
    np.testing.assert_array_equal(H, H_csr)
    W_sk, H_sk, _ = sklearn_run(X, W0, H0, solver, loss)  # scikit-learn given the CSR matrix
    assert relative(W, W_sk) <= 1e-8
    assert relative(H, H_sk) <= 1e-8


def test_dense_and_sparse_give_the_same_factors():
    X, W0, H0 = problem("sparse")
    W_sparse, H_sparse, _ = cunmf_run(X, W0, H0, "cd", "frobenius")
    W_dense, H_dense, _ = cunmf_run(X.toarray(), W0, H0, "cd", "frobenius")
    assert relative(W_sparse, W_dense) <= 1e-10
    assert relative(H_sparse, H_dense) <= 1e-10


PENALTIES = [dict(alpha_W=0.05, l1_ratio=0.3), dict(alpha_W=0.02, alpha_H=0.1, l1_ratio=1.0),
             dict(alpha_W=0.0, alpha_H=0.05, l1_ratio=0.0)]


@pytest.mark.parametrize("solver,loss", CASES)
@pytest.mark.parametrize("kind", ["dense", "sparse"])
@pytest.mark.parametrize("penalty", PENALTIES, ids=["l1l2-same", "l1", "l2-H-only"])
def test_regularized_iterates_equal_sklearns(solver, loss, kind, penalty):
    X, W0, H0 = problem(kind)
    W_sk, H_sk, reference = sklearn_run(X, W0, H0, solver, loss, **penalty)
    W, H, model = cunmf_run(X, W0, H0, solver, loss, **penalty)
    assert relative(W, W_sk) <= 1e-8
    assert relative(H, H_sk) <= 1e-8
    # The data-fit term alone, as scikit-learn reports it (the loss history has the penalty too).
    assert model.reconstruction_err_ == pytest.approx(reference.reconstruction_err_, rel=1e-8)


@pytest.mark.parametrize("solver,loss", CASES)
@pytest.mark.parametrize("kind", ["dense", "sparse-csr", "sparse-csc"])
@pytest.mark.parametrize("penalty", [{}, PENALTIES[0]], ids=["plain", "penalized"])
def test_transform_equals_sklearns(solver, loss, kind, penalty):
    """transform(X) on scikit-learn's fitted components_ gives scikit-learn's transform(X): the
    same W half-steps from the same start (50 of them, tol=0)."""
    X, W0, H0 = problem("dense" if kind == "dense" else "sparse")
    if kind == "sparse-csc":
        X = X.tocsc()
    common = dict(n_components=RANK, init="custom", solver=solver, beta_loss=loss, tol=0.0,
                  max_iter=50, **penalty)
    reference = SklearnNMF(shuffle=False, **common).fit(X, W=W0.copy(), H=H0.copy())
    ours = cunmf.NMF(backend="cpu", **common)
    ours.components_ = reference.components_.copy()
    ours.n_components_ = RANK
    ours.n_features_in_ = X.shape[1]
    W = ours.transform(X)
    expected = reference.transform(X.tocsr() if kind == "sparse-csc" else X)
    assert W.shape == expected.shape
    if loss == "kullback-leibler" and solver == "mu" and penalty.get("l1_ratio", 0) > 0:
        # scikit-learn 1.9.1's transform adds the L1 weight to its cached row sums of H in place
        # (_multiplicative_update_w: `denominator = H_sum[np.newaxis, :]`, then
        # `denominator += l1_reg_W`, H_sum kept across iterations when H is fixed), so iteration t
        # uses t·l1. Ours keeps l1: it equals the textbook update, and scikit-learn's result is the
        # textbook update with t·l1.
        X = X.toarray() if kind != "dense" else X
        H = reference.components_
        assert relative(W, kl_mu_transform(X, H, penalty, 50, False)) <= 1e-8
        assert relative(expected, kl_mu_transform(X, H, penalty, 50, True)) <= 1e-8
        return
    assert relative(W, expected) <= 1e-8


def kl_mu_transform(X, H, penalty, iterations, growing_l1):
    """W ← W ⊙ ((X ⊘ WH)·Hᵀ) ⊘ (1·Hᵀ + l1 + l2·W) from sqrt(mean(X)/k), with scikit-learn's
    penalty weights for W (n_features·alpha_W·ρ and ·(1 − ρ)); with growing_l1, iteration t
    uses t·l1 (scikit-learn's transform)."""
    k = H.shape[0]
    l1 = X.shape[1] * penalty["alpha_W"] * penalty["l1_ratio"]
    l2 = X.shape[1] * penalty["alpha_W"] * (1 - penalty["l1_ratio"])
    W = np.full((X.shape[0], k), np.sqrt(X.mean() / k))
    for t in range(1, iterations + 1):
        ratio = X / np.maximum(W @ H, np.finfo(np.float32).eps)
        W = W * (ratio @ H.T) / (H.sum(axis=1) + (t if growing_l1 else 1) * l1 + l2 * W)
    return W
