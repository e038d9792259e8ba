/**
 * Applying a plan atomically: every tensor is read and converted first; only when all of them
 * are ready are the model's variables assigned. A read or format error on the way disposes
 * what was converted and leaves every weight exactly as it was.
 */
import * as tf from "@tensorflow/tfjs";
import type { Checkpoint } from "../checkpoint/types";
import { GraftError } from "../errors";
import { sameShape } from "./_candidates";
import type { LoadPlan, PlannedLoad } from "./plan";

/** Reads and converts one planned weight (source tensors disposed, result kept). */
async function convertOne(l: PlannedLoad, ckpt: Pick<Checkpoint, "read" | "path">): Promise<tf.Tensor> {
  const raw: tf.Tensor[] = [];
  try {
    for (const s of l.sources) raw.push(await ckpt.read(s));
    const dtype = l.weight.variable.dtype;
    const out = tf.tidy(() => {
      const x = l.rule.convert(raw, l.ctx);
      return x.dtype === dtype ? x : tf.cast(x, dtype);
    });
    if (!sameShape(out.shape, l.shape)) {
      if (!raw.includes(out)) out.dispose();
      throw new GraftError(
        `Cannot load ${l.sources.join(" + ")} into ${l.target}: the file holds ${JSON.stringify(raw.map((r) => r.shape))}, ` +
          `not the shapes its index announced; the checkpoint is inconsistent — nothing was changed`,
      );
    }
    const kept = raw.indexOf(out); // an identity transform returns the tensor it read
    if (kept >= 0) raw.splice(kept, 1);
    return out;
  } finally {
    tf.dispose(raw);
  }
}

/**
 * Reads, converts, then assigns every weight of `plan.loaded`. All or nothing.
 * @param plan from {@link planLoad}.
 * @param ckpt the checkpoint the plan was made from.
 * @param onProgress bytes read and converted so far, of the total the plan loads.
 */
export async function applyPlan(
  plan: LoadPlan,
  ckpt: Pick<Checkpoint, "read" | "path">,
  onProgress?: (doneBytes: number, totalBytes: number) => void,
): Promise<void> {
  const total = plan.loaded.reduce((a, l) => a + l.bytes, 0);
  let done = 0;
  const ready: tf.Tensor[] = [];
  try {
    for (const l of plan.loaded) {
      ready.push(await convertOne(l, ckpt));
      done += l.bytes;
      onProgress?.(done, total);
    }
  } catch (err) {
    tf.dispose(ready);
    throw err;
  }
  // Every tensor is converted and checked: assigning cannot fail on shape or dtype now.
  plan.loaded.forEach((l, i) => l.weight.variable.write(ready[i]));
  tf.dispose(ready);
}
