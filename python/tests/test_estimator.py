"""cunmf.NMF as a scikit-learn estimator: scikit-learn's estimator checks, Pipeline and
GridSearchCV, transform/inverse_transform, the fitted attributes and parameter errors."""
import numpy as np
import pytest
import scipy.optimize
import scipy.sparse as sp
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import GridSearchCV
from sklearn.pipeline import Pipeline
from sklearn.utils.estimator_checks import parametrize_with_checks

import cunmf


# max_iter=500 as scikit-learn's own test suite sets for its NMF (PER_ESTIMATOR_CHECK_PARAMS): with
# 200, check_transformer_general's "fit_transform and transform agree to 0.01" fails for
# scikit-learn's NMF as for ours (both 0.054 apart on its 30 × 3 data). The default (cd) passes
# every check. With solver="mu", 500 iterations leave W short of the optimum for the final H that
# transform computes: the two transform-consistency checks fail, as they do for scikit-learn's
# NMF(solver="mu", max_iter=500) (checked with scikit-learn 1.9.1).
MU_NOT_CONVERGED = "mu after 500 iterations: W is not yet optimal for H (scikit-learn's mu too)"
# With the graph term, fit_transform's W is regularized by the graph of the fitted samples and
# transform's is not (it does not use the graph, by design): the two differ by more than 0.01.
GRAPH_TRANSFORM = "transform does not use the graph: fit_transform's W is graph-regularized"


def expected_failed_checks(estimator):
    if estimator.solver != "mu":
        return {}
    reason = GRAPH_TRANSFORM if estimator.graph_lambda > 0 else MU_NOT_CONVERGED
    return {"check_transformer_general": reason, "check_transformer_data_not_an_array": reason}


@parametrize_with_checks([cunmf.NMF(max_iter=500), cunmf.NMF(solver="mu", max_iter=500),
                          cunmf.NMF(solver="mu", max_iter=500, graph=2, graph_lambda=1.0)],
                         expected_failed_checks=expected_failed_checks)
def test_sklearn_estimator_checks(estimator, check):
    check(estimator)


def blobs(seed=0, m=80, n=12, rank=3):
    rng = np.random.default_rng(seed)
    W = rng.random((m, rank))
    H = rng.random((rank, n)) * (rng.random((rank, n)) < 0.6)
    return W @ H + 0.01 * rng.random((m, n))


def test_pipeline_and_grid_search():
    X = blobs(1, m=120)
    y = (X[:, 0] > np.median(X[:, 0])).astype(int)
    pipe = Pipeline([("nmf", cunmf.NMF(init="nndsvda", max_iter=100, random_state=0)),
                     ("clf", LogisticRegression())])
    search = GridSearchCV(pipe, {"nmf__n_components": [2, 3], "nmf__solver": ["cd", "mu"]}, cv=3)
    search.fit(X, y)
    assert search.best_params_["nmf__n_components"] in (2, 3)
    assert search.predict(X[:5]).shape == (5,)


@pytest.mark.parametrize("loss", ["frobenius", "kullback-leibler"])
@pytest.mark.parametrize("sparse", [False, True])
def test_transform_solves_for_w_with_h_fixed(loss, sparse):
    X = blobs(2)
    model = cunmf.NMF(3, solver="mu" if loss != "frobenius" else "cd", beta_loss=loss,
                      max_iter=400, random_state=0).fit(X)
    Xs = sp.csr_matrix(X) if sparse else X
    W = model.set_params(max_iter=2000, tol=0).transform(Xs[:10])
    H = model.components_
    assert W.shape == (10, 3) and W.min() >= 0
    if loss == "frobenius":  # the exact NNLS solution, row by row
        expected = np.array([scipy.optimize.nnls(H.T, x)[0] for x in X[:10]])
        np.testing.assert_allclose(W, expected, atol=1e-6)
    else:  # a stationary point of the KL objective: the KKT conditions hold
        WH = W @ H
        gradient = (1 - X[:10] / WH) @ H.T
        assert np.all(gradient >= -1e-3)
        assert np.all(np.abs(gradient[W > 1e-6]) <= 1e-3)
    np.testing.assert_allclose(model.inverse_transform(W), W @ H)


def test_fitted_attributes():
    X = blobs(3)
    model = cunmf.NMF(4, max_iter=50, tol=0, random_state=0)
    W = model.fit_transform(X)
    assert model.n_components_ == 4 and model.components_.shape == (4, 12)
    assert model.n_features_in_ == 12 and model.n_iter_ == 50
    assert model.backend_ in ("cpu", "cuda")
    np.testing.assert_allclose(model.reconstruction_err_, np.linalg.norm(X - W @ model.components_),
                               rtol=1e-10)
    assert list(model.get_feature_names_out()) == [f"nmf{i}" for i in range(4)]
    assert model.loss_history_[0] >= model.loss_history_[-1]


def test_feature_names_from_a_dataframe():
    pd = pytest.importorskip("pandas")
    X = pd.DataFrame(blobs(3), columns=[f"c{i}" for i in range(12)])
    model = cunmf.NMF(2, max_iter=20).fit(X)
    assert list(model.feature_names_in_) == list(X.columns)


def test_same_random_state_same_result():
    X = blobs(4)
    a = cunmf.NMF(3, init="random", random_state=5, max_iter=30).fit(X).components_
    b = cunmf.NMF(3, init="random", random_state=5, max_iter=30).fit(X).components_
    np.testing.assert_array_equal(a, b)


@pytest.mark.parametrize("params,message", [
    (dict(alpha_W=-0.1), "alpha_W must be a number >= 0"),
    (dict(alpha_H="half"), "alpha_H must be"),
    (dict(l1_ratio=1.5), r"l1_ratio must be a number in \[0, 1\]"),
    (dict(beta_loss="squared"), "beta_loss must be one of"),
    (dict(beta_loss=float("inf")), "beta_loss must be finite"),
    (dict(solver="cd", beta_loss=0.5), "multiplicative-update"),
    (dict(solver="lbfgs"), "solver must be one of"),
    (dict(init="svd"), "init must be one of"),
    (dict(backend="tpu"), "backend must be one of"),
    (dict(dtype="float16"), "dtype must be"),
    (dict(shuffle=True), "shuffle"),
    (dict(n_components=0), "n_components"),
    (dict(n_components=13), "exceeds min"),
    (dict(max_iter=-1), "max_iter"),
    (dict(tol=-1.0), "tol"),
    (dict(solver="als", beta_loss="kullback-leibler"), "cunmf: "),
    (dict(nsnmf_theta=1.5), r"nsnmf_theta must be a number in \[0, 1\]"),
])
def test_bad_parameters_raise_value_error(params, message):
    with pytest.raises(ValueError, match=message):
        cunmf.NMF(**{"n_components": 2, **params}).fit(blobs(5))


def test_nsnmf_smoothing():
    """nsnmf_theta: smoothing_ is (1 − θ)I + θ/k, inverse_transform is W·S·H, the factors get
    sparser than plain NMF's from the same start, and θ = 0 is plain NMF bit for bit."""
    rng = np.random.default_rng(3)
    X = rng.random((60, 5)) @ (rng.random((5, 40)) * (rng.random((5, 40)) < 0.5)) + 0.01
    common = dict(n_components=5, init="nndsvda", solver="mu", beta_loss="kullback-leibler",
                  max_iter=300, tol=0, random_state=0)
    plain = cunmf.NMF(**common)
    W_plain = plain.fit_transform(X)
    smooth = cunmf.NMF(nsnmf_theta=0.6, **common)
    W = smooth.fit_transform(X)
    np.testing.assert_allclose(smooth.smoothing_, 0.4 * np.eye(5) + 0.6 / 5, rtol=1e-15)
    np.testing.assert_allclose(smooth.inverse_transform(W),
                               W @ smooth.smoothing_ @ smooth.components_, rtol=1e-12)

    def hoyer(A):  # mean Hoyer sparsity of A's columns
        p = A.shape[0]
        return np.mean((np.sqrt(p) - np.abs(A).sum(0) / np.linalg.norm(A, axis=0)) / (np.sqrt(p) - 1))

    assert hoyer(W) + hoyer(smooth.components_.T) > hoyer(W_plain) + hoyer(plain.components_.T)
    zero = cunmf.NMF(nsnmf_theta=0.0, **common)
    np.testing.assert_array_equal(zero.fit_transform(X), W_plain)


def test_anls_bpp_is_accepted_or_refused_clearly():
    model = cunmf.NMF(2, solver="anls-bpp", max_iter=20)
    if hasattr(cunmf._core.Solver, "AnlsBpp"):
        model.fit(blobs(6))
    else:
        with pytest.raises(ValueError, match="not in this build"):
            model.fit(blobs(6))


def test_devices_reports_the_build():
    info = cunmf.devices()
    assert set(info) == {"built_with_cuda", "cuda_available", "cuda_device"}
    assert isinstance(info["cuda_device"], str) and info["cuda_device"]
    if not info["built_with_cuda"]:
        assert not info["cuda_available"]
        with pytest.raises(cunmf.DeviceUnavailable):
            cunmf.NMF(2, backend="cuda").fit(blobs(6))


@pytest.mark.skipif(not cunmf.devices()["cuda_available"], reason="no CUDA device in this build")
def test_cuda_backend_agrees_with_cpu():
    X = blobs(7, m=300, n=200)
    W0 = np.full((300, 3), 0.5)
    H0 = np.full((3, 200), 0.5)
    common = dict(n_components=3, init="custom", solver="mu", tol=0, max_iter=50)
    cpu = cunmf.NMF(backend="cpu", **common).fit(X, W=W0, H=H0)
    gpu = cunmf.NMF(backend="cuda", **common).fit(X, W=W0, H=H0)
    assert gpu.backend_ == "cuda"
    np.testing.assert_allclose(gpu.components_, cpu.components_, rtol=1e-6, atol=1e-9)
