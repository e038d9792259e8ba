/**
 * `graft inspect FILE --against MODEL_JSON`: what loadWeights would do with FILE for the tfjs
 * model in MODEL_JSON, without loading anything — the report of `loadWeights(..., {dryRun: true})`
 * (`planReport`). The exit status says whether the plan is clean, so scripts can gate on it.
 */
import fs from "node:fs";
import path from "node:path";
import type * as tf from "@tensorflow/tfjs";

/** Exit statuses: 0 every weight matches, 1 something is missing/unexpected/mismatched/incompatible. */
export const PLAN_CLEAN = 0;
export const PLAN_PROBLEMS = 1;

/** A problem with MODEL_JSON itself: the CLI prints the message alone and exits 2. */
export class ModelJsonError extends Error {}

export interface AgainstOptions {
  json: boolean;
  stripPrefix?: string;
  layout?: string;
}

async function loadModel(modelJson: string): Promise<tf.LayersModel> {
  if (!fs.existsSync(modelJson)) throw new ModelJsonError(`Cannot read model ${modelJson}: no such file`);
  let topology: unknown;
  try {
    topology = JSON.parse(fs.readFileSync(modelJson, "utf8"));
  } catch (err) {
    throw new ModelJsonError(`Cannot read model ${modelJson}: not JSON (${(err as Error).message})`);
  }
  if (!topology || typeof topology !== "object" || !("modelTopology" in topology)) {
    throw new ModelJsonError(`Cannot read model ${modelJson}: no "modelTopology"; --against wants a tfjs Layers model.json (as model.save("file://DIR") writes)`);
  }
  const { ready, tf } = require("../src") as typeof import("../src");
  await ready();
  try {
    return await tf.loadLayersModel(`file://${path.resolve(modelJson)}`);
  } catch (err) {
    throw new ModelJsonError(`Cannot load model ${modelJson}: ${(err as Error).message}`);
  }
}

/**
 * Prints the load plan of `file` onto the model in `modelJson` and returns the exit status.
 * @example
 * ```ts
 * process.exitCode = await inspectAgainst("resnet18.pth", "model/model.json", { json: false });
 * ```
 */
export async function inspectAgainst(file: string, modelJson: string, opts: AgainstOptions): Promise<number> {
  if (!fs.existsSync(file)) throw new Error(`Cannot inspect ${file}: no such file`);
  if (opts.layout !== undefined && !["auto", "torch", "tfjs"].includes(opts.layout)) {
    throw new ModelJsonError(`--layout wants auto, torch or tfjs, got "${opts.layout}"`);
  }
  const model = await loadModel(modelJson);
  const { open, planReport } = require("../src") as typeof import("../src");
  const ckpt = await open(file);
  try {
    const stripPrefix = opts.stripPrefix === undefined ? undefined : opts.stripPrefix === "none" ? false : opts.stripPrefix;
    const report = planReport(model, ckpt, { stripPrefix, layout: opts.layout as "auto" | "torch" | "tfjs" | undefined });
    console.log(opts.json ? JSON.stringify(report.toJSON(), null, 2) : report.toString());
    return report.ok ? PLAN_CLEAN : PLAN_PROBLEMS;
  } finally {
    await ckpt.close();
    model.dispose();
  }
}
