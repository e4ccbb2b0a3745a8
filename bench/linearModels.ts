// `npm run bench -- linearModels [n] [dims] [classes] [shift]`: wall time of the linear models' C grid at ComParE scale
// (default 1,000 training vectors × 6,373 dimensions, 8 classes, the default 7-point grid), on one core.
// The data are synthetic: each class shifts a random 5 % of the dimensions by `shift` (0.15: about 33 % validation
// accuracy), under unit noise and per-dimension offsets and scales, so the models have something to find and the
// standardiser something to undo. Independent noise makes L-BFGS converge faster than on real functionals, whose
// dimensions are strongly correlated: bench linearCompare times the models on RAVDESS ComParE vectors.
import { createClassical, type LinearClassifier } from '../src-main/core/models/classical';
import { mulberry32 } from '../src-main/core/mulberry32';
import { DEFAULT_C_GRID } from '../src-shared/config/models';

const [n = 1000, dims = 6373, classes = 8, shift = 0.15] = process.argv.slice(2).map(Number);

function dataset(count: number, seed: number): { X: Float32Array[]; y: number[] } {
  const rand = mulberry32(seed);
  const gauss = () => Math.sqrt(-2 * Math.log(rand() + 1e-12)) * Math.cos(2 * Math.PI * rand());
  const shape = mulberry32(7);
  const offset = Float64Array.from({ length: dims }, () => (shape() - 0.5) * 100);
  const scale = Float64Array.from({ length: dims }, () => 0.1 + shape() * 10);
  const moved = Array.from({ length: classes }, () => Float64Array.from({ length: dims }, () => (shape() < 0.05 ? shift : 0)));
  const X: Float32Array[] = [];
  const y: number[] = [];
  for (let i = 0; i < count; i++) {
    const c = i % classes;
    X.push(Float32Array.from({ length: dims }, (_, j) => offset[j] + scale[j] * (gauss() + moved[c][j])));
    y.push(c);
  }
  return { X, y };
}

const train = dataset(n, 1);
const val = dataset(Math.round(n / 4), 2);
const accuracy = (m: LinearClassifier) => {
  const p = m.predictProba(val.X);
  return p.filter((q, i) => q.indexOf(Math.max(...q)) === val.y[i]).length / val.y.length;
};
console.log(`${n} × ${dims}, ${classes} classes, C grid ${DEFAULT_C_GRID.join(', ')}`);
for (const kind of ['logreg', 'linear-svm'] as const) {
  const model = createClassical(kind, { C: 'auto' }) as LinearClassifier;
  const t0 = performance.now();
  const cpu0 = process.cpuUsage();
  const { C, points } = await model.fitGrid(train.X, train.y, classes, DEFAULT_C_GRID, (m) => accuracy(m));
  const seconds = (performance.now() - t0) / 1000;
  const cpu = process.cpuUsage(cpu0);
  const cpuSeconds = (cpu.user + cpu.system) / 1e6;
  for (const p of points)
    console.log(
      `  ${kind} C=${p.C}: val accuracy ${(p.score * 100).toFixed(1)} %, ${p.iterations} iterations${p.converged ? '' : ' (not converged)'}`,
    );
  // CPU time beside wall time: on a shared machine the wall clock also counts other processes' turns.
  console.log(
    `${kind}: grid + calibration ${seconds.toFixed(1)} s wall, ${cpuSeconds.toFixed(1)} s CPU; chose C=${C}, probability scale ${model.fitInfo.probabilityScale.toFixed(3)}`,
  );
}
