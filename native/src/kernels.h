// Float32 compute kernels behind the TensorFlow.js 'native' backend. All tensors are dense, row-major, NHWC.
#pragma once
#include <cstdint>

namespace ser {

// Geometry of a 2-D convolution or pooling window, as computed by tfjs backend_util.computeConv2DInfo.
struct ConvDims {
  int batch, inH, inW, inC;
  int filterH, filterW, outC;
  int strideH, strideW, dilationH, dilationW;
  int padTop, padLeft;
  int outH, outW;
};

// Activation fused after a bias add; mirrors tfjs fused activations (prelu is left to the JS kernel).
enum class Activation : int { Linear = 0, Relu = 1, Relu6 = 2, Elu = 3, Sigmoid = 4, LeakyRelu = 5 };

// Which convolution implementation runs: oneDNN when built with it (else im2col), or always im2col + OpenBLAS.
enum class ConvEngine : int { Auto = 0, Im2col = 1 };
void setConvEngine(ConvEngine engine);
ConvEngine convEngine();

// y[N,outH,outW,outC] = conv(x[N,inH,inW,inC], w[fh,fw,inC,outC]) (+ bias[outC or 1]) then activation.
void conv2d(const float* x, const float* w, const float* bias, int64_t biasSize, Activation act, float alpha,
            const ConvDims& d, float* y);
// dx[N,inH,inW,inC] from dy[N,outH,outW,outC] and w[fh,fw,inC,outC].
void conv2dBackpropInput(const float* dy, const float* w, const ConvDims& d, float* dx);
// dw[fh,fw,inC,outC] from x[N,inH,inW,inC] and dy[N,outH,outW,outC].
void conv2dBackpropFilter(const float* x, const float* dy, const ConvDims& d, float* dw);

// c[batch,m,n] = op(a)[m,k] x op(b)[k,n] (+ bias[n or 1]) then activation; a/b batch strides may be 0 (broadcast).
void matmul(const float* a, const float* b, float* c, int64_t batch, int64_t strideA, int64_t strideB, int m, int n,
            int k, bool transA, bool transB, const float* bias, int64_t biasSize, Activation act, float alpha);

// Applies the activation in place to n values.
void applyActivation(float* v, int64_t n, Activation act, float alpha);

// Pooling with tfjs semantics (windows clipped to the input; avg divides by the clipped count).
void maxPool(const float* x, const ConvDims& d, float* y);
void avgPool(const float* x, const ConvDims& d, float* y);
// Gradient to the first maximum of each window (ties and padding as tfjs maxPoolPositions).
void maxPoolGrad(const float* dy, const float* x, const ConvDims& d, float* dx);
// tfjs scales avg-pool gradients by 1/(filterH*filterW), whatever the clipping.
void avgPoolGrad(const float* dy, const ConvDims& d, float* dx);

}  // namespace ser

namespace ser {

constexpr int kMaxRank = 8;

// Output shape plus each input's element stride per output axis (0 where the input is broadcast).
struct Broadcast {
  int rank;
  int64_t shape[kMaxRank];
  int64_t strideA[kMaxRank];
  int64_t strideB[kMaxRank];
};

enum class BinaryOp : int {
  Add = 0,
  Sub = 1,
  Mul = 2,
  Div = 3,
  SquaredDifference = 4,
  Maximum = 5,
  Minimum = 6,
  ReluGrad = 7,    // a * step(b): gradient of relu with dy = a, x = b
  SquareGrad = 8,  // a * 2b: gradient of square with dy = a, x = b
};

enum class UnaryOp : int {
  Relu = 0,
  Relu6 = 1,
  Step = 2,  // 1 where x > 0, else alpha
  Square = 3,
  Sqrt = 4,
  Rsqrt = 5,
  Neg = 6,
  Exp = 7,
  Log = 8,
  Abs = 9,
  Sigmoid = 10,
  Tanh = 11,
  Reciprocal = 12,
  Elu = 13,
  LeakyRelu = 14,  // x or alpha * x
};

enum class ReduceOp : int { Sum = 0, Mean = 1, Max = 2, Min = 3 };

void binary(BinaryOp op, const float* a, const float* b, float* out, const Broadcast& bc);
void unary(UnaryOp op, const float* x, float* out, int64_t n, float alpha);
// Reduces x (shape[rank]) over the axes with reduced[axis] != 0 into out (the kept axes, in order).
void reduce(ReduceOp op, const float* x, const int64_t* shape, const int32_t* reduced, int rank, float* out);
// out = sum of inputs, all of n values.
void addN(const float* const* inputs, int count, int64_t n, float* out);

// tfjs batchNorm: each parameter of length L broadcasts over x cyclically (index i % L); offset/scale may be null.
void batchNorm(const float* x, int64_t n, const float* mean, int64_t meanLen, const float* variance, int64_t varLen,
               const float* offset, int64_t offsetLen, const float* scale, int64_t scaleLen, float epsilon, float* out);
// Gradients of batchNorm with per-channel (last axis, c values) parameters; scale may be null (= 1).
void batchNormGrad(const float* dy, const float* x, int64_t n, int c, const float* mean, const float* variance,
                   const float* scale, float epsilon, float* dx, float* dmean, float* dvariance, float* dscale,
                   float* doffset);

// Training-mode batch norm over all but the last axis (c channels): writes y (relu(y) with relu) and the batch mean
// and (biased) variance. A non-null residual (n values) is added before the relu: a residual block's tail
// relu(bn(x) + shortcut) in one pass.
void batchNormTraining(const float* x, int64_t n, int c, const float* gamma, const float* beta, float epsilon, bool relu,
                       float* y, float* mean, float* variance, const float* residual = nullptr);
// Its complete gradient through the batch statistics: dx, dgamma, dbeta (outputs may be null), given dy and the
// gradients that reach the returned mean and variance (null when nothing downstream uses them). With relu, the
// gradient of relu(batch norm) (beta is then needed to recompute the forward's mask).
void batchNormTrainingGrad(const float* dy, const float* x, int64_t n, int c, const float* mean, const float* variance,
                           const float* gamma, const float* beta, bool relu, const float* dmean, const float* dvariance,
                           float epsilon, float* dx, float* dgamma, float* dbeta);

// One Adam step (tfjs AdamOptimizer): new moments and value. oneMinusAccBeta* = 1 - beta^t for step t.
struct AdamParams {
  float beta1, oneMinusBeta1, beta2, oneMinusBeta2, epsilon, minusLearningRate, oneMinusAccBeta1, oneMinusAccBeta2;
};
void adamUpdate(const float* value, const float* m, const float* v, const float* g, int64_t n, const AdamParams& p,
                float* newValue, float* newM, float* newV);

}  // namespace ser
