"""scipy's sparse products of scikit-learn's MU iteration on the same X (one thread: scipy's
CSR kernels are serial): python3 scipy_products.py X.mtx W0.npy H0.npy"""
import sys
import time

import numpy as np
import scipy.io

X = scipy.io.mmread(sys.argv[1]).tocsr()
W = np.load(sys.argv[2])
Ht = np.ascontiguousarray(np.load(sys.argv[3]).T)
for name, product in [("X @ H.T", lambda: X @ Ht), ("W.T @ X", lambda: W.T @ X)]:
    times = []
    for _ in range(7):
        start = time.perf_counter()
        product()
        times.append(time.perf_counter() - start)
    times.sort()
    print(f"{name}: min {1e3 * times[0]:.2f} ms, median {1e3 * times[3]:.2f} ms, "
          f"{1e9 * times[3] / X.nnz:.1f} ns per stored entry")
