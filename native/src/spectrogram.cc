// ser_features.node: the feature-extraction hot loop (framing, Hann window, real FFT via FFTW, power, mel
// filterbank, DCT) for src-main/core/features/nativeSpectrogram.ts. Same arithmetic as the TypeScript path, in
// float64, so either gives librosa parity; the JS path stays the fallback when this addon is not built.
#include <fftw3.h>
#include <napi.h>

#include <cmath>
#include <cstring>
#include <map>
#include <string>
#include <vector>

namespace {

// One FFTW plan per size; the buffers are the plan's own, so fftw_execute needs no alignment checks.
struct Plan {
  int n = 0;
  double* in = nullptr;
  fftw_complex* out = nullptr;
  fftw_plan plan = nullptr;
  double* window = nullptr;
};

std::map<int, Plan>& plans() {
  static std::map<int, Plan> p;
  return p;
}

const Plan& planFor(int n) {
  auto& all = plans();
  auto it = all.find(n);
  if (it != all.end()) return it->second;
  Plan p;
  p.n = n;
  p.in = fftw_alloc_real(n);
  p.out = fftw_alloc_complex(n / 2 + 1);
  // FFTW_ESTIMATE: planning costs microseconds, and measuring would make results depend on timing.
  p.plan = fftw_plan_dft_r2c_1d(n, p.in, p.out, FFTW_ESTIMATE);
  p.window = new double[n];
  // Periodic Hann, as hannPeriodic() in stft.ts (scipy get_window('hann', n, fftbins=True)).
  for (int i = 0; i < n; ++i) p.window[i] = 0.5 - 0.5 * std::cos((2 * M_PI * i) / n);
  return all.emplace(n, p).first->second;
}

bool fail(const Napi::Env& env, const std::string& message) {
  Napi::TypeError::New(env, "ser_features: " + message).ThrowAsJavaScriptException();
  return false;
}

template <typename T>
bool typed(const Napi::CallbackInfo& info, size_t i, napi_typedarray_type type, const char* name, const char* typeName,
           T** data, size_t* length) {
  if (info.Length() <= i || !info[i].IsTypedArray() || info[i].As<Napi::TypedArray>().TypedArrayType() != type) {
    return fail(info.Env(), std::string(name) + " must be a " + typeName);
  }
  auto a = info[i].As<Napi::TypedArrayOf<T>>();
  *data = a.Data();
  *length = a.ElementLength();
  return true;
}

bool integer(const Napi::CallbackInfo& info, size_t i, const char* name, int* out) {
  if (info.Length() <= i || !info[i].IsNumber()) return fail(info.Env(), std::string(name) + " must be a number");
  *out = info[i].As<Napi::Number>().Int32Value();
  return true;
}

// melSpectrogram(x: Float32Array, nFft, hop, start: Int32Array, length: Int32Array, offset: Int32Array,
//                weights: Float64Array, out: Float64Array [frames x nMels]) -> frames
// Centred frames with zero padding (librosa center=True, pad_mode='constant'); the filterbank is the run-length
// form of MelFilterbank in mel.ts (one contiguous run of weights per band).
Napi::Value MelSpectrogram(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  float* x = nullptr;
  int32_t *start = nullptr, *length = nullptr, *offset = nullptr;
  double *weights = nullptr, *out = nullptr;
  size_t nx = 0, nStart = 0, nLength = 0, nOffset = 0, nWeights = 0, nOut = 0;
  int nFft = 0, hop = 0;
  if (!typed(info, 0, napi_float32_array, "x", "Float32Array", &x, &nx) || !integer(info, 1, "nFft", &nFft) ||
      !integer(info, 2, "hop", &hop) || !typed(info, 3, napi_int32_array, "start", "Int32Array", &start, &nStart) ||
      !typed(info, 4, napi_int32_array, "length", "Int32Array", &length, &nLength) ||
      !typed(info, 5, napi_int32_array, "offset", "Int32Array", &offset, &nOffset) ||
      !typed(info, 6, napi_float64_array, "weights", "Float64Array", &weights, &nWeights) ||
      !typed(info, 7, napi_float64_array, "out", "Float64Array", &out, &nOut)) {
    return env.Undefined();
  }
  if (nFft < 2 || (nFft & (nFft - 1)) != 0) return fail(env, "nFft must be a power of two >= 2"), env.Undefined();
  if (hop < 1) return fail(env, "hop must be >= 1"), env.Undefined();
  const size_t nMels = nStart;
  const int bins = nFft / 2 + 1;
  if (nLength != nMels || nOffset != nMels) return fail(env, "start, length and offset must have one entry per band"), env.Undefined();
  for (size_t m = 0; m < nMels; ++m) {
    if (start[m] < 0 || length[m] < 0 || start[m] + length[m] > bins || offset[m] < 0 ||
        static_cast<size_t>(offset[m]) + length[m] > nWeights) {
      return fail(env, "band " + std::to_string(m) + " lies outside the " + std::to_string(bins) + " FFT bins or the weights"),
             env.Undefined();
    }
  }
  const int half = nFft / 2;
  const int64_t frames = 1 + (static_cast<int64_t>(nx) + 2 * half - nFft) / hop;
  if (nOut != static_cast<size_t>(frames) * nMels) {
    return fail(env, "out has " + std::to_string(nOut) + " values, expected " + std::to_string(frames * nMels)), env.Undefined();
  }
  const Plan& p = planFor(nFft);
  double* power = new double[bins];
  const int64_t n = static_cast<int64_t>(nx);
  for (int64_t t = 0; t < frames; ++t) {
    const int64_t s = t * hop - half;
    if (s >= 0 && s + nFft <= n) {
      for (int i = 0; i < nFft; ++i) p.in[i] = static_cast<double>(x[s + i]) * p.window[i];
    } else {
      for (int i = 0; i < nFft; ++i) {
        const int64_t j = s + i;
        p.in[i] = j >= 0 && j < n ? static_cast<double>(x[j]) * p.window[i] : 0.0;
      }
    }
    fftw_execute(p.plan);
    for (int k = 0; k < bins; ++k) power[k] = p.out[k][0] * p.out[k][0] + p.out[k][1] * p.out[k][1];
    double* row = out + t * nMels;
    for (size_t m = 0; m < nMels; ++m) {
      const double* w = weights + offset[m];
      const double* pw = power + start[m];
      double acc = 0;
      for (int j = 0; j < length[m]; ++j) acc += w[j] * pw[j];
      row[m] = acc;
    }
  }
  delete[] power;
  return Napi::Number::New(env, static_cast<double>(frames));
}

// matmulRows(a: Float64Array [rows x n], basis: Float64Array [k x n], out: Float64Array [rows x k]):
// out[r][j] = sum_i a[r][i] basis[j][i] (the DCT-II of each log-mel frame).
Napi::Value MatmulRows(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  double *a = nullptr, *basis = nullptr, *out = nullptr;
  size_t na = 0, nb = 0, nOut = 0;
  int n = 0;
  if (!typed(info, 0, napi_float64_array, "a", "Float64Array", &a, &na) ||
      !typed(info, 1, napi_float64_array, "basis", "Float64Array", &basis, &nb) ||
      !typed(info, 2, napi_float64_array, "out", "Float64Array", &out, &nOut) || !integer(info, 3, "n", &n)) {
    return env.Undefined();
  }
  if (n < 1 || na % n != 0 || nb % n != 0) return fail(env, "a and basis must be whole rows of n values"), env.Undefined();
  const size_t rows = na / n;
  const size_t k = nb / n;
  if (nOut != rows * k) return fail(env, "out must hold rows x k values"), env.Undefined();
  // Transposed basis, so the inner loop runs over the k outputs with unit stride (vectorises without reordering sums).
  std::vector<double> bt(n * k);
  for (size_t j = 0; j < k; ++j)
    for (int i = 0; i < n; ++i) bt[i * k + j] = basis[j * n + i];
  for (size_t r = 0; r < rows; ++r) {
    const double* ar = a + r * n;
    double* o = out + r * k;
    for (size_t j = 0; j < k; ++j) o[j] = 0;
    for (int i = 0; i < n; ++i) {
      const double v = ar[i];
      const double* b = bt.data() + i * k;
      for (size_t j = 0; j < k; ++j) o[j] += v * b[j];
    }
  }
  return env.Undefined();
}

Napi::Object Init(Napi::Env env, Napi::Object exports) {
  exports.Set("melSpectrogram", Napi::Function::New(env, MelSpectrogram));
  exports.Set("matmulRows", Napi::Function::New(env, MatmulRows));
  exports.Set("fftwVersion", Napi::String::New(env, fftw_version));
  return exports;
}

}  // namespace

NODE_API_MODULE(ser_features, Init)
