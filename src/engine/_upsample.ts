/**
 * Shared arithmetic of the input gradients: dx is the stride-1 correlation of dy, upsampled
 * by the forward stride, with the spatially flipped filter, padded so its output is the
 * forward input's height and width.
 */
import { Backend, Info, free, op, reshape } from "./_wasm_ops";

/** dy [B, OH, OW, C] with (sh − 1) zero rows after each row and (sw − 1) zero columns after each column. */
export function upsample(backend: Backend, dy: Info, sh: number, sw: number): Info {
  const [B, OH, OW, C] = dy.shape;
  if (sh === 1 && sw === 1) return reshape(backend, dy, dy.shape);
  const dy6 = reshape(backend, dy, [B, OH, 1, OW, 1, C]);
  const padded = op(backend, "PadV2", { x: dy6 }, {
    paddings: [[0, 0], [0, 0], [0, sh - 1], [0, 0], [0, sw - 1], [0, 0]], constantValue: 0,
  });
  free(backend, dy6);
  const up = reshape(backend, padded, [B, OH * sh, OW * sw, C]);
  free(backend, padded);
  return up;
}

/** Padding of the upsampled dy and the crop of the result, for one spatial axis. */
export interface AxisPlan { padBefore: number; padAfter: number; crop: number }

/**
 * @param size the forward input's extent; `upSize` the upsampled dy's; `k` the filter's;
 * `d` the dilation; `before` the forward padding before the first row.
 */
export function axisPlan(size: number, upSize: number, k: number, d: number, before: number): AxisPlan {
  const want = (k - 1) * d - before;
  const crop = Math.max(0, -want);
  const padBefore = Math.max(0, want);
  const padAfter = Math.max(0, size + crop + (k - 1) * d - upSize - padBefore);
  return { padBefore, padAfter, crop };
}

/** Crops [B, H', W', C] to [B, H, W, C] from (top, left) when it is larger; frees the input if cropped. */
export function cropTo(backend: Backend, t: Info, H: number, W: number, top: number, left: number): Info {
  if (t.shape[1] === H && t.shape[2] === W) return t;
  const cropped = op(backend, "Slice", { x: t }, { begin: [0, top, left, 0], size: [t.shape[0], H, W, t.shape[3]] });
  free(backend, t);
  return cropped;
}
