#!/usr/bin/env python3
"""The basis images NMF finds in Fashion-MNIST: the parts-based representation it is known for,
plain, with an L1 penalty on the components (sparse NMF) and with nsNMF's smoothing, side by side.

Data: Fashion-MNIST's training images (Debian's dataset-fashion-mnist package puts them in
/usr/share/datasets/fashion-mnist; --data names another folder holding
train-images-idx3-ubyte.gz), the first --images of them as the rows of X (pixels scaled to
[0, 1]). Each model is cunmf.NMF with k = --rank components on the CPU from the same NNDSVD start;
each panel shows the k rows of components_ as 28 × 28 images, with the mean Hoyer sparsity of
those images, the relative error of the fit and the time. Writes a PNG (README, "Python").

    python3 examples/python/fashion_parts.py --out examples/python/fashion_parts.png
"""
import argparse
import gzip
import os
import time

import numpy as np

import cunmf

DEBIAN_FOLDER = "/usr/share/datasets/fashion-mnist"


def read_images(folder, count):
    """The first `count` training images as a count × 784 float64 array in [0, 1]."""
    path = os.path.join(folder, "train-images-idx3-ubyte.gz")
    if not os.path.exists(path):
        raise SystemExit(f"{path} not found: install Debian's dataset-fashion-mnist or pass "
                         "--data FOLDER")
    with gzip.open(path, "rb") as f:
        header = np.frombuffer(f.read(16), dtype=">u4")
        if header[0] != 2051 or header[2] != 28 or header[3] != 28:
            raise SystemExit(f"{path} is not an IDX file of 28 × 28 images")
        count = min(count, int(header[1]))
        pixels = np.frombuffer(f.read(count * 784), dtype=np.uint8)
    return pixels.reshape(count, 784).astype(np.float64) / 255.0


def hoyer(images):
    """Mean Hoyer sparsity of the rows (1: one pixel lit, 0: all equal)."""
    p = images.shape[1]
    norms = np.linalg.norm(images, axis=1)
    lit = norms > 0
    l1 = np.abs(images[lit]).sum(axis=1)
    return float(np.mean((np.sqrt(p) - l1 / norms[lit]) / (np.sqrt(p) - 1)))


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", default=DEBIAN_FOLDER)
    parser.add_argument("--images", type=int, default=10000)
    parser.add_argument("--rank", type=int, default=16)
    parser.add_argument("--max-iter", type=int, default=200)
    parser.add_argument("--out", default="fashion_parts.png")
    args = parser.parse_args()

    X = read_images(args.data, args.images)
    print(f"Fashion-MNIST: {X.shape[0]} images x {X.shape[1]} pixels, rank {args.rank}")
    common = dict(n_components=args.rank, init="nndsvd", solver="cd", max_iter=args.max_iter,
                  tol=0, backend="cpu", random_state=0)
    models = [("plain NMF", cunmf.NMF(**common)),
              ("L1 on the components (alpha_H = 1e-3)",
               cunmf.NMF(alpha_W=0.0, alpha_H=1e-3, l1_ratio=1.0, **common)),
              ("nsNMF (theta = 0.5)", cunmf.NMF(nsnmf_theta=0.5, **common))]

    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    side = int(np.ceil(np.sqrt(args.rank)))
    fig = plt.figure(figsize=(4.0 * len(models), 4.6))
    grid = fig.add_gridspec(1, len(models), wspace=0.08)
    for column, (name, model) in enumerate(models):
        start = time.perf_counter()
        W = model.fit_transform(X)
        seconds = time.perf_counter() - start
        error = np.linalg.norm(X - model.inverse_transform(W)) / np.linalg.norm(X)
        sparsity = hoyer(model.components_)
        print(f"{name.splitlines()[0]}: relative error {error:.4f}, Hoyer sparsity {sparsity:.3f}, "
              f"{seconds:.2f} s")
        cells = grid[0, column].subgridspec(side, side, wspace=0.05, hspace=0.05)
        for i in range(side * side):
            ax = fig.add_subplot(cells[i // side, i % side])
            ax.axis("off")
            if i < args.rank:
                ax.imshow(model.components_[i].reshape(28, 28), cmap="gray_r")
            if i == side // 2 - (side % 2 == 0):
                ax.set_title(f"{name}\nsparsity {sparsity:.2f}, error {error:.3f}, "
                             f"{seconds:.1f} s", fontsize=9, loc="center", x=1.0 if side % 2 == 0
                             else 0.5)
    fig.suptitle(f"cuNMF basis images of {X.shape[0]} Fashion-MNIST images (k = {args.rank}, "
                 f"cd, {args.max_iter} iterations, CPU)", fontsize=11, y=1.04)
    fig.savefig(args.out, dpi=110, bbox_inches="tight")
    print(f"wrote {args.out}")


if __name__ == "__main__":
    main()
