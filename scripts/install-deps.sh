#!/usr/bin/env bash
# Installs the Debian packages cuNMF builds with (the CUDA toolkit itself is expected at
# /usr/local/cuda; without it the CPU-only library is built). Safe to run again.
set -euo pipefail
packages=(cmake ninja-build g++ ccache libeigen3-dev libgtest-dev libgmock-dev libboost-context-dev
          libcli11-dev libbenchmark-dev zlib1g-dev)
# The Python example of Fashion-MNIST's basis images (examples/python/fashion_parts.py).
packages+=(dataset-fashion-mnist)
# The fuzzers (scripts/fuzz.sh): clang with libFuzzer and the sanitizers' runtimes, and clang's
# OpenMP (the library links OpenMP).
packages+=(clang-14 libclang-rt-14-dev libomp-14-dev)
# The scikit-learn comparison tests (tests/sklearn/compare_iterates.py) need python3 with numpy,
# scipy and scikit-learn, and scripts/coverage-emulated.sh needs gcovr; they come from pip below,
# and pip from Debian when python3 has none.
have_python_packages() { python3 -c "import numpy, scipy, sklearn, gcovr" >/dev/null 2>&1; }
if ! have_python_packages && ! python3 -m pip --version >/dev/null 2>&1; then
  packages+=(python3 python3-pip)
fi
# The Python package (scripts/test-python.sh) is built in a virtual environment: Debian's python3
# needs python3-venv for it, and python3-dev for the headers of the extension module. (pip brings
# scikit-build-core and nanobind into the build by itself, from pyproject.toml.)
if ! python3 -c 'import ensurepip, sysconfig, os, sys
sys.exit(not os.path.exists(os.path.join(sysconfig.get_paths()["include"], "Python.h")))' \
    >/dev/null 2>&1; then
  packages+=(python3-venv python3-dev)
fi
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if ((${#missing[@]})); then
  sudo_cmd=""
  [ "$(id -u)" -eq 0 ] || sudo_cmd="sudo"
  $sudo_cmd apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo_cmd apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi
if ! have_python_packages; then
  pip_args=(--quiet --disable-pip-version-check)
  # Debian's own python3 refuses pip outside a virtual environment (PEP 668, EXTERNALLY-MANAGED).
  if python3 -c 'import os, sys, sysconfig
sys.exit(sys.prefix != sys.base_prefix or not os.path.exists(
    os.path.join(sysconfig.get_path("stdlib"), "EXTERNALLY-MANAGED")))'; then
    pip_args+=(--break-system-packages)
    [ "$(id -u)" -eq 0 ] || pip_args+=(--user)
  fi
  python3 -m pip install "${pip_args[@]}" scikit-learn scipy numpy "gcovr>=8.3"
fi
command -v nvcc >/dev/null || [ -x /usr/local/cuda/bin/nvcc ] || \
  echo "note: nvcc not found; the CPU-only library will be built" >&2
