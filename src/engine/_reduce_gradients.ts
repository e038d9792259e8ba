/**
 * The gradients of Sum and Mean without building ones in JavaScript: tfjs 4.22 computes them as
 * `dy · ones(x.shape)` (then `/ n` for Mean), and `ones` fills a JavaScript array that is then
 * copied into the backend, on every step: a global average pool's gradient took 7 ms of
 * bench/train-cnn's step that way. Here the ones come from the backend's Fill kernel, and Mean
 * divides the small `dy` before broadcasting: `(dy / n) · 1` is `(dy · 1) / n` bit for bit, NaN
 * and ±Infinity included. (tfjs's broadcastTo is no help: its wasm Tile is 20× slower.)
 * Backend-independent, like tfjs's own gradients.
 */
import * as tf from "@tensorflow/tfjs";

function expanded(dy: tf.Tensor, x: tf.Tensor, axis: number | number[]): { dy: tf.Tensor; size: number } {
  const axes = tf.util.parseAxisParam(axis, x.shape);
  const shape = x.shape.slice();
  for (const a of axes) shape[a] = 1;
  return { dy: tf.reshape(dy, shape), size: tf.util.sizeFromShape(tf.backend_util.computeOutAndReduceShapes(x.shape, axes)[1]) };
}

const broadcast = (t: tf.Tensor, shape: number[]) => tf.mul(t, tf.fill(shape, 1, "float32"));

export const sumGradient: tf.GradConfig = {
  kernelName: tf.Sum,
  inputsToSave: ["x"],
  gradFunc: (dy, saved, attrs) => {
    const [x] = saved;
    const e = expanded(dy as tf.Tensor, x, (attrs as unknown as tf.SumAttrs).axis);
    const dx = broadcast(e.dy, x.shape);
    return { x: () => dx };
  },
};

export const meanGradient: tf.GradConfig = {
  kernelName: tf.Mean,
  inputsToSave: ["x"],
  gradFunc: (dy, saved, attrs) => {
    const [x] = saved;
    return {
      x: () => {
        const e = expanded(dy as tf.Tensor, x, (attrs as unknown as tf.MeanAttrs).axis);
        return broadcast(tf.div(e.dy, e.size), x.shape);
      },
    };
  },
};
