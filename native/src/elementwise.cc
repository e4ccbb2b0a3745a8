// Element-wise, broadcasting and reduction kernels. Memory-bound, so they are written as flat loops the
// compiler vectorises and split across threads by rows; semantics (NaN handling, float64 sums) follow the tfjs cpu kernels.
#include <algorithm>
#include <cmath>
#include <cstring>
#include <limits>
#include <vector>

#include "kernels.h"
#include "parallel.h"

namespace ser {
namespace {

constexpr int64_t kGrain = 1 << 15;  // elements per thread below which threading costs more than it saves

template <BinaryOp op>
inline float apply(float a, float b) {
  if constexpr (op == BinaryOp::Add) return a + b;
  if constexpr (op == BinaryOp::Sub) return a - b;
  if constexpr (op == BinaryOp::Mul) return a * b;
  if constexpr (op == BinaryOp::Div) return a / b;
  if constexpr (op == BinaryOp::SquaredDifference) return (a - b) * (a - b);
  if constexpr (op == BinaryOp::Maximum) return (a != a || b != b) ? std::numeric_limits<float>::quiet_NaN() : (a > b ? a : b);
  if constexpr (op == BinaryOp::Minimum) return (a != a || b != b) ? std::numeric_limits<float>::quiet_NaN() : (a < b ? a : b);
  if constexpr (op == BinaryOp::ReluGrad) return b > 0.0f ? a : (b != b ? b : 0.0f);
  if constexpr (op == BinaryOp::SquareGrad) return a * (2.0f * b);
  return 0.0f;
}

// Drops size-1 axes and merges neighbours along which both inputs are laid out alike (contiguous or broadcast).
Broadcast collapse(const Broadcast& in) {
  Broadcast out{};
  out.rank = 0;
  for (int i = 0; i < in.rank; ++i) {
    if (in.shape[i] == 1) continue;
    if (out.rank > 0) {
      const int j = out.rank - 1;
      if (out.strideA[j] == in.strideA[i] * in.shape[i] && out.strideB[j] == in.strideB[i] * in.shape[i]) {
        out.shape[j] *= in.shape[i];
        out.strideA[j] = in.strideA[i];
        out.strideB[j] = in.strideB[i];
        continue;
      }
    }
    out.shape[out.rank] = in.shape[i];
    out.strideA[out.rank] = in.strideA[i];
    out.strideB[out.rank] = in.strideB[i];
    ++out.rank;
  }
  if (out.rank == 0) {
    out.rank = 1;
    out.shape[0] = 1;
    out.strideA[0] = 1;
    out.strideB[0] = 1;
  }
  return out;
}

template <BinaryOp op>
void binaryRows(const float* a, const float* b, float* out, const Broadcast& bc, int64_t rowBegin, int64_t rowEnd) {
  const int last = bc.rank - 1;
  const int64_t inner = bc.shape[last];
  const int64_t sa = bc.strideA[last];
  const int64_t sb = bc.strideB[last];
  // Offsets of row rowBegin, then advanced like an odometer over the outer axes.
  int64_t index[kMaxRank] = {0};
  int64_t offA = 0, offB = 0;
  int64_t rem = rowBegin;
  for (int d = last - 1; d >= 0; --d) {
    index[d] = rem % bc.shape[d];
    rem /= bc.shape[d];
    offA += index[d] * bc.strideA[d];
    offB += index[d] * bc.strideB[d];
  }
  for (int64_t row = rowBegin; row < rowEnd; ++row) {
    const float* pa = a + offA;
    const float* pb = b + offB;
    float* po = out + row * inner;
    if (sa == 1 && sb == 1) {
      for (int64_t j = 0; j < inner; ++j) po[j] = apply<op>(pa[j], pb[j]);
    } else if (sa == 1) {
      const float vb = pb[0];
      for (int64_t j = 0; j < inner; ++j) po[j] = apply<op>(pa[j], vb);
    } else if (sb == 1) {
      const float va = pa[0];
      for (int64_t j = 0; j < inner; ++j) po[j] = apply<op>(va, pb[j]);
    } else {
      const float v = apply<op>(pa[0], pb[0]);
      for (int64_t j = 0; j < inner; ++j) po[j] = v;
    }
    for (int d = last - 1; d >= 0; --d) {
      offA += bc.strideA[d];
      offB += bc.strideB[d];
      if (++index[d] < bc.shape[d]) break;
      offA -= bc.strideA[d] * bc.shape[d];
      offB -= bc.strideB[d] * bc.shape[d];
      index[d] = 0;
    }
  }
}

template <BinaryOp op>
void binaryAll(const float* a, const float* b, float* out, const Broadcast& bc) {
  const int last = bc.rank - 1;
  const int64_t inner = bc.shape[last];
  int64_t rows = 1;
  for (int d = 0; d < last; ++d) rows *= bc.shape[d];
  if (rows == 1) {
    // One long row: split it instead of the (single) outer index.
    parallelFor(inner, kGrain, [&](int64_t begin, int64_t end) {
      Broadcast part = bc;
      part.shape[last] = end - begin;
      binaryRows<op>(a + begin * bc.strideA[last], b + begin * bc.strideB[last], out + begin, part, 0, 1);
    });
    return;
  }
  parallelFor(rows, std::max<int64_t>(1, kGrain / std::max<int64_t>(inner, 1)),
              [&](int64_t begin, int64_t end) { binaryRows<op>(a, b, out, bc, begin, end); });
}

template <UnaryOp op>
inline float applyUnary(float x, float alpha) {
  if constexpr (op == UnaryOp::Relu) return x < 0.0f ? 0.0f : x;
  if constexpr (op == UnaryOp::Relu6) return x < 0.0f ? 0.0f : (x > 6.0f ? 6.0f : x);
  if constexpr (op == UnaryOp::Step) return x != x ? x : (x > 0.0f ? 1.0f : alpha);
  if constexpr (op == UnaryOp::Square) return x * x;
  if constexpr (op == UnaryOp::Sqrt) return std::sqrt(x);
  if constexpr (op == UnaryOp::Rsqrt) return 1.0f / std::sqrt(x);
  if constexpr (op == UnaryOp::Neg) return -x;
  if constexpr (op == UnaryOp::Exp) return std::exp(x);
  if constexpr (op == UnaryOp::Log) return std::log(x);
  if constexpr (op == UnaryOp::Abs) return std::fabs(x);
  if constexpr (op == UnaryOp::Sigmoid) return 1.0f / (1.0f + std::exp(-x));
  if constexpr (op == UnaryOp::Tanh) return std::tanh(x);
  if constexpr (op == UnaryOp::Reciprocal) return 1.0f / x;
  if constexpr (op == UnaryOp::Elu) return x >= 0.0f ? x : std::expm1(x);
  if constexpr (op == UnaryOp::LeakyRelu) return x < 0.0f ? alpha * x : x;
  return 0.0f;
}

template <UnaryOp op>
void unaryAll(const float* x, float* out, int64_t n, float alpha) {
  parallelFor(n, kGrain, [&](int64_t begin, int64_t end) {
    for (int64_t i = begin; i < end; ++i) out[i] = applyUnary<op>(x[i], alpha);
  });
}

// Reduction over collapsed axis groups: sizes[g], reducedGroup[g]; accumulator type per op.
struct ReducePlan {
  int groups = 0;
  int64_t size[kMaxRank];
  bool reduced[kMaxRank];
  int64_t inStride[kMaxRank];   // elements
  int64_t outStride[kMaxRank];  // elements of the output (0 for reduced groups)
};

ReducePlan planReduce(const int64_t* shape, const int32_t* reduced, int rank) {
  ReducePlan p;
  for (int i = 0; i < rank; ++i) {
    if (shape[i] == 1) continue;
    const bool r = reduced[i] != 0;
    if (p.groups > 0 && p.reduced[p.groups - 1] == r) {
      p.size[p.groups - 1] *= shape[i];
    } else {
      p.size[p.groups] = shape[i];
      p.reduced[p.groups] = r;
      ++p.groups;
    }
  }
  int64_t in = 1, out = 1;
  for (int g = p.groups - 1; g >= 0; --g) {
    p.inStride[g] = in;
    in *= p.size[g];
    p.outStride[g] = p.reduced[g] ? 0 : out;
    if (!p.reduced[g]) out *= p.size[g];
  }
  return p;
}

template <ReduceOp op, typename Acc>
inline Acc combine(Acc acc, float v) {
  if constexpr (op == ReduceOp::Sum || op == ReduceOp::Mean) return acc + v;
  if constexpr (op == ReduceOp::Max) return (v != v || v > acc) ? v : acc;
  if constexpr (op == ReduceOp::Min) return (v != v || v < acc) ? v : acc;
}

// Specialised innermost loops: a reduced last group folds a contiguous run; a kept one adds a row elementwise.
template <ReduceOp op, typename Acc>
void reduceGroups(const ReducePlan& p, int g, int64_t begin, int64_t end, const float* x, Acc* acc) {
  if (g == p.groups - 1) {
    if (p.reduced[g]) {
      Acc a = acc[0];
      for (int64_t i = begin; i < end; ++i) a = combine<op, Acc>(a, x[i]);
      acc[0] = a;
    } else {
      for (int64_t i = begin; i < end; ++i) acc[i] = combine<op, Acc>(acc[i], x[i]);
    }
    return;
  }
  for (int64_t i = begin; i < end; ++i) {
    reduceGroups<op, Acc>(p, g + 1, 0, p.size[g + 1], x + i * p.inStride[g], acc + i * p.outStride[g]);
  }
}

template <ReduceOp op>
void reduceAll(const float* x, const int64_t* shape, const int32_t* reducedAxes, int rank, float* out) {
  using Acc = std::conditional_t<op == ReduceOp::Sum || op == ReduceOp::Mean, double, float>;
  const ReducePlan p = planReduce(shape, reducedAxes, rank);
  int64_t outSize = 1, total = 1, reduceCount = 1;
  for (int g = 0; g < p.groups; ++g) {
    total *= p.size[g];
    if (p.reduced[g]) reduceCount *= p.size[g]; else outSize *= p.size[g];
  }
  const Acc init = op == ReduceOp::Max   ? static_cast<Acc>(-std::numeric_limits<float>::infinity())
                   : op == ReduceOp::Min ? static_cast<Acc>(std::numeric_limits<float>::infinity())
                                         : Acc(0);
  auto finish = [&](const Acc* acc) {
    for (int64_t i = 0; i < outSize; ++i) {
      out[i] = op == ReduceOp::Mean ? static_cast<float>(acc[i] / static_cast<double>(reduceCount))
                                    : static_cast<float>(acc[i]);
    }
  };
  if (p.groups == 0) {  // every axis has size 1
    out[0] = x[0];
    return;
  }
  if (p.groups == 1 && !p.reduced[0]) {  // only size-1 axes are reduced: a copy
    std::memcpy(out, x, sizeof(float) * outSize);
    return;
  }
  if (!p.reduced[0]) {
    // Threads own disjoint slices of the output.
    const int64_t perItem = total / p.size[0];
    const int64_t outPer = p.outStride[0];
    parallelFor(p.size[0], std::max<int64_t>(1, kGrain / std::max<int64_t>(perItem, 1)), [&](int64_t b, int64_t e) {
      std::vector<Acc> acc(static_cast<size_t>((e - b) * outPer), init);
      for (int64_t i = b; i < e; ++i) {
        reduceGroups<op, Acc>(p, 1, 0, p.size[1], x + i * p.inStride[0], acc.data() + (i - b) * outPer);
      }
      for (int64_t i = 0; i < (e - b) * outPer; ++i) {
        out[b * outPer + i] = op == ReduceOp::Mean ? static_cast<float>(acc[i] / static_cast<double>(reduceCount))
                                                   : static_cast<float>(acc[i]);
      }
    });
    return;
  }
  // Outermost axes are reduced: each thread folds a range of them into a private accumulator.
  const int64_t perItem = total / p.size[0];
  const int threads = static_cast<int>(std::max<int64_t>(
      1, std::min<int64_t>(threadCount(), p.size[0] * perItem / kGrain)));
  std::vector<Acc> partial(static_cast<size_t>(threads * outSize), init);
  runOnThreads(threads, [&](int t, int count) {
    const int64_t b = p.size[0] * t / count;
    const int64_t e = p.size[0] * (t + 1) / count;
    if (b < e) reduceGroups<op, Acc>(p, 0, b, e, x, partial.data() + t * outSize);
  });
  for (int t = 1; t < threads; ++t) {
    for (int64_t i = 0; i < outSize; ++i) {
      const Acc v = partial[t * outSize + i];
      Acc& a = partial[i];
      if constexpr (op == ReduceOp::Sum || op == ReduceOp::Mean) a += v;
      else a = combine<op, Acc>(a, static_cast<float>(v));
    }
  }
  finish(partial.data());
}

}  // namespace

void binary(BinaryOp op, const float* a, const float* b, float* out, const Broadcast& bcIn) {
  const Broadcast bc = collapse(bcIn);
  switch (op) {
    case BinaryOp::Add: return binaryAll<BinaryOp::Add>(a, b, out, bc);
    case BinaryOp::Sub: return binaryAll<BinaryOp::Sub>(a, b, out, bc);
    case BinaryOp::Mul: return binaryAll<BinaryOp::Mul>(a, b, out, bc);
    case BinaryOp::Div: return binaryAll<BinaryOp::Div>(a, b, out, bc);
    case BinaryOp::SquaredDifference: return binaryAll<BinaryOp::SquaredDifference>(a, b, out, bc);
    case BinaryOp::Maximum: return binaryAll<BinaryOp::Maximum>(a, b, out, bc);
    case BinaryOp::Minimum: return binaryAll<BinaryOp::Minimum>(a, b, out, bc);
    case BinaryOp::ReluGrad: return binaryAll<BinaryOp::ReluGrad>(a, b, out, bc);
    case BinaryOp::SquareGrad: return binaryAll<BinaryOp::SquareGrad>(a, b, out, bc);
  }
}

void unary(UnaryOp op, const float* x, float* out, int64_t n, float alpha) {
  switch (op) {
    case UnaryOp::Relu: return unaryAll<UnaryOp::Relu>(x, out, n, alpha);
    case UnaryOp::Relu6: return unaryAll<UnaryOp::Relu6>(x, out, n, alpha);
    case UnaryOp::Step: return unaryAll<UnaryOp::Step>(x, out, n, alpha);
    case UnaryOp::Square: return unaryAll<UnaryOp::Square>(x, out, n, alpha);
    case UnaryOp::Sqrt: return unaryAll<UnaryOp::Sqrt>(x, out, n, alpha);
    case UnaryOp::Rsqrt: return unaryAll<UnaryOp::Rsqrt>(x, out, n, alpha);
    case UnaryOp::Neg: return unaryAll<UnaryOp::Neg>(x, out, n, alpha);
    case UnaryOp::Exp: return unaryAll<UnaryOp::Exp>(x, out, n, alpha);
    case UnaryOp::Log: return unaryAll<UnaryOp::Log>(x, out, n, alpha);
    case UnaryOp::Abs: return unaryAll<UnaryOp::Abs>(x, out, n, alpha);
    case UnaryOp::Sigmoid: return unaryAll<UnaryOp::Sigmoid>(x, out, n, alpha);
    case UnaryOp::Tanh: return unaryAll<UnaryOp::Tanh>(x, out, n, alpha);
    case UnaryOp::Reciprocal: return unaryAll<UnaryOp::Reciprocal>(x, out, n, alpha);
    case UnaryOp::Elu: return unaryAll<UnaryOp::Elu>(x, out, n, alpha);
    case UnaryOp::LeakyRelu: return unaryAll<UnaryOp::LeakyRelu>(x, out, n, alpha);
  }
}

void reduce(ReduceOp op, const float* x, const int64_t* shape, const int32_t* reduced, int rank, float* out) {
  switch (op) {
    case ReduceOp::Sum: return reduceAll<ReduceOp::Sum>(x, shape, reduced, rank, out);
    case ReduceOp::Mean: return reduceAll<ReduceOp::Mean>(x, shape, reduced, rank, out);
    case ReduceOp::Max: return reduceAll<ReduceOp::Max>(x, shape, reduced, rank, out);
    case ReduceOp::Min: return reduceAll<ReduceOp::Min>(x, shape, reduced, rank, out);
  }
}

void addN(const float* const* inputs, int count, int64_t n, float* out) {
  parallelFor(n, kGrain, [&](int64_t begin, int64_t end) {
    std::memcpy(out + begin, inputs[0] + begin, sizeof(float) * (end - begin));
    for (int k = 1; k < count; ++k) {
      const float* in = inputs[k];
      for (int64_t i = begin; i < end; ++i) out[i] += in[i];
    }
  });
}

void adamUpdate(const float* value, const float* m, const float* v, const float* g, int64_t n, const AdamParams& p,
                float* newValue, float* newM, float* newV) {
  // Float32 operations in tfjs AdamOptimizer's order (its scalars rounded to float32 as tfjs does), so both agree.
  parallelFor(n, kGrain, [&](int64_t begin, int64_t end) {
    for (int64_t i = begin; i < end; ++i) {
      const float mi = m[i] * p.beta1 + g[i] * p.oneMinusBeta1;
      const float vi = v[i] * p.beta2 + (g[i] * g[i]) * p.oneMinusBeta2;
      newM[i] = mi;
      newV[i] = vi;
      newValue[i] = ((mi / p.oneMinusAccBeta1) / (std::sqrt(vi / p.oneMinusAccBeta2) + p.epsilon)) * p.minusLearningRate + value[i];
    }
  });
}

}  // namespace ser
