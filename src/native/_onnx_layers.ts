/**
 * tfjs layers as ONNX nodes, in inference mode. tfjs computes channels-last (NHWC); ONNX's
 * convolutions and pools are channels-first, so rank-4 values are kept NCHW inside the graph
 * and transposed back only where a layer reads positions (Flatten, Dense, Reshape, LayerNorm).
 * Each value carries its tfjs shape and whether it is held NCHW.
 */
import * as tf from "@tensorflow/tfjs";
import { OnnxGraph, type Attr } from "./_onnx_graph";

/** A value of the graph: its ONNX name, its tfjs (channels-last) shape, and its layout. */
export interface Value { name: string; shape: readonly (number | null)[]; nchw: boolean }

/** A layer (or option) graft cannot translate; the model then runs on tfjs. */
export class Unsupported extends Error {}

type Config = Record<string, unknown>;

export function toNCHW(g: OnnxGraph, v: Value): Value {
  if (v.shape.length !== 4 || v.nchw) return v;
  return { name: g.op("Transpose", [v.name], { perm: [0, 3, 1, 2] }), shape: v.shape, nchw: true };
}

export function toNHWC(g: OnnxGraph, v: Value): Value {
  if (!v.nchw) return v;
  return { name: g.op("Transpose", [v.name], { perm: [0, 2, 3, 1] }), shape: v.shape, nchw: false };
}

/** The ONNX axis of tfjs axis `axis` of `v`. */
function axisOf(v: Value, axis: number): number {
  const rank = v.shape.length;
  const a = axis < 0 ? axis + rank : axis;
  return v.nchw ? [0, 2, 3, 1][a] : a;
}

const values = (t: tf.Tensor) => t.dataSync() as Float32Array;

/** tfjs's weight of `layer` by its short name (`kernel`, `bias`, `gamma`, …). */
function weightOf(layer: tf.layers.Layer, short: string): tf.Tensor | undefined {
  const w = layer.weights.find((v) => v.originalName.split("/").pop() === short);
  return w?.read();
}

/** Transposes a row-major array of `shape` by `perm`. */
function permute(src: Float32Array, shape: readonly number[], perm: readonly number[]): { data: Float32Array; dims: number[] } {
  const dims = perm.map((p) => shape[p]);
  const strides = shape.map((_, i) => shape.slice(i + 1).reduce((a, b) => a * b, 1));
  const out = new Float32Array(src.length);
  const idx = new Array(dims.length).fill(0);
  for (let o = 0; o < out.length; o++) {
    let s = 0;
    for (let d = 0; d < dims.length; d++) s += idx[d] * strides[perm[d]];
    out[o] = src[s];
    for (let d = dims.length - 1; d >= 0; d--) {
      if (++idx[d] < dims[d]) break;
      idx[d] = 0;
    }
  }
  return { data: out, dims };
}

/** Explicit ONNX pads [top, left, bottom, right] for tfjs's `same`/`valid` over `v`'s spatial size. */
function pads(v: Value, padding: unknown, kernel: number[], strides: number[], dilations: number[]): number[] {
  if (padding === "valid") return [0, 0, 0, 0];
  if (padding !== "same") throw new Unsupported(`padding "${String(padding)}"`);
  const size = [v.shape[1], v.shape[2]];
  if (size.some((s) => s == null)) throw new Unsupported("`same` padding over an unknown spatial size");
  const total = size.map((s, i) => {
    const out = Math.ceil(s! / strides[i]);
    return Math.max((out - 1) * strides[i] + (kernel[i] - 1) * dilations[i] + 1 - s!, 0);
  });
  return [Math.floor(total[0] / 2), Math.floor(total[1] / 2), total[0] - Math.floor(total[0] / 2), total[1] - Math.floor(total[1] / 2)];
}

const pair = (x: unknown): number[] => (Array.isArray(x) ? x.map(Number) : [Number(x), Number(x)]);

/** tfjs's activation named `name` applied to `v`. */
export function activation(g: OnnxGraph, v: Value, name: unknown): Value {
  const op = (type: string, attrs: Record<string, Attr> = {}) => ({ ...v, name: g.op(type, [v.name], attrs) });
  switch (name) {
    case undefined: case null: case "linear": return v;
    case "relu": return op("Relu");
    case "relu6": return { ...v, name: g.op("Clip", [v.name, g.weight("zero", new Float32Array([0]), []), g.weight("six", new Float32Array([6]), [])]) };
    case "sigmoid": return op("Sigmoid");
    case "tanh": return op("Tanh");
    case "elu": return op("Elu");
    case "selu": return op("Selu", { alpha: { float: 1.6732632423543772 }, gamma: { float: 1.0507009873554805 } });
    case "softplus": return op("Softplus");
    case "softsign": return op("Softsign");
    case "hardSigmoid": return op("HardSigmoid", { alpha: { float: 0.2 }, beta: { float: 0.5 } });
    case "swish": return { ...v, name: g.op("Mul", [v.name, g.op("Sigmoid", [v.name])]) };
    case "softmax": return op("Softmax", { axis: axisOf(v, -1) });
    case "gelu": { // x · Φ(x), with the exact erf (tfjs: the same formula)
      const c = (hint: string, k: number) => g.weight(hint, new Float32Array([k]), []);
      const phi = g.op("Mul", [g.op("Add", [g.op("Erf", [g.op("Div", [v.name, c("sqrt2", Math.SQRT2)])]), c("one", 1)]), c("half", 0.5)]);
      return { ...v, name: g.op("Mul", [v.name, phi]) };
    }
    default: throw new Unsupported(`activation "${String(name)}"`);
  }
}

function conv(g: OnnxGraph, layer: tf.layers.Layer, c: Config, input: Value, depthwise: boolean): Value {
  if (c.dataFormat !== "channelsLast" || input.shape.length !== 4) throw new Unsupported("a channels-first or non-2D convolution");
  const x = toNCHW(g, input);
  const kernel = weightOf(layer, depthwise ? "depthwise_kernel" : "kernel")!;
  const [kh, kw, ci, co] = kernel.shape;
  const w = depthwise
    ? permute(values(kernel), [kh, kw, ci * co], [2, 0, 1])
    : permute(values(kernel), [kh, kw, ci, co], [3, 2, 0, 1]);
  const dims = depthwise ? [ci * co, 1, kh, kw] : w.dims;
  const strides = pair(c.strides), dilations = pair(c.dilationRate);
  const inputs = [x.name, g.weight(`${layer.name}.w`, w.data, dims)];
  const bias = weightOf(layer, "bias");
  if (bias) inputs.push(g.weight(`${layer.name}.b`, values(bias), [bias.size]));
  const attrs: Record<string, Attr> = { kernel_shape: [kh, kw], strides, dilations, pads: pads(input, c.padding, [kh, kw], strides, dilations) };
  if (depthwise) attrs.group = ci;
  const out: Value = { name: g.op("Conv", inputs, attrs, layer.name), shape: layer.outputShape as number[], nchw: true };
  return activation(g, out, c.activation);
}

function pool(g: OnnxGraph, c: Config, input: Value, type: "MaxPool" | "AveragePool"): Value {
  if (c.dataFormat !== "channelsLast") throw new Unsupported("a channels-first pool");
  const x = toNCHW(g, input);
  const kernel = pair(c.poolSize), strides = pair(c.strides ?? c.poolSize);
  const attrs: Record<string, Attr> = { kernel_shape: kernel, strides, pads: pads(input, c.padding, kernel, strides, [1, 1]) };
  return { name: g.op(type, [x.name], attrs), shape: [], nchw: true };
}

function batchNorm(g: OnnxGraph, layer: tf.layers.Layer, c: Config, input: Value): Value {
  const rank = input.shape.length;
  const axis = Number(Array.isArray(c.axis) ? c.axis[0] : c.axis);
  if (axis !== -1 && axis !== rank - 1) throw new Unsupported(`BatchNormalization over axis ${axis}`);
  if (rank !== 2 && rank !== 4) throw new Unsupported(`BatchNormalization of a rank-${rank} input`);
  const x = toNCHW(g, input);
  const mean = values(weightOf(layer, "moving_mean")!);
  const n = mean.length;
  const gamma = weightOf(layer, "gamma"), beta = weightOf(layer, "beta");
  const inputs = [
    x.name,
    g.weight(`${layer.name}.gamma`, gamma ? values(gamma) : new Float32Array(n).fill(1), [n]),
    g.weight(`${layer.name}.beta`, beta ? values(beta) : new Float32Array(n), [n]),
    g.weight(`${layer.name}.mean`, mean, [n]),
    g.weight(`${layer.name}.var`, values(weightOf(layer, "moving_variance")!), [n]),
  ];
  return { name: g.op("BatchNormalization", inputs, { epsilon: { float: Number(c.epsilon) } }, layer.name), shape: input.shape, nchw: x.nchw };
}

function dense(g: OnnxGraph, layer: tf.layers.Layer, c: Config, input: Value): Value {
  const x = toNHWC(g, input);
  const kernel = weightOf(layer, "kernel")!;
  const w = g.weight(`${layer.name}.w`, values(kernel), kernel.shape);
  let out = g.op("MatMul", [x.name, w], {}, layer.name);
  const bias = weightOf(layer, "bias");
  if (bias) out = g.op("Add", [out, g.weight(`${layer.name}.b`, values(bias), [bias.size])]);
  return activation(g, { name: out, shape: [], nchw: false }, c.activation);
}

function merge(g: OnnxGraph, className: string, c: Config, inputs: Value[]): Value {
  const ranks = new Set(inputs.map((v) => v.shape.length));
  if (ranks.size !== 1) throw new Unsupported(`${className} of inputs of different ranks`);
  const xs = inputs.map((v) => toNCHW(g, v));
  if (className === "Concatenate") {
    return { name: g.op("Concat", xs.map((v) => v.name), { axis: axisOf(xs[0], Number(c.axis ?? -1)) }), shape: [], nchw: xs[0].nchw };
  }
  const type = { Add: "Add", Multiply: "Mul", Maximum: "Max", Minimum: "Min", Average: "Sum" }[className]!;
  let name: string;
  if (type === "Add" || type === "Mul") {
    name = xs.slice(1).reduce((acc, v) => g.op(type, [acc, v.name]), xs[0].name);
  } else {
    name = g.op(type, xs.map((v) => v.name));
  }
  if (className === "Average") name = g.op("Div", [name, g.weight("count", new Float32Array([xs.length]), [])]);
  return { name, shape: [], nchw: xs[0].nchw };
}

function layerNorm(g: OnnxGraph, layer: tf.layers.Layer, c: Config, input: Value): Value {
  const axis = Array.isArray(c.axis) ? c.axis : [c.axis];
  const rank = input.shape.length;
  if (axis.length !== 1 || (Number(axis[0]) !== -1 && Number(axis[0]) !== rank - 1)) throw new Unsupported("LayerNormalization over other than the last axis");
  const x = toNHWC(g, input);
  const n = input.shape[rank - 1]!;
  const gamma = weightOf(layer, "gamma"), beta = weightOf(layer, "beta");
  const inputs = [x.name, g.weight(`${layer.name}.gamma`, gamma ? values(gamma) : new Float32Array(n).fill(1), [n]),
    g.weight(`${layer.name}.beta`, beta ? values(beta) : new Float32Array(n), [n])];
  return { name: g.op("LayerNormalization", inputs, { axis: -1, epsilon: { float: Number(c.epsilon) } }, layer.name), shape: input.shape, nchw: false };
}

/** Layers that are the identity in inference. */
const IDENTITY = new Set(["Dropout", "SpatialDropout1D", "SpatialDropout2D", "GaussianNoise", "GaussianDropout", "AlphaDropout", "StochasticDepth", "ActivityRegularization"]);

/**
 * `layer` applied to `inputs`, as nodes of `g`. The returned value's shape is filled in by the caller
 * from tfjs's own output shape.
 * @throws Unsupported naming what is not translated
 */
export function translate(g: OnnxGraph, layer: tf.layers.Layer, inputs: Value[]): Value {
  const className = layer.getClassName();
  const c = layer.getConfig() as Config;
  const [x] = inputs;
  if (IDENTITY.has(className)) return x;
  switch (className) {
    case "Conv2D": return conv(g, layer, c, x, false);
    case "DepthwiseConv2D": {
      if (Number(c.depthMultiplier ?? 1) < 1) throw new Unsupported("depthMultiplier < 1");
      return conv(g, layer, c, x, true);
    }
    case "BatchNormalization": return batchNorm(g, layer, c, x);
    case "Activation": return activation(g, x, c.activation);
    case "ReLU": {
      if (c.maxValue == null) return activation(g, x, "relu");
      return { ...x, name: g.op("Clip", [x.name, g.weight("zero", new Float32Array([0]), []), g.weight("max", new Float32Array([Number(c.maxValue)]), [])]) };
    }
    case "Softmax": return { ...x, name: g.op("Softmax", [x.name], { axis: axisOf(x, Number(Array.isArray(c.axis) ? c.axis[0] : c.axis ?? -1)) }) };
    case "Hardswish": return { ...x, name: g.op("HardSwish", [x.name]) };
    case "Hardsigmoid": return { ...x, name: g.op("HardSigmoid", [x.name], { alpha: { float: 1 / 6 }, beta: { float: 0.5 } }) };
    case "ZeroPadding2D": {
      if (c.dataFormat !== "channelsLast") throw new Unsupported("channels-first padding");
      const [[top, bottom], [left, right]] = c.padding as number[][];
      const v = toNCHW(g, x);
      return { name: g.op("Pad", [v.name, g.ints("pads", [0, 0, top, left, 0, 0, bottom, right])]), shape: [], nchw: true };
    }
    case "MaxPooling2D": return pool(g, c, x, "MaxPool");
    case "AveragePooling2D": return pool(g, c, x, "AveragePool");
    case "GlobalAveragePooling2D": case "GlobalMaxPooling2D": {
      if (c.dataFormat !== "channelsLast") throw new Unsupported("channels-first pooling");
      const v = toNCHW(g, x);
      const pooled = g.op(className === "GlobalAveragePooling2D" ? "GlobalAveragePool" : "GlobalMaxPool", [v.name]);
      if (c.keepDims) return { name: pooled, shape: [], nchw: true };
      return { name: g.op("Flatten", [pooled], { axis: 1 }), shape: [], nchw: false };
    }
    case "Flatten": return { name: g.op("Flatten", [toNHWC(g, x).name], { axis: 1 }), shape: [], nchw: false };
    case "Reshape": {
      const target = c.targetShape as number[];
      return { name: g.op("Reshape", [toNHWC(g, x).name, g.ints("shape", [0, ...target])]), shape: [], nchw: false };
    }
    case "Dense": return dense(g, layer, c, x);
    case "Add": case "Multiply": case "Maximum": case "Minimum": case "Average": case "Concatenate":
      return merge(g, className, c, inputs);
    case "LayerNormalization": return layerNorm(g, layer, c, x);
    case "LayerScale": {
      // one scale per channel: shaped [C, 1, 1] it broadcasts over an NCHW value as it is
      const gamma = layer.weights[0].read();
      const dims = x.nchw ? [gamma.size, 1, 1] : gamma.shape;
      return { name: g.op("Mul", [x.name, g.weight(`${layer.name}.gamma`, values(gamma), dims)]), shape: [], nchw: x.nchw };
    }
    default: throw new Unsupported(`layer "${layer.name}" (${className})`);
  }
}
