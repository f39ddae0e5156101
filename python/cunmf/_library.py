"""Calling cuNMF's C++ library (cunmf._core) from the package: X in the form the library reads
without a copy, and the library's messages in the user's terms (samples are the rows of the
user's X; the library may have been given Xᵀ)."""
import re

import numpy as np
import scipy.sparse as sp

from . import _core

# The library's message for a bad entry of X ("cunmf: X(3, 4) = -0.5: ...").
_ENTRY = re.compile(r"^cunmf: X\((\d+), (\d+)\) = (-?)")
# The library's words for the samples of X when it was given Xᵀ (its columns are the user's rows):
# the graph's size (Options::graph) and knn_graph's neighbours.
_SAMPLES = (("the n columns of X", "the n samples (rows) of X"),
            (" columns), got ", " samples (rows)), got "))


def run(function, *args, transposed=False, negative="Negative values in data passed to NMF"):
    """Calls the library; a bad entry of X is reported at its (sample, feature) position (X was
    given transposed when `transposed`, and then the library's "columns of X" are the samples),
    a negative one with scikit-learn's wording first (its estimator checks look for it)."""
    try:
        return function(*args)
    except _core.InvalidArgument as error:
        message = str(error)
        entry = _ENTRY.match(message)
        if transposed:
            for library_words, user_words in _SAMPLES:
                message = message.replace(library_words, user_words)
        if entry is not None:
            if transposed:
                message = (f"cunmf: X({entry[2]}, {entry[1]}) = " +
                           message[entry.end() - len(entry[3]):])
            if entry[3]:
                message = f"{negative} (input X): {message}"
        if message == str(error):
            raise
        raise _core.InvalidArgument(message) from None


def choice(name, value, table):
    """table[value] for a string value among table's keys, else ValueError naming `name`."""
    if not isinstance(value, str) or value not in table:
        raise ValueError(f"{name} must be one of {sorted(table)}, got {value!r}")
    return table[value]


def library_operand(X, sparse_format="csr"):
    """A validated X (a float32/float64 array or a CSR/CSC matrix) as cuNMF reads it: a C- or
    Fortran-contiguous array (kept as it is when it already is one), or a canonical
    `sparse_format` matrix ("csr", or "csc" whose transpose is the CSR of Xᵀ; kept when X has that
    format, else converted once) with one index dtype. Non-negativity and finiteness are left to
    the library, whose message names the first offending entry."""
    if sp.issparse(X):
        if X.format != sparse_format:
            X = X.asformat(sparse_format)
        if not X.has_canonical_format:  # unsorted or repeated indices
            X = X.copy()
            X.sum_duplicates()
        if X.indptr.dtype != X.indices.dtype:
            index = np.result_type(X.indptr.dtype, X.indices.dtype)
            X = type(X)((X.data, X.indices.astype(index), X.indptr.astype(index)), shape=X.shape)
    elif not (X.flags.c_contiguous or X.flags.f_contiguous):
        X = np.ascontiguousarray(X)
    return X
