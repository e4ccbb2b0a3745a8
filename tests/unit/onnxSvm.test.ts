import { describe, expect, it } from 'vitest';
import { parseLibsvmModel } from '../../src-main/core/export/onnxSvm';

const MODEL = `svm_type c_svc
kernel_type rbf
gamma 0.5
nr_class 3
total_sv 3
rho 0.1 -0.2 0.3
label 2 0 1
probA -1 -2 -3
probB 0.5 0.25 0.125
nr_sv 1 1 1
SV
1 0.5 1:1.5 3:-2
-1 0.25 2:4
0 -0.75 
`;

describe('libsvm text model (what the SVM saves and predicts from)', () => {
  it('reads the header, the coefficients and the sparse 1-based support vectors as dense rows', () => {
    const m = parseLibsvmModel(MODEL, 3);
    expect(m).toMatchObject({
      kernel: 'rbf',
      gamma: 0.5,
      labels: [2, 0, 1],
      rho: [0.1, -0.2, 0.3],
      probA: [-1, -2, -3],
      probB: [0.5, 0.25, 0.125],
      nrSv: [1, 1, 1],
    });
    expect(m.coef).toEqual([
      [1, -1, 0],
      [0.5, 0.25, -0.75],
    ]);
    expect(Array.from(m.sv)).toEqual([1.5, 0, -2, 0, 4, 0, 0, 0, 0]);
  });

  it('refuses what the exporter cannot map, saying what', () => {
    expect(() => parseLibsvmModel(MODEL.replace('probA -1 -2 -3\n', '').replace('probB 0.5 0.25 0.125\n', ''), 3)).toThrow(
      'no probability estimates',
    );
    expect(() => parseLibsvmModel(MODEL.replace('kernel_type rbf', 'kernel_type sigmoid'), 3)).toThrow('libsvm kernel sigmoid is not supported');
    expect(() => parseLibsvmModel(MODEL, 2)).toThrow('libsvm support vector 0 has index 3, outside 1..2');
    expect(() => parseLibsvmModel(MODEL.replace('total_sv 3', 'total_sv 5'), 3)).toThrow('the libsvm model has 3 support vectors, its header says 5');
  });
});
