// RAII owners of cuSPARSE generic-API descriptors (DESIGN.md rule 3): a descriptor made before
// something throws is still destroyed.
#pragma once

#include <cusparse.h>

#include <cstdint>
#include <type_traits>
#include <utility>

#include "cuda_check.hpp"

namespace cunmf::cuda_backend {

template <class T>
constexpr cudaDataType_t cuda_data_type() {
  return std::is_same_v<T, float> ? CUDA_R_32F : CUDA_R_64F;
}
template <class Index>
constexpr cusparseIndexType_t cusparse_index_type() {
  return std::is_same_v<Index, std::int32_t> ? CUSPARSE_INDEX_32I : CUSPARSE_INDEX_64I;
}

/// Owns a cusparseSpMatDescr_t describing a CSR matrix in device memory.
class CsrDescriptor {
 public:
  template <class T, class Index>
  CsrDescriptor(std::int64_t rows, std::int64_t cols, std::int64_t nnz, const Index* row_ptr,
                const Index* col_idx, const T* values) {
    // cuSPARSE takes non-const pointers even for operands it only reads.
    CUNMF_CUSPARSE_CHECK(cusparseCreateCsr(
        &descriptor_, rows, cols, nnz, const_cast<Index*>(row_ptr), const_cast<Index*>(col_idx),
        const_cast<T*>(values), cusparse_index_type<Index>(), cusparse_index_type<Index>(),
        CUSPARSE_INDEX_BASE_ZERO, cuda_data_type<T>()));
  }
  ~CsrDescriptor() { (void)cusparseDestroySpMat(descriptor_); }
  CsrDescriptor(const CsrDescriptor&) = delete;
  CsrDescriptor& operator=(const CsrDescriptor&) = delete;
  cusparseSpMatDescr_t get() const { return descriptor_; }

 private:
  cusparseSpMatDescr_t descriptor_ = nullptr;
};

/// Owns a cusparseDnMatDescr_t describing a column-major dense matrix in device memory (leading
/// dimension rows).
class ColumnMajorDescriptor {
 public:
  template <class T>
  ColumnMajorDescriptor(std::int64_t rows, std::int64_t cols, const T* values) {
    CUNMF_CUSPARSE_CHECK(cusparseCreateDnMat(&descriptor_, rows, cols, rows, const_cast<T*>(values),
                                             cuda_data_type<T>(), CUSPARSE_ORDER_COL));
  }
  ~ColumnMajorDescriptor() { (void)cusparseDestroyDnMat(descriptor_); }
  ColumnMajorDescriptor(const ColumnMajorDescriptor&) = delete;
  ColumnMajorDescriptor& operator=(const ColumnMajorDescriptor&) = delete;
  cusparseDnMatDescr_t get() const { return descriptor_; }

 private:
  cusparseDnMatDescr_t descriptor_ = nullptr;
};

}  // namespace cunmf::cuda_backend
