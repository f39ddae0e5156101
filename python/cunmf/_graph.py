"""Graph regularization's affinity between samples (Cai, He, Han & Huang, IEEE TPAMI 2011):
cunmf.knn_graph builds the k-nearest-neighbour graph of the rows (samples) of X, and the
estimator's ``graph`` parameter becomes the library's Options::graph here."""
import numbers

import numpy as np
import scipy.sparse as sp
from sklearn.utils.validation import check_array

from . import _core
from ._library import choice, library_operand, run

WEIGHTINGS = {
    "binary": _core.GraphWeight.Binary,
    "heat": _core.GraphWeight.Heat,
    "cosine": _core.GraphWeight.Cosine,
}


def knn_graph(X, n_neighbors, weighting="binary"):
    """The symmetric k-nearest-neighbour affinity between the samples (rows) of X, as graph-
    regularized NMF uses it (``NMF(graph=..., graph_lambda=...)``): cuNMF's ``cunmf::knn_graph``.

    Sample i is linked to its ``n_neighbors`` nearest other samples (Euclidean distance; for
    "cosine", the largest cosine), ties broken by the lower index, and an edge found from either
    end is kept (A = max(A, Aᵀ): Cai et al.'s "x_j among the p nearest neighbours of x_l or x_l
    among those of x_j"), so every sample has at least ``n_neighbors`` neighbours. The diagonal
    is empty. Computed on the CPU in double precision; a sparse X is never densified.

    Parameters
    ----------
    X : array-like or scipy.sparse matrix of shape (n_samples, n_features)
        Non-negative, finite (as ``NMF`` takes it).
    n_neighbors : int
        The neighbours of each sample, 1 ≤ n_neighbors ≤ n_samples − 1.
    weighting : {"binary", "heat", "cosine"}, default="binary"
        The weight of an edge (i, j) (Cai et al. §5): "binary" 1; "heat" exp(−‖x_i − x_j‖²/σ²),
        σ² the mean squared distance over the graph's edges; "cosine" x_iᵀx_j / (‖x_i‖‖x_j‖) (a
        zero sample then has no edges).

    Returns
    -------
    scipy.sparse.csr_matrix of shape (n_samples, n_samples), float64, columns sorted in each row.

    Raises
    ------
    ValueError (``cunmf.InvalidArgument``)
        For a negative or non-finite entry of X (named at its (sample, feature) position), or
        n_neighbors outside [1, n_samples − 1].
    """
    X = check_array(X, accept_sparse=("csr", "csc"), dtype=[np.float64, np.float32],
                    ensure_all_finite=False, input_name="X")
    return samples_knn_graph(library_operand(X, "csc"), n_neighbors, weighting)


def samples_knn_graph(X, n_neighbors, weighting):
    """knn_graph of an X that library_operand returned: the library's graph of the columns of Xᵀ
    (a view of an array; the CSR of Xᵀ, which a CSC X is)."""
    if not isinstance(n_neighbors, numbers.Integral) or isinstance(n_neighbors, bool):
        raise ValueError(f"n_neighbors must be an integer, got {n_neighbors!r}")
    weight = choice("weighting", weighting, WEIGHTINGS)
    negative = "Negative values in data passed to knn_graph"
    if sp.issparse(X):
        Xt = library_operand(X, "csc").T  # CSR
        return run(_core.knn_graph_csr, Xt.shape[0], Xt.shape[1], Xt.indptr, Xt.indices, Xt.data,
                   int(n_neighbors), weight, transposed=True, negative=negative)
    return run(_core.knn_graph_dense, X.T, int(n_neighbors), weight, transposed=True,
               negative=negative)


def affinity(graph):
    """An affinity given to NMF(graph=...) (a scipy.sparse matrix or a 2-D array-like) as the
    library takes it: a canonical float64 CSR matrix (a copy, so the user's matrix is never
    modified; Options.graph copies it again as int64 indices). Its shape, symmetry and entries
    are the library's to check."""
    if sp.issparse(graph):
        A = sp.csr_matrix(graph, dtype=np.float64, copy=True)
    else:
        dense = np.asarray(graph, dtype=np.float64)
        if dense.ndim != 2:
            raise ValueError("graph must be None, an integer (the neighbours of the k-NN graph) "
                             "or an n_samples x n_samples affinity (2-D array-like or "
                             f"scipy.sparse matrix), got an array of shape {dense.shape}")
        A = sp.csr_matrix(dense)
    A.sum_duplicates()  # also sorts the columns of each row
    return A
