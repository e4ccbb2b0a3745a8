import onnxProto, { type onnx as Onnx } from 'onnx-proto';

// onnx-proto is CommonJS whose exports Node's ESM loader cannot name: take the namespace from its default export.
const { onnx } = onnxProto;

/** ONNX operator set the exporter writes (onnxruntime 1.x runs it; Softmax on the last axis, Gemm, Conv, pools). */
export const ONNX_OPSET = 13;
/** ONNX-ML operator set, for the classical models' SVMClassifier / TreeEnsembleClassifier / LinearClassifier. */
export const ONNX_ML_OPSET = 3;
/** IR version of ONNX 1.10 (what onnx-proto 8 encodes); onnxruntime reads it. */
const IR_VERSION = 8;

/** Attribute values; a JS number is an INT when integral, so a float attribute whose value may be integral is `{ float }`. */
type AttributeValue = number | number[] | string | string[] | Float32Array | { float: number };

/** A FLOAT attribute value, whatever the number (1 would otherwise be written as an INT). */
export const float = (v: number): { float: number } => ({ float: v });

/**
 * Builds one ONNX graph: initializers (weights), nodes in topological order, typed inputs and outputs. Names are
 * unique per graph; `fresh` hands out new ones. The protobuf encoding is onnx-proto's (protobufjs); this class only
 * keeps the bookkeeping that every exporter would otherwise repeat.
 */
export class OnnxGraph {
  private readonly nodes: Onnx.INodeProto[] = [];
  private readonly initializers: Onnx.ITensorProto[] = [];
  private readonly inputs: Onnx.IValueInfoProto[] = [];
  private readonly outputs: Onnx.IValueInfoProto[] = [];
  private readonly used = new Set<string>();
  private readonly mlDomain = { used: false };

  /** Prefix of every new name: an ensemble builds each member under its own (m1_, m2_, …). */
  scope = '';

  /** A name not used yet in this graph, from `base`. */
  fresh(base: string): string {
    let name = `${this.scope}${base}`.replace(/[^A-Za-z0-9_./-]/g, '_');
    const first = name;
    for (let i = 2; this.used.has(name); i++) name = `${first}_${i}`;
    this.used.add(name);
    return name;
  }

  /** A float32 weight tensor of the given shape; returns its name. */
  weight(base: string, dims: number[], values: Float32Array | number[]): string {
    const size = dims.reduce((a, b) => a * b, 1);
    if (values.length !== size) throw new Error(`ONNX export: weight ${base} has ${values.length} values for shape [${dims.join(', ')}]`);
    const name = this.fresh(base);
    this.initializers.push({ name, dims, dataType: onnx.TensorProto.DataType.FLOAT, floatData: Array.from(values) });
    return name;
  }

  /** An int64 constant tensor (shapes, axes); returns its name. */
  int64(base: string, values: number[]): string {
    const name = this.fresh(base);
    this.initializers.push({ name, dims: [values.length], dataType: onnx.TensorProto.DataType.INT64, int64Data: values });
    return name;
  }

  /** Adds a node and returns the names of its outputs (one per `outputs` base name). */
  node(op: string, inputs: string[], outputs: string[] | string, attributes: Record<string, AttributeValue> = {}, domain = ''): string[] {
    const names = (Array.isArray(outputs) ? outputs : [outputs]).map((o) => this.fresh(o));
    if (domain === 'ai.onnx.ml') this.mlDomain.used = true;
    this.nodes.push({
      opType: op,
      domain,
      name: this.fresh(`${names[0]}_${op}`),
      input: inputs,
      output: names,
      attribute: Object.entries(attributes).map(([name, v]) => attribute(name, v)),
    });
    return names;
  }

  /** A float32 graph input; a string dim is symbolic (e.g. the batch). */
  input(base: string, dims: (number | string)[]): string {
    const name = this.fresh(base);
    this.inputs.push(valueInfo(name, onnx.TensorProto.DataType.FLOAT, dims));
    return name;
  }

  /** Declares a graph output. */
  output(name: string, dims: (number | string)[], type: Onnx.TensorProto.DataType = onnx.TensorProto.DataType.FLOAT): void {
    this.outputs.push(valueInfo(name, type, dims));
  }

  /** The serialised model. */
  encode(meta: { name: string; producerVersion: string; doc: string; metadata?: Record<string, string> }): Uint8Array {
    const opsetImport: Onnx.IOperatorSetIdProto[] = [{ domain: '', version: ONNX_OPSET }];
    if (this.mlDomain.used) opsetImport.push({ domain: 'ai.onnx.ml', version: ONNX_ML_OPSET });
    const model: Onnx.IModelProto = {
      irVersion: IR_VERSION,
      opsetImport,
      producerName: 'ser-workbench',
      producerVersion: meta.producerVersion,
      docString: meta.doc,
      graph: { name: meta.name, node: this.nodes, initializer: this.initializers, input: this.inputs, output: this.outputs },
      metadataProps: Object.entries(meta.metadata ?? {}).map(([key, value]) => ({ key, value })),
    };
    return onnx.ModelProto.encode(onnx.ModelProto.create(model)).finish();
  }
}

function valueInfo(name: string, elemType: Onnx.TensorProto.DataType, dims: (number | string)[]): Onnx.IValueInfoProto {
  return {
    name,
    type: { tensorType: { elemType, shape: { dim: dims.map((d) => (typeof d === 'string' ? { dimParam: d } : { dimValue: d })) } } },
  };
}

function attribute(name: string, v: AttributeValue): Onnx.IAttributeProto {
  const T = onnx.AttributeProto.AttributeType;
  if (typeof v === 'string') return { name, type: T.STRING, s: new TextEncoder().encode(v) };
  if (typeof v === 'number') return Number.isInteger(v) ? { name, type: T.INT, i: v } : { name, type: T.FLOAT, f: v };
  if (v instanceof Float32Array) return { name, type: T.FLOATS, floats: Array.from(v) };
  if (!Array.isArray(v)) return { name, type: T.FLOAT, f: v.float };
  if (v.length && typeof v[0] === 'string') return { name, type: T.STRINGS, strings: (v as string[]).map((s) => new TextEncoder().encode(s)) };
  return { name, type: T.INTS, ints: v as number[] };
}
