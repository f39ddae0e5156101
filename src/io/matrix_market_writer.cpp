// Writing Matrix Market files (io.hpp): a dense matrix as an array file, a CSR matrix as a
// coordinate file, both `real general`, numbers in the shortest form that reads back exactly.
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <ostream>
#include <string>

#include "cunmf/io.hpp"
#include "io_support.hpp"
#include "text_writer.hpp"

namespace cunmf::io {

namespace {

template <class T>
void write_dense(std::ostream& out, const std::string& name, DenseView<const T> A) {
  detail::validate_dense(A, "write_matrix_market");
  detail::TextWriter writer(out, name);
  writer.put("%%MatrixMarket matrix array real general\n");
  writer.put_number(A.rows);
  writer.put(' ');
  writer.put_number(A.cols);
  writer.put('\n');
  for (std::int64_t j = 0; j < A.cols; ++j) {
    for (std::int64_t i = 0; i < A.rows; ++i) {
      writer.put_number(A(i, j));
      writer.put('\n');
    }
  }
  writer.finish();
}

template <class T, class Index>
void write_sparse(std::ostream& out, const std::string& name, CsrView<const T, Index> A) {
  detail::validate_csr(A, "write_matrix_market");
  detail::TextWriter writer(out, name);
  writer.put("%%MatrixMarket matrix coordinate real general\n");
  writer.put_number(A.rows);
  writer.put(' ');
  writer.put_number(A.cols);
  writer.put(' ');
  writer.put_number(A.nnz);
  writer.put('\n');
  for (std::int64_t i = 0; i < A.rows; ++i) {
    for (std::int64_t e = A.row_ptr[i]; e < A.row_ptr[i + 1]; ++e) {
      writer.put_number(i + 1);
      writer.put(' ');
      writer.put_number(static_cast<std::int64_t>(A.col_idx[e]) + 1);
      writer.put(' ');
      writer.put_number(A.values[e]);
      writer.put('\n');
    }
  }
  writer.finish();
}

template <class View>
void write_file(const std::filesystem::path& path, View A) {
  std::ofstream out = detail::open_for_writing(path);
  write_matrix_market(out, path.string(), A);
}

}  // namespace

void write_matrix_market(std::ostream& out, const std::string& name, DenseView<const float> A) {
  write_dense(out, name, A);
}
void write_matrix_market(std::ostream& out, const std::string& name, DenseView<const double> A) {
  write_dense(out, name, A);
}
void write_matrix_market(std::ostream& out, const std::string& name,
                         CsrView<const float, std::int32_t> A) {
  write_sparse(out, name, A);
}
void write_matrix_market(std::ostream& out, const std::string& name,
                         CsrView<const float, std::int64_t> A) {
  write_sparse(out, name, A);
}
void write_matrix_market(std::ostream& out, const std::string& name,
                         CsrView<const double, std::int32_t> A) {
  write_sparse(out, name, A);
}
void write_matrix_market(std::ostream& out, const std::string& name,
                         CsrView<const double, std::int64_t> A) {
  write_sparse(out, name, A);
}

void write_matrix_market(const std::filesystem::path& path, DenseView<const float> A) {
  write_file(path, A);
}
void write_matrix_market(const std::filesystem::path& path, DenseView<const double> A) {
  write_file(path, A);
}
void write_matrix_market(const std::filesystem::path& path, CsrView<const float, std::int32_t> A) {
  write_file(path, A);
}
void write_matrix_market(const std::filesystem::path& path, CsrView<const float, std::int64_t> A) {
  write_file(path, A);
}
void write_matrix_market(const std::filesystem::path& path, CsrView<const double, std::int32_t> A) {
  write_file(path, A);
}
void write_matrix_market(const std::filesystem::path& path, CsrView<const double, std::int64_t> A) {
  write_file(path, A);
}
}  // namespace cunmf::io
