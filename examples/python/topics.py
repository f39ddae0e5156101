#!/usr/bin/env python3
"""Topics of the machine's man pages with cunmf.NMF: a documents × terms count matrix (sparse,
CSR) factorized under the KL divergence, which suits counts; each component of H is a topic, shown
by its heaviest terms. Writes a PNG of the topics' top terms (README, "Python").

    python3 examples/python/topics.py --pages 3000 --topics 8 --out examples/python/topics.png
"""
import argparse
import glob
import gzip
import re
import time

import numpy as np
from sklearn.feature_extraction.text import CountVectorizer

import cunmf

ROFF = re.compile(r"\\(?:f\[[^\]]*\]|f.|\(..|\*.|s[-+]?\d|.)|^[.'][a-zA-Z]+", re.M)


def man_pages(limit):
    """The text of up to `limit` man pages of section 1 (roff requests and escapes removed)."""
    texts = []
    for path in sorted(glob.glob("/usr/share/man/man1/*.gz")):
        with gzip.open(path, "rt", encoding="utf-8", errors="replace") as f:
            text = f.read()
        if not text.startswith(".so "):  # a link to another page
            texts.append(ROFF.sub(" ", text))
        if len(texts) == limit:
            break
    return texts


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pages", type=int, default=3000)
    parser.add_argument("--topics", type=int, default=8)
    parser.add_argument("--words", type=int, default=8)
    parser.add_argument("--out", default="topics.png")
    args = parser.parse_args()

    vectorizer = CountVectorizer(stop_words="english", min_df=5, max_df=0.5,
                                 token_pattern=r"(?u)\b[a-z]{3,}\b")
    X = vectorizer.fit_transform(man_pages(args.pages)).astype(np.float64)  # CSR counts
    terms = vectorizer.get_feature_names_out()
    model = cunmf.NMF(args.topics, solver="mu", beta_loss="kullback-leibler", init="nndsvda",
                      max_iter=300, random_state=0)
    start = time.perf_counter()
    model.fit(X)
    seconds = time.perf_counter() - start
    print(f"{X.shape[0]} pages x {X.shape[1]} terms, {X.nnz} non-zeros: {args.topics} topics in "
          f"{seconds:.2f} s ({model.n_iter_} iterations, {model.backend_})")

    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    columns = 4
    rows = (args.topics + columns - 1) // columns
    fig, axes = plt.subplots(rows, columns, figsize=(3.2 * columns, 2.6 * rows), sharex=True)
    for topic, ax in zip(model.components_, axes.flat):
        top = np.argsort(topic)[::-1][: args.words]
        ax.barh([terms[i] for i in top][::-1], (topic[top] / topic.sum())[::-1], color="tab:blue")
        ax.tick_params(labelsize=8)
        print("  " + " ".join(terms[i] for i in top))
    for ax in axes.flat[args.topics:]:
        ax.axis("off")
    fig.suptitle(f"Topics of {X.shape[0]} man pages (cunmf.NMF, KL, {args.topics} components; "
                 "share of each topic's weight)", fontsize=10)
    fig.tight_layout()
    fig.savefig(args.out, dpi=90)
    print(f"wrote {args.out}")


if __name__ == "__main__":
    main()
