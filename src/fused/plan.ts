/**
 * A model's inference as a plan of steps, with the zoo's convolution pattern fused:
 * `[ZeroPadding2D] → Conv2D | DepthwiseConv2D → [BatchNormalization] → [ReLU | ReLU6]` becomes
 * one fused convolution (the padding moved into the convolution, BatchNorm folded into its
 * kernel and bias, the activation applied in the same kernel) wherever each intermediate feeds
 * only the next layer. Every other layer is a step that calls the layer itself.
 */
import * as tf from "@tensorflow/tfjs";

type Symbolic = tf.SymbolicTensor & { sourceLayer: tf.layers.Layer; nodeIndex: number; id: number };
type Node = { inputTensors: Symbolic[]; outputTensors: Symbolic[] };

/** One fused convolution. */
export interface ConvStep {
  kind: "conv";
  conv: tf.layers.Layer;
  depthwise: boolean;
  /** [[top, bottom], [left, right]] moved from a ZeroPadding2D, or undefined. */
  pad?: number[][];
  bn?: tf.layers.Layer;
  activation: "linear" | "relu" | "relu6";
  input: number;
  output: number;
}

/** A layer run as tfjs runs it (inference mode). */
export interface LayerStep {
  kind: "layer";
  layer: tf.layers.Layer;
  inputs: number[];
  outputs: number[];
}

export type Step = ConvStep | LayerStep;

/** The steps in execution order over tensor ids; `uses` counts the readers of each id (for freeing). */
export interface Plan {
  input: number;
  output: number;
  steps: Step[];
  uses: Map<number, number>;
  /** How many layers were fused into convolutions (0: nothing to gain over tfjs's own run). */
  fused: number;
}

const nodeOf = (t: Symbolic): Node => (t.sourceLayer as unknown as { inboundNodes: Node[] }).inboundNodes[t.nodeIndex];
const config = (l: tf.layers.Layer) => l.getConfig() as Record<string, unknown>;

function activationOf(layer: tf.layers.Layer): "relu" | "relu6" | undefined {
  const c = config(layer);
  if (layer.getClassName() === "ReLU") return c.maxValue == null ? "relu" : Number(c.maxValue) === 6 ? "relu6" : undefined;
  if (layer.getClassName() === "Activation" && (c.activation === "relu" || c.activation === "relu6")) return c.activation;
  return undefined;
}

/** A convolution the fused kernel computes: channels-last, its own activation linear, ReLU or ReLU6. */
function fusable(l: tf.layers.Layer): boolean {
  const c = config(l);
  const kind = l.getClassName() === "Conv2D" || (l.getClassName() === "DepthwiseConv2D" && Number(c.depthMultiplier ?? 1) >= 1);
  return kind && c.dataFormat === "channelsLast" && (c.activation === "linear" || c.activation === "relu" || c.activation === "relu6");
}

const isLastAxisBn = (l: tf.layers.Layer) => {
  const axis = config(l).axis;
  return l.getClassName() === "BatchNormalization" && (axis === -1 || axis === 3 || (Array.isArray(axis) && (axis[0] === -1 || axis[0] === 3)));
};

/**
 * The plan of `model` (a single-input, single-output functional or Sequential model without nested
 * models), or undefined when its graph is outside what the plan handles.
 */
export function planOf(model: tf.LayersModel): Plan | undefined {
  if (model.inputs.length !== 1 || model.outputs.length !== 1) return undefined;
  const input = model.inputs[0] as Symbolic, output = model.outputs[0] as Symbolic;
  // the reachable nodes, each once, in an order where a node follows its inputs
  const order: Symbolic[] = [];
  const seen = new Set<number>([input.id]);
  const uses = new Map<number, number>([[output.id, 1]]);
  const visit = (t: Symbolic): boolean => {
    if (seen.has(t.id)) return true;
    const node = nodeOf(t);
    if (!node || node.inputTensors.length === 0 || t.sourceLayer instanceof tf.LayersModel || node.outputTensors.length !== 1) return false;
    for (const i of node.inputTensors) {
      uses.set(i.id, (uses.get(i.id) ?? 0) + 1);
      if (!visit(i)) return false;
    }
    seen.add(t.id);
    order.push(t);
    return true;
  };
  if (!visit(output)) return undefined;
  const single = (t: Symbolic) => (uses.get(t.id) ?? 0) === 1 && t.id !== output.id;
  const consumer = new Map<number, Symbolic>();
  for (const t of order) for (const i of nodeOf(t).inputTensors) consumer.set(i.id, t);
  const absorbed = new Set<number>();
  const steps: Step[] = [];
  let fused = 0;
  for (const t of order) {
    if (absorbed.has(t.id)) continue;
    const layer = t.sourceLayer;
    const cls = layer.getClassName();
    const inputs = nodeOf(t).inputTensors;
    const conv = fusable(layer);
    const padThenConv = cls === "ZeroPadding2D" && single(t) && config(layer).dataFormat === "channelsLast" && (() => {
      const next = consumer.get(t.id)!.sourceLayer;
      const c = config(next);
      const [[top, bottom], [left, right]] = config(layer).padding as number[][];
      const symmetric = top === bottom && left === right && top === left;
      return fusable(next) && (next.getClassName() === "Conv2D" || symmetric) && c.padding === "valid";
    })();
    if (!conv && !padThenConv) {
      steps.push({ kind: "layer", layer, inputs: inputs.map((i) => i.id), outputs: [t.id] });
      continue;
    }
    let at = t;
    let pad: number[][] | undefined;
    if (padThenConv) {
      pad = config(layer).padding as number[][];
      at = consumer.get(t.id)!;
      absorbed.add(at.id);
      fused++;
    }
    const step: ConvStep = { kind: "conv", conv: at.sourceLayer, depthwise: at.sourceLayer.getClassName() === "DepthwiseConv2D", pad, activation: "linear", input: inputs[0].id, output: at.id };
    const own = config(step.conv).activation;
    if (own === "relu" || own === "relu6") step.activation = own;
    if (step.activation === "linear" && single(at) && isLastAxisBn(consumer.get(at.id)!.sourceLayer)) {
      at = consumer.get(at.id)!;
      step.bn = at.sourceLayer;
      absorbed.add(at.id);
      fused++;
    }
    if (step.activation === "linear" && single(at)) {
      const act = activationOf(consumer.get(at.id)!.sourceLayer);
      if (act) {
        at = consumer.get(at.id)!;
        step.activation = act;
        absorbed.add(at.id);
        fused++;
      }
    }
    step.output = at.id;
    steps.push(step);
  }
  return { input: input.id, output: output.id, steps, uses, fused };
}
