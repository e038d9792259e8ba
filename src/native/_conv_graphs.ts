/**
 * One convolution kernel as a small ONNX graph, with tfjs's layouts at its edges (activations
 * NHWC, filters HWIO), so a training step's tensors go in and come out as tfjs holds them:
 * - the forward convolution: Conv between two transposes;
 * - the filter gradient: for each filter tap, the (strided) slice of the padded input that tap
 *   reads, times `dy`, summed over batch and space by one GEMM (dW[kh, kw] = slice^T · dy);
 *   ONNX Runtime's own Conv with `dy` as a huge kernel is 2–3× slower;
 * - the input gradient: ConvTranspose of `dy` with the filter.
 */
import type * as tf from "@tensorflow/tfjs";
import { OnnxGraph } from "./_onnx_graph";

type Info = tf.backend_util.Conv2DInfo;

const NCHW = [0, 3, 1, 2], NHWC = [0, 2, 3, 1];
/** HWIO → OIHW (ONNX's Conv weight, and ConvTranspose's: [C_in of the transpose = Co, Ci, KH, KW]). */
const OIHW = [3, 2, 0, 1];

const pads = (i: Info) => [i.padInfo.top, i.padInfo.left, i.padInfo.bottom, i.padInfo.right];

/** y = conv(x, w): inputs `x` [B, H, W, Ci] and `w` [KH, KW, Ci, Co], output `y` [B, OH, OW, Co]. */
export function forwardGraph(i: Info): Uint8Array {
  const g = new OnnxGraph();
  g.input("x", [i.batchSize, i.inHeight, i.inWidth, i.inChannels]);
  g.input("w", [i.filterHeight, i.filterWidth, i.inChannels, i.outChannels]);
  const y = g.op("Conv", [g.op("Transpose", ["x"], { perm: NCHW }), g.op("Transpose", ["w"], { perm: OIHW })], {
    kernel_shape: [i.filterHeight, i.filterWidth], strides: [i.strideHeight, i.strideWidth],
    dilations: [i.dilationHeight, i.dilationWidth], pads: pads(i),
  });
  g.output(g.op("Transpose", [y], { perm: NHWC }), "y", [i.batchSize, i.outHeight, i.outWidth, i.outChannels]);
  return g.toBytes("conv2d");
}

/** dW: inputs `x` [B, H, W, Ci] and `dy` [B, OH, OW, Co], output `dw` [KH, KW, Ci, Co]. */
export function filterGradGraph(i: Info): Uint8Array {
  const g = new OnnxGraph();
  const rows = i.batchSize * i.outHeight * i.outWidth;
  g.input("x", [i.batchSize, i.inHeight, i.inWidth, i.inChannels]);
  g.input("dy", [i.batchSize, i.outHeight, i.outWidth, i.outChannels]);
  const { top, left, bottom, right } = i.padInfo;
  const x = top || left || bottom || right ? g.op("Pad", ["x", g.ints("pads", [0, top, left, 0, 0, bottom, right, 0])]) : "x";
  const dy = g.op("Reshape", ["dy", g.ints("shape", [rows, i.outChannels])]);
  const taps: string[] = [];
  for (let kh = 0; kh < i.filterHeight; kh++) {
    for (let kw = 0; kw < i.filterWidth; kw++) {
      const h0 = kh * i.dilationHeight, w0 = kw * i.dilationWidth;
      const ends = [h0 + (i.outHeight - 1) * i.strideHeight + 1, w0 + (i.outWidth - 1) * i.strideWidth + 1];
      const read = g.op("Slice", [x, g.ints("starts", [h0, w0]), g.ints("ends", ends), g.ints("axes", [1, 2]), g.ints("steps", [i.strideHeight, i.strideWidth])]);
      const flat = g.op("Reshape", [read, g.ints("shape", [rows, i.inChannels])]);
      taps.push(g.op("Gemm", [flat, dy], { transA: 1 }));
    }
  }
  const all = taps.length === 1 ? taps[0] : g.op("Concat", taps, { axis: 0 });
  g.output(g.op("Reshape", [all, g.ints("shape", [i.filterHeight, i.filterWidth, i.inChannels, i.outChannels])]), "dw",
    [i.filterHeight, i.filterWidth, i.inChannels, i.outChannels]);
  return g.toBytes("conv2d_filter_grad");
}

/**
 * dx: inputs `dy` [B, OH, OW, Co] and `w` [KH, KW, Ci, Co], output `dx` [B, H, W, Ci]; undefined
 * where ConvTranspose can't produce exactly H × W (its output padding must be below the stride).
 */
export function inputGradGraph(i: Info): Uint8Array | undefined {
  const extent = (out: number, k: number, s: number, d: number, before: number, after: number) => s * (out - 1) + (k - 1) * d + 1 - before - after;
  const padH = i.inHeight - extent(i.outHeight, i.filterHeight, i.strideHeight, i.dilationHeight, i.padInfo.top, i.padInfo.bottom);
  const padW = i.inWidth - extent(i.outWidth, i.filterWidth, i.strideWidth, i.dilationWidth, i.padInfo.left, i.padInfo.right);
  if (padH < 0 || padW < 0 || padH >= Math.max(i.strideHeight, i.dilationHeight) || padW >= Math.max(i.strideWidth, i.dilationWidth)) return undefined;
  const g = new OnnxGraph();
  g.input("dy", [i.batchSize, i.outHeight, i.outWidth, i.outChannels]);
  g.input("w", [i.filterHeight, i.filterWidth, i.inChannels, i.outChannels]);
  const dx = g.op("ConvTranspose", [g.op("Transpose", ["dy"], { perm: NCHW }), g.op("Transpose", ["w"], { perm: OIHW })], {
    kernel_shape: [i.filterHeight, i.filterWidth], strides: [i.strideHeight, i.strideWidth],
    dilations: [i.dilationHeight, i.dilationWidth], pads: pads(i), output_padding: [padH, padW],
  });
  g.output(g.op("Transpose", [dx], { perm: NHWC }), "dx", [i.batchSize, i.inHeight, i.inWidth, i.inChannels]);
  return g.toBytes("conv2d_input_grad");
}
