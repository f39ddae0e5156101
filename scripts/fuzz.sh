#!/usr/bin/env bash
# Builds the libFuzzer targets (tests/fuzz, clang, ASan+UBSan) in build-fuzz and runs each for N
# seconds from its seed corpus (tests/fuzz/corpus/<target>/, never written to: new inputs go to
# build-fuzz/corpus/<target>/, kept between runs). Over-allocation is a finding: at most 1 GiB in
# one allocation, 2 GiB resident. Exits non-zero on a finding; its input is saved as
# build-fuzz/findings/<target>/crash-* (or oom-*, timeout-*, leak-*): reproduce it with
#   build-fuzz/tests/fuzz/fuzz_<target> build-fuzz/findings/<target>/crash-...
# Usage: scripts/fuzz.sh [seconds-per-target] [target...]   (default: 60 s; npy mtx csv checkpoint cli)
# A long campaign is the same with a large N, e.g. scripts/fuzz.sh 3600 mtx.
set -euo pipefail
cd "$(dirname "$0")/.."
seconds=${1:-60}
shift || true
targets=("$@")
((${#targets[@]})) || targets=(npy mtx csv checkpoint cli)
build=build-fuzz

cc=clang-14 cxx=clang++-14
command -v "$cxx" >/dev/null || { cc=clang; cxx=clang++; }
CC=$cc CXX=$cxx cmake -S . -B "$build" -G Ninja -DCUNMF_BUILD_FUZZERS=ON -DCUNMF_WITH_CUDA=OFF \
  -DCUNMF_BUILD_TESTS=OFF -DCUNMF_BUILD_BENCH=OFF -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
cmake --build "$build" -j "$(nproc)" --target "${targets[@]/#/fuzz_}"

export ASAN_OPTIONS=detect_leaks=1:abort_on_error=0
export UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
failed=()
for t in "${targets[@]}"; do
  mkdir -p "$build/corpus/$t" "$build/findings/$t"
  log="$build/findings/$t/last-run.log"
  echo "== fuzz_$t: $seconds s"
  status=0
  # One process (-jobs would need the cores CI shares); -timeout: an input taking 10 s is a hang.
  "$build/tests/fuzz/fuzz_$t" -max_total_time="$seconds" -max_len=4096 -timeout=10 \
    -rss_limit_mb=2048 -malloc_limit_mb=1024 -print_final_stats=1 \
    -artifact_prefix="$build/findings/$t/" "$build/corpus/$t" "tests/fuzz/corpus/$t" \
    >"$log" 2>&1 || status=$?
  runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log")
  echo "fuzz_$t: ${runs:-?} executions, exit status $status"
  if ((status != 0)); then
    tail -n 40 "$log"
    failed+=("$t")
  fi
done
if ((${#failed[@]})); then
  echo "fuzzing found problems in: ${failed[*]} (inputs under $build/findings/)" >&2
  exit 1
fi
