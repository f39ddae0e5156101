#!/usr/bin/env python3
"""Writes the .npy files of tests/data (valid ones with NumPy, malformed ones byte by byte).

The files are committed; this script documents how they were made. Run from tests/data:
    python3 make_npy_files.py
The valid files hold the 3 x 4 matrix A[i, j] = 10 i + j + 0.25 (io_npy_test checks it).
"""
import struct

import numpy as np

A = np.array([[10 * i + j + 0.25 for j in range(4)] for i in range(3)])


def save(path, array, version=None):
    with open(path, "wb") as f:
        np.lib.format.write_array(f, array, version=version, allow_pickle=False)


def npy_bytes(header, data=b"", magic=b"\x93NUMPY", version=(1, 0)):
    """A .npy file with the given header dict text, padded as numpy pads it."""
    text = header.encode("latin1")
    prefix = 10 if version[0] == 1 else 12
    text += b" " * ((64 - (prefix + len(text) + 1) % 64) % 64) + b"\n"
    length = struct.pack("<H" if version[0] == 1 else "<I", len(text))
    return magic + bytes(version) + length + text + data


def write(path, content):
    with open(path, "wb") as f:
        f.write(content)


# Valid files: both element types, both orders, versions 1.0, 2.0 and 3.0, other byte orders,
# a 1-D vector and an empty matrix.
save("npy/c_f8.npy", A)
save("npy/c_f4.npy", A.astype("<f4"))
save("npy/fortran_f8.npy", np.asfortranarray(A))
save("npy/fortran_f4.npy", np.asfortranarray(A.astype("<f4")))
save("npy/version2_f8.npy", A, version=(2, 0))
save("npy/version3_f4.npy", A.astype("<f4"), version=(3, 0))
save("npy/big_endian_f8.npy", A.astype(">f8"))
save("npy/big_endian_fortran_f4.npy", np.asfortranarray(A.astype(">f4")))
save("npy/vector_f8.npy", np.array([0.5, 1.5, 2.5]))
save("npy/empty_0x3_f8.npy", np.zeros((0, 3)))
write("npy/native_order_f8.npy",
      npy_bytes("{'descr': '=f8', 'fortran_order': False, 'shape': (3, 4), }",
                A.astype("<f8").tobytes()))
write("npy/pipe_order_f4.npy",
      npy_bytes('{"shape": (3, 4), "fortran_order": False, "descr": "|f4"}',
                A.astype("<f4").tobytes()))

# Malformed files.
good = A.astype("<f8").tobytes()
header = "{'descr': '<f8', 'fortran_order': False, 'shape': (3, 4), }"
write("malformed/bad_magic.npy", npy_bytes(header, good, magic=b"\x93NUMPX"))
write("malformed/bad_version.npy", npy_bytes(header, good, version=(9, 0)))
write("malformed/truncated_header.npy", npy_bytes(header, good)[:40])
write("malformed/truncated_data.npy", npy_bytes(header, good)[:-20])
write("malformed/trailing_bytes.npy", npy_bytes(header, good + b"\0\0\0\0"))
write("malformed/int64_dtype.npy",
      npy_bytes("{'descr': '<i8', 'fortran_order': False, 'shape': (3, 4), }",
                np.arange(12, dtype="<i8").tobytes()))
write("malformed/complex_dtype.npy",
      npy_bytes("{'descr': '<c16', 'fortran_order': False, 'shape': (3, 4), }", good + good))
write("malformed/structured_dtype.npy",
      npy_bytes("{'descr': [('x', '<f8')], 'fortran_order': False, 'shape': (12,), }", good))
write("malformed/three_dimensional.npy",
      npy_bytes("{'descr': '<f8', 'fortran_order': False, 'shape': (3, 2, 2), }", good))
write("malformed/missing_shape.npy",
      npy_bytes("{'descr': '<f8', 'fortran_order': False, }", good))
write("malformed/bad_fortran_order.npy",
      npy_bytes("{'descr': '<f8', 'fortran_order': 0, 'shape': (3, 4), }", good))
negative = A.copy()
negative[1, 2] = -1.0
write("malformed/negative_value.npy", npy_bytes(header, negative.tobytes()))
nan = A.copy()
nan[2, 0] = np.nan
write("malformed/nan_value.npy", npy_bytes(header, nan.tobytes()))
