import * as tf from '@tensorflow/tfjs';
import { ADAM_KERNEL } from './nativeElementwiseKernels';
import { NATIVE_BACKEND } from './nativeTensorData';

/*
 * tfjs's AdamOptimizer spends ~13 kernels per variable per step (each a tensor allocation and a trip through the
 * engine), ~800 for the ResNet preset: more JS time than the arithmetic on 200k parameters. On the native backend this
 * subclass runs one kernel per variable with the same float32 operations; elsewhere it is the stock optimizer.
 */

/** AdamOptimizer's private state (tfjs-core 4.x); tests/unit/nativeAdam.test.ts compares whole runs with the stock optimizer. */
interface AdamState {
  accBeta1: tf.Variable;
  accBeta2: tf.Variable;
  accumulatedFirstMoment: ({ originalName: string; variable: tf.Variable } | undefined)[];
  accumulatedSecondMoment: ({ originalName: string; variable: tf.Variable } | undefined)[];
}

type VariableGradients = Parameters<tf.AdamOptimizer['applyGradients']>[0];

export class FusedAdamOptimizer extends tf.AdamOptimizer {
  /** Serialised (and restored by tfjs) as the stock Adam. */
  static override get className(): string {
    return 'Adam';
  }

  override applyGradients(variableGradients: VariableGradients): void {
    const entries = Array.isArray(variableGradients)
      ? variableGradients.map((v) => [v.name, v.tensor] as const)
      : Object.entries(variableGradients).map(([name, g]) => [name, g as tf.Tensor | null] as const);
    const fusable = tf.getBackend() === NATIVE_BACKEND && entries.every(([, g]) => g == null || g.dtype === 'float32');
    if (!fusable) {
      super.applyGradients(variableGradients);
      return;
    }
    const state = this as unknown as AdamState;
    tf.tidy(() => {
      // The scalars as the stock optimizer's float32 tensor arithmetic rounds them.
      const f = Math.fround;
      const params = [this.beta1, 1 - this.beta1, this.beta2, 1 - this.beta2, this.epsilon, -this.learningRate].map(f);
      params.push(f(1 - state.accBeta1.dataSync()[0]), f(1 - state.accBeta2.dataSync()[0]));
      entries.forEach(([name, gradient], i) => {
        const value = tf.engine().registeredVariables[name];
        const zeros = (suffix: string) => ({ originalName: `${name}/${suffix}`, variable: tf.tidy(() => tf.zerosLike(value).variable(false)) });
        state.accumulatedFirstMoment[i] ??= zeros('m');
        state.accumulatedSecondMoment[i] ??= zeros('v');
        if (gradient == null) return;
        const m = state.accumulatedFirstMoment[i].variable;
        const v = state.accumulatedSecondMoment[i].variable;
        const [newValue, newM, newV] = tf.engine().runKernel(ADAM_KERNEL, { value, m, v, grad: gradient }, { params }) as tf.Tensor[];
        m.assign(newM);
        v.assign(newV);
        value.assign(newValue);
      });
      state.accBeta1.assign(tf.mul(state.accBeta1, this.beta1));
      state.accBeta2.assign(tf.mul(state.accBeta2, this.beta2));
    });
    this.incrementIterations();
  }
}
tf.serialization.registerClass(FusedAdamOptimizer);

/** Drop-in for tf.train.adam(): one native kernel per variable while the native backend is active. */
export function adam(learningRate = 0.001, beta1 = 0.9, beta2 = 0.999, epsilon?: number): FusedAdamOptimizer {
  return new FusedAdamOptimizer(learningRate, beta1, beta2, epsilon);
}
