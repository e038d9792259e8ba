/**
 * `predict`: the top classes of one image — a path, a `readImage` result or a tensor — with
 * probabilities (softmax of logits, or the model's own probabilities).
 */
import * as tf from "@tensorflow/tfjs";
import { forward } from "./_inference";
import { ready } from "../engine/engine";
import { outputActivation } from "./_loss_check";
import { readImage, type DecodedImage } from "../data/read_image";
import type { Transform } from "../data/transform";

/** Options of {@link predict}. */
export interface PredictOptions {
  /** Turns the image into the model's input tensor, e.g. `graft.zoo.resnet18.transforms()`. Needed for paths and decoded images. */
  transform?: Transform;
  /** Class names by index (e.g. an imageFolder's `classes`, or the folder itself); default "0", "1", … */
  classes?: readonly string[] | { classes: readonly string[] };
  /** How many of the most probable classes to return (default 5, at most the number of classes). */
  topk?: number;
}

/** One predicted class. */
export interface Prediction { label: string; index: number; probability: number }

const isDecoded = (x: unknown): x is DecodedImage =>
  !!x && typeof x === "object" && (x as DecodedImage).data instanceof Uint8Array && Number.isInteger((x as DecodedImage).height) && Number.isInteger((x as DecodedImage).width);

async function inputTensor(image: string | DecodedImage | tf.Tensor, transform: Transform | undefined): Promise<tf.Tensor> {
  if (image instanceof tf.Tensor) {
    const t = transform && image.rank === 3 ? transform(image as tf.Tensor3D) : image;
    if (!(t instanceof tf.Tensor)) throw new TypeError("graft.predict: the transform did not return a tensor; end it with toTensor() (and normalize)");
    return t;
  }
  const decoded = typeof image === "string" ? await readImage(image) : isDecoded(image) ? image : undefined;
  if (!decoded) throw new TypeError("graft.predict(model, image): image must be a file path, a graft.data.readImage result or a tensor");
  if (!transform) {
    throw new TypeError(`graft.predict: ${typeof image === "string" ? `"${image}"` : "a decoded image"} needs a transform to become the model's input; ` +
      "pass { transform: graft.zoo.resnet18.transforms() } (the architecture's preprocessing) or your own graft.data.transforms.compose([...])");
  }
  const t = transform(decoded);
  if (!(t instanceof tf.Tensor)) throw new TypeError(`graft.predict: the transform ${String(transform)} returned an image, not a tensor; end it with toTensor() (and normalize)`);
  return t;
}

/**
 * The `topk` most probable classes of one image.
 * @param model a classifier (logits or probabilities)
 * @param image a file path, a `graft.data.readImage` result, or a tensor [h, w, 3] (or [1, h, w, 3]); the batch dimension is added
 * @param opts `transform` (needed for paths and decoded images), `classes`, `topk` (5)
 * @returns `[{ label, index, probability }]`, most probable first
 * @example
 * ```ts
 * const folder = graft.data.imageFolder("photos/train");
 * const top = await graft.predict(model, "photos/new.jpg", { transform: graft.zoo.resnet18.transforms(), classes: folder.classes, topk: 2 });
 * console.log(top[0].label, top[0].probability);
 * ```
 */
export async function predict(model: tf.LayersModel, image: string | DecodedImage | tf.Tensor, opts: PredictOptions = {}): Promise<Prediction[]> {
  await ready();
  const known = ["transform", "classes", "topk"];
  const unknown = Object.keys(opts).filter((k) => !known.includes(k));
  if (unknown.length) throw new TypeError(`graft.predict: unknown option ${unknown.join(", ")}; known: ${known.join(", ")}`);
  const x = await inputTensor(image, opts.transform);
  const owned = x !== image;
  try {
    const inputShape = model.inputs[0].shape.slice(1);
    if (x.rank === 4 && x.shape[0] !== 1) throw new RangeError(`graft.predict: one image at a time; got a batch of ${x.shape[0]} (use model.predict for batches)`);
    const single = x.rank === 4 ? x.shape.slice(1) : x.shape;
    if (single.length !== inputShape.length || single.some((d, i) => inputShape[i] != null && inputShape[i] !== d)) {
      throw new RangeError(`graft.predict: the input is [${single}] but the model takes [${inputShape.map((d) => d ?? "any")}]; use a transform that crops to the model's size`);
    }
    const linear = outputActivation(model) === "linear";
    const probs = tf.tidy(() => {
      const out = forward(model, x.rank === 4 ? x : x.expandDims(0)).reshape([-1]);
      if (out.size === 1) {
        const p = linear ? tf.sigmoid(out) : out;
        return tf.concat([tf.sub(1, p), p]);
      }
      return linear ? tf.softmax(out) : out;
    });
    const values = Array.from(probs.dataSync());
    probs.dispose();
    const names = opts.classes ? ("classes" in (opts.classes as object) && !Array.isArray(opts.classes) ? (opts.classes as { classes: readonly string[] }).classes : opts.classes as readonly string[]) : undefined;
    if (names && names.length !== values.length) {
      throw new RangeError(`graft.predict: ${names.length} class names for a model with ${values.length} outputs; pass the classes the model was trained on`);
    }
    const topk = opts.topk ?? 5;
    if (!Number.isInteger(topk) || topk < 1) throw new RangeError(`graft.predict: topk must be a positive integer; got ${String(topk)}`);
    return values.map((probability, index) => ({ label: names ? names[index] : String(index), index, probability }))
      .sort((a, b) => b.probability - a.probability || a.index - b.index)
      .slice(0, Math.min(topk, values.length));
  } finally {
    if (owned) x.dispose();
  }
}
