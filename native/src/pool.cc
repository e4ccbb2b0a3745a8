// 2-D pooling in NHWC with the exact window clipping and tie rules of the tfjs cpu kernels.
#include <cstring>
#include <limits>

#include "kernels.h"
#include "parallel.h"

namespace ser {
namespace {

// Calls fn(image n, oy, ox, yIndex, y0, y1, x0, x1) for each output pixel in images [nBegin, nEnd), where the window
// rows [y0, y1) and columns [x0, x1) are clipped to the input (dilation 1).
template <typename F>
void forEachWindow(const ConvDims& d, int64_t nBegin, int64_t nEnd, F fn) {
  for (int64_t n = nBegin; n < nEnd; ++n) {
    for (int oy = 0; oy < d.outH; ++oy) {
      const int yc = oy * d.strideH - d.padTop;
      const int y0 = yc < 0 ? 0 : yc;
      const int y1 = yc + d.filterH < d.inH ? yc + d.filterH : d.inH;
      for (int ox = 0; ox < d.outW; ++ox) {
        const int xc = ox * d.strideW - d.padLeft;
        const int x0 = xc < 0 ? 0 : xc;
        const int x1 = xc + d.filterW < d.inW ? xc + d.filterW : d.inW;
        fn(n, ((n * d.outH + oy) * d.outW + ox) * d.inC, y0, y1, x0, x1);
      }
    }
  }
}

}  // namespace

void maxPool(const float* x, const ConvDims& d, float* y) {
  const int C = d.inC;
  parallelFor(d.batch, 1, [&](int64_t nb, int64_t ne) {
    forEachWindow(d, nb, ne, [&](int64_t n, int64_t yi, int y0, int y1, int x0, int x1) {
      const float* image = x + n * d.inH * d.inW * C;
      float* out = y + yi;
      for (int c = 0; c < C; ++c) out[c] = -std::numeric_limits<float>::infinity();
      for (int iy = y0; iy < y1; ++iy) {
        for (int ix = x0; ix < x1; ++ix) {
          const float* px = image + (int64_t{iy} * d.inW + ix) * C;
          for (int c = 0; c < C; ++c) out[c] = px[c] > out[c] ? px[c] : out[c];
        }
      }
    });
  });
}

void avgPool(const float* x, const ConvDims& d, float* y) {
  const int C = d.inC;
  parallelFor(d.batch, 1, [&](int64_t nb, int64_t ne) {
    forEachWindow(d, nb, ne, [&](int64_t n, int64_t yi, int y0, int y1, int x0, int x1) {
      const float* image = x + n * d.inH * d.inW * C;
      float* out = y + yi;
      for (int c = 0; c < C; ++c) out[c] = 0.0f;
      for (int iy = y0; iy < y1; ++iy) {
        for (int ix = x0; ix < x1; ++ix) {
          const float* px = image + (int64_t{iy} * d.inW + ix) * C;
          for (int c = 0; c < C; ++c) out[c] += px[c];
        }
      }
      const int count = (y1 - y0) * (x1 - x0);
      const float scale = count > 0 ? 1.0f / static_cast<float>(count) : 0.0f;
      for (int c = 0; c < C; ++c) out[c] *= scale;
    });
  });
}

void maxPoolGrad(const float* dy, const float* x, const ConvDims& d, float* dx) {
  const int C = d.inC;
  const int64_t imageSize = int64_t{d.inH} * d.inW * C;
  parallelFor(d.batch, 1, [&](int64_t nb, int64_t ne) {
    std::memset(dx + nb * imageSize, 0, sizeof(float) * (ne - nb) * imageSize);
    forEachWindow(d, nb, ne, [&](int64_t n, int64_t yi, int y0, int y1, int x0, int x1) {
      const float* image = x + n * imageSize;
      for (int c = 0; c < C; ++c) {
        float best = -std::numeric_limits<float>::infinity();
        int64_t at = -1;
        for (int iy = y0; iy < y1; ++iy) {
          for (int ix = x0; ix < x1; ++ix) {
            const int64_t idx = (int64_t{iy} * d.inW + ix) * C + c;
            if (image[idx] > best) {
              best = image[idx];
              at = idx;
            }
          }
        }
        if (at >= 0) dx[n * imageSize + at] += dy[yi + c];
      }
    });
  });
}

void avgPoolGrad(const float* dy, const ConvDims& d, float* dx) {
  const int C = d.inC;
  const int64_t imageSize = int64_t{d.inH} * d.inW * C;
  const float scale = 1.0f / static_cast<float>(d.filterH * d.filterW);
  parallelFor(d.batch, 1, [&](int64_t nb, int64_t ne) {
    std::memset(dx + nb * imageSize, 0, sizeof(float) * (ne - nb) * imageSize);
    forEachWindow(d, nb, ne, [&](int64_t n, int64_t yi, int y0, int y1, int x0, int x1) {
      float* image = dx + n * imageSize;
      const float* g = dy + yi;
      for (int iy = y0; iy < y1; ++iy) {
        for (int ix = x0; ix < x1; ++ix) {
          float* px = image + (int64_t{iy} * d.inW + ix) * C;
          for (int c = 0; c < C; ++c) px[c] += g[c] * scale;
        }
      }
    });
  });
}

}  // namespace ser
