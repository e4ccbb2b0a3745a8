// OpenMP provides the worker threads (the same team oneDNN uses, so the two never oversubscribe the cores).
#include "parallel.h"

#include <omp.h>

#include <cstdlib>

namespace ser {
namespace {

int initialThreads() {
  if (const char* env = std::getenv("SER_NATIVE_THREADS")) {
    int n = std::atoi(env);
    if (n >= 1) return n;
  }
  return omp_get_num_procs() > 0 ? omp_get_num_procs() : 1;
}

int configuredThreads = -1;

}  // namespace

int threadCount() {
  if (configuredThreads < 0) setThreadCount(initialThreads());
  return configuredThreads;
}

void setThreadCount(int n) {
  configuredThreads = n < 1 ? 1 : n;
  omp_set_num_threads(configuredThreads);
}

void runOnThreads(int threads, const std::function<void(int, int)>& body) {
  if (threads <= 1 || omp_in_parallel()) {
    for (int t = 0; t < threads; ++t) body(t, threads);
    return;
  }
#pragma omp parallel num_threads(threads)
  {
    // The runtime may grant fewer threads than asked; the ranges follow the team actually running.
    const int total = omp_get_num_threads();
    const int t = omp_get_thread_num();
    if (total == threads) {
      body(t, total);
    } else {
      for (int i = t; i < threads; i += total) body(i, threads);
    }
  }
}

}  // namespace ser
