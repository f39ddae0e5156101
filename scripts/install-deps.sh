#!/usr/bin/env bash
# Installs the Debian packages cuNMF builds with (the CUDA toolkit itself is expected at
# /usr/local/cuda; without it the CPU-only library is built). Safe to run again.
set -euo pipefail
packages=(cmake ninja-build g++ ccache libeigen3-dev libgtest-dev libgmock-dev libboost-context-dev
          libcli11-dev libbenchmark-dev)
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
command -v nvcc >/dev/null || [ -x /usr/local/cuda/bin/nvcc ] || \
  echo "note: nvcc not found; the CPU-only library will be built" >&2
