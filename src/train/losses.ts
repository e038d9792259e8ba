/**
 * `losses.crossEntropy`: PyTorch's `nn.CrossEntropyLoss` for tfjs — from logits (the zoo's
 * models end in a linear layer, as torchvision's do), with integer or one-hot labels and
 * `labelSmoothing`. tfjs's `categoricalCrossentropy` expects probabilities instead: on logits
 * it trains nothing and says nothing.
 */
import * as tf from "@tensorflow/tfjs";

/** Options of {@link crossEntropy}, named as PyTorch's `CrossEntropyLoss` arguments. */
export interface CrossEntropyOptions {
  /** PyTorch's `label_smoothing`, in [0, 1]: targets become (1 − ε)·target + ε / classes. Default 0. */
  labelSmoothing?: number;
}

/** A loss for `model.compile({ loss })`: per-sample values, tfjs takes their mean. */
export type LossFn = ((labels: tf.Tensor, logits: tf.Tensor) => tf.Tensor) & { readonly labelSmoothing: number };

const LOSS_TAG = Symbol.for("graft.losses.crossEntropy");

function checkSmoothing(v: unknown): number {
  if (v === undefined) return 0;
  if (typeof v !== "number" || !(v >= 0 && v <= 1)) {
    throw new RangeError(`crossEntropy: labelSmoothing must be a number in [0, 1] (PyTorch's label_smoothing); got ${String(v)}`);
  }
  return v;
}

/**
 * Per-sample cross-entropy of `logits` [n, classes] against `labels`: class indices ([n] or
 * [n, 1], any dtype holding integers) or one-hot / probability rows [n, classes].
 */
function perSample(labels: tf.Tensor, logits: tf.Tensor, smoothing: number): tf.Tensor {
  return tf.tidy(() => {
    if (logits.rank < 2) throw new TypeError(`crossEntropy: logits must be [batch, classes]; got shape [${logits.shape}]`);
    const classes = logits.shape[logits.rank - 1];
    const logp = tf.logSoftmax(logits);
    let target: tf.Tensor;
    const isIndex = labels.rank === logits.rank - 1 || (labels.rank === logits.rank && labels.shape[labels.rank - 1] === 1 && classes !== 1);
    if (isIndex) {
      const idx = labels.reshape(logits.shape.slice(0, -1)).toInt();
      target = tf.oneHot(idx.flatten(), classes).reshape(logits.shape).toFloat();
    } else if (labels.shape.length === logits.shape.length && labels.shape[labels.rank - 1] === classes) {
      target = labels.toFloat();
    } else {
      throw new TypeError(`crossEntropy: labels of shape [${labels.shape}] fit neither class indices [${logits.shape.slice(0, -1)}] ` +
        `nor one-hot rows [${logits.shape}] for logits of shape [${logits.shape}]`);
    }
    if (smoothing > 0) target = target.mul(1 - smoothing).add(smoothing / classes);
    return target.mul(logp).sum(-1).neg();
  });
}

function make(smoothing: number): LossFn {
  const fn = (labels: tf.Tensor, logits: tf.Tensor) => perSample(labels, logits, smoothing);
  Object.defineProperty(fn, "name", { value: "crossEntropy" });
  Object.defineProperty(fn, "labelSmoothing", { value: smoothing, enumerable: true });
  Object.defineProperty(fn, LOSS_TAG, { value: true });
  return fn as LossFn;
}

const plain = make(0);

/**
 * PyTorch's `CrossEntropyLoss` on logits. Called with `(labels, logits)` it returns the
 * per-sample losses (their `mean()` is PyTorch's default `reduction="mean"` value); called with
 * options it returns a loss with those options, for `model.compile`.
 * @param labels class indices [n] (int32 or float holding integers) or one-hot rows [n, classes]; or `{ labelSmoothing }`
 * @param logits the model's raw outputs [n, classes] (no softmax)
 * @returns per-sample losses [n]; or, given options, a loss function
 * @example
 * ```ts
 * model.compile({ optimizer: "adam", loss: graft.losses.crossEntropy, metrics: ["accuracy"] });
 * const smooth = graft.losses.crossEntropy({ labelSmoothing: 0.1 });
 * const l = smooth(tf.tensor1d([2, 0], "int32"), tf.tensor2d([[1, 2, 3], [1, 0, 0]])).mean(); // as torch
 * ```
 */
export function crossEntropy(labels: tf.Tensor, logits: tf.Tensor): tf.Tensor;
export function crossEntropy(opts: CrossEntropyOptions): LossFn;
export function crossEntropy(a: tf.Tensor | CrossEntropyOptions, b?: tf.Tensor): tf.Tensor | LossFn {
  if (a instanceof tf.Tensor) {
    if (!(b instanceof tf.Tensor)) throw new TypeError("crossEntropy(labels, logits): logits must be a tensor");
    return plain(a, b);
  }
  if (a === null || typeof a !== "object" || b !== undefined) {
    throw new TypeError("crossEntropy: call it as crossEntropy(labels, logits) or crossEntropy({ labelSmoothing }) for a configured loss");
  }
  const unknown = Object.keys(a).filter((k) => k !== "labelSmoothing");
  if (unknown.length) throw new TypeError(`crossEntropy: unknown option ${unknown.join(", ")}; known: labelSmoothing`);
  return make(checkSmoothing(a.labelSmoothing));
}
Object.defineProperty(crossEntropy, "labelSmoothing", { value: 0, enumerable: true });
Object.defineProperty(crossEntropy, LOSS_TAG, { value: true });

/**
 * Whether `loss` is graft's crossEntropy (plain or configured).
 * @param loss a compiled model's `loss`, or any value
 * @returns true for `crossEntropy` and `crossEntropy({ … })`
 * @example
 * ```ts
 * graft.losses.isCrossEntropy(graft.losses.crossEntropy({ labelSmoothing: 0.1 })); // true
 * graft.losses.isCrossEntropy("categoricalCrossentropy"); // false
 * ```
 */
export function isCrossEntropy(loss: unknown): boolean {
  return typeof loss === "function" && (loss as unknown as Record<symbol, unknown>)[LOSS_TAG] === true;
}
