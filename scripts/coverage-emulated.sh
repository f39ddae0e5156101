#!/usr/bin/env bash
# Line and branch coverage of the CUDA backend (src/cuda/ and kernels/) by the GPU tests, run on the
# emulated CUDA device (no GPU needed), and a check against the thresholds of issue 18:
# ≥ 97 % of lines and ≥ 80 % of branches, in total over those two folders.
#
# What is counted, and why:
# - Only src/cuda/ and kernels/ (their .cpp/.cu and the headers they include), the code that only
#   the GPU tests (`ctest -L gpu`) can reach; the CPU backend, the solvers and the rest are the CPU
#   tests' business. The build instruments just those sources (CMake's CUNMF_COVERAGE: --coverage
#   and -Og, so a counted line or branch is one of the source yet the kernels run at a usable speed),
#   never the emulator or GoogleTest.
# - No sanitizer: coverage does not depend on it, and the suite runs 2-3 times faster without.
# - Branches are gcov's, less two kinds that are not decisions of our source:
#   --exclude-throw-branches drops the edges the compiler adds for an exception unwinding through a
#   call (every call that may throw has one; testing each would mean throwing from every call), and
#   --exclude-unreachable-branches drops branches on lines without code of their own (a closing
#   brace's destructor calls). Both are gcovr's standard options for C++.
# - Lines are source lines (--merge-lines): a line of a template counts once, covered when some
#   instance runs it, as gcov and lcov count it. gcovr 8 otherwise counts a copy per instance, so a
#   line of a kernel instantiated for float/double × int32/int64 counted four times, and the dense
#   branches of the int64 instances of code templated on a CSR index type (which no dense input
#   reaches: the index type only matters for CSR) counted as missed though nothing could run them.
#   Lines without code of their own (a lone closing brace or `else`) are not counted
#   (--exclude-noncode-lines): gcov attributes exception clean-up to them.
# - A test failure fails the script too (after the report).
# Needs gcovr ≥ 8.3 (pip; scripts/install-deps.sh installs it). The HTML report with the uncovered lines
# marked is written to <build-dir>/coverage/index.html.
# Usage: scripts/coverage-emulated.sh [build-dir]   (default: build-emu-cov)
set -euo pipefail
cd "$(dirname "$0")/.."
build=${1:-build-emu-cov}
min_lines=97
min_branches=80
export PATH=/usr/local/cuda/bin:$PATH
jobs=$(nproc)
python3 -m gcovr --help 2>/dev/null | grep -q -- --merge-lines || {
  echo "gcovr 8.3 or later not found: python3 -m pip install 'gcovr>=8.3' (scripts/install-deps.sh)" >&2
  exit 2
}

cmake -S . -B "$build" -G Ninja -DCUNMF_CUDA_EMULATION=ON -DCUNMF_COVERAGE=ON \
      -DCUNMF_WERROR=ON -DCUNMF_BUILD_BENCH=OFF -DCMAKE_BUILD_TYPE=RelWithDebInfo
cmake --build "$build" -j "$jobs" --target cunmf_gpu_tests
# Counters start at zero: a previous run's .gcda files would add to this one's.
find "$build" -name '*.gcda' -delete
tests_status=0
ctest --test-dir "$build" -L gpu -LE emulator --output-on-failure -j "$jobs" || tests_status=$?

report="$build/coverage"
rm -rf "$report"
mkdir -p "$report"
python3 -m gcovr --root . --object-directory "$build" -j "$jobs" \
      --filter 'src/cuda/' --filter 'kernels/' \
      --exclude-throw-branches --exclude-unreachable-branches --gcov-suspicious-hits-threshold 0 \
      --merge-lines --exclude-noncode-lines \
      --json-summary-pretty --json-summary "$report/summary.json" \
      --html-details "$report/index.html" --print-summary

coverage_status=0
python3 - "$report/summary.json" "$min_lines" "$min_branches" <<'EOF' || coverage_status=$?
import json, sys
summary = json.load(open(sys.argv[1]))
min_lines, min_branches = float(sys.argv[2]), float(sys.argv[3])
def percent(covered, total):
    return 100.0 * covered / total if total else 100.0
row = "{:<40} {:>7} {:>7} {:>7}   {:>7} {:>7} {:>7}"
print(row.format("file", "lines", "missed", "%", "branches", "missed", "%"))
for f in sorted(summary["files"], key=lambda f: f["filename"]):
    print(row.format(f["filename"], f["line_total"], f["line_total"] - f["line_covered"],
                     "%.1f" % percent(f["line_covered"], f["line_total"]),
                     f["branch_total"], f["branch_total"] - f["branch_covered"],
                     "%.1f" % percent(f["branch_covered"], f["branch_total"])))
lines = percent(summary["line_covered"], summary["line_total"])
branches = percent(summary["branch_covered"], summary["branch_total"])
print(row.format("TOTAL (src/cuda, kernels)", summary["line_total"],
                 summary["line_total"] - summary["line_covered"], "%.1f" % lines,
                 summary["branch_total"], summary["branch_total"] - summary["branch_covered"],
                 "%.1f" % branches))
failed = False
if lines < min_lines:
    print(f"line coverage {lines:.1f} % is below {min_lines:g} %", file=sys.stderr)
    failed = True
if branches < min_branches:
    print(f"branch coverage {branches:.1f} % is below {min_branches:g} %", file=sys.stderr)
    failed = True
sys.exit(1 if failed else 0)
EOF
echo "HTML report: $report/index.html"
if ((tests_status)); then
  echo "the GPU tests failed (ctest exit status $tests_status)" >&2
  exit "$tests_status"
fi
exit "$coverage_status"
