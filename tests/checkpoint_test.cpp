// Checkpoints: a run interrupted after a checkpoint and resumed from it gives the bits of the
// uninterrupted run (dense and CSR, MU Frobenius and KL and ALS, float and double, an X rescaled
// internally too); the file round-trips, numpy-compatible; a damaged or mismatched checkpoint is a
// clear error. Builds twice, like scaling_test: cpu_checkpoint_test and (CUNMF_CHECKPOINT_ON_CUDA)
// cuda_checkpoint_test on the CUDA backend.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <iterator>
#include <stdexcept>
#include <string>

#include "cuda_test_support.hpp"
#include "cunmf/cunmf.hpp"
#include "sparse_support.hpp"
#include "test_support.hpp"

namespace cunmf {
namespace {

namespace fs = std::filesystem;

#if defined(CUNMF_CHECKPOINT_ON_CUDA)
constexpr Backend kBackend = Backend::Cuda;
#define CUNMF_SKIP_UNLESS_BACKEND() CUNMF_SKIP_WITHOUT_DEVICE()
constexpr const char* kSuffix = "cuda";
#else
constexpr Backend kBackend = Backend::Cpu;
#define CUNMF_SKIP_UNLESS_BACKEND()
constexpr const char* kSuffix = "cpu";
#endif

/// A fresh folder for one test's files, named after the running test (CTest runs the tests of
/// this file in parallel processes).
fs::path scratch(const std::string& test) {
  const auto* info = ::testing::UnitTest::GetInstance()->current_test_info();
  std::string name = std::string(info->test_suite_name()) + "." + info->name() + "." + test;
  for (char& c : name) c = c == '/' ? '_' : c;
  const fs::path dir = fs::temp_directory_path() / ("cunmf_checkpoint_" + name + "_" + kSuffix);
  fs::remove_all(dir);
  fs::create_directories(dir);
  return dir;
}

/// What a test does to simulate a crash: on_check throws it at the given iteration.
struct Interrupted : std::runtime_error {
  Interrupted() : std::runtime_error("interrupted") {}
};

/// What is run: a solver and a loss it supports.
struct Method {
  Solver solver;
  Loss loss;
  const char* name;
  double beta = 2.0;  ///< Options::beta, for Loss::Beta
};
const Method kMethods[] = {{Solver::MultiplicativeUpdate, Loss::Frobenius, "MU Frobenius"},
                           {Solver::MultiplicativeUpdate, Loss::KullbackLeibler, "MU KL"},
                           {Solver::MultiplicativeUpdate, Loss::Beta, "MU beta 0.5", 0.5},
                           {Solver::CoordinateDescent, Loss::Frobenius, "CD"},
                           {Solver::CoordinateDescent, Loss::KullbackLeibler, "CD KL"},
                           {Solver::AlternatingLeastSquares, Loss::Frobenius, "ALS"},
                           {Solver::ProjectedGradient, Loss::Frobenius, "PGD"},
                           {Solver::AnlsBpp, Loss::Frobenius, "ANLS-BPP"}};

Options options_for(const Method& method, const fs::path& checkpoint) {
  Options o;
  o.rank = 3;
  o.solver = method.solver;
  o.loss = method.loss;
  o.beta = method.beta;
  o.backend = kBackend;
  o.max_iter = 40;
  o.tol = 0.0;
  o.check_every = 4;
  o.checkpoint = {checkpoint.string(), 10};
  return o;
}

/// Runs uninterrupted; runs again until a crash at iteration 27 (checkpoints at 10 and 20); resumes
/// from the file; expects the resumed result to equal the uninterrupted one bit for bit. With
/// `rescaled` (an X the library rescales), the β-divergence is left out: it is not rescaled
/// (README), so an X of 1e30 overflows float there, as it should.
template <class T, class Run, class Resume>
void expect_resume_is_exact(const fs::path& dir, Run run, Resume resume, bool rescaled = false) {
  for (const Method& method : kMethods) {
    if (rescaled && method.loss == Loss::Beta) continue;
    SCOPED_TRACE(method.name);
    const fs::path file = dir / "run.npz";
    fs::remove(file);
    Options plain = options_for(method, "");
    plain.checkpoint = {};
    const Result<T> whole = run(plain);

    Options crashing = options_for(method, file);
    crashing.on_check = [](int it, double) {
      if (it == 28) throw Interrupted();
    };
    EXPECT_THROW((void)run(crashing), Interrupted);
    const Checkpoint<T> saved = io::read_checkpoint<T>(file);
    EXPECT_EQ(saved.iterations, 20);
    EXPECT_EQ(saved.history_iterations.back(), 20);

    const Result<T> resumed = resume(options_for(method, file), saved);
    EXPECT_EQ(resumed.iterations, whole.iterations);
    EXPECT_TRUE(test::bitwise_equal(resumed.W, whole.W));
    EXPECT_TRUE(test::bitwise_equal(resumed.H, whole.H));
    EXPECT_EQ(resumed.loss_history, whole.loss_history);
    EXPECT_EQ(resumed.history_iterations, whole.history_iterations);
    // The resumed run checkpointed at 30 too (not at 40: it ended there).
    EXPECT_EQ(io::read_checkpoint<T>(file).iterations, 30);
  }
}

template <class T>
class CheckpointTest : public ::testing::Test {};
using Precisions = ::testing::Types<float, double>;
TYPED_TEST_SUITE(CheckpointTest, Precisions);

TYPED_TEST(CheckpointTest, DenseRunResumesToTheSameBits) {
  CUNMF_SKIP_UNLESS_BACKEND();
  using T = TypeParam;
  const DenseMatrix<T> X = test::planted_matrix<T>(37, 23, 3, 0.05, 21);
  expect_resume_is_exact<T>(
      scratch("dense"), [&](const Options& o) { return factorize(X.view(), o); },
      [&](const Options& o, const Checkpoint<T>& c) { return factorize(X.view(), o, c); });
}

TYPED_TEST(CheckpointTest, SparseRunResumesToTheSameBits) {
  CUNMF_SKIP_UNLESS_BACKEND();
  using T = TypeParam;
  const auto X = test::random_csr<T, std::int64_t>(41, 29, 0.3, 22);
  expect_resume_is_exact<T>(
      scratch("sparse"), [&](const Options& o) { return factorize(X.view(), o); },
      [&](const Options& o, const Checkpoint<T>& c) { return factorize(X.view(), o, c); });
}

// X around 1e30 is solved rescaled (core/scaling.hpp): the checkpoint holds the user's factors and
// history, and resuming rescales them exactly.
TEST(Checkpoint, RescaledRunResumesToTheSameBits) {
  CUNMF_SKIP_UNLESS_BACKEND();
  DenseMatrix<float> X = test::planted_matrix<float>(30, 20, 3, 0.05, 23);
  for (std::int64_t i = 0; i < X.size(); ++i) X.data()[i] *= 1e30f;
  expect_resume_is_exact<float>(
      scratch("rescaled"), [&](const Options& o) { return factorize(X.view(), o); },
      [&](const Options& o, const Checkpoint<float>& c) { return factorize(X.view(), o, c); },
      true);
}

std::string bytes_of(const fs::path& file) {
  std::ifstream in(file, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), {}};
}

void write_bytes(const fs::path& file, const std::string& bytes) {
  std::ofstream(file, std::ios::binary) << bytes;
}

/// A checkpoint file from a short run, and that run's result.
Result<double> short_run(const fs::path& file) {
  const DenseMatrix<double> X = test::planted_matrix<double>(12, 9, 2, 0.05, 24);
  Options o = options_for(kMethods[0], file);
  o.rank = 2;
  o.max_iter = 15;
  return factorize(X.view(), o);
}

TEST(CheckpointFile, RoundTripsAndReadsAsAnotherPrecision) {
  CUNMF_SKIP_UNLESS_BACKEND();
  const fs::path file = scratch("round_trip") / "c.npz";
  (void)short_run(file);
  const Checkpoint<double> c = io::read_checkpoint<double>(file);
  EXPECT_EQ(c.iterations, 10);
  EXPECT_EQ(c.history_iterations, (std::vector<int>{0, 4, 8}));
  EXPECT_EQ(c.W.rows(), 12);
  EXPECT_EQ(c.H.cols(), 9);
  // Writing what was read gives the same bytes (a fixed time stamp, no padding left undefined).
  const fs::path again = file.parent_path() / "again.npz";
  io::write_checkpoint(again, c);
  EXPECT_EQ(bytes_of(again), bytes_of(file));
  const Checkpoint<float> as_float = io::read_checkpoint<float>(file);
  EXPECT_EQ(as_float.W.data()[0], static_cast<float>(c.W.data()[0]));
}

TEST(CheckpointFile, DamageIsAnIoErrorNamingTheFile) {
  CUNMF_SKIP_UNLESS_BACKEND();
  const fs::path dir = scratch("damage");
  const fs::path file = dir / "c.npz";
  (void)short_run(file);
  const std::string good = bytes_of(file);
  const fs::path bad = dir / "bad.npz";
  const auto expect_io_error = [&](const std::string& bytes, const char* what) {
    write_bytes(bad, bytes);
    EXPECT_TRUE(test::throws_with_message<IoError>([&] { (void)io::read_checkpoint<double>(bad); },
                                                   {"bad.npz", what}))
        << what;
  };
  expect_io_error(good.substr(0, good.size() / 2), "past the end");
  expect_io_error(good.substr(0, good.find("PK\x01\x02")), "central directory");
  std::string flipped = good;
  flipped[200] = static_cast<char>(flipped[200] ^ 0x10);  // inside W's data
  expect_io_error(flipped, "CRC-32");
  expect_io_error("PK\x03\x04", "truncated");
  expect_io_error("not a zip at all", "not a ZIP");
  expect_io_error("", "central directory");
  EXPECT_THROW((void)io::read_checkpoint<double>(dir / "missing.npz"), IoError);
}

TEST(Checkpoint, MismatchedOptionsAreInvalidArguments) {
  CUNMF_SKIP_UNLESS_BACKEND();
  const fs::path file = scratch("mismatch") / "c.npz";
  (void)short_run(file);
  const Checkpoint<double> c = io::read_checkpoint<double>(file);
  const DenseMatrix<double> X = test::planted_matrix<double>(12, 9, 2, 0.05, 24);
  Options o = options_for(kMethods[0], "");
  o.checkpoint = {};
  o.rank = 2;
  o.max_iter = 15;
  Options other_loss = o;
  other_loss.loss = Loss::KullbackLeibler;
  EXPECT_TRUE(test::throws_with_message<InvalidArgument>(
      [&] { (void)factorize(X.view(), other_loss, c); }, {"another loss, beta or solver"}));
  Options other_solver = o;
  other_solver.solver = Solver::AlternatingLeastSquares;
  EXPECT_TRUE(test::throws_with_message<InvalidArgument>(
      [&] { (void)factorize(X.view(), other_solver, c); }, {"another loss, beta or solver"}));
  // A β-divergence run resumes only with its own β (β = 2 is the Frobenius run itself).
  const fs::path beta_file = scratch("mismatch") / "beta.npz";
  Options beta_run = options_for(kMethods[2], beta_file.string());
  beta_run.rank = 2;
  (void)factorize(X.view(), beta_run);
  const Checkpoint<double> b = io::read_checkpoint<double>(beta_file);
  EXPECT_EQ(b.loss, Loss::Beta);
  EXPECT_EQ(b.beta, 0.5);
  Options other_beta = beta_run;
  other_beta.checkpoint = {};
  other_beta.beta = 1.5;
  EXPECT_TRUE(test::throws_with_message<InvalidArgument>(
      [&] { (void)factorize(X.view(), other_beta, b); }, {"another loss, beta or solver"}));
  Options frobenius = o;
  frobenius.loss = Loss::Beta;
  EXPECT_NO_THROW((void)factorize(X.view(), frobenius, c));
  Options other_rank = o;
  other_rank.rank = 3;
  EXPECT_TRUE(test::throws_with_message<InvalidArgument>(
      [&] { (void)factorize(X.view(), other_rank, c); }, {"checkpoint's W", "12 x 2"}));
  Options fewer = o;
  fewer.max_iter = 5;
  EXPECT_TRUE(test::throws_with_message<InvalidArgument>(
      [&] { (void)factorize(X.view(), fewer, c); }, {"iteration 10", "max_iter = 5"}));
  const DenseMatrix<double> wider = test::planted_matrix<double>(12, 10, 2, 0.05, 24);
  EXPECT_TRUE(test::throws_with_message<InvalidArgument>(
      [&] { (void)factorize(wider.view(), o, c); }, {"checkpoint's H"}));
  Options half = o;
  half.checkpoint.path = (file.parent_path() / "x.npz").string();
  EXPECT_TRUE(test::throws_with_message<InvalidArgument>([&] { (void)factorize(X.view(), half); },
                                                         {"go together"}));
}

// A checkpoint that cannot be written fails the run with IoError and leaves no file behind.
TEST(Checkpoint, UnwritableCheckpointIsAnIoErrorAndLeavesNothing) {
  CUNMF_SKIP_UNLESS_BACKEND();
  const fs::path dir = scratch("unwritable");
  const fs::path file = dir / "no_such_folder" / "c.npz";
  EXPECT_TRUE(test::throws_with_message<IoError>([&] { (void)short_run(file); },
                                                 {"c.npz", "temporary file"}));
  EXPECT_TRUE(fs::is_empty(dir));
}

}  // namespace
}  // namespace cunmf
