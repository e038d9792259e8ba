/**
 * A loader's int32 class labels in the form the model's loss needs: one-hot rows for
 * categoricalCrossentropy, a float column for sparseCategoricalCrossentropy and binary losses,
 * the indices themselves for graft's crossEntropy from batches (one-hot rows when tfjs's fit from
 * tensors would check them against the output's shape) (whose "accuracy" metric is then made to read
 * indices, as tfjs's categoricalAccuracy would silently compare them wrongly).
 */
import * as tf from "@tensorflow/tfjs";
import { isCrossEntropy } from "./losses";

type Kind = "index" | "one-hot" | "column";

/** The model's compiled loss (the single one of a one-output model). */
export function lossOf(model: tf.LayersModel): unknown {
  const loss = (model as unknown as { loss?: unknown }).loss;
  return Array.isArray(loss) && loss.length === 1 ? loss[0] : loss;
}

/** Classes of the model's output (its last dimension). */
export function outputClasses(model: tf.LayersModel): number {
  const shape = model.outputs[0].shape;
  return shape[shape.length - 1] ?? 1;
}

function kindFor(model: tf.LayersModel): Kind {
  const loss = lossOf(model);
  if (isCrossEntropy(loss)) return "index";
  if (outputClasses(model) === 1) return "column";
  if (loss === "sparseCategoricalCrossentropy" || loss === "sparse_categorical_crossentropy") return "column";
  return "one-hot";
}

/**
 * `ys` (int32 [n]) converted for `model`'s loss; throws a RangeError naming the label when one
 * is outside the model's classes (tfjs would silently train on zero rows).
 */
export function labelsFor(model: tf.LayersModel, ys: tf.Tensor, where: string, forTensors = false): tf.Tensor {
  const classes = outputClasses(model);
  const values = ys.dataSync();
  const limit = classes === 1 ? 2 : classes;
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (!(Number.isInteger(v) && v >= 0 && v < limit)) {
      throw new RangeError(`Cannot train on label ${v} (${where}, item ${i} of the batch): the model "${model.name}" has ${classes} output${classes === 1 ? "" : "s"}, ` +
        `so labels must be 0…${limit - 1}; build the model with numClasses equal to the dataset's number of classes`);
    }
  }
  return tf.tidy(() => {
    // tfjs's fit from tensors checks targets against the output's shape: indices go one-hot there (same loss).
    const kind = kindFor(model);
    switch (kind === "index" && forTensors ? "one-hot" : kind) {
      case "index": return ys.toInt().reshape([ys.shape[0]]);
      case "column": return ys.toFloat().reshape([ys.shape[0], 1]);
      default: return tf.oneHot(ys.toInt().reshape([ys.shape[0]]) as tf.Tensor1D, classes).toFloat();
    }
  });
}

/** Accuracy that reads class indices [n] / [n, 1] or one-hot rows alike. */
function accuracy(yTrue: tf.Tensor, yPred: tf.Tensor): tf.Tensor {
  return tf.tidy(() => {
    const predicted = yPred.argMax(-1);
    const truth = yTrue.rank === yPred.rank && yTrue.shape[yTrue.rank - 1] !== 1 ? yTrue.argMax(-1) : yTrue.reshape(predicted.shape).toInt();
    return tf.equal(truth, predicted).toFloat();
  });
}

/** For a crossEntropy model, points its "acc"/"accuracy" metrics at an accuracy that reads indices. */
export function adaptAccuracy(model: tf.LayersModel): void {
  if (!isCrossEntropy(lossOf(model))) return;
  const m = model as unknown as { metricsNames?: string[]; metricsTensors?: Array<[unknown, number]> };
  if (!m.metricsNames || !m.metricsTensors) return;
  const offset = m.metricsNames.length - m.metricsTensors.length;
  m.metricsTensors.forEach((entry, i) => {
    if (/(^|_)acc(uracy)?$/.test(m.metricsNames![i + offset] ?? "")) entry[0] = accuracy;
  });
}
