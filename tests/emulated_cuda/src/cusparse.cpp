// The cuSPARSE subset of the emulated device: handles (stream, pointer mode), CSR and dense
// descriptors, SpMM (sparse times dense), SDDMM (dense times dense sampled at a sparse pattern),
// the CSR -> CSC conversion and the status names. The functions have the exact C signatures of
// <cusparse.h> (CUDA 13.0, cuSPARSE 12.6) and replace libcusparse at link time. The math is plain
// loops, run on the handle's stream when the host synchronizes with it.
//
// What each emulated call supports, after the cuSPARSE documentation (generic API). Anything
// outside it is rejected with the status the documentation gives. "(emulator)" marks rejections
// the real library does not make, where it would do something the emulated device does not
// emulate, or where the documentation names no status.
//
// clang-format off
//  call                        supported                             rejected (status)
//  --------------------------  ------------------------------------  -----------------------------
//  every call taking a handle  a handle from cusparseCreate          null or destroyed handle
//                                                                    (NOT_INITIALIZED)
//  every call taking a         a descriptor of the right kind from   null (INVALID_VALUE);
//  descriptor                  cusparseCreate{Csr,DnMat,DnVec} or    destroyed or never created
//                              their Const variants                  (NOT_INITIALIZED); a dense one
//                                                                    where a sparse one is expected
//                                                                    or the reverse (INVALID_VALUE)
//  cusparseCreate              -                                     handle NULL (INVALID_VALUE);
//                                                                    device in an error state
//                                                                    (NOT_INITIALIZED)
//  cusparseDestroy             waits for the device first            -
//  cusparseSetStream/Get       any stream; 0 is the legacy default   Get(NULL) (INVALID_VALUE)
//  cusparseSetPointerMode/Get  CUSPARSE_POINTER_MODE_HOST, _DEVICE   other modes, Get(NULL)
//                                                                    (INVALID_VALUE)
//  cusparseCreate[Const]Csr    rows, cols, nnz >= 0; offsets and     negative sizes, base not ZERO
//                              columns CUSPARSE_INDEX_32I or _64I    or ONE (INVALID_VALUE);
//                              (each; a mixed pair is rejected by    CUSPARSE_INDEX_16U
//                              the computing calls); base ZERO or    (NOT_SUPPORTED); rows, cols or
//                              ONE; values CUDA_R_32F or _64F;       nnz beyond 2^31-1 with 32-bit
//                              NULL arrays are accepted (set later   indices (INSUFFICIENT_
//                              with cusparseCsrSetPointers), the     RESOURCES); other value types
//                              computing calls reject them           (NOT_SUPPORTED, emulator)
//  cusparseCsrSetPointers      a CSR descriptor                      -
//  cusparseSpMatGetSize        a sparse descriptor                   an output NULL (INVALID_VALUE)
//  cusparseDestroySpMat,       NULL (does nothing)                   destroyed twice
//  _DnMat, _DnVec                                                    (NOT_INITIALIZED, emulator)
//  cusparseCreate[Const]DnMat  rows, cols >= 0; CUSPARSE_ORDER_COL   negative sizes, ld < rows
//                              with ld >= rows, CUSPARSE_ORDER_ROW   (COL) or ld < cols (ROW),
//                              with ld >= cols; values CUDA_R_32F    other orders (INVALID_VALUE);
//                              or _64F; NULL values as for CSR       other value types
//                                                                    (NOT_SUPPORTED, emulator)
//  cusparseDnMatGetValues/Set  a dense matrix descriptor             Get(NULL) (INVALID_VALUE)
//  cusparseCreateDnVec/Destroy size >= 0; CUDA_R_32F or _64F         negative size (INVALID_VALUE);
//                              (no call here computes with one)      other value types
//                                                                    (NOT_SUPPORTED, emulator)
//  cusparseSpMM (and its       C = alpha op(A) op(B) + beta C, A     opA/opB not N/T/C, unknown
//  _bufferSize, _preprocess)   CSR, B and C dense in either order    algorithm, op(A) m x k, op(B)
//                              (each its own); opA, opB N, T or C    k x n and C m x n that do not
//                              (C = T for real types); op(A) = A^T   agree, alpha or beta NULL
//                              is computed from A's rows (scatter),  (INVALID_VALUE); value types
//                              never forming the transpose; beta ==  of A, B, C and computeType not
//                              0: C is not read; alpha == 0 or k ==  all CUDA_R_32F or all _64F
//                              0: C = beta C, A and B are not read   (NOT_SUPPORTED); row offsets
//                              (as cuBLAS; the documentation does    and columns of different index
//                              not say); algorithms CUSPARSE_SPMM_   types (NOT_SUPPORTED; only
//                              ALG_DEFAULT, _CSR_ALG1, _CSR_ALG2     32I/32I and 64I/64I are
//                              (any op, any order; on a GPU ALG1 is  emulated); CUSPARSE_SPMM_CSR_
//                              fastest column-major, ALG2 row-       ALG3 with opA != N or opB == C
//                              major), _CSR_ALG3 (opA N only, opB N  (NOT_SUPPORTED, documented);
//                              or T, any order); _preprocess         the COO, Blocked-ELL and BSR
//                              validates and does nothing            algorithms (NOT_SUPPORTED: A
//                                                                    is CSR)
//  cusparseSDDMM (and its      C = alpha (op(A) op(B)) o spy(C) +    opA/opB not N/T (INVALID_
//  _bufferSize, _preprocess)   beta C, A and B dense in either       VALUE; C is not documented),
//                              order, C CSR; opA, opB N or T;        algorithm not _DEFAULT, sizes
//                              CUSPARSE_SDDMM_ALG_DEFAULT; beta ==   that do not agree, alpha or
//                              0: C's values are not read; alpha ==  beta NULL (INVALID_VALUE);
//                              0 or k == 0: C = beta C, A and B are  types as for SpMM
//                              not read                              (NOT_SUPPORTED)
//  _bufferSize (both)          a fixed kWorkspaceBytes (non-zero,    bufferSize NULL
//                              so the caller must allocate it)       (INVALID_VALUE)
//  cusparseCsr2cscEx2 (and     the CSC of an m x n CSR (= the CSR    m, n or nnz < 0, action not
//  _bufferSize)                of its transpose), 32-bit indices,    SYMBOLIC/NUMERIC, base not
//                              base ZERO or ONE, row indices         ZERO/ONE, algorithm not
//                              ascending in each column; values of   CUSPARSE_CSR2CSC_ALG_DEFAULT,
//                              any documented type (copied bytes);   bufferSize NULL
//                              SYMBOLIC: values neither read nor     (INVALID_VALUE); other value
//                              written; nnz == 0: the column arrays  types (NOT_SUPPORTED)
//                              may be NULL, cscColPtr = base;
//                              m == 0 or n == 0: nothing is checked
//                              or done (as documented); buffer
//                              size grows with n and nnz
//  cusparseGetErrorName/String every cusparseStatus_t (the texts     unknown values give
//                              libcusparse prints; see kStatusTexts) "unrecognized error code"
// clang-format on
//
// Checks a GPU does not make but the emulated device does, printing why on stderr (INVALID_VALUE,
// emulator): every array a call reads or writes (CSR offsets, columns and values, dense values
// over their whole extent from ld, the workspace over the size _bufferSize gives) lies inside one
// live device allocation and is aligned to its type; the workspace is not NULL; alpha and beta are
// where the pointer mode says. Descriptors are read when the call is made, as the real library
// does; a non-NULL array given to a descriptor is checked at once too. When the queued work runs it
// checks the CSR structure it reads (offsets start at the base, never decrease and end at nnz +
// base; columns lie in [base, cols + base)) and faults otherwise (cunmf_emu::KernelFault: the
// device's sticky error), where a GPU would read out of bounds. After a device fault, or on a
// destroyed stream, computing calls return EXECUTION_FAILED. Sums accumulate in the value type's
// own precision (float for CUDA_R_32F): SpMM with op(A) = A in stored order along each row, with
// op(A) = A^T in increasing row order of A; SDDMM in increasing order of the inner index.
// <cusparse.h> names parameters blockDim, which the forced-in emulation header (device.hpp)
// defines as a macro; it is set aside while the header is read.
#pragma push_macro("blockDim")
#undef blockDim
#include <cusparse.h>
#pragma pop_macro("blockDim")

#include <algorithm>
#include <cstdarg>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <deque>
#include <limits>
#include <mutex>
#include <string>
#include <unordered_set>
#include <vector>

#include "cunmf_emu/runtime_hooks.hpp"
#include "device_memory.hpp"
#include "runtime_internal.hpp"

namespace cunmf_emu::detail {
namespace {

/// The workspace size SpMM and SDDMM ask for (the emulation does not use it, but checks it).
constexpr std::size_t kWorkspaceBytes = 256;
/// Destroyed descriptors are kept (dead) this long, so a stale one is recognised as destroyed.
constexpr std::size_t kRetiredDescriptorsKept = 4096;

__attribute__((format(printf, 3, 4))) cusparseStatus_t reject(cusparseStatus_t status,
                                                              const char* api, const char* format,
                                                              ...) {
  std::fprintf(stderr, "cunmf_emu: %s: ", api);
  va_list args;
  va_start(args, format);
  std::vfprintf(stderr, format, args);
  va_end(args);
  std::fputc('\n', stderr);
  return status;
}

// ---- Handles and descriptors ------------------------------------------------------------------

/// A cuSPARSE handle's settings; cusparseHandle_t points at one.
struct Handle {
  cudaStream_t stream = nullptr;
  cusparsePointerMode_t pointer_mode = CUSPARSE_POINTER_MODE_HOST;
};

enum class Kind { kSparseMatrix, kDenseMatrix, kDenseVector };

const char* kind_name(Kind kind) {
  switch (kind) {
    case Kind::kSparseMatrix:
      return "sparse matrix";
    case Kind::kDenseMatrix:
      return "dense matrix";
    case Kind::kDenseVector:
      return "dense vector";
  }
  return "?";
}

/// Any descriptor; the cusparse*Descr_t types point at one. A dense vector has cols == 1.
struct Descriptor {
  Kind kind = Kind::kSparseMatrix;
  bool alive = true;
  std::int64_t rows = 0;
  std::int64_t cols = 0;
  std::int64_t nnz = 0;  // sparse
  std::int64_t ld = 0;   // dense matrix
  void* offsets = nullptr;
  void* columns = nullptr;
  void* values = nullptr;
  cusparseIndexType_t offset_type = CUSPARSE_INDEX_32I;
  cusparseIndexType_t column_type = CUSPARSE_INDEX_32I;
  cusparseIndexBase_t base = CUSPARSE_INDEX_BASE_ZERO;
  cudaDataType value_type = CUDA_R_32F;
  cusparseOrder_t order = CUSPARSE_ORDER_COL;
};

/// Handles and descriptors. Never destroyed, so descriptors still referenced at exit are reachable
/// (not reported as leaks) and no call races a static destructor.
struct Registry {
  std::mutex mutex;
  std::unordered_set<const Handle*> handles;
  std::unordered_set<const Descriptor*> descriptors;  // live and retired
  std::deque<Descriptor*> retired;                    // oldest first
};

Registry& registry() {
  static Registry* r = new Registry();
  return *r;
}

Handle* live_handle(cusparseHandle_t h) {  // caller holds the registry mutex
  auto* handle = reinterpret_cast<Handle*>(h);
  return (h != nullptr && registry().handles.count(handle) != 0) ? handle : nullptr;
}

/// The live handle behind `h`, copied out: queued work uses the settings of the call.
bool find_handle(cusparseHandle_t h, Handle* settings) {
  std::lock_guard<std::mutex> lock(registry().mutex);
  const Handle* handle = live_handle(h);
  if (handle == nullptr) return false;
  *settings = *handle;
  return true;
}

/// The live descriptor of `kind` at `p` (caller holds the registry mutex), or null with the
/// status to return in *status (printing why).
Descriptor* live_descriptor(const void* p, Kind kind, const char* api, const char* name,
                            cusparseStatus_t* status) {
  if (p == nullptr) {
    *status = reject(CUSPARSE_STATUS_INVALID_VALUE, api, "%s is NULL", name);
    return nullptr;
  }
  const auto* d = static_cast<const Descriptor*>(p);
  if (registry().descriptors.count(d) == 0) {
    *status = reject(CUSPARSE_STATUS_NOT_INITIALIZED, api,
                     "%s (%p) is not a descriptor made by cusparseCreate*", name, p);
    return nullptr;
  }
  if (!d->alive) {
    *status = reject(CUSPARSE_STATUS_NOT_INITIALIZED, api, "%s (%p) is a destroyed %s descriptor",
                     name, p, kind_name(d->kind));
    return nullptr;
  }
  if (d->kind != kind) {
    *status = reject(CUSPARSE_STATUS_INVALID_VALUE, api, "%s (%p) is a %s descriptor, not a %s one",
                     name, p, kind_name(d->kind), kind_name(kind));
    return nullptr;
  }
  *status = CUSPARSE_STATUS_SUCCESS;
  return const_cast<Descriptor*>(d);
}

/// Copies the live descriptor at `p` out (the call uses the descriptor as it is now).
cusparseStatus_t find_descriptor(const void* p, Kind kind, const char* api, const char* name,
                                 Descriptor* out) {
  std::lock_guard<std::mutex> lock(registry().mutex);
  cusparseStatus_t status;
  const Descriptor* d = live_descriptor(p, kind, api, name, &status);
  if (d != nullptr) *out = *d;
  return status;
}

Descriptor* add_descriptor(const Descriptor& d) {
  auto* made = new Descriptor(d);
  std::lock_guard<std::mutex> lock(registry().mutex);
  registry().descriptors.insert(made);
  return made;
}

cusparseStatus_t destroy_descriptor(const void* p, Kind kind, const char* api) {
  if (p == nullptr) return CUSPARSE_STATUS_SUCCESS;
  std::lock_guard<std::mutex> lock(registry().mutex);
  cusparseStatus_t status;
  Descriptor* d = live_descriptor(p, kind, api, "the descriptor", &status);
  if (d == nullptr) return status;
  d->alive = false;
  Registry& r = registry();
  r.retired.push_back(d);
  if (r.retired.size() > kRetiredDescriptorsKept) {
    r.descriptors.erase(r.retired.front());
    delete r.retired.front();
    r.retired.pop_front();
  }
  return CUSPARSE_STATUS_SUCCESS;
}

// ---- Types and memory checks ------------------------------------------------------------------

/// Bytes of one value of a type the emulated descriptors hold (CUDA_R_32F, CUDA_R_64F), else 0.
std::size_t emulated_value_size(cudaDataType type) {
  switch (type) {
    case CUDA_R_32F:
      return sizeof(float);
    case CUDA_R_64F:
      return sizeof(double);
    default:
      return 0;
  }
}

std::size_t index_size(cusparseIndexType_t type) {
  return type == CUSPARSE_INDEX_64I ? sizeof(std::int64_t) : sizeof(std::int32_t);
}

/// True when `p` is NULL or [p, p + bytes) lies inside one live allocation and `p` is aligned to
/// `align`; otherwise prints why (naming `api` and `what`).
bool check_array(const void* p, std::size_t bytes, std::size_t align, const char* api,
                 const char* what) {
  if (p == nullptr || bytes == 0) return true;
  if (reinterpret_cast<std::uintptr_t>(p) % align != 0) {
    reject(CUSPARSE_STATUS_INVALID_VALUE, api, "%s (%p) is not aligned to %zu bytes", what, p,
           align);
    return false;
  }
  return check_device_range(p, bytes, api, what);
}

/// As check_array, but NULL is an error too (the call reads or writes the array).
bool require_array(const void* p, std::size_t bytes, std::size_t align, const char* api,
                   const char* what) {
  if (bytes == 0) return true;
  if (p == nullptr) {
    reject(CUSPARSE_STATUS_INVALID_VALUE, api, "%s is NULL but holds %zu bytes", what, bytes);
    return false;
  }
  return check_array(p, bytes, align, api, what);
}

/// Elements a dense matrix spans from its first to its last element.
std::size_t dense_extent(const Descriptor& d) {
  if (d.rows == 0 || d.cols == 0) return 0;
  const std::int64_t inner = d.order == CUSPARSE_ORDER_COL ? d.rows : d.cols;
  const std::int64_t outer = d.order == CUSPARSE_ORDER_COL ? d.cols : d.rows;
  return static_cast<std::size_t>(d.ld) * static_cast<std::size_t>(outer - 1) +
         static_cast<std::size_t>(inner);
}

bool check_dense_values(const Descriptor& d, bool required, const char* api, const char* what) {
  const std::size_t size = emulated_value_size(d.value_type);
  const std::size_t bytes = dense_extent(d) * size;
  return required ? require_array(d.values, bytes, size, api, what)
                  : check_array(d.values, bytes, size, api, what);
}

bool check_csr_arrays(const Descriptor& d, bool required, const char* api, const char* what) {
  const std::string name(what);
  const std::size_t offsets_bytes =
      static_cast<std::size_t>(d.rows + 1) * index_size(d.offset_type);
  const std::size_t columns_bytes = static_cast<std::size_t>(d.nnz) * index_size(d.column_type);
  const std::size_t value_size = emulated_value_size(d.value_type);
  const std::size_t values_bytes = static_cast<std::size_t>(d.nnz) * value_size;
  auto check = required ? require_array : check_array;
  return check(d.offsets, offsets_bytes, index_size(d.offset_type), api,
               (name + " row offsets").c_str()) &&
         check(d.columns, columns_bytes, index_size(d.column_type), api,
               (name + " column indices").c_str()) &&
         check(d.values, values_bytes, value_size, api, (name + " values").c_str());
}

/// The common status checks before queuing work: a dead device or stream fails the launch.
cusparseStatus_t check_can_launch(const Handle& h, const char* api) {
  if (sticky_error() != cudaSuccess) return CUSPARSE_STATUS_EXECUTION_FAILED;
  if (!is_valid_stream(h.stream)) {
    return reject(CUSPARSE_STATUS_EXECUTION_FAILED, api,
                  "the handle's stream %p is not a live stream", static_cast<void*>(h.stream));
  }
  return CUSPARSE_STATUS_SUCCESS;
}

/// alpha or beta: its value (host pointer mode, read at the call) or its address in device
/// memory (device pointer mode, read when the queued work runs).
template <class T>
struct Scalar {
  T value{};
  const T* device = nullptr;
  T get() const { return device != nullptr ? *device : value; }
  /// False only when it is known now to be zero (then the operands it scales are not read).
  bool may_be_nonzero() const { return device != nullptr || value != T(0); }
};

template <class T>
cusparseStatus_t read_scalar(const Handle& h, const void* p, const char* api, const char* name,
                             Scalar<T>* out) {
  if (h.pointer_mode == CUSPARSE_POINTER_MODE_DEVICE) {
    if (!check_array(p, sizeof(T), alignof(T), api, name)) return CUSPARSE_STATUS_INVALID_VALUE;
    out->device = static_cast<const T*>(p);
    return CUSPARSE_STATUS_SUCCESS;
  }
  if (find_live(p) || find_freed(p)) {
    return reject(CUSPARSE_STATUS_INVALID_VALUE, api,
                  "%s (%p) is device memory, but the handle's pointer mode is "
                  "CUSPARSE_POINTER_MODE_HOST",
                  name, p);
  }
  out->value = *static_cast<const T*>(p);
  return CUSPARSE_STATUS_SUCCESS;
}

// ---- Views used by queued work ------------------------------------------------------------------

/// A dense matrix's values; element (r, c) by its order and leading dimension.
template <class T>
struct DenseView {
  T* values;
  std::int64_t rows, cols, ld;
  bool row_major;

  explicit DenseView(const Descriptor& d)
      : values(static_cast<T*>(d.values)),
        rows(d.rows),
        cols(d.cols),
        ld(d.ld),
        row_major(d.order == CUSPARSE_ORDER_ROW) {}
  T& at(std::int64_t r, std::int64_t c) const {
    return row_major ? values[r * ld + c] : values[r + c * ld];
  }
  /// Element (r, c) of op(this).
  T op_at(bool trans, std::int64_t r, std::int64_t c) const { return trans ? at(c, r) : at(r, c); }
};

/// A CSR matrix's arrays with the base taken out; check() faults on a broken structure.
template <class I, class T>
struct CsrView {
  const I* offsets;
  const I* columns;
  T* values;
  std::int64_t rows, cols, nnz, base;

  explicit CsrView(const Descriptor& d)
      : offsets(static_cast<const I*>(d.offsets)),
        columns(static_cast<const I*>(d.columns)),
        values(static_cast<T*>(d.values)),
        rows(d.rows),
        cols(d.cols),
        nnz(d.nnz),
        base(d.base == CUSPARSE_INDEX_BASE_ONE ? 1 : 0) {}
  std::int64_t begin(std::int64_t r) const { return static_cast<std::int64_t>(offsets[r]) - base; }
  std::int64_t column(std::int64_t p) const { return static_cast<std::int64_t>(columns[p]) - base; }

  /// Faults (inside queued work) unless the offsets and columns describe a rows x cols matrix
  /// with nnz entries; a GPU would read or write out of bounds instead.
  void check(const char* api, const char* what) const {
    auto fault = [&](const std::string& why) {
      throw KernelFault(std::string(api) + ": " + what + ": " + why);
    };
    if (begin(0) != 0) {
      fault("row offset 0 is " + std::to_string(offsets[0]) + ", not the index base " +
            std::to_string(base));
    }
    for (std::int64_t r = 0; r < rows; ++r) {
      if (begin(r + 1) < begin(r)) {
        fault("row offsets decrease at row " + std::to_string(r) + " (" +
              std::to_string(offsets[r]) + " then " + std::to_string(offsets[r + 1]) + ")");
      }
    }
    if (begin(rows) != nnz) {
      fault("the row offsets end at " + std::to_string(offsets[rows]) + " but nnz + base is " +
            std::to_string(nnz + base));
    }
    for (std::int64_t p = 0; p < nnz; ++p) {
      if (column(p) < 0 || column(p) >= cols) {
        fault("column index " + std::to_string(columns[p]) + " of entry " + std::to_string(p) +
              " is outside [" + std::to_string(base) + ", " + std::to_string(cols + base) + ")");
      }
    }
  }
};

/// C = beta C over a dense matrix (beta == 0 writes zeros without reading C).
template <class T>
void scale_dense(const DenseView<T>& c, T beta) {
  if (beta == T(1)) return;
  for (std::int64_t i = 0; i < c.rows; ++i) {
    for (std::int64_t j = 0; j < c.cols; ++j) {
      T& x = c.at(i, j);
      x = beta == T(0) ? T(0) : beta * x;
    }
  }
}

bool is_op(cusparseOperation_t op) {
  return op == CUSPARSE_OPERATION_NON_TRANSPOSE || op == CUSPARSE_OPERATION_TRANSPOSE ||
         op == CUSPARSE_OPERATION_CONJUGATE_TRANSPOSE;
}

/// What a computing call is asked for: a buffer size, a (no-op) preprocessing, or the work.
enum class Stage { kBufferSize, kPreprocess, kCompute };

/// Checks the workspace given to _preprocess or the computing call.
cusparseStatus_t check_workspace(const void* buffer, std::size_t bytes, const char* api) {
  if (buffer == nullptr) {
    return reject(CUSPARSE_STATUS_INVALID_VALUE, api,
                  "externalBuffer is NULL, but the _bufferSize call asks for %zu bytes", bytes);
  }
  return check_array(buffer, bytes, 1, api, "externalBuffer") ? CUSPARSE_STATUS_SUCCESS
                                                              : CUSPARSE_STATUS_INVALID_VALUE;
}

/// The value type shared by the operands and the compute type, or an error (NOT_SUPPORTED).
cusparseStatus_t check_types(cudaDataType compute, const Descriptor& a, const Descriptor& b,
                             const Descriptor& c, const char* api) {
  if (emulated_value_size(compute) == 0) {
    return reject(CUSPARSE_STATUS_NOT_SUPPORTED, api,
                  "computeType %d is not emulated (CUDA_R_32F and CUDA_R_64F are)",
                  static_cast<int>(compute));
  }
  if (a.value_type != compute || b.value_type != compute || c.value_type != compute) {
    return reject(CUSPARSE_STATUS_NOT_SUPPORTED, api,
                  "the value types of A (%d), B (%d) and C (%d) must all be computeType (%d)",
                  static_cast<int>(a.value_type), static_cast<int>(b.value_type),
                  static_cast<int>(c.value_type), static_cast<int>(compute));
  }
  return CUSPARSE_STATUS_SUCCESS;
}

cusparseStatus_t check_index_types(const Descriptor& s, const char* api, const char* name) {
  if (s.offset_type != s.column_type) {
    return reject(CUSPARSE_STATUS_NOT_SUPPORTED, api,
                  "%s mixes %d-bit row offsets with %d-bit column indices", name,
                  s.offset_type == CUSPARSE_INDEX_64I ? 64 : 32,
                  s.column_type == CUSPARSE_INDEX_64I ? 64 : 32);
  }
  return CUSPARSE_STATUS_SUCCESS;
}

// ---- SpMM -------------------------------------------------------------------------------------

template <class T>
struct SpmmArgs {
  const char* api;
  bool trans_a, trans_b;
  Scalar<T> alpha, beta;
  Descriptor a, b, c;
};

/// C = alpha op(A) op(B) + beta C. op(A) = A: each row of C from the entries of A's row, in
/// stored order. op(A) = A^T: each entry A(r, j) adds A(r, j) op(B)(r, :) to row j of the sum,
/// rows r in increasing order (a scatter, as a GPU does it without forming A^T).
template <class I, class T>
void spmm_work(const SpmmArgs<T>& s) {
  const T alpha = s.alpha.get();
  const T beta = s.beta.get();
  const DenseView<T> c(s.c);
  const std::int64_t m = c.rows;
  const std::int64_t n = c.cols;
  const std::int64_t k = s.trans_a ? s.a.rows : s.a.cols;
  if (alpha == T(0) || k == 0) {
    scale_dense(c, beta);
    return;
  }
  const CsrView<I, T> a(s.a);
  const DenseView<T> b(s.b);
  a.check(s.api, "matA");
  auto store = [&](std::int64_t i, std::int64_t j, T sum) {
    T& x = c.at(i, j);
    x = beta == T(0) ? alpha * sum : alpha * sum + beta * x;
  };
  if (!s.trans_a) {
    std::vector<T> sum(static_cast<std::size_t>(n));
    for (std::int64_t i = 0; i < m; ++i) {
      std::fill(sum.begin(), sum.end(), T(0));
      for (std::int64_t p = a.begin(i); p < a.begin(i + 1); ++p) {
        const std::int64_t l = a.column(p);
        const T v = a.values[p];
        for (std::int64_t j = 0; j < n; ++j) sum[j] += v * b.op_at(s.trans_b, l, j);
      }
      for (std::int64_t j = 0; j < n; ++j) store(i, j, sum[j]);
    }
    return;
  }
  std::vector<T> sum(static_cast<std::size_t>(m * n), T(0));  // row-major m x n
  for (std::int64_t r = 0; r < a.rows; ++r) {
    for (std::int64_t p = a.begin(r); p < a.begin(r + 1); ++p) {
      T* row = sum.data() + a.column(p) * n;
      const T v = a.values[p];
      for (std::int64_t j = 0; j < n; ++j) row[j] += v * b.op_at(s.trans_b, r, j);
    }
  }
  for (std::int64_t i = 0; i < m; ++i) {
    for (std::int64_t j = 0; j < n; ++j) store(i, j, sum[i * n + j]);
  }
}

cusparseStatus_t check_spmm_algorithm(cusparseSpMMAlg_t alg, bool trans_a, cusparseOperation_t opB,
                                      const char* api) {
  switch (alg) {
    case CUSPARSE_SPMM_ALG_DEFAULT:
    case CUSPARSE_SPMM_CSR_ALG1:
    case CUSPARSE_SPMM_CSR_ALG2:
      return CUSPARSE_STATUS_SUCCESS;
    case CUSPARSE_SPMM_CSR_ALG3:
      if (trans_a || opB == CUSPARSE_OPERATION_CONJUGATE_TRANSPOSE) {
        return reject(CUSPARSE_STATUS_NOT_SUPPORTED, api,
                      "CUSPARSE_SPMM_CSR_ALG3 is not supported when opA != "
                      "CUSPARSE_OPERATION_NON_TRANSPOSE or opB == "
                      "CUSPARSE_OPERATION_CONJUGATE_TRANSPOSE");
      }
      return CUSPARSE_STATUS_SUCCESS;
    case CUSPARSE_SPMM_COO_ALG1:
    case CUSPARSE_SPMM_COO_ALG2:
    case CUSPARSE_SPMM_COO_ALG3:
    case CUSPARSE_SPMM_COO_ALG4:
    case CUSPARSE_SPMM_BLOCKED_ELL_ALG1:
    case CUSPARSE_SPMM_BSR_ALG1:
      return reject(CUSPARSE_STATUS_NOT_SUPPORTED, api,
                    "algorithm %d is for another sparse format, but matA is CSR",
                    static_cast<int>(alg));
  }
  return reject(CUSPARSE_STATUS_INVALID_VALUE, api, "unknown algorithm %d", static_cast<int>(alg));
}

template <class T>
cusparseStatus_t spmm_typed(Stage stage, const Handle& h, SpmmArgs<T> s, const void* alpha,
                            const void* beta, void* buffer) {
  const char* api = s.api;
  if (const cusparseStatus_t st = check_can_launch(h, api)) return st;
  if (const cusparseStatus_t st = read_scalar(h, alpha, api, "alpha", &s.alpha)) return st;
  if (const cusparseStatus_t st = read_scalar(h, beta, api, "beta", &s.beta)) return st;
  if (const cusparseStatus_t st = check_workspace(buffer, kWorkspaceBytes, api)) return st;
  const bool reads_inputs = s.alpha.may_be_nonzero() && (s.trans_a ? s.a.rows : s.a.cols) != 0 &&
                            s.c.rows != 0 && s.c.cols != 0;
  const bool ok = (!reads_inputs || (check_csr_arrays(s.a, true, api, "matA") &&
                                     check_dense_values(s.b, true, api, "matB values"))) &&
                  check_dense_values(s.c, true, api, "matC values");
  if (!ok) return CUSPARSE_STATUS_INVALID_VALUE;
  if (stage != Stage::kCompute || s.c.rows == 0 || s.c.cols == 0) return CUSPARSE_STATUS_SUCCESS;
  if (s.a.offset_type == CUSPARSE_INDEX_64I) {
    enqueue(h.stream, [s] { spmm_work<std::int64_t, T>(s); });
  } else {
    enqueue(h.stream, [s] { spmm_work<std::int32_t, T>(s); });
  }
  return CUSPARSE_STATUS_SUCCESS;
}

cusparseStatus_t spmm(const char* api, Stage stage, cusparseHandle_t handle,
                      cusparseOperation_t opA, cusparseOperation_t opB, const void* alpha,
                      cusparseConstSpMatDescr_t matA, cusparseConstDnMatDescr_t matB,
                      const void* beta, cusparseDnMatDescr_t matC, cudaDataType computeType,
                      cusparseSpMMAlg_t alg, void* buffer, std::size_t* buffer_size) {
  Handle h;
  if (!find_handle(handle, &h)) return CUSPARSE_STATUS_NOT_INITIALIZED;
  Descriptor a, b, c;
  if (const cusparseStatus_t st = find_descriptor(matA, Kind::kSparseMatrix, api, "matA", &a)) {
    return st;
  }
  if (const cusparseStatus_t st = find_descriptor(matB, Kind::kDenseMatrix, api, "matB", &b)) {
    return st;
  }
  if (const cusparseStatus_t st = find_descriptor(matC, Kind::kDenseMatrix, api, "matC", &c)) {
    return st;
  }
  if (alpha == nullptr || beta == nullptr) {
    return reject(CUSPARSE_STATUS_INVALID_VALUE, api, "alpha or beta is NULL");
  }
  if (!is_op(opA) || !is_op(opB)) {
    return reject(CUSPARSE_STATUS_INVALID_VALUE, api, "opA (%d) or opB (%d) is not an operation",
                  static_cast<int>(opA), static_cast<int>(opB));
  }
  const bool trans_a = opA != CUSPARSE_OPERATION_NON_TRANSPOSE;
  const bool trans_b = opB != CUSPARSE_OPERATION_NON_TRANSPOSE;
  if (const cusparseStatus_t st = check_spmm_algorithm(alg, trans_a, opB, api)) return st;
  if (const cusparseStatus_t st = check_types(computeType, a, b, c, api)) return st;
  if (const cusparseStatus_t st = check_index_types(a, api, "matA")) return st;
  const std::int64_t m = trans_a ? a.cols : a.rows;
  const std::int64_t k = trans_a ? a.rows : a.cols;
  const std::int64_t b_rows = trans_b ? b.cols : b.rows;  // op(B) is b_rows x n
  const std::int64_t n = trans_b ? b.rows : b.cols;
  if (b_rows != k || c.rows != m || c.cols != n) {
    return reject(CUSPARSE_STATUS_INVALID_VALUE, api,
                  "op(A) is %lld x %lld, op(B) %lld x %lld and C %lld x %lld: they do not agree",
                  static_cast<long long>(m), static_cast<long long>(k),
                  static_cast<long long>(b_rows), static_cast<long long>(n),
                  static_cast<long long>(c.rows), static_cast<long long>(c.cols));
  }
  if (stage == Stage::kBufferSize) {
    if (buffer_size == nullptr) {
      return reject(CUSPARSE_STATUS_INVALID_VALUE, api, "bufferSize is NULL");
    }
    *buffer_size = kWorkspaceBytes;
    return CUSPARSE_STATUS_SUCCESS;
  }
  if (computeType == CUDA_R_32F) {
    return spmm_typed<float>(stage, h, {api, trans_a, trans_b, {}, {}, a, b, c}, alpha, beta,
                             buffer);
  }
  return spmm_typed<double>(stage, h, {api, trans_a, trans_b, {}, {}, a, b, c}, alpha, beta,
                            buffer);
}

// ---- SDDMM ------------------------------------------------------------------------------------

template <class T>
struct SddmmArgs {
  const char* api;
  bool trans_a, trans_b;
  Scalar<T> alpha, beta;
  Descriptor a, b, c;
};

/// C = alpha (op(A) op(B)) o spy(C) + beta C: each stored entry (i, j) of C gets the dot product
/// of row i of op(A) and column j of op(B), summed in increasing order of the inner index.
template <class I, class T>
void sddmm_work(const SddmmArgs<T>& s) {
  const T alpha = s.alpha.get();
  const T beta = s.beta.get();
  const CsrView<I, T> c(s.c);
  const std::int64_t k = s.trans_a ? s.a.rows : s.a.cols;
  if (alpha == T(0) || k == 0) {
    if (beta == T(1)) return;
    for (std::int64_t p = 0; p < c.nnz; ++p) {
      c.values[p] = beta == T(0) ? T(0) : beta * c.values[p];
    }
    return;
  }
  c.check(s.api, "matC");
  const DenseView<T> a(s.a);
  const DenseView<T> b(s.b);
  for (std::int64_t i = 0; i < c.rows; ++i) {
    for (std::int64_t p = c.begin(i); p < c.begin(i + 1); ++p) {
      const std::int64_t j = c.column(p);
      T dot = T(0);
      for (std::int64_t l = 0; l < k; ++l)
        dot += a.op_at(s.trans_a, i, l) * b.op_at(s.trans_b, l, j);
      c.values[p] = beta == T(0) ? alpha * dot : alpha * dot + beta * c.values[p];
    }
  }
}

template <class T>
cusparseStatus_t sddmm_typed(Stage stage, const Handle& h, SddmmArgs<T> s, const void* alpha,
                             const void* beta, void* buffer) {
  const char* api = s.api;
  if (const cusparseStatus_t st = check_can_launch(h, api)) return st;
  if (const cusparseStatus_t st = read_scalar(h, alpha, api, "alpha", &s.alpha)) return st;
  if (const cusparseStatus_t st = read_scalar(h, beta, api, "beta", &s.beta)) return st;
  if (const cusparseStatus_t st = check_workspace(buffer, kWorkspaceBytes, api)) return st;
  if (s.c.nnz == 0) return CUSPARSE_STATUS_SUCCESS;  // nothing to read or write
  const bool reads_inputs = s.alpha.may_be_nonzero() && (s.trans_a ? s.a.rows : s.a.cols) != 0;
  const bool ok = (!reads_inputs || (check_dense_values(s.a, true, api, "matA values") &&
                                     check_dense_values(s.b, true, api, "matB values"))) &&
                  check_csr_arrays(s.c, true, api, "matC");
  if (!ok) return CUSPARSE_STATUS_INVALID_VALUE;
  if (stage != Stage::kCompute) return CUSPARSE_STATUS_SUCCESS;
  if (s.c.offset_type == CUSPARSE_INDEX_64I) {
    enqueue(h.stream, [s] { sddmm_work<std::int64_t, T>(s); });
  } else {
    enqueue(h.stream, [s] { sddmm_work<std::int32_t, T>(s); });
  }
  return CUSPARSE_STATUS_SUCCESS;
}

cusparseStatus_t sddmm(const char* api, Stage stage, cusparseHandle_t handle,
                       cusparseOperation_t opA, cusparseOperation_t opB, const void* alpha,
                       cusparseConstDnMatDescr_t matA, cusparseConstDnMatDescr_t matB,
                       const void* beta, cusparseSpMatDescr_t matC, cudaDataType computeType,
                       cusparseSDDMMAlg_t alg, void* buffer, std::size_t* buffer_size) {
  Handle h;
  if (!find_handle(handle, &h)) return CUSPARSE_STATUS_NOT_INITIALIZED;
  Descriptor a, b, c;
  if (const cusparseStatus_t st = find_descriptor(matA, Kind::kDenseMatrix, api, "matA", &a)) {
    return st;
  }
  if (const cusparseStatus_t st = find_descriptor(matB, Kind::kDenseMatrix, api, "matB", &b)) {
    return st;
  }
  if (const cusparseStatus_t st = find_descriptor(matC, Kind::kSparseMatrix, api, "matC", &c)) {
    return st;
  }
  if (alpha == nullptr || beta == nullptr) {
    return reject(CUSPARSE_STATUS_INVALID_VALUE, api, "alpha or beta is NULL");
  }
  const auto is_sddmm_op = [](cusparseOperation_t op) {
    return op == CUSPARSE_OPERATION_NON_TRANSPOSE || op == CUSPARSE_OPERATION_TRANSPOSE;
  };
  if (!is_sddmm_op(opA) || !is_sddmm_op(opB)) {
    return reject(CUSPARSE_STATUS_INVALID_VALUE, api,
                  "opA (%d) and opB (%d) must be CUSPARSE_OPERATION_NON_TRANSPOSE or _TRANSPOSE",
                  static_cast<int>(opA), static_cast<int>(opB));
  }
  if (alg != CUSPARSE_SDDMM_ALG_DEFAULT) {
    return reject(CUSPARSE_STATUS_INVALID_VALUE, api, "unknown algorithm %d",
                  static_cast<int>(alg));
  }
  if (const cusparseStatus_t st = check_types(computeType, a, b, c, api)) return st;
  if (const cusparseStatus_t st = check_index_types(c, api, "matC")) return st;
  const bool trans_a = opA == CUSPARSE_OPERATION_TRANSPOSE;
  const bool trans_b = opB == CUSPARSE_OPERATION_TRANSPOSE;
  const std::int64_t m = trans_a ? a.cols : a.rows;  // op(A) is m x k
  const std::int64_t k = trans_a ? a.rows : a.cols;
  const std::int64_t b_rows = trans_b ? b.cols : b.rows;  // op(B) is b_rows x n
  const std::int64_t n = trans_b ? b.rows : b.cols;
  if (b_rows != k || c.rows != m || c.cols != n) {
    return reject(CUSPARSE_STATUS_INVALID_VALUE, api,
                  "op(A) is %lld x %lld, op(B) %lld x %lld and C %lld x %lld: they do not agree",
                  static_cast<long long>(m), static_cast<long long>(k),
                  static_cast<long long>(b_rows), static_cast<long long>(n),
                  static_cast<long long>(c.rows), static_cast<long long>(c.cols));
  }
  if (stage == Stage::kBufferSize) {
    if (buffer_size == nullptr) {
      return reject(CUSPARSE_STATUS_INVALID_VALUE, api, "bufferSize is NULL");
    }
    *buffer_size = kWorkspaceBytes;
    return CUSPARSE_STATUS_SUCCESS;
  }
  if (computeType == CUDA_R_32F) {
    return sddmm_typed<float>(stage, h, {api, trans_a, trans_b, {}, {}, a, b, c}, alpha, beta,
                              buffer);
  }
  return sddmm_typed<double>(stage, h, {api, trans_a, trans_b, {}, {}, a, b, c}, alpha, beta,
                             buffer);
}

// ---- CSR -> CSC -------------------------------------------------------------------------------

/// Bytes of one value of a type cusparseCsr2cscEx2 documents, else 0.
std::size_t csr2csc_value_size(cudaDataType type) {
  switch (type) {
    case CUDA_R_8I:
      return 1;
    case CUDA_R_16F:
    case CUDA_R_16BF:
      return 2;
    case CUDA_R_32F:
    case CUDA_C_16F:
    case CUDA_C_16BF:
      return 4;
    case CUDA_R_64F:
    case CUDA_C_32F:
      return 8;
    case CUDA_C_64F:
      return 16;
    default:
      return 0;
  }
}

std::size_t csr2csc_buffer_bytes(int n, int nnz) {
  const std::size_t bytes = sizeof(int) * (static_cast<std::size_t>(n) + 1 + nnz);
  return (bytes + 255) / 256 * 256;
}

struct Csr2cscArgs {
  int m, n, nnz;
  const void* csr_values;
  const int* csr_offsets;
  const int* csr_columns;
  void* csc_values;
  int* csc_offsets;
  int* csc_rows;
  std::size_t value_size;
  bool numeric;
  int base;
};

/// A stable counting sort of the entries by column: each column's rows come out in increasing
/// order (for row-sorted input), so the output is the same on every run.
void csr2csc_work(const Csr2cscArgs& s) {
  Descriptor d;
  d.rows = s.m;
  d.cols = s.n;
  d.nnz = s.nnz;
  d.offsets = const_cast<int*>(s.csr_offsets);
  d.columns = const_cast<int*>(s.csr_columns);
  d.base = s.base == 1 ? CUSPARSE_INDEX_BASE_ONE : CUSPARSE_INDEX_BASE_ZERO;
  const CsrView<int, char> csr(d);
  csr.check("cusparseCsr2cscEx2", "the CSR input");
  std::vector<std::int64_t> next(static_cast<std::size_t>(s.n) + 1, 0);
  for (std::int64_t p = 0; p < s.nnz; ++p) ++next[csr.column(p) + 1];
  for (int j = 0; j < s.n; ++j) next[j + 1] += next[j];
  for (int j = 0; j <= s.n; ++j) s.csc_offsets[j] = static_cast<int>(next[j]) + s.base;
  const auto* from = static_cast<const char*>(s.csr_values);
  auto* to = static_cast<char*>(s.csc_values);
  for (int r = 0; r < s.m; ++r) {
    for (std::int64_t p = csr.begin(r); p < csr.begin(r + 1); ++p) {
      const std::int64_t q = next[csr.column(p)]++;
      s.csc_rows[q] = r + s.base;
      if (s.numeric) std::memcpy(to + q * s.value_size, from + p * s.value_size, s.value_size);
    }
  }
}

cusparseStatus_t check_csr2csc(const char* api, int m, int n, int nnz, cudaDataType valType,
                               cusparseAction_t copyValues, cusparseIndexBase_t idxBase,
                               cusparseCsr2CscAlg_t alg) {
  if (m < 0 || n < 0 || nnz < 0) {
    return reject(CUSPARSE_STATUS_INVALID_VALUE, api, "m (%d), n (%d) or nnz (%d) is negative", m,
                  n, nnz);
  }
  if (copyValues != CUSPARSE_ACTION_SYMBOLIC && copyValues != CUSPARSE_ACTION_NUMERIC) {
    return reject(CUSPARSE_STATUS_INVALID_VALUE, api, "copyValues %d is not an action",
                  static_cast<int>(copyValues));
  }
  if (idxBase != CUSPARSE_INDEX_BASE_ZERO && idxBase != CUSPARSE_INDEX_BASE_ONE) {
    return reject(CUSPARSE_STATUS_INVALID_VALUE, api, "idxBase %d is not an index base",
                  static_cast<int>(idxBase));
  }
  if (alg != CUSPARSE_CSR2CSC_ALG_DEFAULT) {
    return reject(CUSPARSE_STATUS_INVALID_VALUE, api, "unknown algorithm %d",
                  static_cast<int>(alg));
  }
  if (csr2csc_value_size(valType) == 0) {
    return reject(CUSPARSE_STATUS_NOT_SUPPORTED, api, "valType %d is not supported",
                  static_cast<int>(valType));
  }
  return CUSPARSE_STATUS_SUCCESS;
}

// ---- Status names -----------------------------------------------------------------------------

struct StatusText {
  cusparseStatus_t status;
  const char* name;
  const char* text;
};
// The names, and the descriptions libcusparse 12 prints: "initialization error", "invalid value",
// "internal error" and "operation not supported" as seen in its users' logs; the others as a
// cuSPARSE-compatible library (MetaX mcSPARSE) spells them, not checked against libcusparse.
constexpr StatusText kStatusTexts[] = {
    {CUSPARSE_STATUS_SUCCESS, "CUSPARSE_STATUS_SUCCESS", "success"},
    {CUSPARSE_STATUS_NOT_INITIALIZED, "CUSPARSE_STATUS_NOT_INITIALIZED", "initialization error"},
    {CUSPARSE_STATUS_ALLOC_FAILED, "CUSPARSE_STATUS_ALLOC_FAILED", "out of memory"},
    {CUSPARSE_STATUS_INVALID_VALUE, "CUSPARSE_STATUS_INVALID_VALUE", "invalid value"},
    {CUSPARSE_STATUS_ARCH_MISMATCH, "CUSPARSE_STATUS_ARCH_MISMATCH", "architecture mismatch"},
    {CUSPARSE_STATUS_MAPPING_ERROR, "CUSPARSE_STATUS_MAPPING_ERROR",
     "texture memory mapping error"},
    {CUSPARSE_STATUS_EXECUTION_FAILED, "CUSPARSE_STATUS_EXECUTION_FAILED", "kernel launch failure"},
    {CUSPARSE_STATUS_INTERNAL_ERROR, "CUSPARSE_STATUS_INTERNAL_ERROR", "internal error"},
    {CUSPARSE_STATUS_MATRIX_TYPE_NOT_SUPPORTED, "CUSPARSE_STATUS_MATRIX_TYPE_NOT_SUPPORTED",
     "matrix type not supported"},
    {CUSPARSE_STATUS_ZERO_PIVOT, "CUSPARSE_STATUS_ZERO_PIVOT", "zero pivot"},
    {CUSPARSE_STATUS_NOT_SUPPORTED, "CUSPARSE_STATUS_NOT_SUPPORTED", "operation not supported"},
    {CUSPARSE_STATUS_INSUFFICIENT_RESOURCES, "CUSPARSE_STATUS_INSUFFICIENT_RESOURCES",
     "insufficient resources"},
};

const StatusText* find_status_text(cusparseStatus_t status) {
  for (const StatusText& s : kStatusTexts) {
    if (s.status == status) return &s;
  }
  return nullptr;
}

// ---- Descriptor creation ----------------------------------------------------------------------

template <class Out>
cusparseStatus_t create_csr(const char* api, Out* out, std::int64_t rows, std::int64_t cols,
                            std::int64_t nnz, const void* offsets, const void* columns,
                            const void* values, cusparseIndexType_t offset_type,
                            cusparseIndexType_t column_type, cusparseIndexBase_t base,
                            cudaDataType value_type) {
  if (out == nullptr) return reject(CUSPARSE_STATUS_INVALID_VALUE, api, "spMatDescr is NULL");
  if (rows < 0 || cols < 0 || nnz < 0) {
    return reject(CUSPARSE_STATUS_INVALID_VALUE, api, "rows, cols or nnz is negative");
  }
  if (base != CUSPARSE_INDEX_BASE_ZERO && base != CUSPARSE_INDEX_BASE_ONE) {
    return reject(CUSPARSE_STATUS_INVALID_VALUE, api, "idxBase %d is not an index base",
                  static_cast<int>(base));
  }
  for (const cusparseIndexType_t t : {offset_type, column_type}) {
    if (t == CUSPARSE_INDEX_16U) {
      return reject(CUSPARSE_STATUS_NOT_SUPPORTED, api,
                    "CUSPARSE_INDEX_16U is not supported for CSR matrices");
    }
    if (t != CUSPARSE_INDEX_32I && t != CUSPARSE_INDEX_64I) {
      return reject(CUSPARSE_STATUS_INVALID_VALUE, api, "index type %d is not an index type",
                    static_cast<int>(t));
    }
  }
  constexpr std::int64_t kMax32 = std::numeric_limits<std::int32_t>::max();
  if ((offset_type == CUSPARSE_INDEX_32I && (rows > kMax32 || nnz > kMax32)) ||
      (column_type == CUSPARSE_INDEX_32I && cols > kMax32)) {
    return reject(CUSPARSE_STATUS_INSUFFICIENT_RESOURCES, api,
                  "32-bit indices cannot address %lld x %lld with %lld entries",
                  static_cast<long long>(rows), static_cast<long long>(cols),
                  static_cast<long long>(nnz));
  }
  if (emulated_value_size(value_type) == 0) {
    return reject(CUSPARSE_STATUS_NOT_SUPPORTED, api,
                  "value type %d is not emulated (CUDA_R_32F and CUDA_R_64F are)",
                  static_cast<int>(value_type));
  }
  Descriptor d;
  d.kind = Kind::kSparseMatrix;
  d.rows = rows;
  d.cols = cols;
  d.nnz = nnz;
  d.offsets = const_cast<void*>(offsets);
  d.columns = const_cast<void*>(columns);
  d.values = const_cast<void*>(values);
  d.offset_type = offset_type;
  d.column_type = column_type;
  d.base = base;
  d.value_type = value_type;
  if (!check_csr_arrays(d, false, api, "the CSR matrix's")) return CUSPARSE_STATUS_INVALID_VALUE;
  *out = reinterpret_cast<Out>(add_descriptor(d));
  return CUSPARSE_STATUS_SUCCESS;
}

template <class Out>
cusparseStatus_t create_dense_matrix(const char* api, Out* out, std::int64_t rows,
                                     std::int64_t cols, std::int64_t ld, const void* values,
                                     cudaDataType value_type, cusparseOrder_t order) {
  if (out == nullptr) return reject(CUSPARSE_STATUS_INVALID_VALUE, api, "dnMatDescr is NULL");
  if (rows < 0 || cols < 0) {
    return reject(CUSPARSE_STATUS_INVALID_VALUE, api, "rows or cols is negative");
  }
  if (order != CUSPARSE_ORDER_COL && order != CUSPARSE_ORDER_ROW) {
    return reject(CUSPARSE_STATUS_INVALID_VALUE, api, "order %d is not an order",
                  static_cast<int>(order));
  }
  const std::int64_t min_ld = order == CUSPARSE_ORDER_COL ? rows : cols;
  if (ld < min_ld) {
    return reject(CUSPARSE_STATUS_INVALID_VALUE, api, "ld (%lld) is less than %s (%lld)",
                  static_cast<long long>(ld), order == CUSPARSE_ORDER_COL ? "rows" : "cols",
                  static_cast<long long>(min_ld));
  }
  if (emulated_value_size(value_type) == 0) {
    return reject(CUSPARSE_STATUS_NOT_SUPPORTED, api,
                  "value type %d is not emulated (CUDA_R_32F and CUDA_R_64F are)",
                  static_cast<int>(value_type));
  }
  Descriptor d;
  d.kind = Kind::kDenseMatrix;
  d.rows = rows;
  d.cols = cols;
  d.ld = ld;
  d.values = const_cast<void*>(values);
  d.value_type = value_type;
  d.order = order;
  if (!check_dense_values(d, false, api, "values")) return CUSPARSE_STATUS_INVALID_VALUE;
  *out = reinterpret_cast<Out>(add_descriptor(d));
  return CUSPARSE_STATUS_SUCCESS;
}

template <class Out>
cusparseStatus_t create_dense_vector(const char* api, Out* out, std::int64_t size,
                                     const void* values, cudaDataType value_type) {
  if (out == nullptr) return reject(CUSPARSE_STATUS_INVALID_VALUE, api, "dnVecDescr is NULL");
  if (size < 0) return reject(CUSPARSE_STATUS_INVALID_VALUE, api, "size is negative");
  const std::size_t value_size = emulated_value_size(value_type);
  if (value_size == 0) {
    return reject(CUSPARSE_STATUS_NOT_SUPPORTED, api,
                  "value type %d is not emulated (CUDA_R_32F and CUDA_R_64F are)",
                  static_cast<int>(value_type));
  }
  if (!check_array(values, static_cast<std::size_t>(size) * value_size, value_size, api,
                   "values")) {
    return CUSPARSE_STATUS_INVALID_VALUE;
  }
  Descriptor d;
  d.kind = Kind::kDenseVector;
  d.rows = size;
  d.cols = 1;
  d.ld = size;
  d.values = const_cast<void*>(values);
  d.value_type = value_type;
  *out = reinterpret_cast<Out>(add_descriptor(d));
  return CUSPARSE_STATUS_SUCCESS;
}

}  // namespace

std::size_t live_cusparse_handles() {
  std::lock_guard<std::mutex> lock(registry().mutex);
  return registry().handles.size();
}

}  // namespace cunmf_emu::detail

// ---- The cuSPARSE API ---------------------------------------------------------------------------
// Inside extern "C" so that a signature differing from <cusparse.h> is a compile error.

namespace d = cunmf_emu::detail;

extern "C" {

cusparseStatus_t cusparseCreate(cusparseHandle_t* handle) {
  if (handle == nullptr) return CUSPARSE_STATUS_INVALID_VALUE;
  if (d::sticky_error() != cudaSuccess) return CUSPARSE_STATUS_NOT_INITIALIZED;
  if (d::take_handle_creation_failure(cunmf_emu::Library::Cusparse)) {
    return CUSPARSE_STATUS_ALLOC_FAILED;
  }
  auto* h = new d::Handle();
  {
    std::lock_guard<std::mutex> lock(d::registry().mutex);
    d::registry().handles.insert(h);
  }
  *handle = reinterpret_cast<cusparseHandle_t>(h);
  return CUSPARSE_STATUS_SUCCESS;
}

cusparseStatus_t cusparseDestroy(cusparseHandle_t handle) {
  {
    std::lock_guard<std::mutex> lock(d::registry().mutex);
    if (d::live_handle(handle) == nullptr) return CUSPARSE_STATUS_NOT_INITIALIZED;
  }
  // As the real library: releasing a handle waits for the device (its work may still be queued).
  cudaDeviceSynchronize();
  std::lock_guard<std::mutex> lock(d::registry().mutex);
  d::Handle* h = d::live_handle(handle);
  if (h == nullptr) return CUSPARSE_STATUS_NOT_INITIALIZED;
  d::registry().handles.erase(h);
  delete h;
  return CUSPARSE_STATUS_SUCCESS;
}

cusparseStatus_t cusparseSetStream(cusparseHandle_t handle, cudaStream_t streamId) {
  std::lock_guard<std::mutex> lock(d::registry().mutex);
  d::Handle* h = d::live_handle(handle);
  if (h == nullptr) return CUSPARSE_STATUS_NOT_INITIALIZED;
  h->stream = streamId;
  return CUSPARSE_STATUS_SUCCESS;
}

cusparseStatus_t cusparseGetStream(cusparseHandle_t handle, cudaStream_t* streamId) {
  std::lock_guard<std::mutex> lock(d::registry().mutex);
  d::Handle* h = d::live_handle(handle);
  if (h == nullptr) return CUSPARSE_STATUS_NOT_INITIALIZED;
  if (streamId == nullptr) return CUSPARSE_STATUS_INVALID_VALUE;
  *streamId = h->stream;
  return CUSPARSE_STATUS_SUCCESS;
}

cusparseStatus_t cusparseSetPointerMode(cusparseHandle_t handle, cusparsePointerMode_t mode) {
  std::lock_guard<std::mutex> lock(d::registry().mutex);
  d::Handle* h = d::live_handle(handle);
  if (h == nullptr) return CUSPARSE_STATUS_NOT_INITIALIZED;
  if (mode != CUSPARSE_POINTER_MODE_HOST && mode != CUSPARSE_POINTER_MODE_DEVICE) {
    return CUSPARSE_STATUS_INVALID_VALUE;
  }
  h->pointer_mode = mode;
  return CUSPARSE_STATUS_SUCCESS;
}

cusparseStatus_t cusparseGetPointerMode(cusparseHandle_t handle, cusparsePointerMode_t* mode) {
  std::lock_guard<std::mutex> lock(d::registry().mutex);
  d::Handle* h = d::live_handle(handle);
  if (h == nullptr) return CUSPARSE_STATUS_NOT_INITIALIZED;
  if (mode == nullptr) return CUSPARSE_STATUS_INVALID_VALUE;
  *mode = h->pointer_mode;
  return CUSPARSE_STATUS_SUCCESS;
}

const char* cusparseGetErrorName(cusparseStatus_t status) {
  const d::StatusText* s = d::find_status_text(status);
  return s != nullptr ? s->name : "unrecognized error code";
}

const char* cusparseGetErrorString(cusparseStatus_t status) {
  const d::StatusText* s = d::find_status_text(status);
  return s != nullptr ? s->text : "unrecognized error code";
}

// ---- Descriptors ------------------------------------------------------------------------------

cusparseStatus_t cusparseCreateCsr(cusparseSpMatDescr_t* spMatDescr, int64_t rows, int64_t cols,
                                   int64_t nnz, void* csrRowOffsets, void* csrColInd,
                                   void* csrValues, cusparseIndexType_t csrRowOffsetsType,
                                   cusparseIndexType_t csrColIndType, cusparseIndexBase_t idxBase,
                                   cudaDataType valueType) {
  return d::create_csr("cusparseCreateCsr", spMatDescr, rows, cols, nnz, csrRowOffsets, csrColInd,
                       csrValues, csrRowOffsetsType, csrColIndType, idxBase, valueType);
}

cusparseStatus_t cusparseCreateConstCsr(cusparseConstSpMatDescr_t* spMatDescr, int64_t rows,
                                        int64_t cols, int64_t nnz, const void* csrRowOffsets,
                                        const void* csrColInd, const void* csrValues,
                                        cusparseIndexType_t csrRowOffsetsType,
                                        cusparseIndexType_t csrColIndType,
                                        cusparseIndexBase_t idxBase, cudaDataType valueType) {
  return d::create_csr("cusparseCreateConstCsr", spMatDescr, rows, cols, nnz, csrRowOffsets,
                       csrColInd, csrValues, csrRowOffsetsType, csrColIndType, idxBase, valueType);
}

cusparseStatus_t cusparseDestroySpMat(cusparseConstSpMatDescr_t spMatDescr) {
  return d::destroy_descriptor(spMatDescr, d::Kind::kSparseMatrix, "cusparseDestroySpMat");
}

cusparseStatus_t cusparseCsrSetPointers(cusparseSpMatDescr_t spMatDescr, void* csrRowOffsets,
                                        void* csrColInd, void* csrValues) {
  const char* api = "cusparseCsrSetPointers";
  std::lock_guard<std::mutex> lock(d::registry().mutex);
  cusparseStatus_t status;
  d::Descriptor* desc =
      d::live_descriptor(spMatDescr, d::Kind::kSparseMatrix, api, "spMatDescr", &status);
  if (desc == nullptr) return status;
  d::Descriptor updated = *desc;
  updated.offsets = csrRowOffsets;
  updated.columns = csrColInd;
  updated.values = csrValues;
  if (!d::check_csr_arrays(updated, false, api, "the CSR matrix's")) {
    return CUSPARSE_STATUS_INVALID_VALUE;
  }
  *desc = updated;
  return CUSPARSE_STATUS_SUCCESS;
}

cusparseStatus_t cusparseSpMatGetSize(cusparseConstSpMatDescr_t spMatDescr, int64_t* rows,
                                      int64_t* cols, int64_t* nnz) {
  const char* api = "cusparseSpMatGetSize";
  d::Descriptor desc;
  if (const cusparseStatus_t st =
          d::find_descriptor(spMatDescr, d::Kind::kSparseMatrix, api, "spMatDescr", &desc)) {
    return st;
  }
  if (rows == nullptr || cols == nullptr || nnz == nullptr) {
    return d::reject(CUSPARSE_STATUS_INVALID_VALUE, api, "rows, cols or nnz is NULL");
  }
  *rows = desc.rows;
  *cols = desc.cols;
  *nnz = desc.nnz;
  return CUSPARSE_STATUS_SUCCESS;
}

cusparseStatus_t cusparseCreateDnMat(cusparseDnMatDescr_t* dnMatDescr, int64_t rows, int64_t cols,
                                     int64_t ld, void* values, cudaDataType valueType,
                                     cusparseOrder_t order) {
  return d::create_dense_matrix("cusparseCreateDnMat", dnMatDescr, rows, cols, ld, values,
                                valueType, order);
}

cusparseStatus_t cusparseCreateConstDnMat(cusparseConstDnMatDescr_t* dnMatDescr, int64_t rows,
                                          int64_t cols, int64_t ld, const void* values,
                                          cudaDataType valueType, cusparseOrder_t order) {
  return d::create_dense_matrix("cusparseCreateConstDnMat", dnMatDescr, rows, cols, ld, values,
                                valueType, order);
}

cusparseStatus_t cusparseDestroyDnMat(cusparseConstDnMatDescr_t dnMatDescr) {
  return d::destroy_descriptor(dnMatDescr, d::Kind::kDenseMatrix, "cusparseDestroyDnMat");
}

cusparseStatus_t cusparseDnMatGetValues(cusparseDnMatDescr_t dnMatDescr, void** values) {
  const char* api = "cusparseDnMatGetValues";
  d::Descriptor desc;
  if (const cusparseStatus_t st =
          d::find_descriptor(dnMatDescr, d::Kind::kDenseMatrix, api, "dnMatDescr", &desc)) {
    return st;
  }
  if (values == nullptr) return d::reject(CUSPARSE_STATUS_INVALID_VALUE, api, "values is NULL");
  *values = desc.values;
  return CUSPARSE_STATUS_SUCCESS;
}

cusparseStatus_t cusparseDnMatSetValues(cusparseDnMatDescr_t dnMatDescr, void* values) {
  const char* api = "cusparseDnMatSetValues";
  std::lock_guard<std::mutex> lock(d::registry().mutex);
  cusparseStatus_t status;
  d::Descriptor* desc =
      d::live_descriptor(dnMatDescr, d::Kind::kDenseMatrix, api, "dnMatDescr", &status);
  if (desc == nullptr) return status;
  d::Descriptor updated = *desc;
  updated.values = values;
  if (!d::check_dense_values(updated, false, api, "values")) return CUSPARSE_STATUS_INVALID_VALUE;
  *desc = updated;
  return CUSPARSE_STATUS_SUCCESS;
}

cusparseStatus_t cusparseCreateDnVec(cusparseDnVecDescr_t* dnVecDescr, int64_t size, void* values,
                                     cudaDataType valueType) {
  return d::create_dense_vector("cusparseCreateDnVec", dnVecDescr, size, values, valueType);
}

cusparseStatus_t cusparseDestroyDnVec(cusparseConstDnVecDescr_t dnVecDescr) {
  return d::destroy_descriptor(dnVecDescr, d::Kind::kDenseVector, "cusparseDestroyDnVec");
}

// ---- SpMM -------------------------------------------------------------------------------------

cusparseStatus_t cusparseSpMM_bufferSize(cusparseHandle_t handle, cusparseOperation_t opA,
                                         cusparseOperation_t opB, const void* alpha,
                                         cusparseConstSpMatDescr_t matA,
                                         cusparseConstDnMatDescr_t matB, const void* beta,
                                         cusparseDnMatDescr_t matC, cudaDataType computeType,
                                         cusparseSpMMAlg_t alg, size_t* bufferSize) {
  return d::spmm("cusparseSpMM_bufferSize", d::Stage::kBufferSize, handle, opA, opB, alpha, matA,
                 matB, beta, matC, computeType, alg, nullptr, bufferSize);
}

cusparseStatus_t cusparseSpMM_preprocess(cusparseHandle_t handle, cusparseOperation_t opA,
                                         cusparseOperation_t opB, const void* alpha,
                                         cusparseConstSpMatDescr_t matA,
                                         cusparseConstDnMatDescr_t matB, const void* beta,
                                         cusparseDnMatDescr_t matC, cudaDataType computeType,
                                         cusparseSpMMAlg_t alg, void* externalBuffer) {
  return d::spmm("cusparseSpMM_preprocess", d::Stage::kPreprocess, handle, opA, opB, alpha, matA,
                 matB, beta, matC, computeType, alg, externalBuffer, nullptr);
}

cusparseStatus_t cusparseSpMM(cusparseHandle_t handle, cusparseOperation_t opA,
                              cusparseOperation_t opB, const void* alpha,
                              cusparseConstSpMatDescr_t matA, cusparseConstDnMatDescr_t matB,
                              const void* beta, cusparseDnMatDescr_t matC, cudaDataType computeType,
                              cusparseSpMMAlg_t alg, void* externalBuffer) {
  return d::spmm("cusparseSpMM", d::Stage::kCompute, handle, opA, opB, alpha, matA, matB, beta,
                 matC, computeType, alg, externalBuffer, nullptr);
}

// ---- SDDMM ------------------------------------------------------------------------------------

cusparseStatus_t cusparseSDDMM_bufferSize(cusparseHandle_t handle, cusparseOperation_t opA,
                                          cusparseOperation_t opB, const void* alpha,
                                          cusparseConstDnMatDescr_t matA,
                                          cusparseConstDnMatDescr_t matB, const void* beta,
                                          cusparseSpMatDescr_t matC, cudaDataType computeType,
                                          cusparseSDDMMAlg_t alg, size_t* bufferSize) {
  return d::sddmm("cusparseSDDMM_bufferSize", d::Stage::kBufferSize, handle, opA, opB, alpha, matA,
                  matB, beta, matC, computeType, alg, nullptr, bufferSize);
}

cusparseStatus_t cusparseSDDMM_preprocess(cusparseHandle_t handle, cusparseOperation_t opA,
                                          cusparseOperation_t opB, const void* alpha,
                                          cusparseConstDnMatDescr_t matA,
                                          cusparseConstDnMatDescr_t matB, const void* beta,
                                          cusparseSpMatDescr_t matC, cudaDataType computeType,
                                          cusparseSDDMMAlg_t alg, void* externalBuffer) {
  return d::sddmm("cusparseSDDMM_preprocess", d::Stage::kPreprocess, handle, opA, opB, alpha, matA,
                  matB, beta, matC, computeType, alg, externalBuffer, nullptr);
}

cusparseStatus_t cusparseSDDMM(cusparseHandle_t handle, cusparseOperation_t opA,
                               cusparseOperation_t opB, const void* alpha,
                               cusparseConstDnMatDescr_t matA, cusparseConstDnMatDescr_t matB,
                               const void* beta, cusparseSpMatDescr_t matC,
                               cudaDataType computeType, cusparseSDDMMAlg_t alg,
                               void* externalBuffer) {
  return d::sddmm("cusparseSDDMM", d::Stage::kCompute, handle, opA, opB, alpha, matA, matB, beta,
                  matC, computeType, alg, externalBuffer, nullptr);
}

// ---- CSR -> CSC -------------------------------------------------------------------------------

cusparseStatus_t cusparseCsr2cscEx2_bufferSize(cusparseHandle_t handle, int m, int n, int nnz,
                                               const void* /*csrVal*/, const int* /*csrRowPtr*/,
                                               const int* /*csrColInd*/, void* /*cscVal*/,
                                               int* /*cscColPtr*/, int* /*cscRowInd*/,
                                               cudaDataType valType, cusparseAction_t copyValues,
                                               cusparseIndexBase_t idxBase,
                                               cusparseCsr2CscAlg_t alg, size_t* bufferSize) {
  const char* api = "cusparseCsr2cscEx2_bufferSize";
  d::Handle h;
  if (!d::find_handle(handle, &h)) return CUSPARSE_STATUS_NOT_INITIALIZED;
  if (const cusparseStatus_t st =
          d::check_csr2csc(api, m, n, nnz, valType, copyValues, idxBase, alg)) {
    return st;
  }
  if (bufferSize == nullptr)
    return d::reject(CUSPARSE_STATUS_INVALID_VALUE, api, "bufferSize is NULL");
  *bufferSize = d::csr2csc_buffer_bytes(n, nnz);
  return CUSPARSE_STATUS_SUCCESS;
}

cusparseStatus_t cusparseCsr2cscEx2(cusparseHandle_t handle, int m, int n, int nnz,
                                    const void* csrVal, const int* csrRowPtr, const int* csrColInd,
                                    void* cscVal, int* cscColPtr, int* cscRowInd,
                                    cudaDataType valType, cusparseAction_t copyValues,
                                    cusparseIndexBase_t idxBase, cusparseCsr2CscAlg_t alg,
                                    void* buffer) {
  const char* api = "cusparseCsr2cscEx2";
  d::Handle h;
  if (!d::find_handle(handle, &h)) return CUSPARSE_STATUS_NOT_INITIALIZED;
  if (const cusparseStatus_t st =
          d::check_csr2csc(api, m, n, nnz, valType, copyValues, idxBase, alg)) {
    return st;
  }
  if (m == 0 || n == 0) return CUSPARSE_STATUS_SUCCESS;  // documented: nothing is checked
  if (const cusparseStatus_t st = d::check_can_launch(h, api)) return st;
  const bool numeric = copyValues == CUSPARSE_ACTION_NUMERIC;
  const std::size_t value_size = d::csr2csc_value_size(valType);
  const std::size_t entries = static_cast<std::size_t>(nnz);
  const bool ok =
      d::check_workspace(buffer, d::csr2csc_buffer_bytes(n, nnz), api) == CUSPARSE_STATUS_SUCCESS &&
      d::require_array(csrRowPtr, (static_cast<std::size_t>(m) + 1) * sizeof(int), sizeof(int), api,
                       "csrRowPtr") &&
      d::require_array(csrColInd, entries * sizeof(int), sizeof(int), api, "csrColInd") &&
      d::require_array(cscColPtr, (static_cast<std::size_t>(n) + 1) * sizeof(int), sizeof(int), api,
                       "cscColPtr") &&
      d::require_array(cscRowInd, entries * sizeof(int), sizeof(int), api, "cscRowInd") &&
      (!numeric || (d::require_array(csrVal, entries * value_size, value_size, api, "csrVal") &&
                    d::require_array(cscVal, entries * value_size, value_size, api, "cscVal")));
  if (!ok) return CUSPARSE_STATUS_INVALID_VALUE;
  const d::Csr2cscArgs args{m,          n,         nnz,
                            csrVal,     csrRowPtr, csrColInd,
                            cscVal,     cscColPtr, cscRowInd,
                            value_size, numeric,   idxBase == CUSPARSE_INDEX_BASE_ONE ? 1 : 0};
  cunmf_emu::enqueue(h.stream, [args] { d::csr2csc_work(args); });
  return CUSPARSE_STATUS_SUCCESS;
}

}  // extern "C"
