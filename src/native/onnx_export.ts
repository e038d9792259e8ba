/**
 * A tfjs LayersModel as an ONNX model for inference: the graph is walked from the outputs back
 * through each symbolic tensor's source layer and node (as tfjs's own executor does), nested
 * models included, and each layer becomes ONNX nodes with its current weights (`_onnx_layers.ts`).
 * Input and output keep tfjs's channels-last layout.
 */
import * as tf from "@tensorflow/tfjs";
import { OnnxGraph } from "./_onnx_graph";
import { Unsupported, toNCHW, toNHWC, translate, type Value } from "./_onnx_layers";

/** The result of {@link toOnnx}: the model file's bytes, or why the model can't be exported. */
export type OnnxExport =
  | { ok: true; bytes: Uint8Array; input: string; output: string; outputShape: (number | null)[] }
  | { ok: false; reason: string };

type Symbolic = tf.SymbolicTensor & { sourceLayer: tf.layers.Layer; nodeIndex: number; tensorIndex: number; id: number };
type Node = { inputTensors: Symbolic[]; outputTensors: Symbolic[] };

const isModel = (l: tf.layers.Layer): l is tf.LayersModel => l instanceof tf.LayersModel;

class Walker {
  private readonly known = new Map<number, Value>();
  constructor(private readonly g: OnnxGraph) {}

  bind(t: Symbolic, v: Value): void {
    this.known.set(t.id, v);
  }

  /** The value of symbolic tensor `t`, translating what it depends on first. */
  value(t: Symbolic): Value {
    const hit = this.known.get(t.id);
    if (hit) return hit;
    const layer = t.sourceLayer;
    const node = (layer as unknown as { inboundNodes: Node[] }).inboundNodes[t.nodeIndex];
    if (layer.getClassName() === "InputLayer" || !node || node.inputTensors.length === 0) {
      throw new Unsupported(`the input "${layer.name}" is not the model's input`);
    }
    if (!isModel(layer) && node.outputTensors.length !== 1) throw new Unsupported(`layer "${layer.name}" has ${node.outputTensors.length} outputs`);
    const inputs = node.inputTensors.map((i) => this.value(i));
    const outputs = isModel(layer) ? this.nested(layer, inputs) : [translate(this.g, layer, inputs)];
    node.outputTensors.forEach((o, i) => this.known.set(o.id, { ...outputs[i], shape: o.shape }));
    return this.known.get(t.id)!;
  }

  /** A model used as a layer: its own graph, with its inputs bound to `inputs`. */
  private nested(model: tf.LayersModel, inputs: Value[]): Value[] {
    const inner = new Walker(this.g);
    (model.inputs as Symbolic[]).forEach((t, i) => inner.bind(t, inputs[i]));
    return (model.outputs as Symbolic[]).map((t) => inner.value(t));
  }
}

/**
 * `model` as ONNX bytes (opset 17), computing what `model.predict` computes.
 * @returns `{ ok: false, reason }` when a layer or option has no translation here
 * @example
 * ```ts
 * const exported = toOnnx(graft.zoo.resnet18({ seed: 0 }));
 * if (exported.ok) fs.writeFileSync("resnet18.onnx", exported.bytes);
 * ```
 */
export function toOnnx(model: tf.LayersModel): OnnxExport {
  if (model.inputs.length !== 1 || model.outputs.length !== 1) return { ok: false, reason: "only single-input, single-output models are exported" };
  const input = model.inputs[0] as Symbolic, output = model.outputs[0] as Symbolic;
  if (input.dtype !== "float32") return { ok: false, reason: `the input is ${input.dtype}, not float32` };
  const g = new OnnxGraph();
  try {
    const walker = new Walker(g);
    const x: Value = { name: g.input("input", input.shape), shape: input.shape, nchw: false };
    walker.bind(input, x.shape.length === 4 ? toNCHW(g, x) : x);
    const y = toNHWC(g, walker.value(output));
    g.output(y.name, "output", output.shape);
  } catch (err) {
    if (err instanceof Unsupported) return { ok: false, reason: err.message };
    throw err;
  }
  return { ok: true, bytes: g.toBytes(model.name), input: "input", output: "output", outputShape: output.shape };
}
