/**
 * Conv2DBackpropFilter for the wasm backend, composed from wasm's XNNPACK-backed kernels.
 *
 * dW[kh, kw, ci, co] = Σ_{b, oh, ow} x[b, oh·sh + kh·dh − top, ow·sw + kw·dw − left, ci] · dy[b, oh, ow, co]
 *
 * Read with ci as the batch and b as the channel, that sum is itself a convolution: the input
 * `x` transposed to [Ci, H, W, B], convolved with `dy` transposed to [OH, OW, B, Co] as the
 * filter, with the forward stride as dilation and the forward dilation as stride, and the
 * forward padding on top/left. Its output [Ci, KH, KW, Co] is transposed to HWIO.
 *
 * XNNPACK packs that filter (all of `dy`) on each call; where packing `x` instead is estimated
 * cheaper (stride 1, `x` much smaller than `dy`), `_filter_grad_swapped.ts` swaps the roles.
 */
import * as tf from "@tensorflow/tfjs";
import { Backend, Info, free, nhwcConv2DInfo, op, transpose } from "./_wasm_ops";
import { preferSwapped, swappedFilterGrad, swappedPadding } from "./_filter_grad_swapped";
import { FilterGradGeometry, geometry } from "./_filter_grad_geometry";

/**
 * The correlation of x [B, H, W, C] with dy [B, OH, OW, Co] over batch and space:
 * returns [C, KH, KW, Co] (not yet HWIO). `x` and `dy` belong to the caller.
 */
export function correlate(backend: Backend, x: Info, dy: Info, g: FilterGradGeometry): Info {
  // Bottom/right padding so the "output" is exactly KH × KW; negative means the forward pass
  // never read the last rows, so the correlation yields extra rows we slice away.
  const bottom = (g.filterHeight - 1) * g.dilationHeight + (g.outHeight - 1) * g.strideHeight + 1 - g.inHeight - g.top;
  const right = (g.filterWidth - 1) * g.dilationWidth + (g.outWidth - 1) * g.strideWidth + 1 - g.inWidth - g.left;
  const xT = transpose(backend, x, [3, 1, 2, 0]);
  const dyT = transpose(backend, dy, [1, 2, 0, 3]);
  const corr = op(backend, "Conv2D", { x: xT, filter: dyT }, {
    strides: [g.dilationHeight, g.dilationWidth],
    dilations: [g.strideHeight, g.strideWidth],
    pad: [[0, 0], [g.top, Math.max(0, bottom)], [g.left, Math.max(0, right)], [0, 0]],
    dataFormat: "NHWC",
  });
  free(backend, xT, dyT);
  if (corr.shape[1] === g.filterHeight && corr.shape[2] === g.filterWidth) return corr;
  const cropped = op(backend, "Slice", { x: corr }, {
    begin: [0, 0, 0, 0],
    size: [corr.shape[0], g.filterHeight, g.filterWidth, corr.shape[3]],
  });
  free(backend, corr);
  return cropped;
}

function conv2DBackpropFilter(args: { inputs: tf.NamedTensorInfoMap; backend: tf.KernelBackend; attrs?: tf.NamedAttrMap }): Info {
  const backend = args.backend as Backend;
  const { x, dy } = args.inputs as { x: Info; dy: Info };
  const attrs = args.attrs as unknown as tf.Conv2DBackpropFilterAttrs;
  const info = nhwcConv2DInfo("Conv2DBackpropFilter", x.shape, attrs.filterShape, attrs);
  const g = geometry(info);
  const pad = swappedPadding(g);
  if (pad && preferSwapped(g, pad)) return swappedFilterGrad(backend, x, dy, g, pad);
  const corr = correlate(backend, x, dy, g);
  const dW = transpose(backend, corr, [1, 2, 0, 3]);
  free(backend, corr);
  return dW;
}

export const conv2DBackpropFilterConfig: tf.KernelConfig = {
  kernelName: tf.Conv2DBackpropFilter,
  backendName: "wasm",
  kernelFunc: conv2DBackpropFilter as unknown as tf.KernelFunc,
};
