/** One batched graph input for onnxruntime. */
export interface OnnxFeed {
  name: string;
  dims: number[];
  data: Float32Array;
}

/** Per-utterance model inputs (one Float32Array per graph input each) as one batched feed per graph input. */
export function batchFeeds(inputs: Float32Array[][], graphInputs: { name: string; dims: (number | string)[] }[]): OnnxFeed[] {
  return graphInputs.map((input, k) => {
    const size = inputs[0][k].length;
    const data = new Float32Array(size * inputs.length);
    inputs.forEach((x, i) => data.set(x[k], i * size));
    return { name: input.name, dims: [inputs.length, ...(input.dims.slice(1) as number[])], data };
  });
}

/** A model's predictions from the ONNX bytes in onnxruntime (CPU), one probability row per example, flat. */
export async function runOnnx(bytes: Uint8Array, feeds: OnnxFeed[]): Promise<Float32Array> {
  const ort = await import('onnxruntime-node');
  const session = await ort.InferenceSession.create(bytes);
  try {
    const input: Record<string, InstanceType<typeof ort.Tensor>> = {};
    for (const f of feeds) input[f.name] = new ort.Tensor('float32', f.data, f.dims);
    const out = await session.run(input);
    return out[session.outputNames[0]].data as Float32Array;
  } finally {
    await session.release();
  }
}
