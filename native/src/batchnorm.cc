// Batch normalisation: tfjs's FusedBatchNorm forward and its gradient, and a fused training-mode pair (batch
// statistics + normalisation, and the complete backward pass) for the fused BatchNormalization layer. Each is one or
// two streaming passes over the activations; sums are float64 per channel, split across threads by rows.
#include <algorithm>
#include <cmath>
#include <vector>

#include "kernels.h"
#include "parallel.h"

namespace ser {
namespace {

constexpr int64_t kGrain = 1 << 15;

int threadsFor(int64_t n) { return static_cast<int>(std::max<int64_t>(1, std::min<int64_t>(threadCount(), n / kGrain))); }

// Per-channel sums over rows of [rows, c]: fn(row pointer index r, float* accA, float* accB) accumulates into float
// row-block buffers that are flushed into float64 every 64 rows (vectorised inner loop, float64 totals).
template <typename RowFn>
void channelSums(int64_t rows, int c, int threads, std::vector<double>& totalA, std::vector<double>& totalB, RowFn rowFn) {
  std::vector<double> partial(static_cast<size_t>(threads) * 2 * c, 0.0);
  runOnThreads(threads, [&](int t, int count) {
    const int64_t begin = rows * t / count;
    const int64_t end = rows * (t + 1) / count;
    double* sumA = partial.data() + static_cast<size_t>(t) * 2 * c;
    double* sumB = sumA + c;
    constexpr int64_t kFlush = 64;
    std::vector<float> a(static_cast<size_t>(c)), b(static_cast<size_t>(c));
    for (int64_t r0 = begin; r0 < end; r0 += kFlush) {
      const int64_t r1 = std::min(end, r0 + kFlush);
      std::fill(a.begin(), a.end(), 0.0f);
      std::fill(b.begin(), b.end(), 0.0f);
      for (int64_t r = r0; r < r1; ++r) rowFn(r, a.data(), b.data());
      for (int j = 0; j < c; ++j) {
        sumA[j] += a[j];
        sumB[j] += b[j];
      }
    }
  });
  totalA.assign(static_cast<size_t>(c), 0.0);
  totalB.assign(static_cast<size_t>(c), 0.0);
  for (int t = 0; t < threads; ++t) {
    for (int j = 0; j < c; ++j) {
      totalA[j] += partial[static_cast<size_t>(t) * 2 * c + j];
      totalB[j] += partial[static_cast<size_t>(t) * 2 * c + c + j];
    }
  }
}

// out[r, j] = x[r, j] * k[j] + m[j] (+ res[r, j]), or its relu: the per-channel affine map every forward pass ends with.
template <bool Relu, bool Residual = false>
void affineRows(const float* x, int64_t rows, int c, const float* k, const float* m, float* out,
                const float* res = nullptr) {
  parallelFor(rows, std::max<int64_t>(1, kGrain / c), [&](int64_t begin, int64_t end) {
    for (int64_t r = begin; r < end; ++r) {
      const float* __restrict xr = x + r * c;
      const float* __restrict rr = Residual ? res + r * c : nullptr;
      float* __restrict yr = out + r * c;
      for (int j = 0; j < c; ++j) {
        const float v = xr[j] * k[j] + m[j] + (Residual ? rr[j] : 0.0f);
        yr[j] = Relu ? (v > 0.0f ? v : 0.0f) : v;
      }
    }
  });
}

// The training forward's affine map from its float statistics. The fused-relu gradient recomputes exactly these
// floats, so its mask (x * k + m > 0) is the forward's own.
void trainingAffine(int c, const float* mean, const float* variance, const float* gamma, const float* beta,
                    float epsilon, float* k, float* m) {
  for (int j = 0; j < c; ++j) {
    const double scale = (gamma != nullptr ? gamma[j] : 1.0) / std::sqrt(static_cast<double>(variance[j]) + epsilon);
    k[j] = static_cast<float>(scale);
    m[j] = static_cast<float>((beta != nullptr ? beta[j] : 0.0) - static_cast<double>(mean[j]) * scale);
  }
}

}  // namespace

void batchNorm(const float* x, int64_t n, const float* mean, int64_t meanLen, const float* variance, int64_t varLen,
               const float* offset, int64_t offsetLen, const float* scale, int64_t scaleLen, float epsilon, float* out) {
  const int64_t c = meanLen;
  const bool perChannel = varLen == c && (offset == nullptr || offsetLen == c) && (scale == nullptr || scaleLen == c) &&
                          n % c == 0;
  if (perChannel) {
    // Fold into one multiply-add per element: out = x * k + m.
    std::vector<float> k(static_cast<size_t>(c)), m(static_cast<size_t>(c));
    for (int64_t j = 0; j < c; ++j) {
      const float s = scale != nullptr ? scale[j] : 1.0f;
      k[j] = s / std::sqrt(variance[j] + epsilon);
      m[j] = (offset != nullptr ? offset[j] : 0.0f) - mean[j] * k[j];
    }
    affineRows<false>(x, n / c, static_cast<int>(c), k.data(), m.data(), out);
    return;
  }
  parallelFor(n, kGrain, [&](int64_t begin, int64_t end) {
    for (int64_t i = begin; i < end; ++i) {
      const float s = scale != nullptr ? scale[i % scaleLen] : 1.0f;
      const float o = offset != nullptr ? offset[i % offsetLen] : 0.0f;
      out[i] = o + (x[i] - mean[i % meanLen]) * s / std::sqrt(variance[i % varLen] + epsilon);
    }
  });
}

void batchNormGrad(const float* dy, const float* x, int64_t n, int c, const float* mean, const float* variance,
                   const float* scale, float epsilon, float* dx, float* dmean, float* dvariance, float* dscale,
                   float* doffset) {
  const int64_t rows = n / c;
  const int threads = static_cast<int>(std::max<int64_t>(1, std::min<int64_t>(threadCount(), n / kGrain)));
  // Per-thread channel sums of dy and dy * (x - mean), in float64 like the tfjs Sum kernel.
  std::vector<double> sums(static_cast<size_t>(threads) * 2 * c, 0.0);
  std::vector<float> rs(static_cast<size_t>(c)), k(static_cast<size_t>(c));
  for (int j = 0; j < c; ++j) {
    rs[j] = 1.0f / std::sqrt(variance[j] + epsilon);
    k[j] = rs[j] * (scale != nullptr ? scale[j] : 1.0f);
  }
  runOnThreads(threads, [&](int t, int count) {
    const int64_t begin = rows * t / count;
    const int64_t end = rows * (t + 1) / count;
    double* sumDy = sums.data() + static_cast<size_t>(t) * 2 * c;
    double* sumDyXm = sumDy + c;
    // Row-local float sums keep the inner loop vectorised; flushed to float64 every block of rows.
    constexpr int64_t kFlush = 64;
    std::vector<float> bDy(static_cast<size_t>(c)), bDyXm(static_cast<size_t>(c));
    for (int64_t r0 = begin; r0 < end; r0 += kFlush) {
      const int64_t r1 = std::min(end, r0 + kFlush);
      std::fill(bDy.begin(), bDy.end(), 0.0f);
      std::fill(bDyXm.begin(), bDyXm.end(), 0.0f);
      for (int64_t r = r0; r < r1; ++r) {
        const float* g = dy + r * c;
        const float* xr = x + r * c;
        float* d = dx + r * c;
        for (int j = 0; j < c; ++j) {
          bDy[j] += g[j];
          bDyXm[j] += g[j] * (xr[j] - mean[j]);
          d[j] = g[j] * k[j];
        }
      }
      for (int j = 0; j < c; ++j) {
        sumDy[j] += bDy[j];
        sumDyXm[j] += bDyXm[j];
      }
    }
  });
  for (int j = 0; j < c; ++j) {
    double sDy = 0.0, sDyXm = 0.0;
    for (int t = 0; t < threads; ++t) {
      sDy += sums[static_cast<size_t>(t) * 2 * c + j];
      sDyXm += sums[static_cast<size_t>(t) * 2 * c + c + j];
    }
    const double s = scale != nullptr ? scale[j] : 1.0;
    const double r = rs[j];
    if (dmean != nullptr) dmean[j] = static_cast<float>(-r * s * sDy);
    if (dvariance != nullptr) dvariance[j] = static_cast<float>(-0.5 * r * r * r * s * sDyXm);
    if (dscale != nullptr) dscale[j] = static_cast<float>(r * sDyXm);
    if (doffset != nullptr) doffset[j] = static_cast<float>(sDy);
  }
}

void batchNormTraining(const float* x, int64_t n, int c, const float* gamma, const float* beta, float epsilon, bool relu,
                       float* y, float* mean, float* variance, const float* residual) {
  const int64_t rows = n / c;
  // Shifting by the first row keeps E[x^2] - E[x]^2 free of cancellation when activations sit far from zero.
  std::vector<float> shift(x, x + c);
  std::vector<double> sum, sumSq;
  channelSums(rows, c, threadsFor(n), sum, sumSq, [&](int64_t r, float* a, float* b) {
    const float* xr = x + r * c;
    for (int j = 0; j < c; ++j) {
      const float d = xr[j] - shift[j];
      a[j] += d;
      b[j] += d * d;
    }
  });
  for (int j = 0; j < c; ++j) {
    const double dMean = sum[j] / static_cast<double>(rows);
    mean[j] = static_cast<float>(shift[j] + dMean);
    variance[j] = static_cast<float>(std::max(0.0, sumSq[j] / static_cast<double>(rows) - dMean * dMean));
  }
  std::vector<float> k(static_cast<size_t>(c)), m(static_cast<size_t>(c));
  trainingAffine(c, mean, variance, gamma, beta, epsilon, k.data(), m.data());
  if (residual != nullptr) {
    if (relu) {
      affineRows<true, true>(x, rows, c, k.data(), m.data(), y, residual);
    } else {
      affineRows<false, true>(x, rows, c, k.data(), m.data(), y, residual);
    }
  } else if (relu) {
    affineRows<true>(x, rows, c, k.data(), m.data(), y);
  } else {
    affineRows<false>(x, rows, c, k.data(), m.data(), y);
  }
}

namespace {

// One row of the gradient's channel sums: a += g, b += g * (x - mean), with g = dy masked by the forward relu
// (x * k + m > 0) when Relu. dy is loaded unconditionally: a load only under the condition is not if-converted, and
// the loop then ran scalar with a branch per element (10x slower on random signs).
template <bool Relu>
inline void gradSumsRow(const float* __restrict dy, const float* __restrict x, const float* __restrict mean,
                        const float* __restrict k, const float* __restrict m, float* __restrict a, float* __restrict b,
                        int c) {
  for (int j = 0; j < c; ++j) {
    const float d = dy[j];
    const float g = Relu ? (x[j] * k[j] + m[j] > 0.0f ? d : 0.0f) : d;
    a[j] += g;
    b[j] += g * (x[j] - mean[j]);
  }
}

// One row of dx = g * k1 + x * k2 + k0, g masked as above.
template <bool Relu>
inline void gradRow(const float* __restrict dy, const float* __restrict x, const float* __restrict k,
                    const float* __restrict m, const float* __restrict k1, const float* __restrict k2,
                    const float* __restrict k0, float* __restrict dx, int c) {
  for (int j = 0; j < c; ++j) {
    const float d = dy[j];
    const float g = Relu ? (x[j] * k[j] + m[j] > 0.0f ? d : 0.0f) : d;
    dx[j] = g * k1[j] + x[j] * k2[j] + k0[j];
  }
}

// dx, dgamma, dbeta of batchNormTraining; with Relu, dy is first masked where the forward's x * k + m was <= 0.
template <bool Relu>
void trainingGrad(const float* dy, const float* x, int64_t n, int c, const float* mean, const float* variance,
                  const float* gamma, const float* beta, const float* dmean, const float* dvariance, float epsilon,
                  float* dx, float* dgamma, float* dbeta) {
  const int64_t rows = n / c;
  std::vector<float> fk(static_cast<size_t>(c)), fm(static_cast<size_t>(c));
  if (Relu) trainingAffine(c, mean, variance, gamma, beta, epsilon, fk.data(), fm.data());
  const float* kf = fk.data();
  const float* mf = fm.data();
  std::vector<double> sumDy, sumDyXm;
  channelSums(rows, c, threadsFor(n), sumDy, sumDyXm, [&](int64_t r, float* a, float* b) {
    gradSumsRow<Relu>(dy + r * c, x + r * c, mean, kf, mf, a, b, c);
  });
  // dx = gamma*rs*dy - gamma*rs^3*(x - mean)*sum(dy*(x - mean))/N - gamma*rs*sum(dy)/N, per channel, plus the
  // gradients arriving at the statistics themselves (mean: 1/N each; variance: 2(x - mean)/N each).
  std::vector<float> k1(static_cast<size_t>(c)), k2(static_cast<size_t>(c)), k0(static_cast<size_t>(c));
  for (int j = 0; j < c; ++j) {
    const double rs = 1.0 / std::sqrt(static_cast<double>(variance[j]) + epsilon);
    const double g = gamma != nullptr ? gamma[j] : 1.0;
    const double inv = 1.0 / static_cast<double>(rows);
    k1[j] = static_cast<float>(g * rs);
    const double viaVariance = dvariance != nullptr ? 2.0 * dvariance[j] * inv : 0.0;
    const double viaMean = dmean != nullptr ? dmean[j] * inv : 0.0;
    const double slope = -g * rs * rs * rs * sumDyXm[j] * inv + viaVariance;
    k2[j] = static_cast<float>(slope);
    k0[j] = static_cast<float>(-g * rs * sumDy[j] * inv + viaMean - slope * static_cast<double>(mean[j]));
    if (dgamma != nullptr) dgamma[j] = static_cast<float>(rs * sumDyXm[j]);
    if (dbeta != nullptr) dbeta[j] = static_cast<float>(sumDy[j]);
  }
  parallelFor(rows, std::max<int64_t>(1, kGrain / c), [&](int64_t begin, int64_t end) {
    for (int64_t r = begin; r < end; ++r) {
      gradRow<Relu>(dy + r * c, x + r * c, kf, mf, k1.data(), k2.data(), k0.data(), dx + r * c, c);
    }
  });
}

}  // namespace

void batchNormTrainingGrad(const float* dy, const float* x, int64_t n, int c, const float* mean, const float* variance,
                           const float* gamma, const float* beta, bool relu, const float* dmean, const float* dvariance,
                           float epsilon, float* dx, float* dgamma, float* dbeta) {
  if (relu) {
    trainingGrad<true>(dy, x, n, c, mean, variance, gamma, beta, dmean, dvariance, epsilon, dx, dgamma, dbeta);
  } else {
    trainingGrad<false>(dy, x, n, c, mean, variance, gamma, beta, dmean, dvariance, epsilon, dx, dgamma, dbeta);
  }
}

}  // namespace ser
