/** The dataset shapes the loader consumes. */
import type { tf } from "../engine/engine";

/** Anything indexable with a length: `get(i)` for 0 ≤ i < length. */
export interface Dataset<T> {
  readonly length: number;
  get(i: number): Promise<T>;
}

/** One labelled example: an HWC float tensor and its class index. */
export interface Sample {
  x: tf.Tensor3D;
  y: number;
}
