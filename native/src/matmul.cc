// Batched GEMM with tfjs BatchMatMul/_FusedMatMul semantics; threads split batches, or rows of one big product.
#include <cblas.h>

#include <algorithm>
#include <cmath>

#include "kernels.h"
#include "parallel.h"

namespace ser {

void applyActivation(float* v, int64_t n, Activation act, float alpha) {
  switch (act) {
    case Activation::Linear:
      return;
    case Activation::Relu:
      for (int64_t i = 0; i < n; ++i) v[i] = v[i] < 0.0f ? 0.0f : v[i];
      return;
    case Activation::Relu6:
      for (int64_t i = 0; i < n; ++i) v[i] = v[i] < 0.0f ? 0.0f : (v[i] > 6.0f ? 6.0f : v[i]);
      return;
    case Activation::Elu:
      for (int64_t i = 0; i < n; ++i) v[i] = v[i] >= 0.0f ? v[i] : std::expm1(v[i]);
      return;
    case Activation::Sigmoid:
      for (int64_t i = 0; i < n; ++i) v[i] = 1.0f / (1.0f + std::exp(-v[i]));
      return;
    case Activation::LeakyRelu:
      for (int64_t i = 0; i < n; ++i) v[i] = v[i] < 0.0f ? alpha * v[i] : v[i];
      return;
  }
}

void matmul(const float* a, const float* b, float* c, int64_t batch, int64_t strideA, int64_t strideB, int m, int n,
            int k, bool transA, bool transB, const float* bias, int64_t biasSize, Activation act, float alpha) {
  const int lda = transA ? m : k;
  const int ldb = transB ? k : n;
  const CBLAS_TRANSPOSE ta = transA ? CblasTrans : CblasNoTrans;
  const CBLAS_TRANSPOSE tb = transB ? CblasTrans : CblasNoTrans;
  auto epilogue = [&](float* out, int64_t rows) {
    if (bias != nullptr) {
      for (int64_t r = 0; r < rows; ++r) {
        float* row = out + r * n;
        for (int j = 0; j < n; ++j) row[j] += bias[biasSize == 1 ? 0 : j];
      }
    }
    applyActivation(out, rows * n, act, alpha);
  };
  const int64_t flopsPerBatch = int64_t{m} * n * k;
  if (batch >= threadCount() || flopsPerBatch < (1 << 16)) {
    const int64_t grain = std::max<int64_t>(1, (int64_t{1} << 18) / std::max<int64_t>(flopsPerBatch, 1));
    parallelFor(batch, grain, [&](int64_t begin, int64_t end) {
      for (int64_t i = begin; i < end; ++i) {
        float* out = c + i * m * n;
        cblas_sgemm(CblasRowMajor, ta, tb, m, n, k, 1.0f, a + i * strideA, lda, b + i * strideB, ldb, 0.0f, out, n);
        epilogue(out, m);
      }
    });
    return;
  }
  // Few large products: split each product's output rows; a row block of op(A) starts at column r when A is transposed.
  for (int64_t i = 0; i < batch; ++i) {
    const float* ai = a + i * strideA;
    const float* bi = b + i * strideB;
    float* ci = c + i * m * n;
    parallelFor(m, 16, [&](int64_t begin, int64_t end) {
      const float* aBlock = transA ? ai + begin : ai + begin * k;
      cblas_sgemm(CblasRowMajor, ta, tb, static_cast<int>(end - begin), n, k, 1.0f, aBlock, lda, bi, ldb, 0.0f,
                  ci + begin * n, n);
      epilogue(ci + begin * n, end - begin);
    });
  }
}

}  // namespace ser
