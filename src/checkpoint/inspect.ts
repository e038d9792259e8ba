/**
 * `graft inspect`: what a checkpoint holds, as data ({@link inspectCheckpoint}) and as a text
 * table ({@link renderInspect}): name, shape, dtype, size per tensor; totals (tensors, parameters,
 * bytes); the format, the container path and the non-tensor metadata. Reads no tensor data.
 */
import type { Checkpoint, CheckpointFormat, TensorInfo } from "./types";

/** The summary `graft inspect --json` prints. */
export interface CheckpointSummary {
  format: CheckpointFormat;
  path: string;
  container: string | null;
  entries: TensorInfo[];
  metadata: Record<string, unknown>;
  totals: { tensors: number; parameters: number; bytes: number };
}

/**
 * Summarises an open checkpoint (index only; nothing is read).
 * @param ck an open checkpoint
 * @returns format, container, entries, metadata and totals
 * @example
 * ```ts
 * const ck = await open("resnet18.pth");
 * const s = inspectCheckpoint(ck);
 * assert.equal(s.totals.parameters, 11699132);
 * ```
 */
export function inspectCheckpoint(ck: Checkpoint): CheckpointSummary {
  let parameters = 0;
  let bytes = 0;
  for (const e of ck.entries) {
    parameters += e.shape.reduce((a, b) => a * b, 1);
    bytes += e.byteLength;
  }
  return {
    format: ck.format,
    path: ck.path,
    container: ck.container ?? null,
    entries: ck.entries.map((e) => ({ name: e.name, shape: e.shape.slice(), dtype: e.dtype, byteLength: e.byteLength })),
    metadata: ck.metadata,
    totals: { tensors: ck.entries.length, parameters, bytes },
  };
}

/** Bytes in binary units: "1.5 KiB", "44.7 MiB". */
export function formatBytes(n: number): string {
  const units = ["B", "KiB", "MiB", "GiB", "TiB"];
  let i = 0;
  let v = n;
  while (v >= 1024 && i < units.length - 1) {
    v /= 1024;
    i++;
  }
  return i === 0 ? `${n} B` : `${v.toFixed(1)} ${units[i]}`;
}

function metadataLines(md: Record<string, unknown>, width: number): string[] {
  return Object.keys(md).map((k) => {
    const text = JSON.stringify(md[k]) ?? "null";
    return `  ${k}: ${text.length > width ? `${text.slice(0, width - 1)}…` : text}`;
  });
}

/**
 * Renders a summary as the text table `graft inspect` prints.
 * @param s the summary from {@link inspectCheckpoint}
 * @param opts maxRows: tensors listed before "… N more" (default all)
 * @returns lines joined by "\n"
 * @example
 * ```ts
 * const ck = await open("resnet18.pth");
 * console.log(renderInspect(inspectCheckpoint(ck)));
 * ```
 */
export function renderInspect(s: CheckpointSummary, opts: { maxRows?: number } = {}): string {
  const rows = s.entries.slice(0, opts.maxRows ?? s.entries.length).map((e) => [e.name, `[${e.shape.join(", ")}]`, e.dtype, formatBytes(e.byteLength)]);
  const header = ["name", "shape", "dtype", "size"];
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const line = (r: string[]): string => r.map((c, i) => (i === 3 ? c.padStart(widths[i]) : c.padEnd(widths[i]))).join("  ").trimEnd();
  const out = [line(header), widths.map((w) => "-".repeat(w)).join("  "), ...rows.map(line)];
  if (rows.length < s.entries.length) out.push(`… ${s.entries.length - rows.length} more tensors`);
  out.push(
    "",
    `tensors: ${s.totals.tensors}   parameters: ${s.totals.parameters.toLocaleString("en-US")}   bytes: ${s.totals.bytes.toLocaleString("en-US")} (${formatBytes(s.totals.bytes)})`,
    `format: ${s.format}`,
    `container: ${s.container ?? "(top level)"}`,
  );
  const md = metadataLines(s.metadata, 100);
  out.push(md.length ? "metadata:" : "metadata: (none)", ...md);
  return out.join("\n");
}
