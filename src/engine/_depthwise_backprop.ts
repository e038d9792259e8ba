/**
 * DepthwiseConv2dNativeBackpropFilter and DepthwiseConv2dNativeBackpropInput for the wasm
 * backend, composed from wasm's XNNPACK-backed DepthwiseConv2dNative plus layout kernels.
 *
 * Filter: dW[kh, kw, c, m] = Σ_{b, oh, ow} x[b, oh·sh + kh·dh − top, …, c] · dy[b, oh, ow, c·M + m].
 * With x laid out as one image of C·B channels [1, H, W, C·B] and dy as a depthwise filter
 * [OH, OW, C·B, M], that is a depthwise convolution (forward stride as dilation, forward
 * dilation as stride) whose [1, KH, KW, C·B·M] output is summed over b.
 *
 * Input: dx is the correlation of dy, upsampled by the stride (zeros between rows and
 * columns), with the spatially flipped filter: a depthwise convolution over the C·M channels
 * of dy with the filter as [KH, KW, C·M, 1], then summed over m.
 */
import * as tf from "@tensorflow/tfjs";
import { Backend, Info, free, op, reshape, transpose } from "./_wasm_ops";
import { axisPlan, cropTo, upsample } from "./_upsample";

type KernelArgs = { inputs: tf.NamedTensorInfoMap; backend: tf.KernelBackend; attrs?: tf.NamedAttrMap };

function convInfo(xShape: number[], filterShape: number[], attrs: tf.DepthwiseConv2dNativeBackpropFilterAttrs) {
  return tf.backend_util.computeConv2DInfo(
    xShape as [number, number, number, number], filterShape as [number, number, number, number],
    attrs.strides, attrs.dilations, attrs.pad, attrs.dimRoundingMode, true);
}

/** Sums [.., C, K, M] over K (axis 3 of 5) into [.., C, M]; frees `t`. */
function sumAxis(backend: Backend, t: Info, shape: number[], axis: number): Info {
  const r = reshape(backend, t, shape);
  free(backend, t);
  const s = op(backend, "Sum", { x: r }, { axis: [axis], keepDims: false });
  free(backend, r);
  return s;
}

function depthwiseBackpropFilter(args: KernelArgs): Info {
  const backend = args.backend as Backend;
  const { x, dy } = args.inputs as { x: Info; dy: Info };
  const attrs = args.attrs as unknown as tf.DepthwiseConv2dNativeBackpropFilterAttrs;
  const info = convInfo(x.shape, attrs.filterShape, attrs);
  const [B, H, W, C] = x.shape;
  const [KH, KW, , M] = attrs.filterShape;
  const { outHeight: OH, outWidth: OW, strideHeight: sh, strideWidth: sw, dilationHeight: dh, dilationWidth: dw } = info;
  const { top, left } = info.padInfo;
  const bottom = (KH - 1) * dh + (OH - 1) * sh + 1 - H - top;
  const right = (KW - 1) * dw + (OW - 1) * sw + 1 - W - left;

  const xT = transpose(backend, x, [1, 2, 3, 0]);                       // [H, W, C, B]
  const xImage = reshape(backend, xT, [1, H, W, C * B]);
  free(backend, xT);
  const dy5 = reshape(backend, dy, [B, OH, OW, C, M]);
  const dyT = transpose(backend, dy5, [1, 2, 3, 0, 4]);                 // [OH, OW, C, B, M]
  free(backend, dy5);
  const dyFilter = reshape(backend, dyT, [OH, OW, C * B, M]);
  free(backend, dyT);
  let corr = op(backend, "DepthwiseConv2dNative", { x: xImage, filter: dyFilter }, {
    strides: [dh, dw], dilations: [sh, sw],
    pad: [[0, 0], [top, Math.max(0, bottom)], [left, Math.max(0, right)], [0, 0]],
    dataFormat: "NHWC",
  });
  free(backend, xImage, dyFilter);
  if (corr.shape[1] !== KH || corr.shape[2] !== KW) {
    const cropped = op(backend, "Slice", { x: corr }, { begin: [0, 0, 0, 0], size: [1, KH, KW, C * B * M] });
    free(backend, corr);
    corr = cropped;
  }
  return sumAxis(backend, corr, [KH, KW, C, B, M], 3);
}

function depthwiseBackpropInput(args: KernelArgs): Info {
  const backend = args.backend as Backend;
  const { dy, filter } = args.inputs as { dy: Info; filter: Info };
  const attrs = args.attrs as unknown as tf.DepthwiseConv2dNativeBackpropInputAttrs;
  const info = convInfo(attrs.inputShape, filter.shape, attrs as unknown as tf.DepthwiseConv2dNativeBackpropFilterAttrs);
  const [B, H, W, C] = attrs.inputShape;
  const [KH, KW, , M] = filter.shape;
  const { outHeight: OH, outWidth: OW, strideHeight: sh, strideWidth: sw, dilationHeight: dh, dilationWidth: dw } = info;
  const { top, left } = info.padInfo;

  const up = upsample(backend, dy, sh, sw);
  const rows = axisPlan(H, up.shape[1], KH, dh, top);
  const cols = axisPlan(W, up.shape[2], KW, dw, left);
  const flipped = op(backend, "Reverse", { x: filter }, { dims: [0, 1] });
  const filterCM = reshape(backend, flipped, [KH, KW, C * M, 1]);
  free(backend, flipped);
  let dx = op(backend, "DepthwiseConv2dNative", { x: up, filter: filterCM }, {
    strides: [1, 1], dilations: [dh, dw], dataFormat: "NHWC",
    pad: [[0, 0], [rows.padBefore, rows.padAfter], [cols.padBefore, cols.padAfter], [0, 0]],
  });
  free(backend, filterCM, up);
  if (M > 1) dx = sumAxis(backend, dx, [B, dx.shape[1], dx.shape[2], C, M], 4);
  return cropTo(backend, dx, H, W, rows.crop, cols.crop);
}

export const depthwiseConv2dNativeBackpropFilterConfig: tf.KernelConfig = {
  kernelName: tf.DepthwiseConv2dNativeBackpropFilter,
  backendName: "wasm",
  kernelFunc: depthwiseBackpropFilter as unknown as tf.KernelFunc,
};

export const depthwiseConv2dNativeBackpropInputConfig: tf.KernelConfig = {
  kernelName: tf.DepthwiseConv2dNativeBackpropInput,
  backendName: "wasm",
  kernelFunc: depthwiseBackpropInput as unknown as tf.KernelFunc,
};
