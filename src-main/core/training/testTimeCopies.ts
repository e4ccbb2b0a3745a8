/**
 * Test-time speed copies (RunConfig.testTimeSpeedPerturbation): a file's prediction is the plain mean of its own class
 * probabilities and those of its copies played at the model's testTimeSpeeds. A copy that could not be computed is
 * left out of its file's mean rather than failing the file.
 */
export function averageWithCopies(
  targets: readonly { fileId: number }[],
  probs: readonly ArrayLike<number>[],
  copies: readonly { fileId: number }[],
  copyProbs: readonly ArrayLike<number>[],
): Float32Array[] {
  if (probs.length !== targets.length || copyProbs.length !== copies.length)
    throw new Error(
      `averageWithCopies: ${probs.length} probability vectors for ${targets.length} files, ${copyProbs.length} for ${copies.length} copies`,
    );
  const groups = new Map<number, ArrayLike<number>[]>();
  targets.forEach((t, i) => {
    if (groups.has(t.fileId)) throw new Error(`averageWithCopies: file ${t.fileId} is listed twice`);
    groups.set(t.fileId, [probs[i]]);
  });
  copies.forEach((c, j) => groups.get(c.fileId)?.push(copyProbs[j]));
  return targets.map((t) => meanProbabilities(groups.get(t.fileId)!));
}

/** The plain mean of probability vectors (a recording's and its copies'), summed in float64. */
export function meanProbabilities(vectors: readonly ArrayLike<number>[]): Float32Array {
  if (!vectors.length) throw new Error('meanProbabilities: no probability vectors');
  const acc = new Float64Array(vectors[0].length);
  for (const p of vectors) {
    if (p.length !== acc.length) throw new Error(`meanProbabilities: ${p.length} class probabilities, expected ${acc.length}`);
    for (let k = 0; k < acc.length; k++) acc[k] += p[k];
  }
  return Float32Array.from(acc, (v) => v / vectors.length);
}
