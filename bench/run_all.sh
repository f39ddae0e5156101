#!/usr/bin/env bash
# The whole benchmark suite: cunmf_bench (which also dumps its data and initial factors), then the
# peers on the same data — PyTorch MU (bench/peers/torch_mu.py) and scikit-learn MU and CD
# (bench/peers/sklearn_nmf.py) — then bench/make_report.py, into
# bench/results/DATE-DEVICE/: results.md (tables with the speed-up ratios), loss_vs_time.png, and
# the raw outputs (cunmf.md, cunmf.csv, torch.json, sklearn.json).
#
# With a CUDA device (about 8 minutes on one H100): the CUDA backend on a 16384x8192 dense X and a
# 200000x50000 sparse X with 0.1% non-zeros, k in {16, 32, 64, 128}, 100 iterations; PyTorch on the
# GPU; scikit-learn on the host CPU with 10 iterations per timing and a 240 s budget (time to target
# for k = 16 only).
# Without one (a few minutes on 2 cores): the CPU backend on an 800x600 dense X and an 8000x4000
# sparse X with 0.5% non-zeros, 30 iterations; PyTorch (on the CPU) and scikit-learn if installed.
#
# Environment: BUILD_DIR (default: build), DATA_DIR (default: a temporary folder, removed at the
# end unless KEEP_DATA=1), MODE=gpu|cpu (default: gpu when `cunmf info` reports a device),
# PYTHON (default: python3), RESULTS_DIR (default: bench/results/DATE-DEVICE), CPU_BANDWIDTH and
# CPU_PEAK (B/s and flop/s of this CPU, for the roofline columns of a CPU run), EXTRA_BENCH_ARGS.
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
build_dir=${BUILD_DIR:-$root/build}
bench=$build_dir/bench/cunmf_bench
cli=$build_dir/src/cunmf
python=${PYTHON:-python3}

if [[ ! -x $bench || ! -x $cli ]]; then
  echo "run_all.sh: build first: cmake --build $build_dir --target cunmf_bench cunmf_cli" >&2
  exit 1
fi

mode=${MODE:-}
device_line=$("$cli" info | sed -n 's/^CUDA device *//p')
if [[ -z $mode ]]; then
  if [[ $device_line == none* ]]; then mode=cpu; else mode=gpu; fi
fi

if [[ $mode == gpu ]]; then
  gpu_name=$(nvidia-smi --query-gpu=name --format=csv,noheader 2>/dev/null | head -n 1 || true)
  gpu_name=${gpu_name:-${device_line%% (*}}
  slug=$(echo "$gpu_name" | tr '[:upper:]' '[:lower:]' | sed -e 's/^nvidia //' -e 's/[^a-z0-9]\+/-/g' -e 's/-$//')
  bench_args=(--backend cuda --dense 16384x8192 --sparse 200000x50000 --density 1e-3 --iters 100
              --repeats 3)
  torch_args=(--device cuda)
  sklearn_args=(--max-iter 10 --target-ranks 16 --time-budget 240)
else
  slug="cpu-$(nproc)core"
  bench_args=(--backend cpu --dense 800x600 --sparse 8000x4000 --density 5e-3 --iters 30
              --repeats 3)
  if [[ -n ${CPU_BANDWIDTH:-} && -n ${CPU_PEAK:-} ]]; then
    bench_args+=(--bandwidth "$CPU_BANDWIDTH" --peak "$CPU_PEAK")
  fi
  torch_args=(--device cpu)
  sklearn_args=(--target-ranks "16,32" --time-budget 150)
fi
# shellcheck disable=SC2206
bench_args+=(${EXTRA_BENCH_ARGS:-})

results=${RESULTS_DIR:-$root/bench/results/$(date +%F)-$slug}
mkdir -p "$results"
if [[ -n ${DATA_DIR:-} ]]; then
  data=$DATA_DIR
else
  data=$(mktemp -d "${TMPDIR:-/tmp}/cunmf-bench.XXXXXX")
  [[ ${KEEP_DATA:-0} == 1 ]] || trap 'rm -rf "$data"' EXIT
fi
start=$SECONDS
stage() { echo "== [$((SECONDS - start)) s] $*" >&2; }

stage "cunmf_bench (${mode}): ${bench_args[*]}"
"$bench" "${bench_args[@]}" --csv "$results/cunmf.csv" --dump-data "$data" | tee "$results/cunmf.md"

torch_json=""
if "$python" -c "import torch" 2>/dev/null; then
  stage "PyTorch MU"
  "$python" "$root/bench/peers/torch_mu.py" --data "$data" --out "$results/torch.json" "${torch_args[@]}"
  torch_json=$results/torch.json
else
  stage "PyTorch not installed: skipped"
fi

sklearn_json=""
if "$python" -c "import sklearn, scipy" 2>/dev/null; then
  stage "scikit-learn MU and CD"
  "$python" "$root/bench/peers/sklearn_nmf.py" --data "$data" --out "$results/sklearn.json" "${sklearn_args[@]}"
  sklearn_json=$results/sklearn.json
else
  stage "scikit-learn not installed: skipped"
fi

stage "report"
machine="$(nproc) logical CPUs"
[[ $mode == gpu ]] && machine+=", GPU: $gpu_name"
note_args=(--note "machine: $machine" --note "command: MODE=$mode bench/run_all.sh")
if [[ $mode == cpu ]]; then
  note_args+=(--note "CPU run: the cuNMF CPU backend (Eigen + OpenMP) is the reference path, not the fast one; PyTorch runs on the CPU too")
fi
"$python" "$root/bench/make_report.py" --data "$data" --torch "$torch_json" --sklearn "$sklearn_json" \
  --out-dir "$results" --title "cuNMF benchmark, $slug" "${note_args[@]}"
{
  echo
  echo "## cuNMF against the roofline (cunmf_bench)"
  echo
  sed -n '/^backend /,$p' "$results/cunmf.md"
} >> "$results/results.md"
stage "done: $results"
