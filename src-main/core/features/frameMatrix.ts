/** Frame-major matrix used inside the pipeline: data[t * dims + d]. Outputs are transposed to [dims x frames]. */
export interface FrameMatrix {
  frames: number;
  dims: number;
  data: Float64Array;
}

/** Row-major [dims x frames] float32 copy of a frame-major matrix (the FeatureMatrix layout). */
export function toBandMajor(m: FrameMatrix, out = new Float32Array(m.frames * m.dims), rowOffset = 0): Float32Array {
  const { frames, dims, data } = m;
  for (let t = 0; t < frames; t++) {
    const src = t * dims;
    for (let d = 0; d < dims; d++) out[(rowOffset + d) * frames + t] = data[src + d];
  }
  return out;
}

/** Frame-major matrix from a row-major [dims x frames] array. */
export function fromBandMajor(data: ArrayLike<number>, dims: number, frames: number): FrameMatrix {
  const out = new Float64Array(dims * frames);
  for (let d = 0; d < dims; d++) for (let t = 0; t < frames; t++) out[t * dims + d] = data[d * frames + t];
  return { frames, dims, data: out };
}
