#include "conv_dnnl.h"

#ifdef SER_HAVE_DNNL

#include <dnnl.hpp>

#include <cstdio>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <tuple>
#include <vector>

namespace ser {
namespace {

using dnnl::memory;
using Tag = memory::format_tag;

dnnl::engine& cpuEngine() {
  static dnnl::engine engine(dnnl::engine::kind::cpu, 0);
  return engine;
}

enum class Kind { Forward, BackwardData, BackwardWeights };

using Key = std::tuple<int, int, int, int, int, int, int, int, int, int, int, int, int, int, int, int>;

Key keyOf(Kind kind, const ConvDims& d) {
  return Key{static_cast<int>(kind), d.batch, d.inH, d.inW, d.inC, d.filterH, d.filterW, d.outC,
             d.strideH, d.strideW, d.dilationH, d.dilationW, d.padTop, d.padLeft, d.outH, d.outW};
}

// Logical descriptions of the user's tensors (tfjs layouts) and the convolution geometry in oneDNN terms.
struct Geometry {
  memory::desc src, dst, userWeights, weights;
  memory::dims strides, dilates, padL, padR;
};

Geometry geometryOf(const ConvDims& d) {
  Geometry g;
  g.src = memory::desc({d.batch, d.inC, d.inH, d.inW}, memory::data_type::f32, Tag::nhwc);
  g.dst = memory::desc({d.batch, d.outC, d.outH, d.outW}, memory::data_type::f32, Tag::nhwc);
  const memory::dims wdims = {d.outC, d.inC, d.filterH, d.filterW};
  g.userWeights = memory::desc(wdims, memory::data_type::f32, Tag::hwio);
  // A blocked weight layout lets oneDNN use its direct AVX-512 kernels; with one or two input channels those are slow
  // and the GEMM-based implementation on the plain layout wins by far (measured: stem conv 1->16 on 64x94).
  g.weights = d.inC >= 8 ? memory::desc(wdims, memory::data_type::f32, Tag::any) : g.userWeights;
  g.strides = {d.strideH, d.strideW};
  g.dilates = {d.dilationH - 1, d.dilationW - 1};
  g.padL = {d.padTop, d.padLeft};
  // tfjs may drop trailing rows that a window would not fully cover; oneDNN's floor division does the same.
  const int needH = (d.outH - 1) * d.strideH + (d.filterH - 1) * d.dilationH + 1 - d.inH - d.padTop;
  const int needW = (d.outW - 1) * d.strideW + (d.filterW - 1) * d.dilationW + 1 - d.inW - d.padLeft;
  g.padR = {needH > 0 ? needH : 0, needW > 0 ? needW : 0};
  return g;
}

dnnl::convolution_forward::primitive_desc forwardDesc(const Geometry& g) {
  dnnl::convolution_forward::desc desc(dnnl::prop_kind::forward_training, dnnl::algorithm::convolution_direct, g.src,
                                       g.weights, g.dst, g.strides, g.dilates, g.padL, g.padR);
  return dnnl::convolution_forward::primitive_desc(desc, cpuEngine());
}

// A ready-to-run primitive plus the reorders between the tfjs weight layout and the one it chose.
struct Entry {
  dnnl::primitive conv;
  memory::desc weights;  // layout the primitive wants for (diff_)weights
  bool reorderWeights = false;
  dnnl::primitive weightsReorder;  // user -> primitive (forward, backward data) or primitive -> user (backward weights)
  memory::desc user;
};

std::mutex cacheMutex;
std::map<Key, std::shared_ptr<Entry>> cache;
constexpr size_t kMaxCached = 256;

std::shared_ptr<Entry> build(Kind kind, const ConvDims& d) {
  const Geometry g = geometryOf(d);
  const auto fwd = forwardDesc(g);
  auto entry = std::make_shared<Entry>();
  entry->user = g.userWeights;
  if (kind == Kind::Forward) {
    entry->conv = dnnl::convolution_forward(fwd);
    entry->weights = fwd.weights_desc();
  } else if (kind == Kind::BackwardData) {
    dnnl::convolution_backward_data::desc desc(dnnl::algorithm::convolution_direct, g.src, g.weights, g.dst, g.strides,
                                               g.dilates, g.padL, g.padR);
    dnnl::convolution_backward_data::primitive_desc pd(desc, cpuEngine(), fwd);
    entry->conv = dnnl::convolution_backward_data(pd);
    entry->weights = pd.weights_desc();
  } else {
    dnnl::convolution_backward_weights::desc desc(dnnl::algorithm::convolution_direct, g.src, g.weights, g.dst,
                                                  g.strides, g.dilates, g.padL, g.padR);
    dnnl::convolution_backward_weights::primitive_desc pd(desc, cpuEngine(), fwd);
    entry->conv = dnnl::convolution_backward_weights(pd);
    entry->weights = pd.diff_weights_desc();
  }
  entry->reorderWeights = entry->weights != entry->user;
  if (entry->reorderWeights) {
    entry->weightsReorder = kind == Kind::BackwardWeights
                                ? dnnl::reorder(dnnl::reorder::primitive_desc(cpuEngine(), entry->weights, cpuEngine(), entry->user))
                                : dnnl::reorder(dnnl::reorder::primitive_desc(cpuEngine(), entry->user, cpuEngine(), entry->weights));
  }
  return entry;
}

std::shared_ptr<Entry> lookup(Kind kind, const ConvDims& d) {
  const Key key = keyOf(kind, d);
  {
    std::lock_guard<std::mutex> lock(cacheMutex);
    auto it = cache.find(key);
    if (it != cache.end()) return it->second;
  }
  std::shared_ptr<Entry> entry = build(kind, d);  // throws dnnl::error when unimplemented
  std::lock_guard<std::mutex> lock(cacheMutex);
  if (cache.size() >= kMaxCached) cache.clear();
  cache[key] = entry;
  return entry;
}

// Runs fn(entry, stream), converting oneDNN's "unimplemented" and friends into a false return.
template <typename F>
bool guarded(Kind kind, const ConvDims& d, F fn) {
  try {
    auto entry = lookup(kind, d);
    dnnl::stream stream(cpuEngine());
    fn(*entry, stream);
    stream.wait();
    return true;
  } catch (const dnnl::error& e) {
    static bool warned = false;
    if (!warned) {
      std::fprintf(stderr, "native kernels: oneDNN convolution unavailable (%s); using im2col + GEMM\n", e.what());
      warned = true;
    }
    return false;
  }
}

}  // namespace

bool dnnlAvailable() { return true; }

const char* dnnlVersion() {
  static std::string text;
  if (text.empty()) {
    const dnnl_version_t* v = dnnl_version();
    text = "oneDNN " + std::to_string(v->major) + "." + std::to_string(v->minor) + "." + std::to_string(v->patch);
  }
  return text.c_str();
}

bool dnnlConv2d(const float* x, const float* w, const ConvDims& d, float* y) {
  return guarded(Kind::Forward, d, [&](Entry& e, dnnl::stream& s) {
    const Geometry g = geometryOf(d);
    memory src(g.src, cpuEngine(), const_cast<float*>(x));
    memory dst(g.dst, cpuEngine(), y);
    memory user(e.user, cpuEngine(), const_cast<float*>(w));
    memory weights = user;
    if (e.reorderWeights) {
      weights = memory(e.weights, cpuEngine());
      e.weightsReorder.execute(s, {{DNNL_ARG_FROM, user}, {DNNL_ARG_TO, weights}});
    }
    e.conv.execute(s, {{DNNL_ARG_SRC, src}, {DNNL_ARG_WEIGHTS, weights}, {DNNL_ARG_DST, dst}});
  });
}

bool dnnlConv2dBackpropInput(const float* dy, const float* w, const ConvDims& d, float* dx) {
  return guarded(Kind::BackwardData, d, [&](Entry& e, dnnl::stream& s) {
    const Geometry g = geometryOf(d);
    memory diffDst(g.dst, cpuEngine(), const_cast<float*>(dy));
    memory diffSrc(g.src, cpuEngine(), dx);
    memory user(e.user, cpuEngine(), const_cast<float*>(w));
    memory weights = user;
    if (e.reorderWeights) {
      weights = memory(e.weights, cpuEngine());
      e.weightsReorder.execute(s, {{DNNL_ARG_FROM, user}, {DNNL_ARG_TO, weights}});
    }
    e.conv.execute(s, {{DNNL_ARG_DIFF_DST, diffDst}, {DNNL_ARG_WEIGHTS, weights}, {DNNL_ARG_DIFF_SRC, diffSrc}});
  });
}

bool dnnlConv2dBackpropFilter(const float* x, const float* dy, const ConvDims& d, float* dw) {
  return guarded(Kind::BackwardWeights, d, [&](Entry& e, dnnl::stream& s) {
    const Geometry g = geometryOf(d);
    memory src(g.src, cpuEngine(), const_cast<float*>(x));
    memory diffDst(g.dst, cpuEngine(), const_cast<float*>(dy));
    memory user(e.user, cpuEngine(), dw);
    memory diffWeights = e.reorderWeights ? memory(e.weights, cpuEngine()) : user;
    e.conv.execute(s, {{DNNL_ARG_SRC, src}, {DNNL_ARG_DIFF_DST, diffDst}, {DNNL_ARG_DIFF_WEIGHTS, diffWeights}});
    if (e.reorderWeights) e.weightsReorder.execute(s, {{DNNL_ARG_FROM, diffWeights}, {DNNL_ARG_TO, user}});
  });
}

}  // namespace ser

#else  // without oneDNN every call reports "not handled" and conv.cc uses im2col + GEMM

namespace ser {
bool dnnlAvailable() { return false; }
const char* dnnlVersion() { return ""; }
bool dnnlConv2d(const float*, const float*, const ConvDims&, float*) { return false; }
bool dnnlConv2dBackpropInput(const float*, const float*, const ConvDims&, float*) { return false; }
bool dnnlConv2dBackpropFilter(const float*, const float*, const ConvDims&, float*) { return false; }
}  // namespace ser

#endif
