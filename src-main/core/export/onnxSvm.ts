import type { SvmModel } from '../models/shallow/svm';
import { vectorTransformFromJSON } from '../models/shallow/vectorTransform';
import { addVectorTransform, placeClasses } from './onnxLinear';
import type { OnnxGraph } from './onnxGraph';
import type { NetworkGraph } from './onnxNetwork';

/** libsvm's text model (svm_save_model), the parts a C-SVC with probability estimates has. */
interface LibsvmText {
  kernel: 'rbf' | 'linear';
  gamma: number;
  labels: number[];
  rho: number[];
  probA: number[];
  probB: number[];
  nrSv: number[];
  /** [k - 1][total_sv] */
  coef: number[][];
  /** total_sv × dims, dense */
  sv: Float32Array;
}

/** Parses the model text the SVM saves (and predicts from), filling the sparse 1-based support vectors to `dims`. */
export function parseLibsvmModel(text: string, dims: number): LibsvmText {
  const lines = text.split('\n');
  const header = new Map<string, string[]>();
  let i = 0;
  for (; i < lines.length && lines[i].trim() !== 'SV'; i++) {
    const [key, ...values] = lines[i].trim().split(/\s+/);
    if (key) header.set(key, values);
  }
  const get = (key: string) => {
    const v = header.get(key);
    if (!v) throw new Error(`the libsvm model has no ${key} line`);
    return v;
  };
  if (get('svm_type')[0] !== 'c_svc') throw new Error(`libsvm model type ${get('svm_type')[0]} is not a C-SVC`);
  const kernel = get('kernel_type')[0];
  if (kernel !== 'rbf' && kernel !== 'linear') throw new Error(`libsvm kernel ${kernel} is not supported`);
  if (!header.has('probA')) throw new Error('the libsvm model has no probability estimates (probA/probB)');
  const num = (key: string) => get(key).map(Number);
  const k = num('nr_class')[0];
  const total = num('total_sv')[0];
  const coef = Array.from({ length: k - 1 }, () => new Array<number>(total).fill(0));
  const sv = new Float32Array(total * dims);
  for (let s = 0; s < total; s++) {
    const parts = (lines[i + 1 + s] ?? '').trim().split(/\s+/);
    if (parts.length < k - 1) throw new Error(`the libsvm model has ${s} support vectors, its header says ${total}`);
    for (let c = 0; c < k - 1; c++) coef[c][s] = Number(parts[c]);
    for (const pair of parts.slice(k - 1)) {
      const [index, value] = pair.split(':');
      const j = Number(index) - 1;
      if (!(j >= 0 && j < dims)) throw new Error(`libsvm support vector ${s} has index ${index}, outside 1..${dims}`);
      sv[s * dims + j] = Number(value);
    }
  }
  return {
    kernel,
    gamma: kernel === 'rbf' ? num('gamma')[0] : 0,
    labels: num('label'),
    rho: num('rho'),
    probA: num('probA'),
    probB: num('probB'),
    nrSv: num('nr_sv'),
    coef,
    sv,
  };
}

/**
 * The RBF / linear SVM with its fitted transform as ONNX-ML's SVMClassifier: libsvm's pairwise decision values
 * (ONNX's rho is libsvm's with the sign flipped: ONNX adds it, libsvm subtracts it), Platt-scaled and coupled into
 * class probabilities as libsvm `-b 1` does; columns come out in libsvm's label order and are placed among all labels.
 */
export function addSvm(g: OnnxGraph, model: SvmModel): NetworkGraph {
  const json = model.toJSON();
  const t = vectorTransformFromJSON(json.transform, 'the SVM');
  const m = parseLibsvmModel(json.libsvm, t.outputDims);
  const input = g.input('functionals', ['N', json.dims]);
  const { value } = addVectorTransform(g, input, t);
  const [, scores] = g.node(
    'SVMClassifier',
    [value],
    ['svm_label', 'svm_scores'],
    {
      classlabels_ints: m.labels,
      coefficients: Float32Array.from(m.coef.flat()),
      kernel_params: Float32Array.from([m.gamma, 0, 3]),
      kernel_type: m.kernel === 'rbf' ? 'RBF' : 'LINEAR',
      post_transform: 'NONE',
      prob_a: Float32Array.from(m.probA),
      prob_b: Float32Array.from(m.probB),
      rho: Float32Array.from(m.rho, (r) => -r),
      support_vectors: m.sv,
      vectors_per_class: m.nrSv,
    },
    'ai.onnx.ml',
  );
  const probs = placeClasses(g, scores, m.labels, json.numClasses);
  return { inputs: [{ name: input, dims: ['N', json.dims] }], output: probs };
}
