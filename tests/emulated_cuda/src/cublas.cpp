// The cuBLAS subset of the emulated device: handles (stream, pointer mode, math mode), GEMM, GEMV,
// GEAM and DOT in single and double precision, and the status names. The functions have the exact
// C signatures of <cublas_v2.h> (cublasSgemm is a macro for cublasSgemm_v2, and so on) and replace
// libcublas at link time. The math is plain loops, ordered for the cache, run on the handle's
// stream when the host synchronizes with it.
//
// What each emulated call supports, after the cuBLAS documentation of CUDA 13.0. Anything outside
// it is rejected with the status the real library gives. "(emulator)" marks rejections the real
// library does not make, where it would do something the emulated device does not emulate.
//
// clang-format off
//  call                       supported                             rejected (status)
//  -------------------------  ------------------------------------  ------------------------------
//  every call below           a handle from cublasCreate            null or destroyed handle
//                                                                   (NOT_INITIALIZED)
//  cublasCreate               -                                     handle NULL (INVALID_VALUE);
//                                                                   device in an error state
//                                                                   (NOT_INITIALIZED)
//  cublasDestroy              waits for the device first            -
//  cublasSetStream/Get        any stream; 0 is the legacy default   Get(NULL) (INVALID_VALUE)
//  cublasSetPointerMode/Get   CUBLAS_POINTER_MODE_HOST, _DEVICE     other modes, Get(NULL)
//                                                                   (INVALID_VALUE)
//  cublasSetMathMode/Get      CUBLAS_DEFAULT_MATH, _PEDANTIC_MATH,  CUBLAS_TENSOR_OP_MATH,
//                             CUBLAS_TF32_TENSOR_OP_MATH, each      _FP32_EMULATED_BF16X9_MATH,
//                             optionally | CUBLAS_MATH_DISALLOW_    _FP64_EMULATED_FIXEDPOINT_MATH
//                             REDUCED_PRECISION_REDUCTION           (NOT_SUPPORTED, emulator);
//                                                                   other values (INVALID_VALUE)
//  cublas{S,D}gemm            C = alpha op(A) op(B) + beta C;       m, n or k < 0; op not N/T/C;
//                             op N, T, C (C = T for real types);    lda < max(1, m) for op N,
//                             TF32 math mode rounds S inputs to     < max(1, k) otherwise;
//                             TF32; beta == 0: C is not read;       ldb < max(1, k) for op N,
//                             alpha == 0 or k == 0: C = beta C,     < max(1, n) otherwise;
//                             A and B are not read                  ldc < max(1, m); alpha or
//                                                                   beta NULL (INVALID_VALUE)
//  cublas{S,D}gemv            y = alpha op(A) x + beta y; op N, T,  m or n < 0; op not N/T/C;
//                             C (= T); increments of either sign;   lda < max(1, m); incx or
//                             beta == 0: y is not read;             incy == 0; alpha or beta
//                             alpha == 0: A and x are not read      NULL (INVALID_VALUE)
//  cublas{S,D}geam            C = alpha op(A) + beta op(B); op N,   m or n < 0; op not N/T/C;
//                             T, C (= T); in place C == A with op   lda, ldb < max(1, rows of
//                             N and lda == ldc, C == B with op N    their storage); ldc <
//                             and ldb == ldc; alpha == 0: A is not  max(1, m); C == A or C == B
//                             read; beta == 0: B is not read        otherwise; alpha or beta
//                                                                   NULL (INVALID_VALUE)
//  cublas{S,D}dot             result in host memory (the call       result NULL (INVALID_VALUE)
//                             waits for its stream) or in device
//                             memory (queued); n <= 0 gives 0
//  cublasGetStatusName/String every cublasStatus_t                  unknown values give
//                                                                   "unrecognized status"
// clang-format on
//
// Checks a GPU does not make but the emulated device does, printing why on stderr (INVALID_VALUE,
// emulator): each matrix or vector the call reads or writes lies inside one live device
// allocation, over its whole extent (from its leading dimension or increment); alpha, beta and a
// dot result are where the pointer mode says. After a device fault, or on a destroyed stream, calls
// return EXECUTION_FAILED, as a launch into a dead context does. Products accumulate in the type's
// own precision, in increasing order of the summation index.
#include <cublas_v2.h>

#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <type_traits>
#include <vector>

#include "cunmf_emu/runtime_hooks.hpp"
#include "cunmf_emu/tf32.hpp"
#include "device_memory.hpp"
#include "handle_registry.hpp"
#include "runtime_internal.hpp"

namespace cunmf_emu::detail {
namespace {

/// A cuBLAS handle's settings; cublasHandle_t points at one.
struct Handle {
  cudaStream_t stream = nullptr;
  cublasPointerMode_t pointer_mode = CUBLAS_POINTER_MODE_HOST;
  cublasMath_t math_mode = CUBLAS_DEFAULT_MATH;
};

HandleRegistry<Handle> g_handles;

/// The live handle behind `h`, its settings copied out: work queued on a stream uses the settings
/// of the call that queued it. False when `h` is not a live handle.
bool find_handle(cublasHandle_t h, Handle* settings) { return g_handles.find(h, settings); }

bool is_op(cublasOperation_t op) {
  return op == CUBLAS_OP_N || op == CUBLAS_OP_T || op == CUBLAS_OP_C;
}

/// alpha or beta: its value (host pointer mode, read at the call) or its address in device
/// memory (device pointer mode, read when the queued work runs).
template <class T>
struct Scalar {
  T value{};
  const T* device = nullptr;
  T get() const { return device != nullptr ? *device : value; }
  /// False only when it is known now to be zero (then the operand it scales is not read).
  bool may_be_nonzero() const { return device != nullptr || value != T(0); }
};

template <class T>
cublasStatus_t read_scalar(const Handle& h, const T* p, const char* api, const char* name,
                           Scalar<T>* out) {
  if (h.pointer_mode == CUBLAS_POINTER_MODE_DEVICE) {
    if (!check_device_range(p, sizeof(T), api, name)) return CUBLAS_STATUS_INVALID_VALUE;
    out->device = p;
    return CUBLAS_STATUS_SUCCESS;
  }
  if (find_live(p) || find_freed(p)) {
    std::fprintf(stderr,
                 "cunmf_emu: %s: %s (%p) is device memory, but the handle's pointer mode is "
                 "CUBLAS_POINTER_MODE_HOST\n",
                 api, name, static_cast<const void*>(p));
    return CUBLAS_STATUS_INVALID_VALUE;
  }
  out->value = *p;
  return CUBLAS_STATUS_SUCCESS;
}

/// Checks the whole extent of a rows x cols column-major operand with leading dimension ld.
template <class T>
bool check_matrix(const T* p, int rows, int cols, int ld, const char* api, const char* name) {
  if (rows == 0 || cols == 0) return true;
  const std::size_t elements = static_cast<std::size_t>(ld) * (cols - 1) + rows;
  return check_device_range(p, elements * sizeof(T), api, name);
}

/// Checks the whole extent of a vector of `len` elements `inc` apart.
template <class T>
bool check_vector(const T* p, int len, int inc, const char* api, const char* name) {
  if (len <= 0) return true;
  const std::size_t elements = static_cast<std::size_t>(len - 1) * std::abs(inc) + 1;
  return check_device_range(p, elements * sizeof(T), api, name);
}

/// Checks an input operand scaled by `s`: not needed when s is known to be zero; in device
/// pointer mode a null operand is left for the queued work to fault on if s turns out nonzero.
template <class T, class Check>
bool check_scaled_input(const Scalar<T>& s, const T* p, Check check) {
  if (!s.may_be_nonzero()) return true;
  if (s.device != nullptr && p == nullptr) return true;
  return check();
}

/// Faults (inside queued work) when an operand that is needed after all is null.
void require_operand(const void* p, const char* api, const char* name) {
  if (p == nullptr) {
    throw KernelFault(std::string(api) + ": " + name +
                      " is null but its scalar is nonzero (device pointer mode)");
  }
}

/// The common status checks after argument validation: a dead device or stream fails the launch.
cublasStatus_t check_launch(const Handle& h, const char* api) {
  if (sticky_error() != cudaSuccess) return CUBLAS_STATUS_EXECUTION_FAILED;
  if (!is_valid_stream(h.stream)) {
    std::fprintf(stderr, "cunmf_emu: %s: the handle's stream %p is not a live stream\n", api,
                 static_cast<void*>(h.stream));
    return CUBLAS_STATUS_EXECUTION_FAILED;
  }
  return CUBLAS_STATUS_SUCCESS;
}

/// Element e of a BLAS vector: a negative increment walks it from its far end. (T may be const.)
template <class T>
T& element(T* v, int len, int inc, int e) {
  const std::int64_t index = inc > 0 ? std::int64_t{e} * inc : std::int64_t{len - 1 - e} * -inc;
  return v[index];
}

/// C = beta C for an m x n block (beta == 0 writes zeros without reading C).
template <class T>
void scale_matrix(int m, int n, T beta, T* C, int ldc) {
  if (beta == T(1)) return;
  for (int j = 0; j < n; ++j) {
    T* c = C + static_cast<std::size_t>(j) * ldc;
    for (int i = 0; i < m; ++i) c[i] = beta == T(0) ? T(0) : beta * c[i];
  }
}

// ---- GEMM ------------------------------------------------------------------------------------

template <class T>
struct GemmArgs {
  const char* api;
  bool trans_a, trans_b;
  int m, n, k;
  Scalar<T> alpha, beta;
  const T* A;
  int lda;
  const T* B;
  int ldb;
  T* C;
  int ldc;
  bool tf32;
};

/// C = alpha op(A) op(B) + beta C, one column of C at a time: column j of op(B) is gathered
/// first, then the sums run down contiguous columns of A (op N) or as dot products along
/// contiguous columns of A (op T). Either way each sum adds l = 0, 1, ..., k-1 in order, in T.
template <class T>
void gemm_work(const GemmArgs<T>& g) {
  const T alpha = g.alpha.get();
  const T beta = g.beta.get();
  if (alpha == T(0) || g.k == 0) {
    scale_matrix(g.m, g.n, beta, g.C, g.ldc);
    return;
  }
  require_operand(g.A, g.api, "A");
  require_operand(g.B, g.api, "B");
  auto input = [tf32 = g.tf32](T x) {
    if constexpr (std::is_same_v<T, float>) {
      return tf32 ? cunmf_emu::round_to_tf32(x) : x;
    } else {
      return x;
    }
  };
  std::vector<T> b_column(g.k);
  std::vector<T> sum(g.m);
  for (int j = 0; j < g.n; ++j) {
    for (int l = 0; l < g.k; ++l) {
      const std::size_t at = g.trans_b ? j + static_cast<std::size_t>(l) * g.ldb
                                       : l + static_cast<std::size_t>(j) * g.ldb;
      b_column[l] = input(g.B[at]);
    }
    if (!g.trans_a) {
      std::fill(sum.begin(), sum.end(), T(0));
      for (int l = 0; l < g.k; ++l) {
        const T* a = g.A + static_cast<std::size_t>(l) * g.lda;
        const T b = b_column[l];
        for (int i = 0; i < g.m; ++i) sum[i] += input(a[i]) * b;
      }
    } else {
      for (int i = 0; i < g.m; ++i) {
        const T* a = g.A + static_cast<std::size_t>(i) * g.lda;
        T s = T(0);
        for (int l = 0; l < g.k; ++l) s += input(a[l]) * b_column[l];
        sum[i] = s;
      }
    }
    T* c = g.C + static_cast<std::size_t>(j) * g.ldc;
    if (beta == T(0)) {
      for (int i = 0; i < g.m; ++i) c[i] = alpha * sum[i];
    } else {
      for (int i = 0; i < g.m; ++i) c[i] = alpha * sum[i] + beta * c[i];
    }
  }
}

template <class T>
cublasStatus_t gemm(const char* api, cublasHandle_t handle, cublasOperation_t transa,
                    cublasOperation_t transb, int m, int n, int k, const T* alpha, const T* A,
                    int lda, const T* B, int ldb, const T* beta, T* C, int ldc) {
  Handle h;
  if (!find_handle(handle, &h)) return CUBLAS_STATUS_NOT_INITIALIZED;
  if (!is_op(transa) || !is_op(transb) || m < 0 || n < 0 || k < 0) {
    return CUBLAS_STATUS_INVALID_VALUE;
  }
  const bool ta = transa != CUBLAS_OP_N;
  const bool tb = transb != CUBLAS_OP_N;
  const int a_rows = ta ? k : m;  // A's storage is a_rows x a_cols
  const int b_rows = tb ? n : k;
  if (lda < std::max(1, a_rows) || ldb < std::max(1, b_rows) || ldc < std::max(1, m)) {
    return CUBLAS_STATUS_INVALID_VALUE;
  }
  if (alpha == nullptr || beta == nullptr) return CUBLAS_STATUS_INVALID_VALUE;
  if (const cublasStatus_t s = check_launch(h, api)) return s;
  GemmArgs<T> g{api, ta, tb, m, n, k, {}, {}, A, lda, B, ldb, C, ldc, false};
  if (const cublasStatus_t s = read_scalar(h, alpha, api, "alpha", &g.alpha)) return s;
  if (const cublasStatus_t s = read_scalar(h, beta, api, "beta", &g.beta)) return s;
  if (m == 0 || n == 0) return CUBLAS_STATUS_SUCCESS;
  const bool inputs_ok =
      k == 0 ||
      (check_scaled_input(g.alpha, A,
                          [&] { return check_matrix(A, a_rows, ta ? m : k, lda, api, "A"); }) &&
       check_scaled_input(g.alpha, B,
                          [&] { return check_matrix(B, b_rows, tb ? k : n, ldb, api, "B"); }));
  if (!inputs_ok || !check_matrix<T>(C, m, n, ldc, api, "C")) return CUBLAS_STATUS_INVALID_VALUE;
  g.tf32 = std::is_same_v<T, float> && (h.math_mode & 0xF) == CUBLAS_TF32_TENSOR_OP_MATH;
  enqueue(h.stream, [g] { gemm_work(g); });
  return CUBLAS_STATUS_SUCCESS;
}

// ---- GEMV ------------------------------------------------------------------------------------

template <class T>
struct GemvArgs {
  const char* api;
  bool trans;
  int m, n;
  Scalar<T> alpha, beta;
  const T* A;
  int lda;
  const T* x;
  int incx;
  T* y;
  int incy;
};

/// y = alpha op(A) x + beta y; A is walked down its contiguous columns in both cases.
template <class T>
void gemv_work(const GemvArgs<T>& g) {
  const T alpha = g.alpha.get();
  const T beta = g.beta.get();
  const int len_x = g.trans ? g.m : g.n;
  const int len_y = g.trans ? g.n : g.m;
  if (alpha == T(0)) {
    for (int e = 0; e < len_y; ++e) {
      T& y = element(g.y, len_y, g.incy, e);
      y = beta == T(0) ? T(0) : beta * y;
    }
    return;
  }
  require_operand(g.A, g.api, "A");
  require_operand(g.x, g.api, "x");
  std::vector<T> x(len_x);
  for (int e = 0; e < len_x; ++e) x[e] = element(g.x, len_x, g.incx, e);
  std::vector<T> sum(len_y, T(0));
  for (int j = 0; j < g.n; ++j) {
    const T* a = g.A + static_cast<std::size_t>(j) * g.lda;
    if (!g.trans) {
      const T xj = x[j];
      for (int i = 0; i < g.m; ++i) sum[i] += a[i] * xj;
    } else {
      T s = T(0);
      for (int i = 0; i < g.m; ++i) s += a[i] * x[i];
      sum[j] = s;
    }
  }
  for (int e = 0; e < len_y; ++e) {
    T& y = element(g.y, len_y, g.incy, e);
    y = beta == T(0) ? alpha * sum[e] : alpha * sum[e] + beta * y;
  }
}

template <class T>
cublasStatus_t gemv(const char* api, cublasHandle_t handle, cublasOperation_t trans, int m, int n,
                    const T* alpha, const T* A, int lda, const T* x, int incx, const T* beta, T* y,
                    int incy) {
  Handle h;
  if (!find_handle(handle, &h)) return CUBLAS_STATUS_NOT_INITIALIZED;
  if (!is_op(trans) || m < 0 || n < 0 || lda < std::max(1, m) || incx == 0 || incy == 0) {
    return CUBLAS_STATUS_INVALID_VALUE;
  }
  if (alpha == nullptr || beta == nullptr) return CUBLAS_STATUS_INVALID_VALUE;
  if (const cublasStatus_t s = check_launch(h, api)) return s;
  const bool t = trans != CUBLAS_OP_N;
  GemvArgs<T> g{api, t, m, n, {}, {}, A, lda, x, incx, y, incy};
  if (const cublasStatus_t s = read_scalar(h, alpha, api, "alpha", &g.alpha)) return s;
  if (const cublasStatus_t s = read_scalar(h, beta, api, "beta", &g.beta)) return s;
  if (m == 0 || n == 0) return CUBLAS_STATUS_SUCCESS;  // as the reference BLAS: y untouched
  const int len_x = t ? m : n;
  const int len_y = t ? n : m;
  const bool ok =
      check_scaled_input(g.alpha, A, [&] { return check_matrix(A, m, n, lda, api, "A"); }) &&
      check_scaled_input(g.alpha, x, [&] { return check_vector(x, len_x, incx, api, "x"); }) &&
      check_vector<T>(y, len_y, incy, api, "y");
  if (!ok) return CUBLAS_STATUS_INVALID_VALUE;
  enqueue(h.stream, [g] { gemv_work(g); });
  return CUBLAS_STATUS_SUCCESS;
}

// ---- GEAM ------------------------------------------------------------------------------------

template <class T>
struct GeamArgs {
  const char* api;
  bool trans_a, trans_b;
  int m, n;
  Scalar<T> alpha, beta;
  const T* A;
  int lda;
  const T* B;
  int ldb;
  T* C;
  int ldc;
};

template <class T>
void geam_work(const GeamArgs<T>& g) {
  const T alpha = g.alpha.get();
  const T beta = g.beta.get();
  const bool use_a = alpha != T(0);
  const bool use_b = beta != T(0);
  if (use_a) require_operand(g.A, g.api, "A");
  if (use_b) require_operand(g.B, g.api, "B");
  auto at = [](const T* p, bool trans, int ld, int i, int j) {
    return trans ? p[j + static_cast<std::size_t>(i) * ld]
                 : p[i + static_cast<std::size_t>(j) * ld];
  };
  for (int j = 0; j < g.n; ++j) {
    T* c = g.C + static_cast<std::size_t>(j) * g.ldc;
    for (int i = 0; i < g.m; ++i) {
      T v = T(0);
      if (use_a) v = alpha * at(g.A, g.trans_a, g.lda, i, j);
      if (use_b)
        v = use_a ? v + beta * at(g.B, g.trans_b, g.ldb, i, j)
                  : beta * at(g.B, g.trans_b, g.ldb, i, j);
      c[i] = v;
    }
  }
}

template <class T>
cublasStatus_t geam(const char* api, cublasHandle_t handle, cublasOperation_t transa,
                    cublasOperation_t transb, int m, int n, const T* alpha, const T* A, int lda,
                    const T* beta, const T* B, int ldb, T* C, int ldc) {
  Handle h;
  if (!find_handle(handle, &h)) return CUBLAS_STATUS_NOT_INITIALIZED;
  if (!is_op(transa) || !is_op(transb) || m < 0 || n < 0) return CUBLAS_STATUS_INVALID_VALUE;
  const bool ta = transa != CUBLAS_OP_N;
  const bool tb = transb != CUBLAS_OP_N;
  const int a_rows = ta ? n : m;
  const int b_rows = tb ? n : m;
  if (lda < std::max(1, a_rows) || ldb < std::max(1, b_rows) || ldc < std::max(1, m)) {
    return CUBLAS_STATUS_INVALID_VALUE;
  }
  // In place is allowed only where each element reads exactly the element it writes.
  if ((C == A && (ta || lda != ldc)) || (C == B && (tb || ldb != ldc))) {
    return CUBLAS_STATUS_INVALID_VALUE;
  }
  if (alpha == nullptr || beta == nullptr) return CUBLAS_STATUS_INVALID_VALUE;
  if (const cublasStatus_t s = check_launch(h, api)) return s;
  GeamArgs<T> g{api, ta, tb, m, n, {}, {}, A, lda, B, ldb, C, ldc};
  if (const cublasStatus_t s = read_scalar(h, alpha, api, "alpha", &g.alpha)) return s;
  if (const cublasStatus_t s = read_scalar(h, beta, api, "beta", &g.beta)) return s;
  if (m == 0 || n == 0) return CUBLAS_STATUS_SUCCESS;
  const bool ok =
      check_scaled_input(g.alpha, A,
                         [&] { return check_matrix(A, a_rows, ta ? m : n, lda, api, "A"); }) &&
      check_scaled_input(g.beta, B,
                         [&] { return check_matrix(B, b_rows, tb ? m : n, ldb, api, "B"); }) &&
      check_matrix<T>(C, m, n, ldc, api, "C");
  if (!ok) return CUBLAS_STATUS_INVALID_VALUE;
  enqueue(h.stream, [g] { geam_work(g); });
  return CUBLAS_STATUS_SUCCESS;
}

// ---- DOT -------------------------------------------------------------------------------------

template <class T>
cublasStatus_t dot(const char* api, cublasHandle_t handle, int n, const T* x, int incx, const T* y,
                   int incy, T* result) {
  Handle h;
  if (!find_handle(handle, &h)) return CUBLAS_STATUS_NOT_INITIALIZED;
  if (result == nullptr) return CUBLAS_STATUS_INVALID_VALUE;
  if (const cublasStatus_t s = check_launch(h, api)) return s;
  const bool device_result = h.pointer_mode == CUBLAS_POINTER_MODE_DEVICE;
  if (device_result) {
    if (!check_device_range(result, sizeof(T), api, "result")) return CUBLAS_STATUS_INVALID_VALUE;
  } else if (find_live(result) || find_freed(result)) {
    std::fprintf(stderr,
                 "cunmf_emu: %s: result (%p) is device memory, but the handle's pointer mode is "
                 "CUBLAS_POINTER_MODE_HOST\n",
                 api, static_cast<void*>(result));
    return CUBLAS_STATUS_INVALID_VALUE;
  }
  if (!check_vector(x, n, incx, api, "x") || !check_vector(y, n, incy, api, "y")) {
    return CUBLAS_STATUS_INVALID_VALUE;
  }
  enqueue(h.stream, [n, x, incx, y, incy, result, device_result] {
    T s = T(0);
    for (int e = 0; e < n; ++e) {
      s += element(x, n, incx, e) * element(y, n, incy, e);
    }
    *result = s;
    if (!device_result) add_to_host_digest(result, sizeof(T));
  });
  // A host result must be there when the call returns, so the call waits for its stream.
  if (!device_result && cudaStreamSynchronize(h.stream) != cudaSuccess) {
    return CUBLAS_STATUS_EXECUTION_FAILED;
  }
  return CUBLAS_STATUS_SUCCESS;
}

struct StatusText {
  cublasStatus_t status;
  const char* name;
  const char* text;
};
// The names and descriptions libcublas 13.0 gives.
constexpr StatusText kStatusTexts[] = {
    {CUBLAS_STATUS_SUCCESS, "CUBLAS_STATUS_SUCCESS", "success"},
    {CUBLAS_STATUS_NOT_INITIALIZED, "CUBLAS_STATUS_NOT_INITIALIZED",
     "the library was not initialized"},
    {CUBLAS_STATUS_ALLOC_FAILED, "CUBLAS_STATUS_ALLOC_FAILED", "the resource allocation failed"},
    {CUBLAS_STATUS_INVALID_VALUE, "CUBLAS_STATUS_INVALID_VALUE",
     "an unsupported value or parameter was passed to the function"},
    {CUBLAS_STATUS_ARCH_MISMATCH, "CUBLAS_STATUS_ARCH_MISMATCH",
     "the function requires an architectural feature absent from the device"},
    {CUBLAS_STATUS_MAPPING_ERROR, "CUBLAS_STATUS_MAPPING_ERROR",
     "an access to GPU memory space failed"},
    {CUBLAS_STATUS_EXECUTION_FAILED, "CUBLAS_STATUS_EXECUTION_FAILED",
     "the function failed to launch on the GPU"},
    {CUBLAS_STATUS_INTERNAL_ERROR, "CUBLAS_STATUS_INTERNAL_ERROR", "an internal operation failed"},
    {CUBLAS_STATUS_NOT_SUPPORTED, "CUBLAS_STATUS_NOT_SUPPORTED",
     "the requested functionality is not supported"},
    {CUBLAS_STATUS_LICENSE_ERROR, "CUBLAS_STATUS_LICENSE_ERROR", "the license check failed"},
};

const StatusText* find_status_text(cublasStatus_t status) {
  for (const StatusText& s : kStatusTexts) {
    if (s.status == status) return &s;
  }
  return nullptr;
}

}  // namespace

std::size_t live_cublas_handles() { return g_handles.size(); }

}  // namespace cunmf_emu::detail

// ---- The cuBLAS API ----------------------------------------------------------------------------
// Inside extern "C" so that a signature differing from <cublas_api.h> is a compile error.

namespace d = cunmf_emu::detail;

extern "C" {

cublasStatus_t cublasCreate_v2(cublasHandle_t* handle) {
  if (handle == nullptr) return CUBLAS_STATUS_INVALID_VALUE;
  if (d::sticky_error() != cudaSuccess) return CUBLAS_STATUS_NOT_INITIALIZED;
  if (d::take_handle_creation_failure(cunmf_emu::Library::Cublas)) return CUBLAS_STATUS_ALLOC_FAILED;
  *handle = reinterpret_cast<cublasHandle_t>(d::g_handles.create());
  return CUBLAS_STATUS_SUCCESS;
}

cublasStatus_t cublasDestroy_v2(cublasHandle_t handle) {
  return d::g_handles.destroy(handle) ? CUBLAS_STATUS_SUCCESS : CUBLAS_STATUS_NOT_INITIALIZED;
}

cublasStatus_t cublasSetStream_v2(cublasHandle_t handle, cudaStream_t streamId) {
  const bool live = d::g_handles.update(handle, [&](d::Handle& h) { h.stream = streamId; });
  return live ? CUBLAS_STATUS_SUCCESS : CUBLAS_STATUS_NOT_INITIALIZED;
}

cublasStatus_t cublasGetStream_v2(cublasHandle_t handle, cudaStream_t* streamId) {
  d::Handle h;
  if (!d::find_handle(handle, &h)) return CUBLAS_STATUS_NOT_INITIALIZED;
  if (streamId == nullptr) return CUBLAS_STATUS_INVALID_VALUE;
  *streamId = h.stream;
  return CUBLAS_STATUS_SUCCESS;
}

cublasStatus_t cublasSetPointerMode_v2(cublasHandle_t handle, cublasPointerMode_t mode) {
  d::Handle h;
  if (!d::find_handle(handle, &h)) return CUBLAS_STATUS_NOT_INITIALIZED;
  if (mode != CUBLAS_POINTER_MODE_HOST && mode != CUBLAS_POINTER_MODE_DEVICE) {
    return CUBLAS_STATUS_INVALID_VALUE;
  }
  const bool live =
      d::g_handles.update(handle, [&](d::Handle& settings) { settings.pointer_mode = mode; });
  return live ? CUBLAS_STATUS_SUCCESS : CUBLAS_STATUS_NOT_INITIALIZED;
}

cublasStatus_t cublasGetPointerMode_v2(cublasHandle_t handle, cublasPointerMode_t* mode) {
  d::Handle h;
  if (!d::find_handle(handle, &h)) return CUBLAS_STATUS_NOT_INITIALIZED;
  if (mode == nullptr) return CUBLAS_STATUS_INVALID_VALUE;
  *mode = h.pointer_mode;
  return CUBLAS_STATUS_SUCCESS;
}

cublasStatus_t cublasSetMathMode(cublasHandle_t handle, cublasMath_t mode) {
  d::Handle h;
  if (!d::find_handle(handle, &h)) return CUBLAS_STATUS_NOT_INITIALIZED;
  const unsigned base = static_cast<unsigned>(mode) &
                        ~static_cast<unsigned>(CUBLAS_MATH_DISALLOW_REDUCED_PRECISION_REDUCTION);
  switch (base) {
    case CUBLAS_DEFAULT_MATH:
    case CUBLAS_PEDANTIC_MATH:
    case CUBLAS_TF32_TENSOR_OP_MATH: {
      const bool live =
          d::g_handles.update(handle, [&](d::Handle& settings) { settings.math_mode = mode; });
      return live ? CUBLAS_STATUS_SUCCESS : CUBLAS_STATUS_NOT_INITIALIZED;
    }
    case CUBLAS_TENSOR_OP_MATH:
    case CUBLAS_FP32_EMULATED_BF16X9_MATH:
    case CUBLAS_FP64_EMULATED_FIXEDPOINT_MATH:
      std::fprintf(stderr,
                   "cunmf_emu: cublasSetMathMode: math mode %u is not emulated (only DEFAULT, "
                   "PEDANTIC and TF32_TENSOR_OP are)\n",
                   base);
      return CUBLAS_STATUS_NOT_SUPPORTED;
    default:
      return CUBLAS_STATUS_INVALID_VALUE;
  }
}

cublasStatus_t cublasGetMathMode(cublasHandle_t handle, cublasMath_t* mode) {
  d::Handle h;
  if (!d::find_handle(handle, &h)) return CUBLAS_STATUS_NOT_INITIALIZED;
  if (mode == nullptr) return CUBLAS_STATUS_INVALID_VALUE;
  *mode = h.math_mode;
  return CUBLAS_STATUS_SUCCESS;
}

const char* cublasGetStatusName(cublasStatus_t status) {
  const d::StatusText* s = d::find_status_text(status);
  return s != nullptr ? s->name : "unrecognized status";
}

const char* cublasGetStatusString(cublasStatus_t status) {
  const d::StatusText* s = d::find_status_text(status);
  return s != nullptr ? s->text : "unrecognized status";
}

cublasStatus_t cublasSgemm_v2(cublasHandle_t handle, cublasOperation_t transa,
                              cublasOperation_t transb, int m, int n, int k, const float* alpha,
                              const float* A, int lda, const float* B, int ldb, const float* beta,
                              float* C, int ldc) {
  return d::gemm("cublasSgemm", handle, transa, transb, m, n, k, alpha, A, lda, B, ldb, beta, C,
                 ldc);
}

cublasStatus_t cublasDgemm_v2(cublasHandle_t handle, cublasOperation_t transa,
                              cublasOperation_t transb, int m, int n, int k, const double* alpha,
                              const double* A, int lda, const double* B, int ldb,
                              const double* beta, double* C, int ldc) {
  return d::gemm("cublasDgemm", handle, transa, transb, m, n, k, alpha, A, lda, B, ldb, beta, C,
                 ldc);
}

cublasStatus_t cublasSgemv_v2(cublasHandle_t handle, cublasOperation_t trans, int m, int n,
                              const float* alpha, const float* A, int lda, const float* x, int incx,
                              const float* beta, float* y, int incy) {
  return d::gemv("cublasSgemv", handle, trans, m, n, alpha, A, lda, x, incx, beta, y, incy);
}

cublasStatus_t cublasDgemv_v2(cublasHandle_t handle, cublasOperation_t trans, int m, int n,
                              const double* alpha, const double* A, int lda, const double* x,
                              int incx, const double* beta, double* y, int incy) {
  return d::gemv("cublasDgemv", handle, trans, m, n, alpha, A, lda, x, incx, beta, y, incy);
}

cublasStatus_t cublasSgeam(cublasHandle_t handle, cublasOperation_t transa,
                           cublasOperation_t transb, int m, int n, const float* alpha,
                           const float* A, int lda, const float* beta, const float* B, int ldb,
                           float* C, int ldc) {
  return d::geam("cublasSgeam", handle, transa, transb, m, n, alpha, A, lda, beta, B, ldb, C, ldc);
}

cublasStatus_t cublasDgeam(cublasHandle_t handle, cublasOperation_t transa,
                           cublasOperation_t transb, int m, int n, const double* alpha,
                           const double* A, int lda, const double* beta, const double* B, int ldb,
                           double* C, int ldc) {
  return d::geam("cublasDgeam", handle, transa, transb, m, n, alpha, A, lda, beta, B, ldb, C, ldc);
}

cublasStatus_t cublasSdot_v2(cublasHandle_t handle, int n, const float* x, int incx, const float* y,
                             int incy, float* result) {
  return d::dot("cublasSdot", handle, n, x, incx, y, incy, result);
}

cublasStatus_t cublasDdot_v2(cublasHandle_t handle, int n, const double* x, int incx,
                             const double* y, int incy, double* result) {
  return d::dot("cublasDdot", handle, n, x, incx, y, incy, result);
}

}  // extern "C"
