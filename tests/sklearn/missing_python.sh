#!/bin/sh
# Stands in for compare_iterates.py when CMake found no python3: fails with a message, or skips (exit 77,
# the test's SKIP_RETURN_CODE) when CUNMF_ALLOW_SKIP_SKLEARN=1.
msg="python3 was not found when CMake configured; the sklearn_*_iterates tests need python3 with numpy, scipy and scikit-learn (scripts/install-deps.sh installs them)"
if [ "${CUNMF_ALLOW_SKIP_SKLEARN:-}" = 1 ]; then
  echo "SKIPPED: $msg; skipping because CUNMF_ALLOW_SKIP_SKLEARN=1"
  exit 77
fi
echo "FAILED: $msg. Set CUNMF_ALLOW_SKIP_SKLEARN=1 to skip this test instead."
exit 1
