"""Writes X's CSR arrays (rp.bin, ci.bin, v.bin) for gather_floor.cpp: python3 export_csr.py X.mtx"""
import sys

import numpy as np
import scipy.io

X = scipy.io.mmread(sys.argv[1]).tocsr()
X.sort_indices()
X.indptr.astype(np.int64).tofile("rp.bin")
X.indices.astype(np.int32).tofile("ci.bin")
X.data.astype(np.float64).tofile("v.bin")
print(X.shape, X.nnz)
