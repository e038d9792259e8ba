/**
 * `evaluate`: loss, accuracy and the confusion matrix of a classifier over a loader (or
 * tensors), in inference mode, one batch at a time.
 */
import * as tf from "@tensorflow/tfjs";
import { forward } from "./_inference";
import { ready } from "../engine/engine";
import { isLoader, type LoaderLike } from "./_loader_cache";
import { labelsFor, outputClasses } from "./_labels";
import { outputActivation } from "./_loss_check";
import { crossEntropy } from "./losses";

/** What {@link evaluate} returns. */
export interface EvaluateResult {
  /** Mean loss per sample: the compiled loss, else cross-entropy (from logits or probabilities). */
  loss: number;
  /** Fraction of samples whose top class is the label. */
  accuracy: number;
  /** counts[true class][predicted class] (rows: the label). */
  confusion: number[][];
  /** Samples seen. */
  count: number;
}

/** Tensors to evaluate: inputs and labels (int class indices [n] or one-hot rows [n, classes]). */
export type EvaluateTensors = { x: tf.Tensor; y: tf.Tensor } | [tf.Tensor, tf.Tensor];

type LossFn = (yTrue: tf.Tensor, yPred: tf.Tensor) => tf.Tensor;

function lossFunction(model: tf.LayersModel): LossFn {
  const compiled = (model as unknown as { lossFunctions?: LossFn[] }).lossFunctions;
  if (compiled?.length === 1) return compiled[0];
  if (outputActivation(model) === "linear") return crossEntropy;
  // Probabilities (softmax/sigmoid): negative log-likelihood of the label's probability.
  return (yTrue, yPred) => tf.tidy(() => {
    const p = yPred.shape[yPred.rank - 1] === 1 ? tf.concat([tf.sub(1, yPred), yPred], -1) : yPred;
    const oneHot = yTrue.rank === p.rank && yTrue.shape[yTrue.rank - 1] === p.shape[p.rank - 1] ? yTrue : tf.oneHot(yTrue.toInt().flatten(), p.shape[p.rank - 1]);
    return tf.neg(tf.sum(tf.mul(oneHot.toFloat(), tf.log(tf.clipByValue(p, 1e-7, 1))), -1));
  });
}

async function* tensorBatches(data: EvaluateTensors, batchSize: number): AsyncGenerator<{ xs: tf.Tensor; ys: tf.Tensor }> {
  const [x, y] = Array.isArray(data) ? data : [data.x, data.y];
  if (!(x instanceof tf.Tensor) || !(y instanceof tf.Tensor)) throw new TypeError("graft.evaluate(model, data): data must be a graft.data.loader, { x, y } or [x, y] tensors");
  if (x.shape[0] !== y.shape[0]) throw new RangeError(`graft.evaluate: x has ${x.shape[0]} samples but y has ${y.shape[0]}`);
  // One-hot labels become indices, so every path below sees int labels.
  const labels = y.rank >= 2 && y.shape[y.rank - 1] > 1 ? tf.argMax(y, -1) : y.reshape([y.shape[0]]).toInt();
  try {
    for (let start = 0; start < x.shape[0]; start += batchSize) {
      const size = Math.min(batchSize, x.shape[0] - start);
      const xs = x.slice(start, size), ys = labels.slice(start, size);
      try { yield { xs, ys }; } finally { xs.dispose(); ys.dispose(); }
    }
  } finally {
    if (labels !== y) labels.dispose();
  }
}

/**
 * Evaluates a classifier: mean loss, accuracy and the confusion matrix.
 * @param model a tfjs classifier (logits or probabilities; a single output)
 * @param data a graft.data.loader, or `{ x, y }` / `[x, y]` tensors (labels as indices or one-hot)
 * @param opts `batchSize` for tensors (default 32)
 * @returns `{ loss, accuracy, confusion, count }`; confusion rows are the true class
 * @example
 * ```ts
 * const valFolder = graft.data.imageFolder("photos/val", { transform: graft.zoo.resnet18.transforms() });
 * const valLoader = graft.data.loader(valFolder, { batchSize: 32 });
 * const result = await graft.evaluate(model, valLoader);
 * console.log(result.accuracy, result.confusion);
 * graft.display(graft.plot.confusion(result, valFolder.classes));
 * ```
 */
export async function evaluate(model: tf.LayersModel, data: LoaderLike | EvaluateTensors, opts: { batchSize?: number } = {}): Promise<EvaluateResult> {
  await ready();
  if (!model || typeof (model as tf.LayersModel).predict !== "function") throw new TypeError("graft.evaluate(model, data): model must be a tfjs LayersModel");
  const classes = outputClasses(model);
  const k = classes === 1 ? 2 : classes;
  const confusion = Array.from({ length: k }, () => new Array<number>(k).fill(0));
  const loss = lossFunction(model);
  let total = 0, count = 0, correct = 0;
  const batches = isLoader(data) ? data : tensorBatches(data, opts.batchSize ?? 32);
  let b = 0;
  for await (const { xs, ys } of batches) {
    const target = labelsFor(model, ys, `evaluation batch ${b++}`);
    const [batchLoss, predicted] = tf.tidy(() => {
      const out = forward(model, xs);
      const pred = classes === 1 ? out.reshape([-1]).greater(outputActivation(model) === "linear" ? 0 : 0.5).toInt() : out.argMax(-1);
      return [loss(target, out).sum(), pred];
    });
    const [l, p, t] = [batchLoss.dataSync()[0], predicted.dataSync(), ys.dataSync()];
    tf.dispose([batchLoss, predicted, target]);
    total += l;
    for (let i = 0; i < p.length; i++) {
      confusion[t[i]][p[i]]++;
      if (t[i] === p[i]) correct++;
    }
    count += p.length;
  }
  if (count === 0) throw new RangeError("graft.evaluate: the data has no samples");
  return { loss: total / count, accuracy: correct / count, confusion, count };
}
