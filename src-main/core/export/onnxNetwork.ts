import type * as tf from '@tensorflow/tfjs';
import { positionTable } from '../models/attention';
import { float, type OnnxGraph } from './onnxGraph';

/**
 * A tfjs layers network as ONNX nodes, layer by layer in the model's topological order. Inputs stay as the workbench
 * feeds them (NHWC spectrograms, flat vectors); 4-d tensors are transposed to ONNX's NCHW once, at the input, and
 * every 4-d layer works in NCHW after that. Batch norm that directly follows a convolution (and is its only consumer)
 * is folded into the convolution's weights, as inference engines do. Dropout is the identity at inference.
 *
 * Written by hand because the maintained converters (tf2onnx, onnxmltools) are Python and need TensorFlow; the
 * mapping of each Keras layer to ONNX operators is the product's own, and the parity tests hold it to onnxruntime.
 */

/** nchw: a 4-d tensor in ONNX's order; nhwc, seq ([N, T, F]) and flat ([N, F]): Keras's own order. */
type Layout = 'nchw' | 'nhwc' | 'seq' | 'flat';
const KERAS_LAYOUT_OF_RANK: Record<number, Layout> = { 2: 'flat', 3: 'seq', 4: 'nhwc' };
interface Value {
  name: string;
  layout: Layout;
}

/** Layer classes the exporter knows; anything else is refused by name, before a file is written. */
export const ONNX_LAYERS = [
  'InputLayer',
  'Conv2D',
  'BatchNormalization',
  'Activation',
  'MaxPooling2D',
  'AveragePooling2D',
  'GlobalAveragePooling2D',
  'GlobalMaxPooling2D',
  'Flatten',
  'Dense',
  'Dropout',
  'SeededDropout',
  'SpatialDropout1D',
  'Add',
  'Concatenate',
  'Reshape',
  'Permute',
  'GlobalAveragePooling1D',
  'LSTM',
  'GRU',
  'Bidirectional',
  'LayerNormalization',
  'SinusoidalPositionEncoding',
  'MultiHeadSelfAttention',
] as const;

export class UnsupportedLayerError extends Error {}

interface LayerLike {
  name: string;
  getClassName(): string;
  getConfig(): Record<string, unknown>;
  weights: { name: string; read(): tf.Tensor }[];
  inboundNodes: { inboundLayers: LayerLike[] }[];
  input: { shape: (number | null)[] };
}

function weightsOf(layer: LayerLike): Map<string, { dims: number[]; values: Float32Array }> {
  const out = new Map<string, { dims: number[]; values: Float32Array }>();
  for (const w of layer.weights) {
    const t = w.read();
    out.set(w.name.split('/').pop()!.replace(/_\d+$/, ''), { dims: t.shape, values: t.dataSync() as Float32Array });
  }
  return out;
}

/** [kh, kw, in, out] (tfjs) → [out, in, kh, kw] (ONNX). */
function convKernelToOnnx(k: { dims: number[]; values: Float32Array }): { dims: number[]; values: Float32Array } {
  const [kh, kw, cin, cout] = k.dims;
  const v = new Float32Array(k.values.length);
  for (let h = 0; h < kh; h++)
    for (let w = 0; w < kw; w++)
      for (let i = 0; i < cin; i++)
        for (let o = 0; o < cout; o++) v[((o * cin + i) * kh + h) * kw + w] = k.values[((h * kw + w) * cin + i) * cout + o];
  return { dims: [cout, cin, kh, kw], values: v };
}

function pair(v: unknown, what: string): [number, number] {
  const a = Array.isArray(v) ? v : [v, v];
  if (a.length !== 2 || !a.every((x) => Number.isInteger(x)))
    throw new UnsupportedLayerError(`${what}: expected two integers, got ${JSON.stringify(v)}`);
  return a as [number, number];
}

function autoPad(padding: unknown, layer: string): string {
  if (padding === 'same') return 'SAME_UPPER'; // TF's 'same' puts the odd padding at the end, as SAME_UPPER does
  if (padding === 'valid') return 'VALID';
  throw new UnsupportedLayerError(`layer ${layer}: padding "${String(padding)}" is not supported`);
}

/** Applies a Keras activation by name; returns the new value name. */
function activate(g: OnnxGraph, x: string, activation: unknown, layer: string): string {
  switch (activation ?? 'linear') {
    case 'linear':
      return x;
    case 'relu':
      return g.node('Relu', [x], `${layer}_relu`)[0];
    case 'softmax':
      return g.node('Softmax', [x], `${layer}_softmax`, { axis: -1 })[0];
    case 'sigmoid':
      return g.node('Sigmoid', [x], `${layer}_sigmoid`)[0];
    case 'tanh':
      return g.node('Tanh', [x], `${layer}_tanh`)[0];
    case 'elu':
      return g.node('Elu', [x], `${layer}_elu`, { alpha: float(1) })[0];
    default:
      throw new UnsupportedLayerError(`layer ${layer}: activation "${String(activation)}" is not supported`);
  }
}

export interface NetworkGraph {
  /** Graph input names with their shapes as the workbench feeds them (batch dim 'N'). */
  inputs: { name: string; dims: (number | string)[] }[];
  /** The value holding the class probabilities [N, classes] (the caller names it and declares it an output). */
  output: string;
}

/**
 * Adds `model` to `g`, with graph inputs named after the model's inputs; returns them and its probabilities.
 * Throws UnsupportedLayerError naming the first layer (or option) it cannot map.
 */
export function addNetwork(g: OnnxGraph, model: tf.LayersModel): NetworkGraph {
  const layers = model.layers as unknown as LayerLike[];
  for (const l of layers) {
    if (!(ONNX_LAYERS as readonly string[]).includes(l.getClassName())) {
      throw new UnsupportedLayerError(`layer ${l.name} (${l.getClassName()}) has no ONNX mapping in this exporter yet`);
    }
  }
  const consumers = new Map<string, number>();
  for (const l of layers)
    for (const n of l.inboundNodes) for (const src of n.inboundLayers) consumers.set(src.name, (consumers.get(src.name) ?? 0) + 1);

  const values = new Map<string, Value>();
  const inputs: NetworkGraph['inputs'] = [];
  const folded = new Map<string, string>(); // BN layer name → the conv layer it was folded into
  const inOf = (l: LayerLike): Value[] => l.inboundNodes[0].inboundLayers.map((src) => values.get(folded.get(src.name) ?? src.name)!);

  for (const l of layers) {
    const cls = l.getClassName();
    const c = l.getConfig();
    const name = l.name;
    if (cls === 'InputLayer') {
      const shape = (c.batchInputShape as (number | null)[]).slice(1) as number[];
      if (shape.some((d) => d === null)) throw new UnsupportedLayerError(`input ${name}: variable-length inputs are not supported`);
      const dims: (number | string)[] = ['N', ...shape];
      const input = g.input(name, dims);
      inputs.push({ name: input, dims });
      if (shape.length === 3) values.set(name, { name: g.node('Transpose', [input], `${name}_nchw`, { perm: [0, 3, 1, 2] })[0], layout: 'nchw' });
      else values.set(name, { name: input, layout: layoutOfRank(shape.length + 1, name) });
      continue;
    }
    const ins = inOf(l);
    let x = ins[0];
    const w = weightsOf(l);
    const need4d = () => {
      if (x.layout === 'nhwc') x = { name: g.node('Transpose', [x.name], `${name}_nchw`, { perm: [0, 3, 1, 2] })[0], layout: 'nchw' };
      if (x.layout !== 'nchw') throw new UnsupportedLayerError(`layer ${name} (${cls}) on a ${x.layout} tensor is not supported`);
    };
    /** The input in Keras's own axis order (4-d tensors back from NCHW to NHWC). */
    const keras = (): Value =>
      x.layout === 'nchw' ? { name: g.node('Transpose', [x.name], `${name}_nhwc`, { perm: [0, 2, 3, 1] })[0], layout: 'nhwc' } : x;
    let out: Value;
    switch (cls) {
      case 'Conv2D': {
        need4d();
        if (c.dataFormat !== 'channelsLast') throw new UnsupportedLayerError(`layer ${name}: dataFormat ${String(c.dataFormat)}`);
        let kernel = convKernelToOnnx(w.get('kernel')!);
        let bias = w.get('bias')?.values ?? new Float32Array(kernel.dims[0]);
        // Fold a following batch norm that is the conv's only consumer (and applies no activation in between).
        const next = layers.find((n) => n.inboundNodes[0]?.inboundLayers[0]?.name === name);
        if ((c.activation ?? 'linear') === 'linear' && next?.getClassName() === 'BatchNormalization' && consumers.get(name) === 1) {
          const bn = bnParams(next, kernel.dims[0]);
          const v = kernel.values.slice();
          const per = v.length / kernel.dims[0];
          bias = bias.slice();
          for (let o = 0; o < kernel.dims[0]; o++) {
            for (let j = 0; j < per; j++) v[o * per + j] *= bn.scale[o];
            bias[o] = (bias[o] - bn.mean[o]) * bn.scale[o] + bn.beta[o];
          }
          kernel = { dims: kernel.dims, values: v };
          folded.set(next.name, name);
        }
        const y = g.node('Conv', [x.name, g.weight(`${name}_W`, kernel.dims, kernel.values), g.weight(`${name}_B`, [kernel.dims[0]], bias)], name, {
          kernel_shape: kernel.dims.slice(2),
          strides: pair(c.strides, name),
          dilations: pair(c.dilationRate, name),
          auto_pad: autoPad(c.padding, name),
        })[0];
        out = { name: activate(g, y, c.activation, name), layout: 'nchw' };
        break;
      }
      case 'BatchNormalization': {
        if (folded.has(name)) continue; // already inside its convolution
        const axis = c.axis as number;
        if (axis !== -1 && !(x.layout === 'flat' && axis === 1) && !(x.layout === 'nchw' && axis === 3))
          throw new UnsupportedLayerError(`layer ${name}: batch norm over axis ${axis}`);
        const channels = w.get('moving_mean')!.dims[0];
        const bn = bnParams(l, channels);
        // y = x * scale + shift, per channel (broadcast over [N, C] or [N, C, H, W])
        const shape = x.layout === 'nchw' ? [channels, 1, 1] : [channels];
        const shift = bn.beta.map((b, i) => b - bn.mean[i] * bn.scale[i]);
        const m = g.node('Mul', [x.name, g.weight(`${name}_scale`, shape, bn.scale)], `${name}_mul`)[0];
        out = { name: g.node('Add', [m, g.weight(`${name}_shift`, shape, shift)], name)[0], layout: x.layout };
        break;
      }
      case 'Activation':
        out = { name: activate(g, x.name, c.activation, name), layout: x.layout };
        break;
      case 'MaxPooling2D':
      case 'AveragePooling2D': {
        need4d();
        const pool = pair(c.poolSize, name);
        const strides = c.strides == null ? pool : pair(c.strides, name);
        const attrs: Record<string, number | number[] | string> = { kernel_shape: pool, strides, auto_pad: autoPad(c.padding, name) };
        if (cls === 'AveragePooling2D') attrs.count_include_pad = 0; // TF averages over the real values only
        out = { name: g.node(cls === 'MaxPooling2D' ? 'MaxPool' : 'AveragePool', [x.name], name, attrs)[0], layout: 'nchw' };
        break;
      }
      case 'GlobalAveragePooling2D':
      case 'GlobalMaxPooling2D': {
        need4d();
        const p = g.node(cls === 'GlobalAveragePooling2D' ? 'GlobalAveragePool' : 'GlobalMaxPool', [x.name], `${name}_pool`)[0];
        out = { name: g.node('Flatten', [p], name, { axis: 1 })[0], layout: 'flat' };
        break;
      }
      case 'Flatten': {
        // Keras flattens NHWC in H, W, C order: back to NHWC first.
        out = { name: g.node('Flatten', [keras().name], name, { axis: 1 })[0], layout: 'flat' };
        break;
      }
      case 'Dense': {
        if (x.layout !== 'flat' && x.layout !== 'seq')
          throw new UnsupportedLayerError(`layer ${name}: dense on a ${x.layout} tensor is not supported`);
        const k = w.get('kernel')!;
        const b = w.get('bias');
        let y: string;
        if (x.layout === 'flat') {
          const inputs = [x.name, g.weight(`${name}_W`, k.dims, k.values)];
          if (b) inputs.push(g.weight(`${name}_B`, b.dims, b.values));
          y = g.node('Gemm', inputs, name)[0];
        } else {
          // Dense on a sequence applies to every step: MatMul broadcasts over [N, T].
          y = g.node('MatMul', [x.name, g.weight(`${name}_W`, k.dims, k.values)], `${name}_matmul`)[0];
          if (b) y = g.node('Add', [y, g.weight(`${name}_B`, b.dims, b.values)], name)[0];
        }
        out = { name: activate(g, y, c.activation, name), layout: x.layout };
        break;
      }
      case 'Reshape': {
        const target = c.targetShape as number[];
        const src = keras();
        out = {
          name: g.node('Reshape', [src.name, g.int64(`${name}_shape`, [0, ...target])], name)[0],
          layout: layoutOfRank(target.length + 1, name),
        };
        break;
      }
      case 'Permute': {
        const dims = c.dims as number[];
        const src = keras();
        out = { name: g.node('Transpose', [src.name], name, { perm: [0, ...dims] })[0], layout: layoutOfRank(dims.length + 1, name) };
        break;
      }
      case 'GlobalAveragePooling1D':
        if (x.layout !== 'seq') throw new UnsupportedLayerError(`layer ${name}: ${cls} on a ${x.layout} tensor`);
        out = { name: g.node('ReduceMean', [x.name], name, { axes: [1], keepdims: 0 })[0], layout: 'flat' };
        break;
      case 'LayerNormalization': {
        if (
          ![-1, x.layout === 'seq' ? 2 : 1].includes((Array.isArray(c.axis) ? c.axis[0] : c.axis) as number) ||
          x.layout === 'nchw' ||
          x.layout === 'nhwc'
        )
          throw new UnsupportedLayerError(`layer ${name}: layer normalisation over axis ${JSON.stringify(c.axis)} of a ${x.layout} tensor`);
        // (x - mean) / sqrt(var + epsilon) * gamma + beta over the last axis; ONNX's own LayerNormalization is opset 17.
        const mean = g.node('ReduceMean', [x.name], `${name}_mean`, { axes: [-1], keepdims: 1 })[0];
        const diff = g.node('Sub', [x.name, mean], `${name}_centred`)[0];
        const variance = g.node('ReduceMean', [g.node('Mul', [diff, diff], `${name}_sq`)[0]], `${name}_var`, { axes: [-1], keepdims: 1 })[0];
        const std = g.node(
          'Sqrt',
          [g.node('Add', [variance, g.weight(`${name}_eps`, [], [c.epsilon as number])], `${name}_var_eps`)[0]],
          `${name}_std`,
        )[0];
        let y = g.node('Div', [diff, std], `${name}_norm`)[0];
        if (w.has('gamma')) y = g.node('Mul', [y, g.weight(`${name}_gamma`, w.get('gamma')!.dims, w.get('gamma')!.values)], `${name}_scaled`)[0];
        if (w.has('beta')) y = g.node('Add', [y, g.weight(`${name}_beta`, w.get('beta')!.dims, w.get('beta')!.values)], name)[0];
        out = { name: y, layout: x.layout };
        break;
      }
      case 'SinusoidalPositionEncoding': {
        const [, time, d] = l.input.shape as number[];
        if (x.layout !== 'seq' || !time || !d) throw new UnsupportedLayerError(`layer ${name}: position encoding needs a fixed [N, T, d] input`);
        const table = positionTable(time, d);
        const values = table.dataSync() as Float32Array;
        table.dispose();
        out = { name: g.node('Add', [x.name, g.weight(`${name}_table`, [time, d], values)], name)[0], layout: 'seq' };
        break;
      }
      case 'MultiHeadSelfAttention':
        if (x.layout !== 'seq') throw new UnsupportedLayerError(`layer ${name}: attention on a ${x.layout} tensor`);
        out = { name: addSelfAttention(g, name, x.name, c.numHeads as number, w), layout: 'seq' };
        break;
      case 'LSTM':
      case 'GRU':
      case 'Bidirectional':
        if (x.layout !== 'seq') throw new UnsupportedLayerError(`layer ${name}: ${cls} on a ${x.layout} tensor`);
        out = addRecurrent(g, l, x.name);
        break;
      case 'Dropout':
      case 'SeededDropout':
      case 'SpatialDropout1D':
        out = x; // the identity at inference
        break;
      case 'Add':
        if (ins.some((i) => i.layout !== x.layout)) throw new UnsupportedLayerError(`layer ${name}: adds tensors of different layouts`);
        out = {
          name: g.node(
            'Sum',
            ins.map((i) => i.name),
            name,
          )[0],
          layout: x.layout,
        };
        break;
      case 'Concatenate': {
        if (ins.some((i) => i.layout !== 'flat') || ![-1, 1].includes(c.axis as number))
          throw new UnsupportedLayerError(`layer ${name}: only the concatenation of vectors on their last axis is supported`);
        out = {
          name: g.node(
            'Concat',
            ins.map((i) => i.name),
            name,
            { axis: 1 },
          )[0],
          layout: 'flat',
        };
        break;
      }
      default:
        throw new UnsupportedLayerError(`layer ${name} (${cls}) has no ONNX mapping in this exporter yet`);
    }
    values.set(name, out);
  }
  const last = model.outputs[0].sourceLayer.name;
  const result = values.get(folded.get(last) ?? last)!;
  if (result.layout !== 'flat') throw new UnsupportedLayerError(`the network's output (${last}) is not a vector of class probabilities`);
  return { inputs, output: result.name };
}

/** The workbench's MultiHeadSelfAttention (models/attention.ts) on [N, T, d]: the same products, in ONNX operators. */
function addSelfAttention(g: OnnxGraph, name: string, x: string, heads: number, w: Map<string, { dims: number[]; values: Float32Array }>): string {
  const d = w.get('query_kernel')!.dims[0];
  const dk = d / heads;
  const project = (which: string, input: string) => {
    const k = w.get(`${which}_kernel`)!;
    const b = w.get(`${which}_bias`)!;
    const m = g.node('MatMul', [input, g.weight(`${name}_${which}_W`, k.dims, k.values)], `${name}_${which}_matmul`)[0];
    return g.node('Add', [m, g.weight(`${name}_${which}_B`, b.dims, b.values)], `${name}_${which}`)[0];
  };
  const split = g.int64(`${name}_heads_shape`, [0, 0, heads, dk]);
  // [N, T, d] → [N, T, h, dk] → [N, h, T, dk] (keys: [N, h, dk, T])
  const toHeads = (which: string, perm: number[]) =>
    g.node('Transpose', [g.node('Reshape', [project(which, x), split], `${name}_${which}_split`)[0]], `${name}_${which}_heads`, { perm })[0];
  const q = toHeads('query', [0, 2, 1, 3]);
  const kT = toHeads('key', [0, 2, 3, 1]);
  const v = toHeads('value', [0, 2, 1, 3]);
  const scores = g.node('Div', [g.node('MatMul', [q, kT], `${name}_qk`)[0], g.weight(`${name}_sqrt_dk`, [], [Math.sqrt(dk)])], `${name}_scores`)[0];
  const weights = g.node('Softmax', [scores], `${name}_weights`, { axis: -1 })[0];
  const context = g.node('Transpose', [g.node('MatMul', [weights, v], `${name}_context_heads`)[0]], `${name}_context_t`, { perm: [0, 2, 1, 3] })[0];
  const merged = g.node('Reshape', [context, g.int64(`${name}_merge_shape`, [0, 0, d])], `${name}_context`)[0];
  return project('output', merged);
}

function layoutOfRank(rank: number, layer: string): Layout {
  const layout = KERAS_LAYOUT_OF_RANK[rank];
  if (!layout) throw new UnsupportedLayerError(`layer ${layer}: rank-${rank} tensors are not supported`);
  return layout;
}

/** ONNX names of Keras recurrent activations (tfjs's hardSigmoid is clip(0.2 x + 0.5, 0, 1), ONNX's default). */
const RNN_ACTIVATIONS: Record<string, string> = { sigmoid: 'Sigmoid', hardSigmoid: 'HardSigmoid', tanh: 'Tanh', relu: 'Relu' };

interface RecurrentLayerLike extends LayerLike {
  forwardLayer?: LayerLike;
  backwardLayer?: LayerLike;
}

/**
 * A Keras LSTM or GRU (or a Bidirectional one, merged by concatenation) as ONNX's LSTM / GRU operator on [N, T, F].
 * Gate orders differ: Keras LSTM stacks i, f, c, o and ONNX i, o, f, c; GRU is z, r, h in both, and tfjs's GRU
 * applies the reset gate before the recurrent product (ONNX linear_before_reset = 0). Keras has one bias per gate;
 * ONNX's recurrence bias is zero.
 */
function addRecurrent(g: OnnxGraph, layer: RecurrentLayerLike, x: string): Value {
  const name = layer.name;
  const bidirectional = layer.getClassName() === 'Bidirectional';
  const cells = bidirectional ? [layer.forwardLayer!, layer.backwardLayer!] : [layer];
  const cls = cells[0].getClassName();
  if (cls !== 'LSTM' && cls !== 'GRU') throw new UnsupportedLayerError(`layer ${name}: Bidirectional over ${cls} is not supported`);
  const c = cells[0].getConfig();
  if (bidirectional && (layer.getConfig().mergeMode ?? 'concat') !== 'concat')
    throw new UnsupportedLayerError(`layer ${name}: merge mode "${String(layer.getConfig().mergeMode)}" is not supported (only concat)`);
  if (!bidirectional && c.goBackwards) throw new UnsupportedLayerError(`layer ${name}: goBackwards is not supported`);
  if (c.stateful) throw new UnsupportedLayerError(`layer ${name}: stateful recurrent layers are not supported`);
  const units = c.units as number;
  const gates = cls === 'LSTM' ? 4 : 3;
  // Keras gate block → ONNX gate block
  const order = cls === 'LSTM' ? [0, 3, 1, 2] : [0, 1, 2];
  const acts = [c.recurrentActivation, c.activation, c.activation].slice(0, cls === 'LSTM' ? 3 : 2).map((a) => {
    const onnxName = RNN_ACTIVATIONS[String(a)];
    if (!onnxName) throw new UnsupportedLayerError(`layer ${name}: activation "${String(a)}" is not supported in a recurrent layer`);
    return onnxName;
  });
  const W: number[] = [];
  const R: number[] = [];
  const B: number[] = [];
  let inputSize = 0;
  for (const cell of cells) {
    const w = weightsOf(cell);
    const kernel = w.get('kernel')!;
    const recurrent = w.get('recurrent_kernel')!;
    const bias = w.get('bias')?.values ?? new Float32Array(gates * units);
    inputSize = kernel.dims[0];
    // kernel [in, gates·units] → W [gates·units, in] in ONNX gate order
    for (const gate of order)
      for (let u = 0; u < units; u++) {
        const col = gate * units + u;
        for (let i = 0; i < inputSize; i++) W.push(kernel.values[i * gates * units + col]);
      }
    for (const gate of order)
      for (let u = 0; u < units; u++) {
        const col = gate * units + u;
        for (let i = 0; i < units; i++) R.push(recurrent.values[i * gates * units + col]);
      }
    for (const gate of order) for (let u = 0; u < units; u++) B.push(bias[gate * units + u]);
    for (let k = 0; k < gates * units; k++) B.push(0);
  }
  const dirs = cells.length;
  const seqFirst = g.node('Transpose', [x], `${name}_time_major`, { perm: [1, 0, 2] })[0];
  const attrs: Record<string, number | string | string[]> = {
    hidden_size: units,
    direction: bidirectional ? 'bidirectional' : 'forward',
    activations: Array.from({ length: dirs }, () => acts).flat(),
  };
  if (cls === 'GRU') attrs.linear_before_reset = 0;
  const [Y, Yh] = g.node(
    cls,
    [
      seqFirst,
      g.weight(`${name}_W`, [dirs, gates * units, inputSize], W),
      g.weight(`${name}_R`, [dirs, gates * units, units], R),
      g.weight(`${name}_B`, [dirs, 2 * gates * units], B),
    ],
    cls === 'LSTM' ? [`${name}_Y`, `${name}_Yh`, `${name}_Yc`] : [`${name}_Y`, `${name}_Yh`],
    attrs,
  );
  if (c.returnSequences) {
    // Y [T, dirs, N, units] → [N, T, dirs·units] (forward then backward, as Keras concatenates)
    const t = g.node('Transpose', [Y], `${name}_batch_major`, { perm: [2, 0, 1, 3] })[0];
    return { name: g.node('Reshape', [t, g.int64(`${name}_seq_shape`, [0, 0, dirs * units])], name)[0], layout: 'seq' };
  }
  // Y_h [dirs, N, units] → [N, dirs·units]
  const t = g.node('Transpose', [Yh], `${name}_last_batch_major`, { perm: [1, 0, 2] })[0];
  return { name: g.node('Reshape', [t, g.int64(`${name}_last_shape`, [0, dirs * units])], name)[0], layout: 'flat' };
}

/** Batch norm at inference as y = (x - mean) * scale + beta, scale = gamma / sqrt(var + epsilon). */
function bnParams(layer: LayerLike, channels: number): { scale: Float32Array; mean: Float32Array; beta: Float32Array } {
  const c = layer.getConfig();
  const w = weightsOf(layer);
  const gamma = c.scale === false ? new Float32Array(channels).fill(1) : w.get('gamma')!.values;
  const beta = c.center === false ? new Float32Array(channels) : w.get('beta')!.values;
  const mean = w.get('moving_mean')!.values;
  const variance = w.get('moving_variance')!.values;
  const eps = c.epsilon as number;
  return { scale: gamma.map((g, i) => g / Math.sqrt(variance[i] + eps)), mean, beta };
}
