"""cunmf.NMF: scikit-learn's NMF estimator interface over cuNMF's C++ library."""
import numbers
import sys
import time
import warnings

import numpy as np
import scipy.sparse as sp
from sklearn.base import BaseEstimator, ClassNamePrefixFeaturesOutMixin, TransformerMixin
from sklearn.exceptions import ConvergenceWarning
from sklearn.utils import check_random_state
from sklearn.utils.validation import check_is_fitted, validate_data

from . import _core
from ._graph import WEIGHTINGS, affinity, samples_knn_graph
from ._library import choice as _choice
from ._library import library_operand
from ._library import run as _run

# scikit-learn's beta_loss names and their β; any other real β is a β-divergence too.
_BETA_LOSSES = {"frobenius": 2.0, "kullback-leibler": 1.0, "itakura-saito": 0.0}
_SOLVERS = {
    "mu": "MultiplicativeUpdate",
    "cd": "CoordinateDescent",
    "als": "AlternatingLeastSquares",
    "pgd": "ProjectedGradient",
    "anls-bpp": "AnlsBpp",  # present once the C++ library has Solver::AnlsBpp
}
_INITS = {
    "random": _core.Init.Random,
    "nndsvd": _core.Init.Nndsvd,
    "nndsvda": _core.Init.Nndsvda,
    "nndsvdar": _core.Init.Nndsvdar,
}
_BACKENDS = {"auto": _core.Backend.Auto, "cpu": _core.Backend.Cpu, "cuda": _core.Backend.Cuda}
_DTYPES = {None: None, "float32": np.float32, "float64": np.float64}


class NMF(ClassNamePrefixFeaturesOutMixin, TransformerMixin, BaseEstimator):
    """Non-negative matrix factorization X ≈ W·H by cuNMF, on the GPU or the CPU.

    The parameters, methods and fitted attributes are scikit-learn's
    (``sklearn.decomposition.NMF``); from the same initial W and H (``init="custom"``),
    ``solver="mu"`` and ``solver="cd"`` compute scikit-learn's iterates. Differences:

    - ``solver`` also takes ``"als"`` (projected alternating least squares), ``"pgd"``
      (projected gradient) and ``"anls-bpp"`` (ANLS by block principal pivoting), for the
      Frobenius loss; ``"cd"`` also minimizes the KL divergence (by Newton steps); ``shuffle`` must be False.
    - ``beta_loss``: "frobenius" (2), "kullback-leibler" (1), "itakura-saito" (0) or any real β,
      as scikit-learn's; β other than 2 and 1 with ``solver="mu"`` only, and for β ≤ 0 X must be
      positive everywhere (a sparse X must store every entry).
    - ``alpha_W``, ``alpha_H``, ``l1_ratio``: scikit-learn's regularization (≥ 1.2 meaning:
      scaled by n_features for W and n_samples for H); ``loss_history_`` is then the whole
      objective, ``reconstruction_err_`` the data-fit term alone, as scikit-learn's.
    - Stopping: cuNMF computes the loss every ``check_every`` iterations and stops when it
      decreased by less than ``tol`` (relative) since the previous check; ``tol=0`` runs exactly
      ``max_iter`` iterations. (scikit-learn's rule differs per solver.)
    - ``init="random"`` (and "nndsvdar") draw from cuNMF's generator, seeded from
      ``random_state``: not scikit-learn's numbers.
    - ``n_components`` must not exceed min(n_samples, n_features).

    Parameters beyond scikit-learn's
    ------------------------------------
    backend : {"auto", "cpu", "cuda"}, default="auto"
        Where to run: "auto" uses the CUDA device when this build has one (``cunmf.devices()``).
    dtype : {None, "float32", "float64"}, default=None
        The working precision; None keeps float32 and float64 input as it is (other dtypes become
        float64). float32 is the GPU's fast path.
    check_every : int, default=10
        Compute the loss (for the stopping rule and ``verbose``) every this many iterations.
    nsnmf_theta : float in [0, 1], default=0.0
        nsNMF (Pascual-Montano et al., IEEE TPAMI 2006): X ≈ W·S·H with the smoothing matrix
        S = (1 − θ)I + (θ/k)11ᵀ; larger θ gives sparser, more localized factors. ``components_``
        is H; ``smoothing_`` holds S, and ``inverse_transform`` and ``reconstruction_err_`` use
        W·S·H. 0 is plain NMF.
    graph : None, int, array-like or scipy.sparse matrix of shape (n_samples, n_samples), \
default=None
        Graph-regularized NMF (GNMF: Cai, He, Han & Huang, "Graph regularized nonnegative matrix
        factorization for data representation", IEEE TPAMI 33(8), 2011): a symmetric,
        non-negative affinity A between the samples (rows) of the X given to ``fit``, or an int K
        for the K-nearest-neighbour graph of that X, ``cunmf.knn_graph(X, K, graph_weight)``
        (built at each fit). With ``graph_lambda`` λ > 0 the objective becomes (Frobenius; KL
        likewise)

            ½‖X − WH‖²_F + (λ/2)·tr(Wᵀ L W)  [+ the alpha_W/alpha_H penalties],
            L = D − A, D = diag(A·1), and tr(Wᵀ L W) = ½ Σ_ij A_ij ‖w_i − w_j‖²,

        so that samples close in the graph get close rows of W, the representation
        ``fit_transform`` returns (for clustering, when the graph follows the classes). Only
        ``solver="mu"`` with ``beta_loss`` "frobenius" or "kullback-leibler" (the paper's
        rules); ``loss_history_`` is then the whole objective and never increases (Frobenius:
        the paper's Theorem 1; KL: measured), ``reconstruction_err_`` the data-fit term alone.
        The library puts the graph on the columns of its X, so the estimator gives it Xᵀ (a view;
        for a sparse X the CSR of Xᵀ, which a CSC X is without a copy) and swaps the factors and
        alpha_W/alpha_H (with their n_features/n_samples scaling) back: the iterates then update
        ``components_`` before W, where a plain fit updates W first, as scikit-learn does.
        A bad graph (not n_samples × n_samples, not symmetric, a negative or non-finite weight)
        is a ValueError (``cunmf.InvalidArgument``) that names it, as are λ > 0 with another
        solver or loss.
    graph_weight : {"binary", "heat", "cosine"}, default="binary"
        The edge weights of the K-NN graph when ``graph`` is an int (see ``cunmf.knn_graph``).
    graph_lambda : float >= 0, default=0.0
        λ, the weight of the graph term. 0 turns it off: the fit is plain NMF bit for bit (a given
        affinity is still checked, as the library does; a K-NN graph is not built).

    Fitted attributes (besides scikit-learn's ``components_``, ``n_components_``,
    ``reconstruction_err_``, ``n_iter_``, ``n_features_in_``, ``feature_names_in_``):
    ``loss_history_`` (the loss at iteration 0 and at each check), ``backend_`` (where it ran:
    "cpu" or "cuda").

    References: Cai, He, Han & Huang, IEEE TPAMI 33(8):1548–1560, 2011 (``graph``);
    Pascual-Montano et al., IEEE TPAMI 28(3):403–415, 2006 (``nsnmf_theta``).
    """

    def __init__(
        self,
        n_components=None,
        *,
        init=None,
        solver="cd",
        beta_loss="frobenius",
        tol=1e-4,
        max_iter=200,
        random_state=None,
        alpha_W=0.0,
        alpha_H="same",
        l1_ratio=0.0,
        verbose=0,
        shuffle=False,
        backend="auto",
        dtype=None,
        check_every=10,
        nsnmf_theta=0.0,
        graph=None,
        graph_weight="binary",
        graph_lambda=0.0,
    ):
        self.n_components = n_components
        self.init = init
        self.solver = solver
        self.beta_loss = beta_loss
        self.tol = tol
        self.max_iter = max_iter
        self.random_state = random_state
        self.alpha_W = alpha_W
        self.alpha_H = alpha_H
        self.l1_ratio = l1_ratio
        self.verbose = verbose
        self.shuffle = shuffle
        self.backend = backend
        self.dtype = dtype
        self.check_every = check_every
        self.nsnmf_theta = nsnmf_theta
        self.graph = graph
        self.graph_weight = graph_weight
        self.graph_lambda = graph_lambda

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.positive_only = True
        tags.input_tags.sparse = True
        tags.transformer_tags.preserves_dtype = ["float64", "float32"]
        return tags

    @property
    def _n_features_out(self):
        return self.components_.shape[0]

    # -- input ---------------------------------------------------------------------------------

    def _validate_X(self, X, reset, sparse_format="csr"):
        """X as cuNMF reads it (_library.library_operand): a C- or Fortran-contiguous
        float32/float64 array (kept as it is when it already is one), or a canonical
        `sparse_format` matrix ("csr", or "csc" whose transpose is the CSR of Xᵀ; kept when X
        has that format, else converted once). Non-negativity and finiteness are left to the
        library, whose message names the first offending entry."""
        dtype = _DTYPES[self.dtype] if self.dtype in _DTYPES else None
        X = validate_data(
            self,
            X,
            accept_sparse=("csr", "csc"),
            dtype=[np.float64, np.float32] if dtype is None else dtype,
            ensure_all_finite=False,
            reset=reset,
        )
        return library_operand(X, sparse_format)

    def _check_params(self, X):
        if self.dtype not in _DTYPES:
            raise ValueError(f"dtype must be None, 'float32' or 'float64', got {self.dtype!r}")
        for name in ("max_iter", "check_every"):
            value = getattr(self, name)
            if not isinstance(value, numbers.Integral) or isinstance(value, bool) or value < (
                    0 if name == "max_iter" else 1):
                raise ValueError(f"{name} must be an integer >= {0 if name == 'max_iter' else 1}, "
                                 f"got {value!r}")
        if not isinstance(self.tol, numbers.Real) or not self.tol >= 0:
            raise ValueError(f"tol must be a number >= 0, got {self.tol!r}")
        if self.shuffle:
            raise ValueError("shuffle=True is not supported: cuNMF's coordinate descent sweeps in "
                             "order (scikit-learn's shuffle=False)")
        self._check_regularization()
        theta = self.nsnmf_theta
        if not isinstance(theta, numbers.Real) or isinstance(theta, bool) or not 0 <= theta <= 1:
            raise ValueError(f"nsnmf_theta must be a number in [0, 1], got {theta!r}")
        _choice("graph_weight", self.graph_weight, WEIGHTINGS)
        m, n = X.shape
        k = self.n_components
        if k is None or (isinstance(k, str) and k == "auto"):
            k = n
        elif not isinstance(k, numbers.Integral) or isinstance(k, bool) or k < 1:
            raise ValueError(f"n_components must be None, 'auto' or an integer >= 1, got {k!r}")
        if k > min(m, n):
            raise ValueError(f"n_components = {k} exceeds min(n_samples = {m}, n_features = {n}); "
                             "cuNMF needs a rank no larger than both")
        return int(k)

    def _check_regularization(self):
        """alpha_W, alpha_H ≥ 0 (alpha_H="same": alpha_W), 0 ≤ l1_ratio ≤ 1."""
        for name in ("alpha_W", "alpha_H", "l1_ratio"):
            value = getattr(self, name)
            if name == "alpha_H" and isinstance(value, str) and value == "same":
                continue
            if (not isinstance(value, numbers.Real) or isinstance(value, bool) or not value >= 0
                    or (name == "l1_ratio" and not value <= 1)):
                bounds = "in [0, 1]" if name == "l1_ratio" else ">= 0"
                raise ValueError(f"{name} must be a number {bounds}, got {value!r}")

    def _graph_lambda(self):
        """graph_lambda as a float, finite and >= 0 (fit needs it before X: λ > 0 runs on Xᵀ)."""
        value = self.graph_lambda
        if (not isinstance(value, numbers.Real) or isinstance(value, bool) or not value >= 0
                or not np.isfinite(value)):
            raise ValueError(f"graph_lambda must be a finite number >= 0, got {value!r}")
        return float(value)

    def _graph(self, X, active):
        """The library's Options.graph for `graph` on the samples of X (a library operand), or
        None. An int K is the K-NN graph of X, built only when the term is `active` (λ > 0);
        else only K's range is checked. An affinity given with λ = 0 is checked by the library
        all the same (cunmf::validate_affinity: the plain fit runs on X, whose columns are not
        the samples), so that a wrong graph is never silently ignored."""
        graph = self.graph
        n = X.shape[0]
        if graph is None:
            if active:
                raise ValueError(f"graph_lambda = {self.graph_lambda} needs a graph: graph=K for "
                                 "the K-nearest-neighbour graph of X, or an n_samples x n_samples "
                                 "affinity (e.g. from cunmf.knn_graph)")
            return None
        if isinstance(graph, numbers.Integral) and not isinstance(graph, bool):
            if active:
                return samples_knn_graph(X, int(graph), self.graph_weight)
            if not 1 <= graph <= n - 1:
                raise ValueError(f"graph = {graph}: the neighbours of the k-NN graph must be "
                                 f"between 1 and n_samples - 1 = {n - 1}")
            return None
        if isinstance(graph, (bool, str, numbers.Number)):
            raise ValueError("graph must be None, an integer (the neighbours of the k-NN graph) "
                             "or an n_samples x n_samples affinity (2-D array-like or "
                             f"scipy.sparse matrix), got {graph!r}")
        A = affinity(graph)
        if not active:
            _run(_core.validate_affinity, A, n, transposed=True)
            return None
        return A

    def _beta(self):
        """The β of ``beta_loss``: a name of _BETA_LOSSES or a finite real number."""
        loss = self.beta_loss
        if isinstance(loss, numbers.Real) and not isinstance(loss, bool):
            if not np.isfinite(loss):
                raise ValueError(f"beta_loss must be finite, got {loss!r}")
            return float(loss)
        return _choice("beta_loss", loss, _BETA_LOSSES)

    def _options(self, k, init):
        options = _core.Options()
        options.rank = k
        # Loss.Beta with β = 2 or 1 runs exactly the Frobenius or KL path (the library's rule).
        options.loss = _core.Loss.Beta
        options.beta = self._beta()
        solver_name = _choice("solver", self.solver, _SOLVERS)
        if not hasattr(_core.Solver, solver_name):
            available = sorted(s for s in _SOLVERS if hasattr(_core.Solver, _SOLVERS[s]))
            raise ValueError(f"solver={self.solver!r} is not in this build of the cuNMF library "
                             f"(it has {available})")
        options.solver = getattr(_core.Solver, solver_name)
        options.backend = _choice("backend", self.backend, _BACKENDS)
        if init != "custom":
            options.init = _INITS[init]
        options.max_iter = int(self.max_iter)
        options.tol = float(self.tol)
        options.check_every = int(self.check_every)
        options.seed = int(check_random_state(self.random_state).randint(np.iinfo(np.int32).max))
        options.alpha_W = float(self.alpha_W)
        options.alpha_H = None if isinstance(self.alpha_H, str) else float(self.alpha_H)
        options.l1_ratio = float(self.l1_ratio)
        options.nsnmf_theta = float(self.nsnmf_theta)
        return options

    def _initial_factors(self, X, k, W, H):
        """(init name, W0, H0): W0 and H0 as X's dtype, contiguous, for init="custom"."""
        init = self.init
        if init is None:
            init = "nndsvda"
        if init != "custom":
            _choice("init", init, {**_INITS, "custom": None})
            if W is not None or H is not None:
                warnings.warn("When init!='custom', provided W or H are ignored. Set "
                              "init='custom' to use them as initialization.", RuntimeWarning)
            return init, None, None
        if W is None or H is None:
            raise ValueError("init='custom' needs both W and H")
        factors = []
        for name, F, shape in (("W", W, (X.shape[0], k)), ("H", H, (k, X.shape[1]))):
            F = np.asarray(F)
            if F.shape != shape:
                raise ValueError(f"Array with wrong shape passed to NMF (input {name}): expected "
                                 f"{shape}, got {F.shape}")
            F = F.astype(X.dtype, copy=False)
            if not (F.flags.c_contiguous or F.flags.f_contiguous):
                F = np.ascontiguousarray(F)
            factors.append(F)
        return init, factors[0], factors[1]

    # -- fitting -------------------------------------------------------------------------------

    def fit_transform(self, X, y=None, W=None, H=None):
        """Learns the factors of X and returns W (n_samples × n_components); ``components_`` is
        H. W and H are the initial factors for ``init="custom"``."""
        graph_lambda = self._graph_lambda()
        # The library's graph is over the columns of its X and regularizes its H: with the graph
        # term the library gets Xᵀ ≈ Hᵀ·Wᵀ (a view; for a sparse X the CSR of Xᵀ, a CSC X), so
        # that its H is our W, and the factors and their W/H options are swapped.
        transposed = graph_lambda > 0
        X = self._validate_X(X, reset=True, sparse_format="csc" if transposed else "csr")
        k = self._check_params(X)
        if self.n_components == "auto" and self.init == "custom" and H is not None:
            k = np.asarray(H).shape[0]
        graph = self._graph(X, active=transposed)
        init, W0, H0 = self._initial_factors(X, k, W, H)
        options = self._options(k, init)
        operand = X
        if transposed:
            operand = X.T
            if W0 is not None:
                W0, H0 = H0.T, W0.T
            # scikit-learn scales W's penalty by n_features and H's by n_samples; the library
            # scales its W's by its X's columns (our samples) and its H's by its rows (our
            # features): swapped, each keeps scikit-learn's scaling.
            alpha_H = options.alpha_W if options.alpha_H is None else options.alpha_H
            options.alpha_W, options.alpha_H = alpha_H, options.alpha_W
            options.graph = graph
            options.graph_lambda = graph_lambda
        on_check = self._progress() if self.verbose else None
        if sp.issparse(operand):
            result = _run(_core.factorize_csr, operand.shape[0], operand.shape[1], operand.indptr,
                          operand.indices, operand.data, options, W0, H0, on_check,
                          transposed=transposed)
        else:
            result = _run(_core.factorize_dense, operand, options, W0, H0, on_check,
                          transposed=transposed)
        W_out, H_out = (result["H"].T, np.ascontiguousarray(result["W"].T)) if transposed else (
            result["W"], result["H"])

        self.components_ = H_out
        self.n_components_ = self.components_.shape[0]
        self.smoothing_ = self._smoothing(self.n_components_, self.components_.dtype)
        self.n_iter_ = result["iterations"]
        self.loss_history_ = np.asarray(result["loss_history"])
        self.backend_ = result["backend"]
        # scikit-learn's reconstruction_err_: sqrt(2 × loss), the loss being the β-divergence
        # (½‖X − WH‖²_F, the generalized KL divergence, ...) without the regularization terms
        # (which a penalized run's loss history includes).
        loss = result["loss_history"][-1]
        if options.alpha_W != 0 or (options.alpha_H or 0) != 0 or transposed:
            # The library's W·S·H, of the X it was given (S is symmetric).
            loss = self._data_loss(operand, result["W"], self.smoothing_ @ result["H"],
                                   options.beta)
        self.reconstruction_err_ = float(np.sqrt(2.0 * max(loss, 0.0)))
        if not result["converged"] and self.n_iter_ == self.max_iter and self.tol > 0:
            warnings.warn(f"Maximum number of iterations {self.max_iter} reached. Increase it to "
                          "improve convergence.", ConvergenceWarning)
        return W_out

    def _smoothing(self, k, dtype):
        """nsNMF's S = (1 − θ)I + (θ/k)11ᵀ (the identity when θ = 0)."""
        theta = float(self.nsnmf_theta)
        return ((1.0 - theta) * np.eye(k) + theta / k * np.ones((k, k))).astype(dtype)

    @staticmethod
    def _data_loss(X, W, H, beta):
        if sp.issparse(X):
            return _core.data_loss_csr(X.shape[0], X.shape[1], X.indptr, X.indices, X.data, W, H,
                                       beta)
        return _core.data_loss_dense(X, W, H, beta)

    def _progress(self):
        """The on_check callback of verbose runs: iteration, loss and time since the start."""
        start = time.perf_counter()

        def report(iteration, loss):
            print(f"cunmf: iteration {iteration:5d}  loss {loss:.6e}  "
                  f"time {time.perf_counter() - start:8.3f} s", file=sys.stdout, flush=True)

        return report

    def fit(self, X, y=None, **params):
        """Learns the factors of X; returns self."""
        self.fit_transform(X, **params)
        return self

    def transform(self, X):
        """W for new samples X with ``components_`` fixed: the library's ``cunmf::transform``
        (the W half-steps of the fitted solver and loss, with W's penalty, under the same stopping
        rule, from scikit-learn's start). It takes samples as columns, so it gets Xᵀ — a view of
        an array, and of a CSC matrix the CSR of Xᵀ (a CSR X is converted once) — and
        components_ᵀ, and returns Wᵀ.

        With a ``graph``, transform does not use it: the graph links the samples ``fit`` saw, and
        new samples are not in it. Linking them among themselves instead (a K-NN graph of X)
        would make each sample's W depend on the other samples transformed with it — a
        pipeline's prediction for one sample would change with the batch — so transform is the
        plain solve for W with ``components_`` (learned with the graph) fixed, as for any NMF.
        The fitted samples' graph-regularized W is what ``fit_transform`` returned."""
        check_is_fitted(self)
        X = self._validate_X(X, reset=False, sparse_format="csc")
        options = self._options(self.n_components_, "custom")
        # scikit-learn's transform penalizes W with alpha_W; in the library's transposed problem
        # that W is H.
        options.alpha_H = options.alpha_W
        components_t = self.components_.astype(X.dtype, copy=False).T
        if sp.issparse(X):
            Xt = X.T  # CSR
            result = _run(_core.transform_csr, Xt.shape[0], Xt.shape[1], Xt.indptr, Xt.indices,
                          Xt.data, components_t, options, transposed=True)
        else:
            result = _run(_core.transform_dense, X.T, components_t, options, transposed=True)
        return result["H"].T

    def inverse_transform(self, X):
        """W·components_: the data that the transformed X represents."""
        check_is_fitted(self)
        W = np.asarray(X.toarray() if sp.issparse(X) else X)
        return W @ (self.smoothing_ @ self.components_)
