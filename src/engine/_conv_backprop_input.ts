/**
 * Conv2DBackpropInput for the wasm backend on XNNPACK. tfjs-backend-wasm 4.22 has this kernel,
 * but as plain loops, which took more of a step of the small CNN in bench/train-cnn than the
 * rest of the step together. Here dx is one XNNPACK Conv2D: dy upsampled by the stride,
 * correlated with the filter flipped in space and with its in/out channels swapped
 * ([KH, KW, Ci, Co] → [KH, KW, Co, Ci]).
 */
import * as tf from "@tensorflow/tfjs";
import { Backend, Info, free, nhwcConv2DInfo, op, transpose } from "./_wasm_ops";
import { axisPlan, cropTo, upsample } from "./_upsample";

function conv2DBackpropInput(args: { inputs: tf.NamedTensorInfoMap; backend: tf.KernelBackend; attrs?: tf.NamedAttrMap }): Info {
  const backend = args.backend as Backend;
  const { dy, filter } = args.inputs as { dy: Info; filter: Info };
  const attrs = args.attrs as unknown as tf.Conv2DBackpropInputAttrs;
  const inputShape = attrs.inputShape;
  const info = nhwcConv2DInfo("Conv2DBackpropInput", inputShape, filter.shape, attrs);
  const [, H, W] = inputShape;
  const [KH, KW] = filter.shape;
  const up = upsample(backend, dy, info.strideHeight, info.strideWidth);
  const rows = axisPlan(H, up.shape[1], KH, 1, info.padInfo.top);
  const cols = axisPlan(W, up.shape[2], KW, 1, info.padInfo.left);
  const flipped = op(backend, "Reverse", { x: filter }, { dims: [0, 1] });
  const swapped = transpose(backend, flipped, [0, 1, 3, 2]);
  free(backend, flipped);
  const dx = op(backend, "Conv2D", { x: up, filter: swapped }, {
    strides: [1, 1], dilations: [1, 1], dataFormat: "NHWC",
    pad: [[0, 0], [rows.padBefore, rows.padAfter], [cols.padBefore, cols.padAfter], [0, 0]],
  });
  free(backend, up, swapped);
  return cropTo(backend, dx, H, W, rows.crop, cols.crop);
}

export const conv2DBackpropInputConfig: tf.KernelConfig = {
  kernelName: tf.Conv2DBackpropInput,
  backendName: "wasm",
  kernelFunc: conv2DBackpropInput as unknown as tf.KernelFunc,
};
