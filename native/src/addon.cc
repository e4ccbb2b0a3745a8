// N-API surface of the kernels: arguments are Float32Arrays (read in place, outputs preallocated by the caller)
// and an Int32Array of dimensions. Every length is checked here so a caller bug throws instead of corrupting memory.
#include <cblas.h>
#include <napi.h>

#include <string>
#include <vector>

#include "conv_dnnl.h"
#include "kernels.h"
#include "parallel.h"

namespace {

using ser::Activation;
using ser::ConvDims;

bool fail(const Napi::Env& env, const std::string& message) {
  Napi::TypeError::New(env, "ser_kernels: " + message).ThrowAsJavaScriptException();
  return false;
}

bool floats(const Napi::CallbackInfo& info, size_t i, int64_t expected, float** out, const char* name) {
  if (!info[i].IsTypedArray() || info[i].As<Napi::TypedArray>().TypedArrayType() != napi_float32_array) {
    return fail(info.Env(), std::string(name) + " must be a Float32Array");
  }
  Napi::Float32Array a = info[i].As<Napi::Float32Array>();
  if (expected >= 0 && static_cast<int64_t>(a.ElementLength()) != expected) {
    return fail(info.Env(), std::string(name) + " has " + std::to_string(a.ElementLength()) + " values, expected " +
                                std::to_string(expected));
  }
  *out = a.Data();
  return true;
}

// Optional Float32Array (null/undefined → nullptr); its length is returned through size.
bool optionalFloats(const Napi::CallbackInfo& info, size_t i, float** out, int64_t* size, const char* name) {
  *out = nullptr;
  *size = 0;
  if (info.Length() <= i || info[i].IsNull() || info[i].IsUndefined()) return true;
  if (!floats(info, i, -1, out, name)) return false;
  *size = static_cast<int64_t>(info[i].As<Napi::Float32Array>().ElementLength());
  return true;
}

bool ints(const Napi::CallbackInfo& info, size_t i, size_t count, const int32_t** out) {
  if (!info[i].IsTypedArray() || info[i].As<Napi::TypedArray>().TypedArrayType() != napi_int32_array ||
      info[i].As<Napi::Int32Array>().ElementLength() != count) {
    return fail(info.Env(), "dims must be an Int32Array of length " + std::to_string(count));
  }
  *out = info[i].As<Napi::Int32Array>().Data();
  return true;
}

bool convDims(const Napi::CallbackInfo& info, size_t i, ConvDims* d) {
  const int32_t* v = nullptr;
  if (!ints(info, i, 15, &v)) return false;
  *d = ConvDims{v[0], v[1], v[2], v[3], v[4], v[5], v[6], v[7], v[8], v[9], v[10], v[11], v[12], v[13], v[14]};
  for (int k = 0; k < 15; ++k) {
    if (k == 11 || k == 12) continue;  // paddings may be negative in principle
    if (v[k] <= 0) return fail(info.Env(), "conv dims must be positive");
  }
  return true;
}

int64_t inputSize(const ConvDims& d) { return int64_t{d.batch} * d.inH * d.inW * d.inC; }
int64_t outputSize(const ConvDims& d, int channels) { return int64_t{d.batch} * d.outH * d.outW * channels; }
int64_t filterSize(const ConvDims& d) { return int64_t{d.filterH} * d.filterW * d.inC * d.outC; }

bool activation(const Napi::CallbackInfo& info, size_t i, Activation* act, float* alpha) {
  int code = info.Length() > i && info[i].IsNumber() ? info[i].As<Napi::Number>().Int32Value() : 0;
  if (code < 0 || code > 5) return fail(info.Env(), "unknown activation code " + std::to_string(code));
  *act = static_cast<Activation>(code);
  *alpha = info.Length() > i + 1 && info[i + 1].IsNumber() ? info[i + 1].As<Napi::Number>().FloatValue() : 0.0f;
  return true;
}

// conv2d(x, w, y, dims, bias?, activation?, alpha?)
Napi::Value Conv2d(const Napi::CallbackInfo& info) {
  ConvDims d;
  float *x, *w, *y, *bias;
  int64_t biasSize;
  Activation act;
  float alpha;
  if (!convDims(info, 3, &d) || !floats(info, 0, inputSize(d), &x, "x") || !floats(info, 1, filterSize(d), &w, "w") ||
      !floats(info, 2, outputSize(d, d.outC), &y, "y") || !optionalFloats(info, 4, &bias, &biasSize, "bias") ||
      !activation(info, 5, &act, &alpha)) {
    return info.Env().Undefined();
  }
  if (bias != nullptr && biasSize != 1 && biasSize != d.outC) {
    fail(info.Env(), "bias must have 1 or outC values");
    return info.Env().Undefined();
  }
  ser::conv2d(x, w, bias, biasSize, act, alpha, d, y);
  return info.Env().Undefined();
}

// conv2dBackpropInput(dy, w, dx, dims)
Napi::Value Conv2dBackpropInput(const Napi::CallbackInfo& info) {
  ConvDims d;
  float *dy, *w, *dx;
  if (!convDims(info, 3, &d) || !floats(info, 0, outputSize(d, d.outC), &dy, "dy") ||
      !floats(info, 1, filterSize(d), &w, "w") || !floats(info, 2, inputSize(d), &dx, "dx")) {
    return info.Env().Undefined();
  }
  ser::conv2dBackpropInput(dy, w, d, dx);
  return info.Env().Undefined();
}

// conv2dBackpropFilter(x, dy, dw, dims)
Napi::Value Conv2dBackpropFilter(const Napi::CallbackInfo& info) {
  ConvDims d;
  float *x, *dy, *dw;
  if (!convDims(info, 3, &d) || !floats(info, 0, inputSize(d), &x, "x") ||
      !floats(info, 1, outputSize(d, d.outC), &dy, "dy") || !floats(info, 2, filterSize(d), &dw, "dw")) {
    return info.Env().Undefined();
  }
  ser::conv2dBackpropFilter(x, dy, d, dw);
  return info.Env().Undefined();
}

// matmul(a, b, c, dims = [batchA, batchB, m, n, k, transA, transB], bias?, activation?, alpha?)
Napi::Value Matmul(const Napi::CallbackInfo& info) {
  const int32_t* v = nullptr;
  if (!ints(info, 3, 7, &v)) return info.Env().Undefined();
  const int64_t batchA = v[0], batchB = v[1];
  const int m = v[2], n = v[3], k = v[4];
  if (m <= 0 || n <= 0 || k <= 0 || batchA <= 0 || batchB <= 0 || (batchA != batchB && batchA != 1 && batchB != 1)) {
    fail(info.Env(), "matmul dims are invalid");
    return info.Env().Undefined();
  }
  const int64_t batch = batchA > batchB ? batchA : batchB;
  float *a, *b, *c, *bias;
  int64_t biasSize;
  Activation act;
  float alpha;
  if (!floats(info, 0, batchA * m * k, &a, "a") || !floats(info, 1, batchB * k * n, &b, "b") ||
      !floats(info, 2, batch * m * n, &c, "c") || !optionalFloats(info, 4, &bias, &biasSize, "bias") ||
      !activation(info, 5, &act, &alpha)) {
    return info.Env().Undefined();
  }
  if (bias != nullptr && biasSize != 1 && biasSize != n) {
    fail(info.Env(), "bias must have 1 or n values");
    return info.Env().Undefined();
  }
  ser::matmul(a, b, c, batch, batchA == 1 ? 0 : int64_t{m} * k, batchB == 1 ? 0 : int64_t{k} * n, m, n, k, v[5] != 0,
              v[6] != 0, bias, biasSize, act, alpha);
  return info.Env().Undefined();
}

// pool(kind, x, y, dims) with kind 'max' | 'avg'
Napi::Value Pool(const Napi::CallbackInfo& info) {
  ConvDims d;
  float *x, *y;
  if (!info[0].IsString() || !convDims(info, 3, &d) || !floats(info, 1, inputSize(d), &x, "x") ||
      !floats(info, 2, outputSize(d, d.inC), &y, "y")) {
    if (!info.Env().IsExceptionPending()) fail(info.Env(), "pool kind must be a string");
    return info.Env().Undefined();
  }
  const std::string kind = info[0].As<Napi::String>();
  if (kind == "max") {
    ser::maxPool(x, d, y);
  } else if (kind == "avg") {
    ser::avgPool(x, d, y);
  } else {
    fail(info.Env(), "unknown pool kind " + kind);
  }
  return info.Env().Undefined();
}

// maxPoolGrad(dy, x, dx, dims)
Napi::Value MaxPoolGrad(const Napi::CallbackInfo& info) {
  ConvDims d;
  float *dy, *x, *dx;
  if (!convDims(info, 3, &d) || !floats(info, 0, outputSize(d, d.inC), &dy, "dy") ||
      !floats(info, 1, inputSize(d), &x, "x") || !floats(info, 2, inputSize(d), &dx, "dx")) {
    return info.Env().Undefined();
  }
  ser::maxPoolGrad(dy, x, d, dx);
  return info.Env().Undefined();
}

// avgPoolGrad(dy, dx, dims)
Napi::Value AvgPoolGrad(const Napi::CallbackInfo& info) {
  ConvDims d;
  float *dy, *dx;
  if (!convDims(info, 2, &d) || !floats(info, 0, outputSize(d, d.inC), &dy, "dy") ||
      !floats(info, 1, inputSize(d), &dx, "dx")) {
    return info.Env().Undefined();
  }
  ser::avgPoolGrad(dy, d, dx);
  return info.Env().Undefined();
}

// binary(op, a, b, out, dims = [rank, shape..., strideA..., strideB...]); strides are 0 along broadcast axes.
Napi::Value Binary(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (!info[0].IsNumber() || !info[4].IsTypedArray() || info[4].As<Napi::TypedArray>().TypedArrayType() != napi_int32_array) {
    fail(env, "binary(op, a, b, out, dims: Int32Array)");
    return env.Undefined();
  }
  const int op = info[0].As<Napi::Number>().Int32Value();
  Napi::Int32Array dims = info[4].As<Napi::Int32Array>();
  const int rank = dims.ElementLength() > 0 ? dims[0] : -1;
  if (op < 0 || op > 8 || rank < 0 || rank > ser::kMaxRank || dims.ElementLength() != static_cast<size_t>(1 + 3 * rank)) {
    fail(env, "binary: bad op or dims");
    return env.Undefined();
  }
  ser::Broadcast bc{};
  bc.rank = rank;
  int64_t outSize = 1, lastA = 0, lastB = 0;
  for (int d = 0; d < rank; ++d) {
    bc.shape[d] = dims[1 + d];
    bc.strideA[d] = dims[1 + rank + d];
    bc.strideB[d] = dims[1 + 2 * rank + d];
    if (bc.shape[d] <= 0 || bc.strideA[d] < 0 || bc.strideB[d] < 0) {
      fail(env, "binary: shapes must be positive and strides non-negative");
      return env.Undefined();
    }
    outSize *= bc.shape[d];
    lastA += (bc.shape[d] - 1) * bc.strideA[d];
    lastB += (bc.shape[d] - 1) * bc.strideB[d];
  }
  float *a, *b, *out;
  if (!floats(info, 1, -1, &a, "a") || !floats(info, 2, -1, &b, "b") || !floats(info, 3, outSize, &out, "out")) {
    return env.Undefined();
  }
  if (static_cast<int64_t>(info[1].As<Napi::Float32Array>().ElementLength()) <= lastA ||
      static_cast<int64_t>(info[2].As<Napi::Float32Array>().ElementLength()) <= lastB) {
    fail(env, "binary: strides reach past an input");
    return env.Undefined();
  }
  ser::binary(static_cast<ser::BinaryOp>(op), a, b, out, bc);
  return env.Undefined();
}

// unary(op, x, out, alpha)
Napi::Value Unary(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  const int op = info[0].IsNumber() ? info[0].As<Napi::Number>().Int32Value() : -1;
  if (op < 0 || op > 14) {
    fail(env, "unary: unknown op");
    return env.Undefined();
  }
  float *x, *out;
  if (!floats(info, 1, -1, &x, "x")) return env.Undefined();
  const int64_t n = static_cast<int64_t>(info[1].As<Napi::Float32Array>().ElementLength());
  if (!floats(info, 2, n, &out, "out")) return env.Undefined();
  const float alpha = info[3].IsNumber() ? info[3].As<Napi::Number>().FloatValue() : 0.0f;
  ser::unary(static_cast<ser::UnaryOp>(op), x, out, n, alpha);
  return env.Undefined();
}

// reduce(op, x, out, shape: Int32Array, reducedAxes: Int32Array of 0/1 per axis)
Napi::Value Reduce(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  const int op = info[0].IsNumber() ? info[0].As<Napi::Number>().Int32Value() : -1;
  if (op < 0 || op > 3 || !info[3].IsTypedArray() || !info[4].IsTypedArray() ||
      info[3].As<Napi::TypedArray>().TypedArrayType() != napi_int32_array ||
      info[4].As<Napi::TypedArray>().TypedArrayType() != napi_int32_array) {
    fail(env, "reduce(op, x, out, shape: Int32Array, reduced: Int32Array)");
    return env.Undefined();
  }
  Napi::Int32Array shapeArg = info[3].As<Napi::Int32Array>();
  Napi::Int32Array flags = info[4].As<Napi::Int32Array>();
  const int rank = static_cast<int>(shapeArg.ElementLength());
  if (rank > ser::kMaxRank || flags.ElementLength() != shapeArg.ElementLength()) {
    fail(env, "reduce: rank too high or flags do not match the shape");
    return env.Undefined();
  }
  int64_t shape[ser::kMaxRank];
  int64_t inSize = 1, outSize = 1;
  for (int d = 0; d < rank; ++d) {
    shape[d] = shapeArg[d];
    if (shape[d] <= 0) {
      fail(env, "reduce: empty axes are not supported");
      return env.Undefined();
    }
    inSize *= shape[d];
    if (flags[d] == 0) outSize *= shape[d];
  }
  float *x, *out;
  if (!floats(info, 1, inSize, &x, "x") || !floats(info, 2, outSize, &out, "out")) return env.Undefined();
  ser::reduce(static_cast<ser::ReduceOp>(op), x, shape, flags.Data(), rank, out);
  return env.Undefined();
}

// addN([a, b, ...], out): all the same length.
Napi::Value AddN(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (!info[0].IsArray()) {
    fail(env, "addN expects an array of Float32Arrays");
    return env.Undefined();
  }
  Napi::Array list = info[0].As<Napi::Array>();
  float* out;
  if (list.Length() == 0 || !floats(info, 1, -1, &out, "out")) {
    if (!env.IsExceptionPending()) fail(env, "addN needs at least one input");
    return env.Undefined();
  }
  const size_t n = info[1].As<Napi::Float32Array>().ElementLength();
  std::vector<const float*> inputs;
  for (uint32_t i = 0; i < list.Length(); ++i) {
    Napi::Value v = list[i];
    if (!v.IsTypedArray() || v.As<Napi::TypedArray>().TypedArrayType() != napi_float32_array ||
        v.As<Napi::Float32Array>().ElementLength() != n) {
      fail(env, "addN inputs must be Float32Arrays as long as out");
      return env.Undefined();
    }
    inputs.push_back(v.As<Napi::Float32Array>().Data());
  }
  ser::addN(inputs.data(), static_cast<int>(inputs.size()), static_cast<int64_t>(n), out);
  return env.Undefined();
}

// batchNorm(x, mean, variance, offset|null, scale|null, out, epsilon)
Napi::Value BatchNorm(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  float *x, *mean, *variance, *offset, *scale, *out;
  int64_t meanLen, varLen, offsetLen, scaleLen;
  if (!floats(info, 0, -1, &x, "x") || !optionalFloats(info, 1, &mean, &meanLen, "mean") ||
      !optionalFloats(info, 2, &variance, &varLen, "variance") || !optionalFloats(info, 3, &offset, &offsetLen, "offset") ||
      !optionalFloats(info, 4, &scale, &scaleLen, "scale")) {
    return env.Undefined();
  }
  const int64_t n = static_cast<int64_t>(info[0].As<Napi::Float32Array>().ElementLength());
  if (!floats(info, 5, n, &out, "out")) return env.Undefined();
  if (mean == nullptr || variance == nullptr || meanLen == 0 || varLen == 0 || (offset && offsetLen == 0) ||
      (scale && scaleLen == 0) || !info[6].IsNumber()) {
    fail(env, "batchNorm needs non-empty mean, variance and a numeric epsilon");
    return env.Undefined();
  }
  ser::batchNorm(x, n, mean, meanLen, variance, varLen, offset, offsetLen, scale, scaleLen,
                 info[6].As<Napi::Number>().FloatValue(), out);
  return env.Undefined();
}

// batchNormGrad(dy, x, mean, variance, scale|null, epsilon, dx, dmean, dvariance, dscale, doffset); params of length c.
Napi::Value BatchNormGrad(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  float *dy, *x, *mean, *variance, *scale, *dx, *dmean, *dvar, *dscale, *doffset;
  int64_t scaleLen;
  if (!floats(info, 2, -1, &mean, "mean")) return env.Undefined();
  const int64_t c = static_cast<int64_t>(info[2].As<Napi::Float32Array>().ElementLength());
  if (!floats(info, 0, -1, &dy, "dy")) return env.Undefined();
  const int64_t n = static_cast<int64_t>(info[0].As<Napi::Float32Array>().ElementLength());
  if (c == 0 || n % c != 0 || !info[5].IsNumber()) {
    fail(env, "batchNormGrad: x must be a whole number of channel rows and epsilon a number");
    return env.Undefined();
  }
  if (!floats(info, 1, n, &x, "x") || !floats(info, 3, c, &variance, "variance") ||
      !optionalFloats(info, 4, &scale, &scaleLen, "scale") || !floats(info, 6, n, &dx, "dx") ||
      !floats(info, 7, c, &dmean, "dmean") || !floats(info, 8, c, &dvar, "dvariance") ||
      !floats(info, 9, c, &dscale, "dscale") || !floats(info, 10, c, &doffset, "doffset")) {
    return env.Undefined();
  }
  if (scale != nullptr && scaleLen != c) {
    fail(env, "batchNormGrad: scale must have one value per channel");
    return env.Undefined();
  }
  ser::batchNormGrad(dy, x, n, static_cast<int>(c), mean, variance, scale, info[5].As<Napi::Number>().FloatValue(), dx,
                     dmean, dvar, dscale, doffset);
  return env.Undefined();
}

// batchNormTraining(x, gamma|null, beta|null, epsilon, y, mean, variance, relu?, residual|null?): c = mean.length
// channels (last axis); relu = true writes relu(y); a residual (same length as x) is added before the relu.
Napi::Value BatchNormTraining(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  float *x, *gamma, *beta, *y, *mean, *variance;
  int64_t gammaLen, betaLen;
  if (!floats(info, 0, -1, &x, "x") || !floats(info, 5, -1, &mean, "mean")) return env.Undefined();
  const int64_t n = static_cast<int64_t>(info[0].As<Napi::Float32Array>().ElementLength());
  const int64_t c = static_cast<int64_t>(info[5].As<Napi::Float32Array>().ElementLength());
  if (c == 0 || n == 0 || n % c != 0 || !info[3].IsNumber()) {
    fail(env, "batchNormTraining: x must be a non-empty whole number of channel rows and epsilon a number");
    return env.Undefined();
  }
  if (!optionalFloats(info, 1, &gamma, &gammaLen, "gamma") || !optionalFloats(info, 2, &beta, &betaLen, "beta") ||
      !floats(info, 4, n, &y, "y") || !floats(info, 6, c, &variance, "variance")) {
    return env.Undefined();
  }
  if ((gamma != nullptr && gammaLen != c) || (beta != nullptr && betaLen != c)) {
    fail(env, "batchNormTraining: gamma and beta must have one value per channel");
    return env.Undefined();
  }
  const bool relu = info.Length() > 7 && info[7].ToBoolean().Value();
  float* residual = nullptr;
  int64_t residualLen = 0;
  if (!optionalFloats(info, 8, &residual, &residualLen, "residual")) return env.Undefined();
  if (residual != nullptr && residualLen != n) {
    fail(env, "batchNormTraining: the residual must have as many values as x");
    return env.Undefined();
  }
  ser::batchNormTraining(x, n, static_cast<int>(c), gamma, beta, info[3].As<Napi::Number>().FloatValue(), relu, y, mean,
                         variance, residual);
  return env.Undefined();
}

// batchNormTrainingGrad(dy, x, mean, variance, gamma|null, epsilon, dx, dgamma, dbeta, dmean|null, dvariance|null,
// beta|null, relu?): relu = true for the gradient of relu(batchNormTraining), whose mask needs beta.
Napi::Value BatchNormTrainingGrad(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  float *dy, *x, *mean, *variance, *gamma, *dx, *dgamma, *dbeta, *dmean, *dvariance;
  int64_t gammaLen, dmeanLen, dvarianceLen;
  if (!floats(info, 0, -1, &dy, "dy") || !floats(info, 2, -1, &mean, "mean")) return env.Undefined();
  const int64_t n = static_cast<int64_t>(info[0].As<Napi::Float32Array>().ElementLength());
  const int64_t c = static_cast<int64_t>(info[2].As<Napi::Float32Array>().ElementLength());
  if (c == 0 || n == 0 || n % c != 0 || !info[5].IsNumber()) {
    fail(env, "batchNormTrainingGrad: dy must be a non-empty whole number of channel rows and epsilon a number");
    return env.Undefined();
  }
  if (!floats(info, 1, n, &x, "x") || !floats(info, 3, c, &variance, "variance") ||
      !optionalFloats(info, 4, &gamma, &gammaLen, "gamma") || !floats(info, 6, n, &dx, "dx") ||
      !floats(info, 7, c, &dgamma, "dgamma") || !floats(info, 8, c, &dbeta, "dbeta") ||
      !optionalFloats(info, 9, &dmean, &dmeanLen, "dmean") || !optionalFloats(info, 10, &dvariance, &dvarianceLen, "dvariance")) {
    return env.Undefined();
  }
  float* beta;
  int64_t betaLen;
  if (!optionalFloats(info, 11, &beta, &betaLen, "beta")) return env.Undefined();
  if ((gamma != nullptr && gammaLen != c) || (dmean != nullptr && dmeanLen != c) || (dvariance != nullptr && dvarianceLen != c) ||
      (beta != nullptr && betaLen != c)) {
    fail(env, "batchNormTrainingGrad: gamma, beta, dmean and dvariance must have one value per channel");
    return env.Undefined();
  }
  const bool relu = info.Length() > 12 && info[12].ToBoolean().Value();
  ser::batchNormTrainingGrad(dy, x, n, static_cast<int>(c), mean, variance, gamma, beta, relu, dmean, dvariance,
                             info[5].As<Napi::Number>().FloatValue(), dx, dgamma, dbeta);
  return env.Undefined();
}

// adamUpdate(value, m, v, grad, newValue, newM, newV, params): params = [beta1, 1 - beta1, beta2, 1 - beta2, epsilon,
// -learningRate, 1 - beta1^t, 1 - beta2^t], each as tfjs rounds it to float32.
Napi::Value AdamUpdate(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  float *value, *m, *v, *g, *newValue, *newM, *newV, *params;
  if (!floats(info, 0, -1, &value, "value")) return env.Undefined();
  const int64_t n = static_cast<int64_t>(info[0].As<Napi::Float32Array>().ElementLength());
  if (!floats(info, 1, n, &m, "m") || !floats(info, 2, n, &v, "v") || !floats(info, 3, n, &g, "grad") ||
      !floats(info, 4, n, &newValue, "newValue") || !floats(info, 5, n, &newM, "newM") || !floats(info, 6, n, &newV, "newV") ||
      !floats(info, 7, 8, &params, "params")) {
    return env.Undefined();
  }
  const ser::AdamParams p{params[0], params[1], params[2], params[3], params[4], params[5], params[6], params[7]};
  ser::adamUpdate(value, m, v, g, n, p, newValue, newM, newV);
  return env.Undefined();
}

// setThreads(n) → n actually used; threads() → current count.
Napi::Value SetThreads(const Napi::CallbackInfo& info) {
  if (!info[0].IsNumber()) {
    fail(info.Env(), "setThreads expects a number");
    return info.Env().Undefined();
  }
  ser::setThreadCount(info[0].As<Napi::Number>().Int32Value());
  return Napi::Number::New(info.Env(), ser::threadCount());
}

Napi::Value Threads(const Napi::CallbackInfo& info) { return Napi::Number::New(info.Env(), ser::threadCount()); }

// Libraries behind the kernels, e.g. "OpenBLAS 0.3.21 ... | oneDNN 2.6.3".
Napi::Value BlasConfig(const Napi::CallbackInfo& info) {
  std::string text = openblas_get_config();
  if (ser::dnnlAvailable()) text += std::string(" | ") + ser::dnnlVersion();
  return Napi::String::New(info.Env(), text);
}

// setConvEngine('auto' | 'im2col') → the engine in effect: 'onednn' or 'im2col'.
Napi::Value SetConvEngine(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (info.Length() > 0 && info[0].IsString()) {
    const std::string name = info[0].As<Napi::String>();
    if (name != "auto" && name != "im2col") {
      fail(env, "conv engine must be 'auto' or 'im2col'");
      return env.Undefined();
    }
    ser::setConvEngine(name == "auto" ? ser::ConvEngine::Auto : ser::ConvEngine::Im2col);
  }
  const bool dnnl = ser::convEngine() == ser::ConvEngine::Auto && ser::dnnlAvailable();
  return Napi::String::New(env, dnnl ? "onednn" : "im2col");
}

Napi::Object Init(Napi::Env env, Napi::Object exports) {
  // The kernels split work across threads themselves; nested OpenBLAS threads would only oversubscribe the cores.
  openblas_set_num_threads(1);
  // Bumped whenever an argument list changes, so that src-main refuses a stale build instead of misreading it.
  exports.Set("apiVersion", Napi::Number::New(env, 4));
  exports.Set("conv2d", Napi::Function::New(env, Conv2d));
  exports.Set("conv2dBackpropInput", Napi::Function::New(env, Conv2dBackpropInput));
  exports.Set("conv2dBackpropFilter", Napi::Function::New(env, Conv2dBackpropFilter));
  exports.Set("matmul", Napi::Function::New(env, Matmul));
  exports.Set("pool", Napi::Function::New(env, Pool));
  exports.Set("maxPoolGrad", Napi::Function::New(env, MaxPoolGrad));
  exports.Set("avgPoolGrad", Napi::Function::New(env, AvgPoolGrad));
  exports.Set("binary", Napi::Function::New(env, Binary));
  exports.Set("unary", Napi::Function::New(env, Unary));
  exports.Set("reduce", Napi::Function::New(env, Reduce));
  exports.Set("addN", Napi::Function::New(env, AddN));
  exports.Set("batchNorm", Napi::Function::New(env, BatchNorm));
  exports.Set("batchNormGrad", Napi::Function::New(env, BatchNormGrad));
  exports.Set("batchNormTraining", Napi::Function::New(env, BatchNormTraining));
  exports.Set("batchNormTrainingGrad", Napi::Function::New(env, BatchNormTrainingGrad));
  exports.Set("adamUpdate", Napi::Function::New(env, AdamUpdate));
  exports.Set("setThreads", Napi::Function::New(env, SetThreads));
  exports.Set("threads", Napi::Function::New(env, Threads));
  exports.Set("setConvEngine", Napi::Function::New(env, SetConvEngine));
  exports.Set("blasConfig", Napi::Function::New(env, BlasConfig));
  return exports;
}

}  // namespace

NODE_API_MODULE(ser_kernels, Init)
