/** Checks fit() inputs and says exactly what is wrong, before a solver fails obscurely. */
export function checkTrainingData(model: string, X: Float32Array[], y: number[], numClasses: number): void {
  if (X.length === 0) throw new Error(`${model}: no training vectors.`);
  if (X.length !== y.length) throw new Error(`${model}: ${X.length} training vectors but ${y.length} labels.`);
  if (!Number.isInteger(numClasses) || numClasses < 2) throw new Error(`${model}: need at least 2 classes, got ${numClasses}.`);
  const dims = X[0].length;
  if (dims === 0) throw new Error(`${model}: training vectors are empty (0 dimensions).`);
  const seen = new Set<number>();
  for (let i = 0; i < X.length; i++) {
    checkVector(model, X[i], dims, `training vector ${i}`);
    const c = y[i];
    if (!Number.isInteger(c) || c < 0 || c >= numClasses) throw new Error(`${model}: label ${i} is ${c}, not a class index in 0..${numClasses - 1}.`);
    seen.add(c);
  }
  if (seen.size < 2) throw new Error(`${model}: the training set holds only one class; a classifier needs at least two.`);
}

/** Length and finiteness of one input vector. */
export function checkVector(model: string, x: Float32Array, dims: number, what: string): void {
  if (x.length !== dims) {
    throw new Error(`${model}: ${what} has ${x.length} dimensions, the model expects ${dims} (was the feature configuration changed?).`);
  }
  for (let j = 0; j < dims; j++) {
    if (!Number.isFinite(x[j])) throw new Error(`${model}: ${what} has a non-finite value (${x[j]}) in dimension ${j}.`);
  }
}
