// Convolutions as im2col + GEMM: each thread lowers a block of output rows into a [rows, fh*fw*inC] patch matrix
// (whose column order matches the tfjs filter layout [fh,fw,inC,outC]) and multiplies it with OpenBLAS.
#include <cblas.h>

#include <algorithm>
#include <cstring>
#include <vector>

#include "conv_dnnl.h"
#include "kernels.h"
#include "parallel.h"

namespace ser {
namespace {

// Patch rows are lowered in blocks of about this many floats, so the block stays in cache between im2col and GEMM.
constexpr int64_t kBlockFloats = 1 << 18;

int64_t patchSize(const ConvDims& d) { return int64_t{d.filterH} * d.filterW * d.inC; }

bool isPointwise(const ConvDims& d) {
  return d.filterH == 1 && d.filterW == 1 && d.strideH == 1 && d.strideW == 1 && d.padTop == 0 && d.padLeft == 0 &&
         d.outH == d.inH && d.outW == d.inW;
}

int64_t blockRowsFor(int64_t k) { return std::max<int64_t>(64, kBlockFloats / std::max<int64_t>(k, 1)); }

// Writes the patches of output rows [r0, r1) (row = (n*outH + oy)*outW + ox) into cols.
void im2colRows(const float* x, const ConvDims& d, int64_t r0, int64_t r1, float* cols) {
  const int64_t k = patchSize(d);
  const int64_t perImage = int64_t{d.outH} * d.outW;
  const size_t pixelBytes = sizeof(float) * d.inC;
  for (int64_t r = r0; r < r1; ++r) {
    const int64_t n = r / perImage;
    const int64_t p = r % perImage;
    const int oy = static_cast<int>(p / d.outW);
    const int ox = static_cast<int>(p % d.outW);
    const float* image = x + n * d.inH * d.inW * d.inC;
    float* row = cols + (r - r0) * k;
    for (int ky = 0; ky < d.filterH; ++ky) {
      const int iy = oy * d.strideH - d.padTop + ky * d.dilationH;
      for (int kx = 0; kx < d.filterW; ++kx) {
        const int ix = ox * d.strideW - d.padLeft + kx * d.dilationW;
        float* dst = row + (int64_t{ky} * d.filterW + kx) * d.inC;
        if (iy < 0 || iy >= d.inH || ix < 0 || ix >= d.inW) {
          std::memset(dst, 0, pixelBytes);
        } else {
          std::memcpy(dst, image + (int64_t{iy} * d.inW + ix) * d.inC, pixelBytes);
        }
      }
    }
  }
}

// Adds patch gradients of rows [r0, r1) back onto their input pixels (rows must not share images with other threads).
void col2imRows(const float* cols, const ConvDims& d, int64_t r0, int64_t r1, float* dx) {
  const int64_t k = patchSize(d);
  const int64_t perImage = int64_t{d.outH} * d.outW;
  for (int64_t r = r0; r < r1; ++r) {
    const int64_t n = r / perImage;
    const int64_t p = r % perImage;
    const int oy = static_cast<int>(p / d.outW);
    const int ox = static_cast<int>(p % d.outW);
    float* image = dx + n * d.inH * d.inW * d.inC;
    const float* row = cols + (r - r0) * k;
    for (int ky = 0; ky < d.filterH; ++ky) {
      const int iy = oy * d.strideH - d.padTop + ky * d.dilationH;
      if (iy < 0 || iy >= d.inH) continue;
      for (int kx = 0; kx < d.filterW; ++kx) {
        const int ix = ox * d.strideW - d.padLeft + kx * d.dilationW;
        if (ix < 0 || ix >= d.inW) continue;
        const float* src = row + (int64_t{ky} * d.filterW + kx) * d.inC;
        float* dst = image + (int64_t{iy} * d.inW + ix) * d.inC;
        for (int c = 0; c < d.inC; ++c) dst[c] += src[c];
      }
    }
  }
}

void addBiasActivate(float* y, int64_t rows, int cols, const float* bias, int64_t biasSize, Activation act,
                     float alpha) {
  if (bias != nullptr) {
    for (int64_t r = 0; r < rows; ++r) {
      float* row = y + r * cols;
      if (biasSize == 1) {
        for (int c = 0; c < cols; ++c) row[c] += bias[0];
      } else {
        for (int c = 0; c < cols; ++c) row[c] += bias[c];
      }
    }
  }
  applyActivation(y, rows * cols, act, alpha);
}

ConvEngine engineSetting = ConvEngine::Auto;

bool useDnnl() { return engineSetting == ConvEngine::Auto; }

}  // namespace

void setConvEngine(ConvEngine engine) { engineSetting = engine; }

ConvEngine convEngine() { return engineSetting; }

void conv2d(const float* x, const float* w, const float* bias, int64_t biasSize, Activation act, float alpha,
            const ConvDims& d, float* y) {
  const int64_t k = patchSize(d);
  const int64_t rows = int64_t{d.batch} * d.outH * d.outW;
  const bool pointwise = isPointwise(d);
  if (useDnnl() && dnnlConv2d(x, w, d, y)) {
    if (bias != nullptr || act != Activation::Linear) {
      parallelFor(rows, 256, [&](int64_t begin, int64_t end) {
        addBiasActivate(y + begin * d.outC, end - begin, d.outC, bias, biasSize, act, alpha);
      });
    }
    return;
  }
  parallelFor(rows, 64, [&](int64_t begin, int64_t end) {
    if (pointwise) {
      cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, static_cast<int>(end - begin), d.outC, d.inC, 1.0f,
                  x + begin * d.inC, d.inC, w, d.outC, 0.0f, y + begin * d.outC, d.outC);
      addBiasActivate(y + begin * d.outC, end - begin, d.outC, bias, biasSize, act, alpha);
      return;
    }
    const int64_t blockRows = blockRowsFor(k);
    std::vector<float> cols(static_cast<size_t>(std::min(blockRows, end - begin) * k));
    for (int64_t r0 = begin; r0 < end; r0 += blockRows) {
      const int64_t r1 = std::min(end, r0 + blockRows);
      im2colRows(x, d, r0, r1, cols.data());
      cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, static_cast<int>(r1 - r0), d.outC, static_cast<int>(k),
                  1.0f, cols.data(), static_cast<int>(k), w, d.outC, 0.0f, y + r0 * d.outC, d.outC);
      addBiasActivate(y + r0 * d.outC, r1 - r0, d.outC, bias, biasSize, act, alpha);
    }
  });
}

void conv2dBackpropInput(const float* dy, const float* w, const ConvDims& d, float* dx) {
  const int64_t k = patchSize(d);
  const int64_t perImage = int64_t{d.outH} * d.outW;
  const int64_t imageSize = int64_t{d.inH} * d.inW * d.inC;
  if (useDnnl() && dnnlConv2dBackpropInput(dy, w, d, dx)) return;
  if (isPointwise(d)) {
    const int64_t rows = int64_t{d.batch} * perImage;
    parallelFor(rows, 64, [&](int64_t begin, int64_t end) {
      cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, static_cast<int>(end - begin), d.inC, d.outC, 1.0f,
                  dy + begin * d.outC, d.outC, w, d.outC, 0.0f, dx + begin * d.inC, d.inC);
    });
    return;
  }
  // Threads own whole images so that overlapping windows never add into the same pixel concurrently.
  parallelFor(d.batch, 1, [&](int64_t nBegin, int64_t nEnd) {
    std::memset(dx + nBegin * imageSize, 0, sizeof(float) * (nEnd - nBegin) * imageSize);
    const int64_t blockRows = blockRowsFor(k);
    const int64_t begin = nBegin * perImage;
    const int64_t end = nEnd * perImage;
    std::vector<float> cols(static_cast<size_t>(std::min(blockRows, end - begin) * k));
    for (int64_t r0 = begin; r0 < end; r0 += blockRows) {
      const int64_t r1 = std::min(end, r0 + blockRows);
      cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, static_cast<int>(r1 - r0), static_cast<int>(k), d.outC,
                  1.0f, dy + r0 * d.outC, d.outC, w, d.outC, 0.0f, cols.data(), static_cast<int>(k));
      col2imRows(cols.data(), d, r0, r1, dx);
    }
  });
}

void conv2dBackpropFilter(const float* x, const float* dy, const ConvDims& d, float* dw) {
  const int64_t k = patchSize(d);
  const int64_t rows = int64_t{d.batch} * d.outH * d.outW;
  const int64_t filterSize = k * d.outC;
  const bool pointwise = isPointwise(d);
  if (useDnnl() && dnnlConv2dBackpropFilter(x, dy, d, dw)) return;
  const int threads = static_cast<int>(std::max<int64_t>(1, std::min<int64_t>(threadCount(), rows / 64)));
  // Each thread sums its rows into a private filter gradient; thread 0 writes straight into dw.
  std::vector<float> partials(static_cast<size_t>((threads - 1) * filterSize));
  runOnThreads(threads, [&](int t, int total) {
    const int64_t begin = rows * t / total;
    const int64_t end = rows * (t + 1) / total;
    float* acc = t == 0 ? dw : partials.data() + (t - 1) * filterSize;
    std::memset(acc, 0, sizeof(float) * filterSize);
    if (begin >= end) return;
    if (pointwise) {
      cblas_sgemm(CblasRowMajor, CblasTrans, CblasNoTrans, d.inC, d.outC, static_cast<int>(end - begin), 1.0f,
                  x + begin * d.inC, d.inC, dy + begin * d.outC, d.outC, 0.0f, acc, d.outC);
      return;
    }
    const int64_t blockRows = blockRowsFor(k);
    std::vector<float> cols(static_cast<size_t>(std::min(blockRows, end - begin) * k));
    for (int64_t r0 = begin; r0 < end; r0 += blockRows) {
      const int64_t r1 = std::min(end, r0 + blockRows);
      im2colRows(x, d, r0, r1, cols.data());
      cblas_sgemm(CblasRowMajor, CblasTrans, CblasNoTrans, static_cast<int>(k), d.outC, static_cast<int>(r1 - r0),
                  1.0f, cols.data(), static_cast<int>(k), dy + r0 * d.outC, d.outC, 1.0f, acc, d.outC);
    }
  });
  for (int t = 1; t < threads; ++t) {
    const float* part = partials.data() + (t - 1) * filterSize;
    for (int64_t i = 0; i < filterSize; ++i) dw[i] += part[i];
  }
}

}  // namespace ser
