import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { OnnxGraph } from '../../src-main/core/export/onnxGraph';
import { addNetwork, UnsupportedLayerError } from '../../src-main/core/export/onnxNetwork';

describe('ONNX network export: what it cannot map is named, not approximated', () => {
  it('a layer without a mapping (Conv1D) is refused with its name and class', () => {
    const input = tf.input({ shape: [20, 4], name: 'seq' });
    const c = tf.layers.conv1d({ filters: 3, kernelSize: 3, name: 'c1' }).apply(input) as tf.SymbolicTensor;
    const out = tf.layers.dense({ units: 2, activation: 'softmax', name: 'probs' }).apply(tf.layers.flatten().apply(c)) as tf.SymbolicTensor;
    const model = tf.model({ inputs: input, outputs: out });
    expect(() => addNetwork(new OnnxGraph(), model)).toThrow(new UnsupportedLayerError('layer c1 (Conv1D) has no ONNX mapping in this exporter yet'));
  });

  it('options a layer has but the mapping does not cover are refused too (a GRU running backwards, an activation)', () => {
    const input = tf.input({ shape: [10, 4], name: 'seq' });
    const backwards = tf.layers.gru({ units: 3, goBackwards: true, name: 'rev' }).apply(input) as tf.SymbolicTensor;
    const m1 = tf.model({ inputs: input, outputs: tf.layers.dense({ units: 2, activation: 'softmax' }).apply(backwards) as tf.SymbolicTensor });
    expect(() => addNetwork(new OnnxGraph(), m1)).toThrow('layer rev: goBackwards is not supported');
    const v = tf.input({ shape: [4], name: 'v' });
    const m2 = tf.model({ inputs: v, outputs: tf.layers.dense({ units: 2, activation: 'softplus', name: 'soft' }).apply(v) as tf.SymbolicTensor });
    expect(() => addNetwork(new OnnxGraph(), m2)).toThrow('layer soft: activation "softplus" is not supported');
  });
});
