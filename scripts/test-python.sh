#!/usr/bin/env bash
# Builds and tests the Python package as a user would: `pip install .` into a fresh virtual
# environment (CPU-only, as pip builds it by default; CUNMF_WITH_CUDA=ON in the environment builds
# the CUDA backend too), then the pytest suite python/tests against the installed package, then
# the examples (examples/python) on small sizes.
# Usage: scripts/test-python.sh [venv-dir]   (default: build-venv; it is recreated)
set -euo pipefail
cd "$(dirname "$0")/.."
venv=${1:-build-venv}
rm -rf "$venv"
# --system-site-packages: numpy, scipy and scikit-learn as scripts/install-deps.sh installed them
# (pip still checks the versions pyproject.toml asks for).
python3 -m venv --system-site-packages "$venv"
"$venv/bin/python" -m pip install --quiet --disable-pip-version-check pytest matplotlib
start=$(date +%s)
CMAKE_BUILD_PARALLEL_LEVEL=${CMAKE_BUILD_PARALLEL_LEVEL:-$(nproc)} \
  "$venv/bin/python" -m pip install --disable-pip-version-check --quiet .
echo "pip install . took $(($(date +%s) - start)) s"
# From the repository root: `cunmf` must come from the installed wheel, not from python/ (pytest
# puts python/tests on sys.path, not python/).
"$venv/bin/python" -c 'import cunmf; print("cunmf", cunmf.__version__, "from", cunmf.__file__)
print(cunmf.devices())'
# Exit status 5 means no test was collected: that is a failure here, never a pass.
rc=0
"$venv/bin/python" -m pytest python/tests -q || rc=$?
if [ "$rc" -eq 5 ]; then
  echo "FAILED: pytest collected no tests in python/tests" >&2
fi
[ "$rc" -eq 0 ] || exit "$rc"
# The examples run, on small sizes (their pictures in examples/python/ are from full sizes).
out=$(mktemp -d)
"$venv/bin/python" examples/python/fashion_parts.py --images 500 --rank 4 --max-iter 20 \
  --out "$out/fashion_parts.png"
"$venv/bin/python" examples/python/topics.py --pages 300 --topics 4 --out "$out/topics.png"
"$venv/bin/python" examples/python/loss_vs_time.py --rows 300 --cols 200 --rank 5 \
  --out "$out/loss_vs_time.png"
rm -rf "$out"
