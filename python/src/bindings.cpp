// The extension module cunmf._core: cunmf::factorize, cunmf::transform and cunmf::knn_graph for
// NumPy arrays (float32/float64, C or Fortran order, read in place) and CSR triplets (int32/int64
// indices), with the GIL released during the run, progress through Options::on_check and Ctrl-C
// through Options::should_stop; Options::graph to and from scipy.sparse CSR matrices. The
// estimator (python/cunmf/_nmf.py) and cunmf.knn_graph (python/cunmf/_graph.py) do the
// conversions and the scikit-learn conventions.
#include <nanobind/nanobind.h>
#include <nanobind/ndarray.h>
#include <nanobind/stl/optional.h>
#include <nanobind/stl/string.h>
#include <nanobind/stl/vector.h>

#include <Python.h>

#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <type_traits>
#include <utility>
#include <vector>

#include "cunmf/cunmf.hpp"

namespace nb = nanobind;

namespace {

/// A read-only 2-D NumPy array of T, any strides (checked below: it must be contiguous).
template <class T>
using InArray = nb::ndarray<const T, nb::ndim<2>, nb::device::cpu>;
/// A read-only 1-D NumPy array (the CSR arrays).
template <class T>
using InVector = nb::ndarray<const T, nb::ndim<1>, nb::device::cpu, nb::c_contig>;
/// A 2-D NumPy array handed back to Python, owning its data.
template <class T>
using OutArray = nb::ndarray<nb::numpy, T, nb::ndim<2>>;

/// A view of a C- or Fortran-contiguous array (no copy); TypeError for any other strides, which
/// the Python side never passes (it makes such an array contiguous first).
template <class T>
cunmf::DenseView<const T> dense_view(const InArray<T>& a, const char* name) {
  const auto rows = static_cast<std::int64_t>(a.shape(0));
  const auto cols = static_cast<std::int64_t>(a.shape(1));
  const auto s0 = static_cast<std::int64_t>(a.stride(0));
  const auto s1 = static_cast<std::int64_t>(a.stride(1));
  // A dimension of extent 1 may have any stride.
  if ((cols <= 1 || s1 == 1) && (rows <= 1 || s0 == cols)) {
    return {a.data(), rows, cols, cunmf::Layout::RowMajor};
  }
  if ((rows <= 1 || s0 == 1) && (cols <= 1 || s1 == rows)) {
    return {a.data(), rows, cols, cunmf::Layout::ColMajor};
  }
  throw nb::type_error((std::string("cunmf: ") + name +
                        " must be C- or Fortran-contiguous (numpy.ascontiguousarray makes it so)")
                           .c_str());
}

/// Moves a row-major DenseMatrix into a NumPy array that owns it.
template <class T>
OutArray<T> to_numpy(cunmf::DenseMatrix<T>&& m) {
  auto* owned = new cunmf::DenseMatrix<T>(std::move(m));
  nb::capsule owner(owned, [](void* p) noexcept { delete static_cast<cunmf::DenseMatrix<T>*>(p); });
  return OutArray<T>(
      owned->data(),
      {static_cast<std::size_t>(owned->rows()), static_cast<std::size_t>(owned->cols())}, owner);
}

/// Moves a std::vector into a 1-D NumPy array that owns it.
template <class T>
nb::ndarray<nb::numpy, T, nb::ndim<1>> vector_to_numpy(std::vector<T>&& v) {
  auto* owned = new std::vector<T>(std::move(v));
  nb::capsule owner(owned, [](void* p) noexcept { delete static_cast<std::vector<T>*>(p); });
  return nb::ndarray<nb::numpy, T, nb::ndim<1>>(owned->data(), {owned->size()}, owner);
}

/// A scipy.sparse.csr_matrix holding a CSR matrix of the library (its arrays moved into NumPy
/// arrays, which scipy keeps, narrowing the indices to int32 where they fit).
nb::object to_scipy_csr(cunmf::CsrMatrix<double, std::int64_t>&& A) {
  const nb::object csr_matrix = nb::module_::import_("scipy.sparse").attr("csr_matrix");
  const nb::tuple shape = nb::make_tuple(A.rows, A.cols);
  const nb::tuple arrays =
      nb::make_tuple(vector_to_numpy(std::move(A.values)), vector_to_numpy(std::move(A.col_idx)),
                     vector_to_numpy(std::move(A.row_ptr)));
  return csr_matrix(arrays, nb::arg("shape") = shape);
}

/// Options::graph as a scipy.sparse.csr_matrix (a copy), or None when there is none (0 × 0).
nb::object get_graph(const cunmf::Options& options) {
  if (options.graph.rows == 0 && options.graph.cols == 0 && options.graph.values.empty()) {
    return nb::none();
  }
  cunmf::CsrMatrix<double, std::int64_t> copy = options.graph;
  return to_scipy_csr(std::move(copy));
}

/// Options::graph from a scipy.sparse CSR matrix (or array), None for no graph: its arrays are
/// copied as int64 indices and float64 weights. The library checks the contents (shape,
/// symmetry, finite non-negative weights, sorted columns) when it runs.
void set_graph(cunmf::Options& options, nb::handle graph) {
  if (graph.is_none()) {
    options.graph = {};
    return;
  }
  if (!nb::hasattr(graph, "format") || !nb::isinstance<nb::str>(graph.attr("format")) ||
      nb::cast<std::string>(graph.attr("format")) != "csr") {
    throw nb::type_error("cunmf: Options.graph must be a scipy.sparse CSR matrix or None");
  }
  const nb::object ascontiguousarray = nb::module_::import_("numpy").attr("ascontiguousarray");
  const auto array = [&](const char* name, const char* dtype) {
    return ascontiguousarray(graph.attr(name), nb::arg("dtype") = dtype);
  };
  const nb::object indptr_array = array("indptr", "int64");
  const nb::object indices_array = array("indices", "int64");
  const nb::object data_array = array("data", "float64");
  const auto indptr = nb::cast<InVector<std::int64_t>>(indptr_array);
  const auto indices = nb::cast<InVector<std::int64_t>>(indices_array);
  const auto data = nb::cast<InVector<double>>(data_array);
  const nb::tuple shape = nb::cast<nb::tuple>(graph.attr("shape"));
  cunmf::CsrMatrix<double, std::int64_t> A;
  A.rows = nb::cast<std::int64_t>(shape[0]);
  A.cols = nb::cast<std::int64_t>(shape[1]);
  A.row_ptr.assign(indptr.data(), indptr.data() + indptr.shape(0));
  A.col_idx.assign(indices.data(), indices.data() + indices.shape(0));
  A.values.assign(data.data(), data.data() + data.shape(0));
  options.graph = std::move(A);
}

/// cunmf::knn_graph of X's columns (a DenseView or a CsrView), without the GIL, as a
/// scipy.sparse.csr_matrix.
template <class XView>
nb::object knn_graph_of(XView x, std::int64_t neighbours, cunmf::GraphWeight weighting) {
  cunmf::CsrMatrix<double, std::int64_t> graph;
  {
    nb::gil_scoped_release no_gil;
    graph = cunmf::knn_graph(x, neighbours, weighting);
  }
  return to_scipy_csr(std::move(graph));
}

const char* backend_name(cunmf::Backend b) {
  switch (b) {
    case cunmf::Backend::Cuda:
      return "cuda";
    case cunmf::Backend::Cpu:
      return "cpu";
    case cunmf::Backend::Auto:
      break;
  }
  return "auto";
}

/// How often, at most, a run takes the GIL to look for a pending signal (Ctrl-C): often enough
/// to stop within a second, rarely enough to cost nothing next to the iterations.
constexpr std::chrono::milliseconds kSignalPollInterval{50};

/// The hooks of one run, called from the run's thread while it does not hold the GIL: progress
/// (a Python callable, may be None) and cancellation on a pending signal. A Python exception
/// raised by either (KeyboardInterrupt from the signal handler, or the callable's own) stops the
/// run and is raised again by rethrow_pending() once the library has unwound.
class RunHooks {
 public:
  explicit RunHooks(nb::object on_check) : on_check_(std::move(on_check)) {}

  void install(cunmf::Options& options) {
    if (!on_check_.is_none()) {
      options.on_check = [this](int iteration, double loss) {
        if (pending_) return;
        nb::gil_scoped_acquire gil;
        try {
          on_check_(iteration, loss);
        } catch (nb::python_error& e) {
          pending_ = std::make_unique<nb::python_error>(std::move(e));
        }
      };
    }
    last_poll_ = std::chrono::steady_clock::now();
    options.should_stop = [this] {
      if (pending_) return true;
      const auto now = std::chrono::steady_clock::now();
      if (now - last_poll_ < kSignalPollInterval) return false;
      last_poll_ = now;
      nb::gil_scoped_acquire gil;
      // Signals are handled on the main thread only; elsewhere this returns 0 at once.
      if (PyErr_CheckSignals() != 0) pending_ = std::make_unique<nb::python_error>();
      return pending_ != nullptr;
    };
  }

  /// Raises the Python exception that stopped the run, if any (call with the GIL held).
  void rethrow_pending() {
    if (pending_) {
      std::unique_ptr<nb::python_error> e = std::move(pending_);
      e->restore();
      throw nb::python_error();
    }
  }

 private:
  nb::object on_check_;
  std::unique_ptr<nb::python_error> pending_;
  std::chrono::steady_clock::time_point last_poll_;
};

/// Runs `run` (a call of cunmf::factorize) without the GIL, under the hooks, and returns its
/// Result as a dict of NumPy arrays and plain values.
template <class T, class Run>
nb::dict run_and_collect(cunmf::Options options, nb::object on_check, Run&& run) {
  RunHooks hooks(std::move(on_check));
  hooks.install(options);
  std::optional<cunmf::Result<T>> result;
  try {
    nb::gil_scoped_release no_gil;
    result.emplace(run(static_cast<const cunmf::Options&>(options)));
  } catch (const cunmf::Cancelled&) {
    hooks.rethrow_pending();  // the KeyboardInterrupt (or the callback's error) that stopped it
    throw;
  }
  hooks.rethrow_pending();  // an on_check error at the last check
  nb::dict out;
  out["W"] = to_numpy(std::move(result->W));
  out["H"] = to_numpy(std::move(result->H));
  out["loss_history"] = result->loss_history;
  out["history_iterations"] = result->history_iterations;
  out["iterations"] = result->iterations;
  out["converged"] = result->converged;
  out["seconds"] = result->seconds;
  out["backend"] = backend_name(result->backend);
  return out;
}

/// Factorizes X (a DenseView or a CsrView) from W0 and H0 when given, else from options.init.
template <class T, class XView>
nb::dict factorize_view(XView x, const cunmf::Options& options, const std::optional<InArray<T>>& W0,
                        const std::optional<InArray<T>>& H0, nb::object on_check) {
  if (W0.has_value() != H0.has_value()) {
    throw nb::value_error("cunmf: give both W0 and H0, or neither");
  }
  if (W0) {
    const auto w = dense_view(*W0, "W");
    const auto h = dense_view(*H0, "H");
    return run_and_collect<T>(options, std::move(on_check), [&](const cunmf::Options& o) {
      return cunmf::factorize(x, o, w, h);
    });
  }
  return run_and_collect<T>(options, std::move(on_check),
                            [&](const cunmf::Options& o) { return cunmf::factorize(x, o); });
}

/// A view of the CSR arrays of a scipy.sparse.csr_matrix (the library checks their contents).
template <class T, class Index>
cunmf::CsrView<const T, Index> csr_view(std::int64_t rows, std::int64_t cols,
                                        const InVector<Index>& indptr,
                                        const InVector<Index>& indices, const InVector<T>& data) {
  if (indptr.shape(0) != static_cast<std::size_t>(rows + 1) || indices.shape(0) != data.shape(0)) {
    throw nb::value_error(
        "cunmf: inconsistent CSR arrays (indptr must have rows + 1 entries, indices as many as "
        "data)");
  }
  return {rows,          cols,           static_cast<std::int64_t>(data.shape(0)),
          indptr.data(), indices.data(), data.data()};
}

/// H for X on the fixed W (cunmf::transform), from H0 when given.
template <class T, class XView>
nb::dict transform_view(XView x, const InArray<T>& W, const cunmf::Options& options,
                        const std::optional<InArray<T>>& H0) {
  const cunmf::DenseView<const T> w = dense_view(W, "W");
  if (H0) {
    const auto h = dense_view(*H0, "H");
    return run_and_collect<T>(
        options, nb::none(), [&](const cunmf::Options& o) { return cunmf::transform(x, w, o, h); });
  }
  return run_and_collect<T>(options, nb::none(),
                            [&](const cunmf::Options& o) { return cunmf::transform(x, w, o); });
}

/// The data-fit loss of W·H, the β-divergence (β = 2: ½‖X − WH‖²_F, β = 1: the generalized KL
/// divergence), without the regularization terms that a penalized run's loss history includes.
template <class T, class XView>
double data_loss(XView x, const InArray<T>& W, const InArray<T>& H, double beta) {
  const cunmf::DenseView<const T> w = dense_view(W, "W");
  const cunmf::DenseView<const T> h = dense_view(H, "H");
  nb::gil_scoped_release no_gil;
  return cunmf::beta_divergence(x, w, h, beta);
}

/// factorize_csr, transform_csr, data_loss_csr and knn_graph_csr for values T and indices Index:
/// X given as (rows, cols, indptr, indices, data), the arrays of a scipy.sparse.csr_matrix.
template <class T, class Index>
void def_csr_functions(nb::module_& m) {
  m.def(
      "factorize_csr",
      [](std::int64_t rows, std::int64_t cols, const InVector<Index>& indptr,
         const InVector<Index>& indices, const InVector<T>& data, const cunmf::Options& options,
         const std::optional<InArray<T>>& W0, const std::optional<InArray<T>>& H0,
         nb::object on_check) {
        return factorize_view<T>(csr_view(rows, cols, indptr, indices, data), options, W0, H0,
                                 std::move(on_check));
      },
      nb::arg("rows"), nb::arg("cols"), nb::arg("indptr").noconvert(),
      nb::arg("indices").noconvert(), nb::arg("data").noconvert(), nb::arg("options"),
      nb::arg("W0").noconvert() = nb::none(), nb::arg("H0").noconvert() = nb::none(),
      nb::arg("on_check") = nb::none());
  m.def(
      "transform_csr",
      [](std::int64_t rows, std::int64_t cols, const InVector<Index>& indptr,
         const InVector<Index>& indices, const InVector<T>& data, const InArray<T>& W,
         const cunmf::Options& options, const std::optional<InArray<T>>& H0) {
        return transform_view<T>(csr_view(rows, cols, indptr, indices, data), W, options, H0);
      },
      nb::arg("rows"), nb::arg("cols"), nb::arg("indptr").noconvert(),
      nb::arg("indices").noconvert(), nb::arg("data").noconvert(), nb::arg("W").noconvert(),
      nb::arg("options"), nb::arg("H0").noconvert() = nb::none());
  m.def(
      "data_loss_csr",
      [](std::int64_t rows, std::int64_t cols, const InVector<Index>& indptr,
         const InVector<Index>& indices, const InVector<T>& data, const InArray<T>& W,
         const InArray<T>& H, double beta) {
        return data_loss<T>(csr_view(rows, cols, indptr, indices, data), W, H, beta);
      },
      nb::arg("rows"), nb::arg("cols"), nb::arg("indptr").noconvert(),
      nb::arg("indices").noconvert(), nb::arg("data").noconvert(), nb::arg("W").noconvert(),
      nb::arg("H").noconvert(), nb::arg("beta"));
  m.def(
      "knn_graph_csr",
      [](std::int64_t rows, std::int64_t cols, const InVector<Index>& indptr,
         const InVector<Index>& indices, const InVector<T>& data, std::int64_t neighbours,
         cunmf::GraphWeight weighting) {
        return knn_graph_of(csr_view(rows, cols, indptr, indices, data), neighbours, weighting);
      },
      nb::arg("rows"), nb::arg("cols"), nb::arg("indptr").noconvert(),
      nb::arg("indices").noconvert(), nb::arg("data").noconvert(), nb::arg("neighbours"),
      nb::arg("weighting"));
}

/// factorize_dense, transform_dense, data_loss_dense and knn_graph_dense for T, and the CSR
/// functions for T with either index type. Overloads are told apart by dtype: no argument is
/// converted (a converted X would be a silent copy).
template <class T>
void def_functions(nb::module_& m) {
  m.def(
      "factorize_dense",
      [](const InArray<T>& X, const cunmf::Options& options, const std::optional<InArray<T>>& W0,
         const std::optional<InArray<T>>& H0, nb::object on_check) {
        return factorize_view<T>(dense_view(X, "X"), options, W0, H0, std::move(on_check));
      },
      nb::arg("X").noconvert(), nb::arg("options"), nb::arg("W0").noconvert() = nb::none(),
      nb::arg("H0").noconvert() = nb::none(), nb::arg("on_check") = nb::none());
  m.def(
      "transform_dense",
      [](const InArray<T>& X, const InArray<T>& W, const cunmf::Options& options,
         const std::optional<InArray<T>>& H0) {
        return transform_view<T>(dense_view(X, "X"), W, options, H0);
      },
      nb::arg("X").noconvert(), nb::arg("W").noconvert(), nb::arg("options"),
      nb::arg("H0").noconvert() = nb::none());
  m.def(
      "data_loss_dense",
      [](const InArray<T>& X, const InArray<T>& W, const InArray<T>& H, double beta) {
        return data_loss<T>(dense_view(X, "X"), W, H, beta);
      },
      nb::arg("X").noconvert(), nb::arg("W").noconvert(), nb::arg("H").noconvert(),
      nb::arg("beta"));
  m.def(
      "knn_graph_dense",
      [](const InArray<T>& X, std::int64_t neighbours, cunmf::GraphWeight weighting) {
        return knn_graph_of(dense_view(X, "X"), neighbours, weighting);
      },
      nb::arg("X").noconvert(), nb::arg("neighbours"), nb::arg("weighting"));
  def_csr_functions<T, std::int32_t>(m);
  def_csr_functions<T, std::int64_t>(m);
}

/// Solver::AnlsBpp where this build's library has it (detected, so the binding needs no change).
template <class S, class = void>
struct HasAnlsBpp : std::false_type {};
template <class S>
struct HasAnlsBpp<S, std::void_t<decltype(S::AnlsBpp)>> : std::true_type {};

template <class S>
void add_anls_bpp(nb::enum_<S>& e) {
  if constexpr (HasAnlsBpp<S>::value) e.value("AnlsBpp", S::AnlsBpp);
}

}  // namespace

NB_MODULE(_core, m) {
  m.doc() = "cuNMF's C++ library (the cunmf package's internals; use cunmf.NMF)";

  // cuNMF's typed exceptions, as subclasses of the Python exceptions that mean the same; the
  // message is the library's. Registered base first: nanobind tries the latest first.
  nb::exception<cunmf::Error>(m, "Error", PyExc_RuntimeError);
  nb::exception<cunmf::InvalidArgument>(m, "InvalidArgument", PyExc_ValueError);
  nb::exception<cunmf::CudaError>(m, "CudaError", PyExc_RuntimeError);
  nb::exception<cunmf::DeviceOutOfMemory>(m, "DeviceOutOfMemory", PyExc_MemoryError);
  nb::exception<cunmf::DeviceUnavailable>(m, "DeviceUnavailable", PyExc_RuntimeError);
  nb::exception<cunmf::NumericalError>(m, "NumericalError", PyExc_FloatingPointError);
  nb::exception<cunmf::IoError>(m, "IoError", PyExc_OSError);
  nb::exception<cunmf::Cancelled>(m, "Cancelled", PyExc_RuntimeError);

  nb::enum_<cunmf::Loss>(m, "Loss")
      .value("Frobenius", cunmf::Loss::Frobenius)
      .value("KullbackLeibler", cunmf::Loss::KullbackLeibler)
      .value("Beta", cunmf::Loss::Beta)
      .value("ItakuraSaito", cunmf::Loss::ItakuraSaito);
  nb::enum_<cunmf::Solver> solver(m, "Solver");
  solver.value("MultiplicativeUpdate", cunmf::Solver::MultiplicativeUpdate)
      .value("CoordinateDescent", cunmf::Solver::CoordinateDescent)
      .value("AlternatingLeastSquares", cunmf::Solver::AlternatingLeastSquares)
      .value("ProjectedGradient", cunmf::Solver::ProjectedGradient);
  add_anls_bpp(solver);
  nb::enum_<cunmf::Backend>(m, "Backend")
      .value("Auto", cunmf::Backend::Auto)
      .value("Cpu", cunmf::Backend::Cpu)
      .value("Cuda", cunmf::Backend::Cuda);
  nb::enum_<cunmf::Init>(m, "Init")
      .value("Random", cunmf::Init::Random)
      .value("Nndsvd", cunmf::Init::Nndsvd)
      .value("Nndsvda", cunmf::Init::Nndsvda)
      .value("Nndsvdar", cunmf::Init::Nndsvdar);
  nb::enum_<cunmf::TensorCoreMode>(m, "TensorCoreMode")
      .value("Off", cunmf::TensorCoreMode::Off)
      .value("Tf32", cunmf::TensorCoreMode::Tf32)
      .value("Tf32x3", cunmf::TensorCoreMode::Tf32x3);
  nb::enum_<cunmf::GraphWeight>(m, "GraphWeight")
      .value("Binary", cunmf::GraphWeight::Binary)
      .value("Heat", cunmf::GraphWeight::Heat)
      .value("Cosine", cunmf::GraphWeight::Cosine);

  // The options the estimator sets (the hooks are set per run, above). A new member of
  // cunmf::Options is one .def_rw line here.
  nb::class_<cunmf::Options>(m, "Options")
      .def(nb::init<>())
      .def_rw("rank", &cunmf::Options::rank)
      .def_rw("loss", &cunmf::Options::loss)
      .def_rw("beta", &cunmf::Options::beta)
      .def_rw("solver", &cunmf::Options::solver)
      .def_rw("backend", &cunmf::Options::backend)
      .def_rw("init", &cunmf::Options::init)
      .def_rw("max_iter", &cunmf::Options::max_iter)
      .def_rw("tol", &cunmf::Options::tol)
      .def_rw("check_every", &cunmf::Options::check_every)
      .def_rw("seed", &cunmf::Options::seed)
      .def_rw("device", &cunmf::Options::device)
      .def_rw("allow_tf32", &cunmf::Options::allow_tf32)
      .def_rw("tensor_cores", &cunmf::Options::tensor_cores)
      .def_rw("alpha_W", &cunmf::Options::alpha_W)
      .def_rw("alpha_H", &cunmf::Options::alpha_H)
      .def_rw("l1_ratio", &cunmf::Options::l1_ratio)
      .def_rw("nsnmf_theta", &cunmf::Options::nsnmf_theta)
      // The affinity as a scipy.sparse CSR matrix (copied in and out), None for none.
      .def_prop_rw("graph", &get_graph, &set_graph, nb::for_setter(nb::arg("graph").none()))
      .def_rw("graph_lambda", &cunmf::Options::graph_lambda);

  def_functions<float>(m);
  def_functions<double>(m);

  m.def(
      "validate_affinity",
      [](nb::handle graph, std::int64_t n) {
        cunmf::Options holder;
        set_graph(holder, graph);
        cunmf::validate_affinity(holder.graph, n);
      },
      nb::arg("graph"), nb::arg("n"),
      "Checks a scipy.sparse CSR affinity as factorize checks Options.graph (n x n, finite, "
      "non-negative, exactly symmetric); raises InvalidArgument naming the problem.");
  m.def("cuda_available", &cunmf::cuda_available,
        "True when this build has the CUDA backend and a CUDA device is usable.");
  m.def(
      "cuda_device_description", [] { return std::string(cunmf::cuda_device_description()); },
      "The CUDA device Backend.Cuda would use, or why there is none.");
#if defined(CUNMF_WITH_CUDA)
  m.attr("built_with_cuda") = true;
#else
  m.attr("built_with_cuda") = false;
#endif
  m.attr("__version__") = cunmf::version();
}
