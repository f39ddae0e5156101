#!/usr/bin/env bash
# Runs every GPU test on the emulated CUDA device (no GPU needed): under AddressSanitizer +
# UndefinedBehaviorSanitizer in two seeded orders whose results must agree bit for bit, then under
# ThreadSanitizer (our racecheck).
# RelWithDebInfo, not Debug: a Debug build synchronizes after every launch, which would hide a
# missing synchronization that the emulated device (asynchronous like a GPU) otherwise exposes.
# Usage: scripts/test-emulated.sh [build-dir-prefix]   (default: build-emu)
set -euo pipefail
cd "$(dirname "$0")/.."
prefix=${1:-build-emu}
export PATH=/usr/local/cuda/bin:$PATH
jobs=$(nproc)

cmake -S . -B "$prefix-asan" -G Ninja -DCUNMF_CUDA_EMULATION=ON -DCUNMF_SANITIZE=address \
      -DCUNMF_WERROR=ON -DCUNMF_BUILD_BENCH=OFF -DCMAKE_BUILD_TYPE=RelWithDebInfo
# Only the executables of the tests labelled `gpu` (the CPU tests run in the normal build; building
# them here too cost CI a third of this build for nothing).
cmake --build "$prefix-asan" -j "$jobs" --target cunmf_gpu_tests
# Fibers make ASan's use-after-return detection very costly; it stays off (DESIGN.md).
export ASAN_OPTIONS=detect_stack_use_after_return=0:detect_leaks=1:abort_on_error=0
export UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
# Two passes, each in an order of its own (tests/emulated_cuda/README.md): the threads of a block
# forward in the first and shuffled in the second, the blocks of every grid shuffled by the pass's
# seed in both. A missing barrier leaves a NaN read in forward order when a thread reads what a
# later one writes, and in a shuffle in either direction. Every test process records a digest of
# the bytes the device hands to the host (CUNMF_EMU_DIGEST_DIR), and the two passes must agree
# test by test: a float atomicAdd in a reduction rounds differently when the order changes, which
# no single pass can see. The seeds are random (each CI run tries other orders) unless
# CUNMF_EMU_SEEDS="A B" gives them; each pass prints its settings, which replay it.
read -r seed_a seed_b _ <<< "${CUNMF_EMU_SEEDS:-$(od -An -N8 -tu4 /dev/urandom)}"
if ! [[ "$seed_a" =~ ^[0-9]+$ && "$seed_b" =~ ^[0-9]+$ ]]; then
  echo "CUNMF_EMU_SEEDS='${CUNMF_EMU_SEEDS:-}' is not two unsigned integers" >&2
  exit 2
fi
orders=("CUNMF_EMU_THREAD_ORDER=forward CUNMF_EMU_SEED=$seed_a"
        "CUNMF_EMU_THREAD_ORDER=shuffle CUNMF_EMU_SEED=$seed_b")
digests="$prefix-asan/host-digests"
rm -rf "$digests"
for pass in 0 1; do
  mkdir -p "$digests/$pass"
  echo "== emulated device, ASan+UBSan, pass $((pass + 1)) of 2: ${orders[pass]}"
  env ${orders[pass]} CUNMF_EMU_DIGEST_DIR="$(cd "$digests/$pass" && pwd)" \
    ctest --test-dir "$prefix-asan" -L gpu --output-on-failure -j "$jobs"
done
scripts/compare-host-digests.sh "$digests/0" "$digests/1" "${orders[0]}" "${orders[1]}"

cmake -S . -B "$prefix-tsan" -G Ninja -DCUNMF_CUDA_EMULATION=ON -DCUNMF_SANITIZE=thread \
      -DCUNMF_WERROR=ON -DCUNMF_BUILD_BENCH=OFF -DCMAKE_BUILD_TYPE=RelWithDebInfo
# TSan is our racecheck for kernels: the emulator's tests, cuda_sparse_test (which runs every
# reduction kernel of the project, dense and sparse), cuda_reference_test (both backends' MU and
# cd, Frobenius and KL, against the oracle, dense and CSR: every update kernel, the cd sweeps'
# included — the HALS one and both KL ones of kernels/kl_cd_update.cu) and
# cuda_csr_primitives_test (the CSR check's atomics and the Thrust-based transpose; ~20 s),
# cuda_concurrency_test (two factorizations in two host threads; ~8 s) and cuda_pgd_test's
# CudaMatchesCpuFromSameStart (projected gradient's step kernels, geam and the dot reduction read
# on the host, dense and CSR, over two blocks of rows; ~2 min each precision under TSan; its other
# runs, thousands of launches each, are left to the ASan runs) and cuda_anls_bpp_test's
# CudaMatchesCpuFromSameStart (the block principal pivoting kernel, dense and CSR, over two blocks
# of rows; measured 5-7 s each precision under TSan, 30-50 s while other builds shared the
# cores; the whole binary takes ~2 min under TSan, so its other runs are left to the ASan runs,
# where all of it takes ~12 s) are built and run there;
# cuda_knn_graph_test (the k-NN selection's warp merge and the CSR dot products' __syncwarp),
# cuda_fused_kl_test (both fused KL kernels, dense with its three barriers) and
# cuda_fused_kl_tf32_test (the tensor-core kernel: its shared tiles read by wmma loads, whose
# accesses TSan checks; its product cases took ~12 s under TSan in a harness) are run there too;
# cuda_reference_test's SparseMatchesOracle and cuda_sparse_test's DeviceResidentMatchesHostEntry
# and MatchesCpuSparseFromSameStart are not: the fused sparse KL kernel's shuffle butterfly (five
# warp operations per stored entry, each a fiber switch per lane) took them to 6-15 min each
# under TSan, and cuda_fused_kl_test runs that kernel under TSan already (both ASan passes run
# them; cuda_sparse_test's other cases keep the sparse loss kernels under TSan);
# cuda_mu_test's and cuda_cd_test's kernels are the same as those, and leaving them out keeps CI
# inside its time limit on 2 cores, as does leaving out cuda_als_test (its two kernels are
# barrier-free grid-stride loops; emu_cusolver_test covers the emulated cuSOLVER it calls).
cmake --build "$prefix-tsan" -j "$jobs" --target emu_kernel_execution_test emu_runtime_test \
      emu_cublas_test emu_cusparse_test emu_cusolver_test cuda_sparse_test cuda_reference_test \
      cuda_csr_primitives_test cuda_concurrency_test cuda_pgd_test cuda_anls_bpp_test \
      cuda_knn_graph_test cuda_fused_kl_test cuda_fused_kl_tf32_test
echo "== emulated device, TSan: CUNMF_EMU_THREAD_ORDER=shuffle:1"
# OMP_NUM_THREADS=1: libgomp is not built with TSan, so the CPU reference's OpenMP regions (the
# oracle some GPU tests run) would be reported as races TSan cannot see synchronized.
OMP_NUM_THREADS=1 TSAN_OPTIONS=halt_on_error=1 CUNMF_EMU_THREAD_ORDER=shuffle:1 \
  ctest --test-dir "$prefix-tsan" -L gpu --output-on-failure -j "$jobs" \
  -E 'cuda_pgd_test:.*(MatchesOracle|LossNeverIncreases|RecoversPlantedLowRank|SameSeed|Kkt)|cuda_anls_bpp_test:.*(MatchesOracle|HalfSteps|LossNeverIncreases|RecoversPlanted|SingularGram|SameSeed)|cuda_reference_test:Reference.SparseMatchesOracle|cuda_sparse_test:CudaSparse(Test)?.(DeviceResidentMatchesHostEntry|MatchesCpuSparseFromSameStart)'
