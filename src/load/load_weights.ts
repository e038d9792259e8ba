/** loadWeights: open → plan → (strict check) → atomic apply → LoadReport. */
import type * as tf from "@tensorflow/tfjs";
import { open } from "../checkpoint/open";
import type { Checkpoint } from "../checkpoint/types";
import { ready } from "../engine/engine";
import { cachedDownload, isUrl } from "../hub/cache";
import { applyPlan } from "./apply";
import { GraftLoadError } from "./errors";
import { LoadOptions, resolveLoadOptions } from "./options";
import { buildPlan, PlanSource } from "./plan";
import { LoadReport, LoadTimings } from "./report";

/**
 * Grafts a checkpoint's weights onto a tfjs model: matches names (then structure), converts
 * PyTorch layouts, loads only what matches in name *and* shape, and reports everything else.
 * Atomic: all tensors are read and converted before any weight changes; an error leaves the
 * model exactly as it was. With `strict`, problems throw {@link GraftLoadError} before any change.
 * @param model the tfjs model to receive weights (e.g. `zoo.resnet18({ numClasses: 10 })`).
 * @param source a checkpoint path (any format `open` reads), an `https://` / `http://` URL (fetched
 *   through PyTorch's hub cache, `$TORCH_HOME/hub/checkpoints`, as `torch.hub` does), or an opened Checkpoint.
 * @param options see {@link LoadOptions}.
 * @returns the {@link LoadReport}.
 * @example
 * ```ts
 * const model = zoo.resnet18({ numClasses: 10 });
 * const report = await loadWeights(model, "resnet18-f37072fd.pth");
 * report.toString(); // loaded 100/102 tensors, 99.6 % of parameters; 2 shape mismatches (fc.weight 1000×512 vs 10×512, fc.bias) …
 * await loadWeights(model, "resnet18-f37072fd.pth", { dryRun: true }); // plan only
 * await loadWeights(model, "https://download.pytorch.org/models/resnet18-f37072fd.pth"); // via ~/.cache/torch/hub/checkpoints
 * ```
 */
export async function loadWeights(model: tf.LayersModel, source: string | Checkpoint, options: LoadOptions = {}): Promise<LoadReport> {
  const start = performance.now();
  const opts = resolveLoadOptions(options);
  if (!model || !Array.isArray((model as { layers?: unknown }).layers)) {
    throw new TypeError(`loadWeights: model must be a tf.LayersModel (tf.sequential, tf.model or a zoo model); got ${String(model)}`);
  }
  if (typeof source !== "string" && (!source || !Array.isArray(source.entries) || typeof source.read !== "function")) {
    throw new TypeError(`loadWeights: source must be a file path or a Checkpoint from open(path); got ${String(source)}`);
  }
  await ready();
  const owned = typeof source === "string";
  const file = typeof source === "string" && isUrl(source) ? (await cachedDownload(source, { onProgress: options.onDownload })).path : source;
  const ckpt = typeof file === "string" ? await open(file) : file;
  try {
    const opened = performance.now();
    const plan = buildPlan(model, ckpt, opts);
    const timings: LoadTimings = { openMs: opened - start, planMs: performance.now() - opened, applyMs: 0, convertMs: 0, assignMs: 0 };
    const elapsed = () => performance.now() - start;
    if (opts.strict) {
      const pre = new LoadReport(plan, { applied: false, elapsedMs: elapsed(), timings, notApplied: "strict: problems found" });
      if (!pre.ok) throw new GraftLoadError(pre);
    }
    if (opts.dryRun) return new LoadReport(plan, { applied: false, elapsedMs: elapsed(), timings, notApplied: "dry run" });
    Object.assign(timings, await applyPlan(plan, ckpt, opts.onProgress));
    return new LoadReport(plan, { applied: plan.loaded.length > 0, elapsedMs: elapsed(), timings });
  } finally {
    if (owned) await ckpt.close();
  }
}

/**
 * The dry-run report, synchronously, from names and shapes alone: nothing is read, nothing
 * changes, no backend is needed. For `graft inspect FILE --against MODEL_JSON` and
 * `%load_weights --dry-run`: show the plan before applying it.
 * @param model the tfjs model that would receive the weights.
 * @param source an opened Checkpoint, or `{ format, entries }` (e.g. `graft inspect --json` output).
 * @param options the {@link LoadOptions} the load would use (`dryRun`/`strict`/`onProgress` are ignored).
 * @returns a LoadReport with `applied: false`.
 * @example
 * ```ts
 * const ck = await open("resnet18.pth");
 * console.log(planReport(zoo.resnet18({ numClasses: 10 }), ck).toString());
 * // loaded 100/102 tensors, 99.0 % of parameters; 2 shape mismatches (fc.weight 1000×512 vs 10×512, fc.bias); not applied (dry run)
 * ```
 */
export function planReport(model: tf.LayersModel, source: PlanSource, options: LoadOptions = {}): LoadReport {
  const start = performance.now();
  const plan = buildPlan(model, source, resolveLoadOptions(options));
  return new LoadReport(plan, { applied: false, elapsedMs: performance.now() - start, notApplied: "dry run" });
}
