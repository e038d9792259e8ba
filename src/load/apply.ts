/**
 * Applying a plan atomically: every tensor is read and converted first; only when all of them
 * are ready are the model's variables assigned. A read or format error on the way disposes
 * what was converted and leaves every weight exactly as it was.
 *
 * Speed: on the wasm backend, float32 weights stored contiguously in a torch or safetensors
 * file go through the in-place path (`_fast/in_place_loader.ts`: row bands read into one reused staging
 * region of the wasm heap, transposed there by a SIMD kernel into the new tensor, with a second
 * thread taking its share of the weights); the rest keep a few reads in
 * flight and write their layout transform straight into the tensor's memory. Assigning is
 * zero-copy (the variable takes the new tensor's data).
 */
import * as tf from "@tensorflow/tfjs";
import type { Checkpoint } from "../checkpoint/types";
import { GraftError } from "../errors";
import { sameShape } from "./_candidates";
import { filledTensor, InPlaceLoader, type InPlaceJob } from "./_fast";
import type { LoadPlan, PlannedLoad } from "./plan";

/** Reads kept in flight at once. */
const IN_FLIGHT = 4;

type Source = Pick<Checkpoint, "read" | "readRaw" | "path"> & Partial<Pick<Checkpoint, "entries">>;

function inconsistent(l: PlannedLoad, shapes: number[][]): GraftError {
  return new GraftError(
    `Cannot load ${l.sources.join(" + ")} into ${l.target}: the file holds ${JSON.stringify(shapes)}, not the shapes ` +
      `its index announced; the checkpoint is inconsistent — nothing was changed`,
  );
}

/** The general path: tfjs tensors through the rule's `convert` (any dtype, any rule). */
async function convertWithOps(l: PlannedLoad, ckpt: Source): Promise<tf.Tensor> {
  const raw: tf.Tensor[] = [];
  try {
    for (const s of l.sources) raw.push(await ckpt.read(s));
    const dtype = l.weight.variable.dtype;
    const out = tf.tidy(() => {
      const x = l.rule.convert(raw, l.ctx);
      return x.dtype === dtype ? x : tf.cast(x, dtype);
    });
    const kept = raw.indexOf(out); // an identity transform returns the tensor it read
    if (kept >= 0) raw.splice(kept, 1);
    if (!sameShape(out.shape, l.shape)) {
      out.dispose();
      throw inconsistent(l, raw.map((r) => r.shape));
    }
    return out;
  } finally {
    tf.dispose(raw);
  }
}

/**
 * Where the time of an apply went (ms): wall time, of which the in-place path (reading and
 * transposing in the wasm heap), converting on the general path (CPU), and assigning.
 */
export interface ApplyTimings {
  applyMs: number;
  inPlaceMs?: number;
  /** Of the in-place weights, those a second thread read and transposed (`_fast/transpose_helper.ts`). */
  inPlaceShared?: number;
  convertMs: number;
  assignMs: number;
}

/** Reads and converts one planned weight into a new tensor of the weight's shape and dtype. */
async function convertOne(l: PlannedLoad, ckpt: Source, t: ApplyTimings): Promise<tf.Tensor> {
  const fast = l.rule.values && l.weight.variable.dtype === "float32" && typeof ckpt.readRaw === "function";
  if (!fast) return convertWithOps(l, ckpt);
  const raws = await Promise.all(l.sources.map((s) => ckpt.readRaw(s)));
  if (!raws.every((r) => r.dtype === "float32")) return convertWithOps(l, ckpt);
  const shapes = raws.map((r) => r.shape);
  const converted = l.rule.shape(shapes, l.ctx);
  if (!converted || !sameShape(converted, l.shape)) throw inconsistent(l, shapes);
  const values = l.rule.values as NonNullable<typeof l.rule.values>;
  const start = performance.now();
  const tensor = filledTensor(l.shape, (out) => values(raws.map((r) => r.data as Float32Array), shapes, l.ctx, out));
  t.convertMs += performance.now() - start;
  return tensor;
}

/**
 * Reads, converts, then assigns every weight of `plan.loaded`. All or nothing.
 * @param plan from {@link planLoad}.
 * @param ckpt the checkpoint the plan was made from.
 * @param onProgress bytes read and converted so far, of the total the plan loads.
 * @returns where the time went.
 * @example
 * ```ts
 * const ckpt = await open("resnet18.pth");
 * const plan = planLoad(model, ckpt);
 * await applyPlan(plan, ckpt); // model now holds plan.loaded
 * ```
 */
export async function applyPlan(
  plan: LoadPlan,
  ckpt: Source,
  onProgress?: (doneBytes: number, totalBytes: number) => void,
): Promise<ApplyTimings> {
  const started = performance.now();
  const timings: ApplyTimings = { applyMs: 0, inPlaceMs: 0, convertMs: 0, assignMs: 0 };
  const total = plan.loaded.reduce((a, l) => a + l.bytes, 0);
  let done = 0;
  const ready: (tf.Tensor | undefined)[] = new Array(plan.loaded.length);
  const disposeReady = () => tf.dispose(ready.filter((t): t is tf.Tensor => t !== undefined));
  // The in-place path first, one weight after another (they share one staging region).
  const inPlace = ckpt.entries ? InPlaceLoader.create(ckpt as Pick<Checkpoint, "entries">) : undefined;
  const jobs = new Map<number, InPlaceJob>();
  plan.loaded.forEach((l, i) => {
    const job = inPlace?.plan(l);
    if (job) jobs.set(i, job);
  });
  if (inPlace && jobs.size > 0) {
    const start = performance.now();
    const order = [...jobs.keys()];
    const tensors = await inPlace.run(order.map((i) => jobs.get(i) as InPlaceJob), (job) => {
      done += job.load.bytes;
      onProgress?.(done, total);
    });
    order.forEach((i, k) => (ready[i] = tensors[k]));
    timings.inPlaceMs = performance.now() - start;
    timings.inPlaceShared = inPlace.sharedJobs;
  }
  const rest = plan.loaded.map((_, i) => i).filter((i) => !jobs.has(i));
  let next = 0;
  let failed = false;
  const worker = async (): Promise<void> => {
    while (!failed && next < rest.length) {
      const i = rest[next++];
      const l = plan.loaded[i];
      ready[i] = await convertOne(l, ckpt, timings);
      done += l.bytes;
      onProgress?.(done, total);
    }
  };
  const workers = Array.from({ length: Math.min(IN_FLIGHT, rest.length) }, worker);
  const results = await Promise.allSettled(workers.map((w) => w.catch((err) => { failed = true; throw err; })));
  const failure = results.find((r): r is PromiseRejectedResult => r.status === "rejected");
  if (failure) {
    disposeReady();
    throw failure.reason;
  }
  // Every tensor is converted and checked: assigning cannot fail on shape or dtype now.
  const assigning = performance.now();
  plan.loaded.forEach((l, i) => l.weight.variable.write(ready[i] as tf.Tensor));
  tf.dispose(ready as tf.Tensor[]);
  const end = performance.now();
  timings.assignMs = end - assigning;
  timings.applyMs = end - started;
  return timings;
}
