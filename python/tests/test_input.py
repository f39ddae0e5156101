"""What cunmf.NMF accepts and how: C- and Fortran-ordered arrays read in place (no copy),
float32 kept, CSR read in place, other sparse formats converted once, bad input refused with the
library's message as a ValueError/TypeError."""
import tracemalloc

import numpy as np
import pytest
import scipy.sparse as sp

import cunmf


def data(m=400, n=300, dtype=np.float64, seed=0):
    return np.random.default_rng(seed).random((m, n)).astype(dtype)


def peak_python_allocation(fn):
    """The peak of the memory NumPy/Python allocated while fn ran (the library's own buffers are
    not counted: NumPy reports its allocations to tracemalloc, C++ does not)."""
    tracemalloc.start()
    try:
        fn()
        return tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


@pytest.mark.parametrize("order", ["C", "F"])
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_dense_input_is_not_copied(order, dtype):
    X = np.asarray(data(dtype=dtype), order=order)
    X.setflags(write=False)  # read-only input is fine: it is only read
    model = cunmf.NMF(3, init="random", max_iter=2, tol=0, random_state=0)
    peak = peak_python_allocation(lambda: model.fit(X))
    assert peak < X.nbytes / 4, f"{peak} bytes allocated for a {X.nbytes}-byte X"
    assert model.components_.dtype == dtype


def test_csr_input_is_not_copied():
    X = sp.random(2000, 500, density=0.1, random_state=1, format="csr")
    model = cunmf.NMF(3, init="random", max_iter=2, tol=0, random_state=0)
    peak = peak_python_allocation(lambda: model.fit(X))
    assert peak < X.data.nbytes / 4


@pytest.mark.parametrize("order", ["C", "F"])
def test_both_orders_give_the_same_factors(order):
    X = data(60, 40)
    common = dict(n_components=4, init="nndsvd", max_iter=30, tol=0, random_state=0)
    ref = cunmf.NMF(**common).fit(X)
    other = cunmf.NMF(**common).fit(np.asarray(X, order=order))
    np.testing.assert_allclose(other.components_, ref.components_, rtol=1e-12, atol=1e-14)


def test_non_contiguous_and_integer_input():
    X = data(60, 80)
    model = cunmf.NMF(3, max_iter=10, random_state=0)
    assert model.fit_transform(X[:, ::2]).shape == (60, 3)  # strided: made contiguous once
    counts = (10 * X).astype(np.int64)
    assert model.fit(counts).components_.dtype == np.float64  # integers become float64


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_dtype_option_and_float32_kept(dtype):
    X = data(50, 30, dtype=np.float64)
    model = cunmf.NMF(3, max_iter=20, dtype=np.dtype(dtype).name).fit(X)
    assert model.components_.dtype == dtype
    W = cunmf.NMF(3, max_iter=20).fit_transform(X.astype(np.float32))
    assert W.dtype == np.float32


def test_unsorted_csr_indices_are_accepted():
    X = sp.random(50, 40, density=0.3, random_state=2, format="csr")
    shuffled = X.copy()
    for i in range(shuffled.shape[0]):  # reverse each row's entries
        lo, hi = shuffled.indptr[i], shuffled.indptr[i + 1]
        shuffled.indices[lo:hi] = shuffled.indices[lo:hi][::-1].copy()
        shuffled.data[lo:hi] = shuffled.data[lo:hi][::-1].copy()
    shuffled.has_sorted_indices = False
    common = dict(n_components=3, init="nndsvd", max_iter=20, tol=0, random_state=0)
    np.testing.assert_array_equal(cunmf.NMF(**common).fit(shuffled).components_,
                                  cunmf.NMF(**common).fit(X).components_)


@pytest.mark.parametrize("value,pattern", [
    (np.nan, r"cunmf: X\(2, 3\) = nan.*\(NaN\)"),
    (np.inf, r"cunmf: X\(2, 3\) = inf.*\(Inf\)"),
    (-1.0, r"Negative values in data passed to NMF \(input X\): cunmf: X\(2, 3\) = -1"),
])
@pytest.mark.parametrize("sparse", [False, True])
def test_bad_entries_raise_value_error_naming_the_entry(value, pattern, sparse):
    X = data(10, 8)
    X[2, 3] = value
    with pytest.raises(ValueError, match=pattern if not sparse else r"X\(2, 3\)") as info:
        cunmf.NMF(2).fit(sp.csr_matrix(X) if sparse else X)
    assert isinstance(info.value, cunmf.InvalidArgument)


def test_bad_custom_factors():
    X = data(10, 8)
    with pytest.raises(ValueError, match="wrong shape"):
        cunmf.NMF(2, init="custom").fit(X, W=np.ones((10, 3)), H=np.ones((2, 8)))
    with pytest.raises(ValueError, match="cunmf: W"):
        cunmf.NMF(2, init="custom").fit(X, W=-np.ones((10, 2)), H=np.ones((2, 8)))
    with pytest.raises(ValueError, match="both W and H"):
        cunmf.NMF(2, init="custom").fit(X, W=np.ones((10, 2)))
    with pytest.warns(RuntimeWarning, match="ignored"):
        cunmf.NMF(2, max_iter=5).fit(X, W=np.ones((10, 2)), H=np.ones((2, 8)))


def test_wrong_shapes_and_types():
    with pytest.raises(ValueError):
        cunmf.NMF(2).fit(np.ones(10))  # 1-D
    with pytest.raises((ValueError, TypeError)):
        cunmf.NMF(2).fit([["a", "b"], ["c", "d"]])
    model = cunmf.NMF(2, max_iter=5).fit(data(10, 8))
    with pytest.raises(ValueError, match="features"):
        model.transform(data(10, 9))
    bad = data(10, 8)
    bad[2, 3] = -1.0
    for X in (bad, sp.csr_matrix(bad), sp.csc_matrix(bad)):  # transform reads Xᵀ: same position
        with pytest.raises(ValueError, match=r"Negative values .*: cunmf: X\(2, 3\) = -1"):
            model.transform(X)
    bad[2, 3] = np.nan
    with pytest.raises(ValueError, match=r"cunmf: X\(2, 3\) = nan"):
        model.transform(bad)


def test_binding_refuses_what_the_estimator_never_passes():
    X = data(10, 8)[:, ::2]  # neither C- nor Fortran-contiguous
    options = cunmf._core.Options()
    options.rank = 2
    with pytest.raises(TypeError, match="contiguous"):
        cunmf._core.factorize_dense(X, options)
    with pytest.raises(TypeError):  # float16: no overload, and none converts silently
        cunmf._core.factorize_dense(np.ones((4, 4), np.float16), options)
