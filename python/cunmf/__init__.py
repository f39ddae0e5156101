"""cuNMF: non-negative matrix factorization X ≈ W·H on the GPU (CUDA) or the CPU.

``cunmf.NMF`` is a scikit-learn estimator (``sklearn.decomposition.NMF``'s parameters and
attributes, plus ``backend``, ``dtype``, nsNMF and graph regularization); ``cunmf.knn_graph``
builds the k-nearest-neighbour affinity between samples that ``NMF(graph=...)`` takes;
``cunmf.devices()`` says what this build can run on.
"""
from . import _core
from ._core import (
    Cancelled,
    CudaError,
    DeviceOutOfMemory,
    DeviceUnavailable,
    Error,
    InvalidArgument,
    IoError,
    NumericalError,
)
from ._graph import knn_graph
from ._nmf import NMF

__version__ = _core.__version__


def devices():
    """What this build of cuNMF can run on.

    Returns a dict: ``built_with_cuda`` (the CUDA backend was compiled in),
    ``cuda_available`` (it was, and a CUDA device is usable: ``backend="auto"`` then uses it),
    ``cuda_device`` (a one-line description of that device, or why there is none).
    """
    return {
        "built_with_cuda": bool(_core.built_with_cuda),
        "cuda_available": bool(_core.cuda_available()),
        "cuda_device": _core.cuda_device_description(),
    }


__all__ = [
    "NMF",
    "knn_graph",
    "devices",
    "Error",
    "InvalidArgument",
    "CudaError",
    "DeviceOutOfMemory",
    "DeviceUnavailable",
    "NumericalError",
    "IoError",
    "Cancelled",
]
