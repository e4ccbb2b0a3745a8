// Kernels split their work into contiguous ranges, one per thread (OpenMP underneath).
#pragma once
#include <cstdint>
#include <functional>

namespace ser {

// Threads used by parallelFor (>= 1); defaults to the hardware concurrency or SER_NATIVE_THREADS.
int threadCount();
void setThreadCount(int n);

// Runs body(t, T) for every t in [0, T), in parallel where threads are available (serially when nested).
void runOnThreads(int threads, const std::function<void(int, int)>& body);

// Splits [0, n) into at most threadCount() contiguous ranges of at least `grain` items and runs fn(begin, end) on each.
template <typename F>
void parallelFor(int64_t n, int64_t grain, F fn) {
  if (n <= 0) return;
  int64_t maxParts = grain > 0 ? (n + grain - 1) / grain : n;
  int threads = threadCount();
  if (maxParts < threads) threads = static_cast<int>(maxParts);
  if (threads <= 1) {
    fn(int64_t{0}, n);
    return;
  }
  runOnThreads(threads, [&](int t, int total) {
    int64_t begin = n * t / total;
    int64_t end = n * (t + 1) / total;
    if (begin < end) fn(begin, end);
  });
}

}  // namespace ser
