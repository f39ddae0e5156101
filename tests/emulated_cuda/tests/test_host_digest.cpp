// Tests of the host digest (include/cunmf_emu/host_digest.hpp): what the device hands to the host
// changes it, nothing else does, it depends on the bytes and not on the order of the copies, and a
// process writes it at exit under the name ctest gives its test.
#include <cublas_v2.h>
#include <dirent.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <string>
#include <vector>

#include "cunmf_emu/host_digest.hpp"
#include "emu_test_support.hpp"

namespace {

using cunmf_emu::host_digest;
using cunmf_emu::HostDigest;
using emu_test::DeviceArray;

/// What downloading `device` adds to the digest.
HostDigest digest_of_download(const DeviceArray<float>& device) {
  const HostDigest before = host_digest();
  device.download();
  const HostDigest after = host_digest();
  return HostDigest{after.value - before.value, after.copies - before.copies,
                    after.bytes - before.bytes};
}

TEST(HostDigest, OnlyWhatTheDeviceHandsToTheHostChangesIt) {
  const std::vector<float> host{1.0f, 2.0f, 3.0f};
  DeviceArray<float> a(host);  // host to device
  DeviceArray<float> b(3);
  const HostDigest start = host_digest();
  ASSERT_EQ(cudaSuccess, cudaMemcpy(b.get(), a.get(), a.bytes(), cudaMemcpyDeviceToDevice));
  ASSERT_EQ(cudaSuccess, cudaMemset(b.get(), 0, b.bytes()));
  b.upload(host);
  EXPECT_EQ(start.value, host_digest().value);
  EXPECT_EQ(start.copies, host_digest().copies);

  const HostDigest download = digest_of_download(a);
  EXPECT_EQ(1u, download.copies);
  EXPECT_EQ(a.bytes(), download.bytes);
  EXPECT_NE(0u, download.value);
}

TEST(HostDigest, ItDependsOnTheBytesNotOnTheOrderOfTheCopies) {
  const DeviceArray<float> a(std::vector<float>{1.0f, 2.0f, 3.0f});
  const DeviceArray<float> same(std::vector<float>{1.0f, 2.0f, 3.0f});
  const DeviceArray<float> one_ulp_apart(
      std::vector<float>{1.0f, 2.0f, std::nextafter(3.0f, 4.0f)});
  const DeviceArray<float> b(std::vector<float>{4.0f});
  EXPECT_EQ(digest_of_download(a).value, digest_of_download(same).value);
  EXPECT_NE(digest_of_download(a).value, digest_of_download(one_ulp_apart).value);

  const HostDigest start = host_digest();
  a.download();
  b.download();
  const std::uint64_t a_then_b = host_digest().value - start.value;
  const HostDigest middle = host_digest();
  b.download();
  a.download();
  EXPECT_EQ(a_then_b, host_digest().value - middle.value);
}

TEST(HostDigest, AnAsyncCopyCountsWhenItRuns) {
  const DeviceArray<float> a(std::vector<float>{5.0f, 6.0f});
  cudaStream_t stream = nullptr;
  ASSERT_EQ(cudaSuccess, cudaStreamCreate(&stream));
  std::vector<float> host(2);
  const HostDigest start = host_digest();
  ASSERT_EQ(cudaSuccess,
            cudaMemcpyAsync(host.data(), a.get(), a.bytes(), cudaMemcpyDeviceToHost, stream));
  EXPECT_EQ(start.copies, host_digest().copies);  // queued: nothing has reached the host yet
  ASSERT_EQ(cudaSuccess, cudaStreamSynchronize(stream));
  EXPECT_EQ(start.copies + 1, host_digest().copies);
  EXPECT_EQ(digest_of_download(a).value, host_digest().value - start.value);
  ASSERT_EQ(cudaSuccess, cudaStreamDestroy(stream));
}

TEST(HostDigest, ACublasResultCountsWhenItIsWrittenToTheHost) {
  const DeviceArray<float> x(std::vector<float>{1.0f, 2.0f});
  DeviceArray<float> device_result(1);
  cublasHandle_t handle = nullptr;
  ASSERT_EQ(CUBLAS_STATUS_SUCCESS, cublasCreate(&handle));
  float result = 0.0f;
  HostDigest start = host_digest();
  ASSERT_EQ(CUBLAS_STATUS_SUCCESS, cublasSdot(handle, 2, x.get(), 1, x.get(), 1, &result));
  EXPECT_EQ(start.copies + 1, host_digest().copies);
  EXPECT_EQ(start.bytes + sizeof(float), host_digest().bytes);

  ASSERT_EQ(CUBLAS_STATUS_SUCCESS, cublasSetPointerMode(handle, CUBLAS_POINTER_MODE_DEVICE));
  start = host_digest();
  ASSERT_EQ(CUBLAS_STATUS_SUCCESS,
            cublasSdot(handle, 2, x.get(), 1, x.get(), 1, device_result.get()));
  ASSERT_EQ(cudaSuccess, cudaDeviceSynchronize());
  EXPECT_EQ(start.copies, host_digest().copies);  // stays on the device
  ASSERT_EQ(CUBLAS_STATUS_SUCCESS, cublasDestroy(handle));
}

const std::vector<float> kChildBytes{0.5f, 0.25f, -8.0f};

/// Run alone by the next test, in a child process; in the suite it is a plain download.
TEST(HostDigest, ChildDownloadsKnownBytes) { DeviceArray<float>(kChildBytes).download(); }

TEST(HostDigest, IsWrittenAtExitUnderTheTestsName) {
  char dir[] = "/tmp/emu_host_digest_XXXXXX";
  ASSERT_NE(nullptr, mkdtemp(dir));
  char self[4096] = {};
  ASSERT_GT(readlink("/proc/self/exe", self, sizeof self - 1), 0);
  const std::string filter = "HostDigest.ChildDownloadsKnownBytes";
  const std::string command = "CUNMF_EMU_DIGEST_DIR='" + std::string(dir) + "' '" + self +
                              "' --gtest_filter=" + filter + " > /dev/null 2>&1";
  ASSERT_EQ(0, std::system(command.c_str()));

  std::vector<std::string> lines;
  DIR* listing = opendir(dir);
  ASSERT_NE(nullptr, listing);
  while (const dirent* entry = readdir(listing)) {
    const std::string name = entry->d_name;
    if (name == "." || name == "..") continue;
    std::ifstream file(std::string(dir) + "/" + name);
    for (std::string line; std::getline(file, line);) lines.push_back(line);
    std::remove((std::string(dir) + "/" + name).c_str());
  }
  closedir(listing);
  rmdir(dir);

  const DeviceArray<float> bytes(kChildBytes);
  const HostDigest expected = digest_of_download(bytes);
  char value[17];
  std::snprintf(value, sizeof value, "%016llx", static_cast<unsigned long long>(expected.value));
  const std::string self_name = std::string(self).substr(std::string(self).rfind('/') + 1);
  ASSERT_EQ(1u, lines.size());
  EXPECT_EQ(self_name + ":" + filter + "\t" + value + "\t1\t12", lines[0]);
}

}  // namespace
