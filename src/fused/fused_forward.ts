/**
 * Runs a {@link Plan} on tfjs: fused convolutions with BatchNorm folded into kernel and bias
 * (`w' = w·γ/√(σ²+ε)`, `b' = (b − μ)·γ/√(σ²+ε) + β`, per output channel), other layers as tfjs runs
 * them, each intermediate freed after its last reader. The folded weights are kept while the
 * layers' weights are the same tensors (tfjs gives a variable new data on each assignment).
 */
import * as tf from "@tensorflow/tfjs";
import { planOf, type ConvStep, type Plan } from "./plan";

interface Folded { ids: object[]; kernel: tf.Tensor4D; bias?: tf.Tensor1D; owned: boolean }

const plans = new WeakMap<tf.LayersModel, Plan | null>();
const folded = new WeakMap<ConvStep, Folded>();

const dataId = (w: tf.LayerVariable) => (w.read() as unknown as { dataId: object }).dataId;
const weight = (l: tf.layers.Layer, short: string) => l.weights.find((w) => w.originalName.split("/").pop() === short)?.read();
const pair = (v: unknown): [number, number] => (Array.isArray(v) ? [Number(v[0]), Number(v[1])] : [Number(v), Number(v)]);

function foldedWeights(step: ConvStep): Folded {
  // kept across calls (outside any caller's tidy): tf.keep above, freed on refold or model.dispose
  const ids = [...step.conv.weights, ...(step.bn?.weights ?? [])].map(dataId);
  const known = folded.get(step);
  if (known && known.ids.length === ids.length && known.ids.every((id, i) => id === ids[i])) return known;
  if (known?.owned) tf.dispose([known.kernel, known.bias!]);
  const kernel = weight(step.conv, step.depthwise ? "depthwise_kernel" : "kernel") as tf.Tensor4D;
  const bias = weight(step.conv, "bias") as tf.Tensor1D | undefined;
  let entry: Folded;
  if (!step.bn) {
    entry = { ids, kernel, bias, owned: false };
  } else {
    const bn = step.bn;
    const epsilon = Number((bn.getConfig() as { epsilon: number }).epsilon);
    const [k, b] = tf.tidy(() => {
      const mean = weight(bn, "moving_mean")!, variance = weight(bn, "moving_variance")!;
      const gamma = weight(bn, "gamma"), beta = weight(bn, "beta");
      let scale = tf.rsqrt(tf.add(variance, epsilon));
      if (gamma) scale = tf.mul(scale, gamma);
      const shaped = step.depthwise ? scale.reshape([kernel.shape[2], kernel.shape[3]]) : scale;
      let b = tf.mul(bias ? tf.sub(bias, mean) : tf.neg(mean), scale);
      if (beta) b = tf.add(b, beta);
      return [tf.keep(tf.mul(kernel, shaped)), tf.keep(b)];
    });
    entry = { ids, kernel: k as tf.Tensor4D, bias: b as tf.Tensor1D, owned: true };
  }
  folded.set(step, entry);
  return entry;
}

function convolve(step: ConvStep, x: tf.Tensor4D): tf.Tensor4D {
  const c = step.conv.getConfig() as Record<string, unknown>;
  const { kernel, bias } = foldedWeights(step);
  const strides = pair(c.strides), dilations = pair(c.dilationRate);
  const activation = step.activation;
  if (step.depthwise) {
    const pad = step.pad ? step.pad[0][0] : (c.padding as "same" | "valid");
    return tf.fused.depthwiseConv2d({ x, filter: kernel, strides, pad, dilations, bias, activation });
  }
  const pad = step.pad ? [[0, 0], step.pad[0], step.pad[1], [0, 0]] as tf.backend_util.ExplicitPadding : (c.padding as "same" | "valid");
  return tf.fused.conv2d({ x, filter: kernel, strides, pad, dilations, bias, activation });
}

function run(plan: Plan, x: tf.Tensor): tf.Tensor {
  const live = new Map<number, tf.Tensor>([[plan.input, x]]);
  const left = new Map(plan.uses);
  const release = (id: number) => {
    const n = left.get(id)! - 1;
    left.set(id, n);
    if (n === 0 && id !== plan.input) {
      live.get(id)!.dispose();
      live.delete(id);
    }
  };
  for (const step of plan.steps) {
    if (step.kind === "conv") {
      live.set(step.output, tf.tidy(() => convolve(step, live.get(step.input) as tf.Tensor4D)));
      release(step.input);
    } else {
      const inputs = step.inputs.map((id) => live.get(id)!);
      live.set(step.outputs[0], tf.tidy(() => step.layer.apply(inputs.length === 1 ? inputs[0] : inputs, { training: false }) as tf.Tensor));
      step.inputs.forEach(release);
    }
  }
  return live.get(plan.output)!;
}

const hooked = new WeakSet<tf.LayersModel>();

/** The folded weights are the plan's own tensors: `model.dispose()` frees them too. */
function freeWithModel(model: tf.LayersModel, plan: Plan): void {
  if (hooked.has(model)) return;
  hooked.add(model);
  const dispose = model.dispose.bind(model);
  model.dispose = () => {
    for (const step of plan.steps) {
      const f = step.kind === "conv" ? folded.get(step) : undefined;
      if (f?.owned) tf.dispose([f.kernel, f.bias!]);
      if (step.kind === "conv") folded.delete(step);
    }
    return dispose();
  };
}

/**
 * `model`'s inference-mode forward with its convolution chains fused, or undefined when nothing
 * would be fused (or the graph has nested models): then tfjs's own run is as fast.
 */
export function fusedForward(model: tf.LayersModel): ((x: tf.Tensor) => tf.Tensor) | undefined {
  let plan = plans.get(model);
  if (plan === undefined) {
    const made = planOf(model);
    plan = made && made.fused > 0 ? made : null;
    plans.set(model, plan);
  }
  if (!plan) return undefined;
  const p = plan;
  freeWithModel(model, p);
  return (x) => run(p, x);
}
