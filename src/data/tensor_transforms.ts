/** toTensor and normalize: bytes → float32 HWC in [0, 1] (tfjs is channels-last), then (x − mean) / std per channel. */
import { makeTransform, type Transform } from "./transform";

/**
 * torchvision's `ToTensor` for tfjs: an image of bytes → float32 `[height, width, 3]` in
 * [0, 1] (channels last, where torch's is `[3, height, width]`).
 * @returns a Transform from image to tensor
 * @example
 * ```ts
 * const x = graft.data.transforms.toTensor()(await graft.data.readImage("cat.jpg")) as tf.Tensor3D;
 * ```
 */
export function toTensor(): Transform {
  return makeTransform([{ op: "toTensor" }]);
}

/**
 * torchvision's `Normalize`: `(x − mean[c]) / std[c]` per channel, in float32 like torch.
 * @param mean per-channel means (3 numbers)
 * @param std per-channel standard deviations (3 numbers, non-zero)
 * @returns a Transform on tensors (put it after toTensor)
 * @example
 * ```ts
 * const norm = graft.data.transforms.normalize([0.485, 0.456, 0.406], [0.229, 0.224, 0.225]);
 * ```
 */
export function normalize(mean: number[], std: number[]): Transform {
  const ok = (v: unknown): v is number[] => Array.isArray(v) && v.length === 3 && v.every((x) => typeof x === "number" && Number.isFinite(x));
  if (!ok(mean) || !ok(std) || std.some((s) => s === 0)) {
    throw new RangeError(`Cannot build normalize: mean and std must be 3 finite numbers each, std non-zero; got mean ${JSON.stringify(mean)}, std ${JSON.stringify(std)}`);
  }
  return makeTransform([{ op: "normalize", mean: [...mean], std: [...std] }]);
}
