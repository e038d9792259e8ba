/**
 * `graft inspect FILE [--json]`: opens a checkpoint with graft's `open` and prints its tensors
 * as a table, or as JSON `{format, path, container, entries:[{name,shape,dtype,byteLength}], metadata}`.
 * Progress goes to stderr for large files.
 */
import fs from "node:fs";
import type { CheckpointSummary } from "../src";

const BIG = 64 * 1024 * 1024;

/** Prints what `file` holds; throws with an actionable message when it cannot be read. */
export async function inspectFile(file: string, opts: { json: boolean }): Promise<void> {
  if (!fs.existsSync(file)) throw new Error(`Cannot inspect ${file}: no such file`);
  const graft = require("../src") as typeof import("../src");
  const size = fs.statSync(file).size;
  const progress = size > BIG && process.stderr.isTTY !== undefined;
  const onProgress = progress
    ? (done: number, total: number) => process.stderr.write(`\rreading ${file}: ${Math.round((100 * done) / Math.max(1, total))}%`)
    : undefined;
  if (progress) process.stderr.write(`opening ${file} (${(size / 1048576).toFixed(0)} MB)…\n`);
  const ckpt = await graft.open(file, onProgress ? { onProgress } : undefined);
  let summary: CheckpointSummary;
  try {
    summary = graft.inspectCheckpoint(ckpt);
  } finally {
    await ckpt.close?.();
  }
  if (progress) process.stderr.write("\n");
  if (opts.json) {
    console.log(JSON.stringify(summary, null, 2));
    return;
  }
  console.log(graft.renderInspect(summary));
}
