/**
 * `graft inspect FILE [--json]`: opens a checkpoint with graft's `open` and prints its tensors
 * as a table, or as JSON `{format, path, container, entries:[{name,shape,dtype,byteLength}], metadata}`.
 * Progress goes to stderr for large files.
 */
import fs from "node:fs";

interface Summary {
  format: string;
  path: string;
  container?: string | null;
  entries: Array<{ name: string; shape: number[]; dtype: string; byteLength: number }>;
  metadata: Record<string, unknown>;
}

const BIG = 64 * 1024 * 1024;

/** Prints what `file` holds; throws with an actionable message when it cannot be read. */
export async function inspectFile(file: string, opts: { json: boolean }): Promise<void> {
  if (!fs.existsSync(file)) throw new Error(`Cannot inspect ${file}: no such file`);
  const checkpoint: Record<string, any> = require("./checkpoint");
  if (typeof checkpoint.open !== "function") {
    throw new Error("graft inspect is not available yet in this build: src/checkpoint has no `open`; update graft and run `npm run build`");
  }
  const size = fs.statSync(file).size;
  const progress = size > BIG && process.stderr.isTTY !== undefined;
  const onProgress = progress
    ? (done: number, total: number) => process.stderr.write(`\rreading ${file}: ${Math.round((100 * done) / Math.max(1, total))}%`)
    : undefined;
  if (progress) process.stderr.write(`opening ${file} (${(size / 1048576).toFixed(0)} MB)…\n`);
  const ckpt = await checkpoint.open(file, onProgress ? { onProgress } : undefined);
  let summary: Summary;
  try {
    summary =
      typeof checkpoint.inspectCheckpoint === "function"
        ? checkpoint.inspectCheckpoint(ckpt)
        : { format: ckpt.format, path: ckpt.path, container: ckpt.container, entries: ckpt.entries, metadata: ckpt.metadata };
  } finally {
    await ckpt.close?.();
  }
  if (progress) process.stderr.write("\n");
  if (opts.json) {
    console.log(JSON.stringify(summary, null, 2));
    return;
  }
  if (typeof checkpoint.renderInspect === "function") {
    console.log(checkpoint.renderInspect(summary));
    return;
  }
  const { textTable, fmtInt } = require("./display/_html") as typeof import("./display/_html");
  const bytes = summary.entries.reduce((s, e) => s + e.byteLength, 0);
  console.log(`${summary.path}: ${summary.format}${summary.container ? ` (unwrapped from "${summary.container}")` : ""}, ${summary.entries.length} tensors, ${fmtInt(bytes)} bytes`);
  console.log(textTable(["Name", "Shape", "DType", "Bytes"], summary.entries.map((e) => [e.name, `[${e.shape.join(", ")}]`, e.dtype, fmtInt(e.byteLength)])));
  if (Object.keys(summary.metadata ?? {}).length) console.log(`metadata: ${JSON.stringify(summary.metadata)}`);
}
