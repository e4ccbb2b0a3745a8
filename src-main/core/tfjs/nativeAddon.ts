import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { addonCandidatePaths } from '../nativeAddonPaths';
import { errorMessage } from '../../../src-shared/api/errors';

/** The compiled kernels of native/src (see native/src/addon.cc for the argument conventions). */
export interface NativeAddon {
  /** Argument-list revision of the build (absent before revision 2). */
  readonly apiVersion?: number;
  /** dims: [batch, inH, inW, inC, filterH, filterW, outC, strideH, strideW, dilationH, dilationW, padTop, padLeft, outH, outW]. */
  conv2d(x: Float32Array, w: Float32Array, y: Float32Array, dims: Int32Array, bias?: Float32Array | null, activation?: number, alpha?: number): void;
  conv2dBackpropInput(dy: Float32Array, w: Float32Array, dx: Float32Array, dims: Int32Array): void;
  conv2dBackpropFilter(x: Float32Array, dy: Float32Array, dw: Float32Array, dims: Int32Array): void;
  /** dims: [batchA, batchB, m, n, k, transposeA, transposeB]. */
  matmul(a: Float32Array, b: Float32Array, c: Float32Array, dims: Int32Array, bias?: Float32Array | null, activation?: number, alpha?: number): void;
  pool(kind: 'max' | 'avg', x: Float32Array, y: Float32Array, dims: Int32Array): void;
  maxPoolGrad(dy: Float32Array, x: Float32Array, dx: Float32Array, dims: Int32Array): void;
  avgPoolGrad(dy: Float32Array, dx: Float32Array, dims: Int32Array): void;
  /** dims: [rank, outShape..., strideA..., strideB...] with stride 0 along broadcast axes; op codes in nativeElementwiseKernels.ts. */
  binary(op: number, a: Float32Array, b: Float32Array, out: Float32Array, dims: Int32Array): void;
  unary(op: number, x: Float32Array, out: Float32Array, alpha: number): void;
  /** reduced: 1 for each axis of shape that is reduced; out holds the kept axes in order. op: 0 sum, 1 mean, 2 max, 3 min. */
  reduce(op: number, x: Float32Array, out: Float32Array, shape: Int32Array, reduced: Int32Array): void;
  addN(inputs: Float32Array[], out: Float32Array): void;
  /** tfjs batchNorm: parameters broadcast cyclically over x. */
  batchNorm(
    x: Float32Array,
    mean: Float32Array,
    variance: Float32Array,
    offset: Float32Array | null,
    scale: Float32Array | null,
    out: Float32Array,
    epsilon: number,
  ): void;
  /** Gradients of batchNorm for per-channel (last axis) parameters. */
  batchNormGrad(
    dy: Float32Array,
    x: Float32Array,
    mean: Float32Array,
    variance: Float32Array,
    scale: Float32Array | null,
    epsilon: number,
    dx: Float32Array,
    dmean: Float32Array,
    dvariance: Float32Array,
    dscale: Float32Array,
    doffset: Float32Array,
  ): void;
  /** Training-mode batch norm over all but the last axis (mean.length channels): y, batch mean and biased variance. */
  /** relu: write relu(y) (batch norm and the activation after it in one pass); residual: added before the relu (a residual block's tail). */
  batchNormTraining(
    x: Float32Array,
    gamma: Float32Array | null,
    beta: Float32Array | null,
    epsilon: number,
    y: Float32Array,
    mean: Float32Array,
    variance: Float32Array,
    relu?: boolean,
    residual?: Float32Array | null,
  ): void;
  /** Complete gradient of batchNormTraining, including gradients arriving at its mean/variance outputs; relu: of relu(batchNormTraining), whose mask needs beta. */
  batchNormTrainingGrad(
    dy: Float32Array,
    x: Float32Array,
    mean: Float32Array,
    variance: Float32Array,
    gamma: Float32Array | null,
    epsilon: number,
    dx: Float32Array,
    dgamma: Float32Array,
    dbeta: Float32Array,
    dmean: Float32Array | null,
    dvariance: Float32Array | null,
    beta?: Float32Array | null,
    relu?: boolean,
  ): void;
  /** One tfjs Adam step: newValue/newM/newV from value, m, v, grad; params [beta1, 1 - beta1, beta2, 1 - beta2, epsilon, -learningRate, 1 - beta1^t, 1 - beta2^t]. */
  adamUpdate(
    value: Float32Array,
    m: Float32Array,
    v: Float32Array,
    grad: Float32Array,
    newValue: Float32Array,
    newM: Float32Array,
    newV: Float32Array,
    params: Float32Array,
  ): void;
  /** Sets the number of threads the kernels split work across; returns the count in effect. */
  setThreads(n: number): number;
  threads(): number;
  /** 'auto' = oneDNN when the build has it, else im2col + OpenBLAS; returns the engine in effect. */
  setConvEngine(engine?: 'auto' | 'im2col'): 'onednn' | 'im2col';
  /** OpenBLAS build string (version, target CPU). */
  blasConfig(): string;
}

export type NativeAddonLoad = { ok: true; addon: NativeAddon; path: string } | { ok: false; reason: string };

/** apiVersion the TypeScript side calls with; an older build is refused rather than handed arguments it misreads. */
const REQUIRED_API_VERSION = 4;

const candidatePaths = () => addonCandidatePaths('ser_kernels.node', 'SER_NATIVE_ADDON');

let cached: NativeAddonLoad | undefined;

/** Loads the native kernels once; the failure reason says what to do (build it, or why it would not load). */
export function loadNativeAddon(): NativeAddonLoad {
  if (cached) return cached;
  if (process.env.SER_DISABLE_NATIVE === '1') {
    cached = { ok: false, reason: 'disabled by SER_DISABLE_NATIVE=1' };
    return cached;
  }
  const paths = candidatePaths();
  const path = paths.find((p) => existsSync(p));
  if (!path) {
    cached = {
      ok: false,
      reason: `native kernels not built (no native/build/Release/ser_kernels.node; run \`node native/build.mjs\`, which needs g++, make, python3 and libopenblas-dev)`,
    };
    return cached;
  }
  // OpenMP reads this when the addon loads it. Its default spins idle workers for 300k iterations after every parallel
  // kernel, which on a machine shared with other work burned ~2x the CPU per training step; sleeping at once
  // (passive) costs a futex wake per kernel, ~8% of a ResNet step. A short spin bridges the gap between back-to-back
  // kernels and then sleeps. An explicit OMP_WAIT_POLICY or GOMP_SPINCOUNT wins.
  if (process.env.OMP_WAIT_POLICY === undefined && process.env.GOMP_SPINCOUNT === undefined) process.env.GOMP_SPINCOUNT = '30000';
  try {
    const addon = createRequire(import.meta.url)(path) as NativeAddon;
    const version = addon.apiVersion ?? 1;
    cached =
      version >= REQUIRED_API_VERSION
        ? { ok: true, addon, path }
        : {
            ok: false,
            reason: `native kernels at ${path} are out of date (API ${version}, need ${REQUIRED_API_VERSION}); rebuild with \`node native/build.mjs\``,
          };
  } catch (error) {
    cached = { ok: false, reason: `native kernels at ${path} failed to load: ${errorMessage(error)}` };
  }
  return cached;
}
