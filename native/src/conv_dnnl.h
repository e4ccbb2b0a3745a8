// Convolutions through oneDNN (when the build found it): jit/brgemm AVX-512/AVX2 kernels on NHWC tensors, several
// times faster than im2col + GEMM for the small channel counts of speech CNNs.
#pragma once
#include "kernels.h"

namespace ser {

// Whether the addon was built with oneDNN.
bool dnnlAvailable();
// Each returns false (having written nothing) when oneDNN is absent or has no implementation for the geometry.
bool dnnlConv2d(const float* x, const float* w, const ConvDims& d, float* y);
bool dnnlConv2dBackpropInput(const float* dy, const float* w, const ConvDims& d, float* dx);
bool dnnlConv2dBackpropFilter(const float* x, const float* dy, const ConvDims& d, float* dw);
// "oneDNN x.y.z", or "" without oneDNN.
const char* dnnlVersion();

}  // namespace ser
