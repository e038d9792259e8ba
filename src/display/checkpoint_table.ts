/** The table of a checkpoint's tensors, as `%inspect` and `graft inspect` show it. */
import type { CheckpointSummary } from "../checkpoint";
import { renderInspect } from "../checkpoint";
import type { MimeBundle } from "./bridge";
import { escapeHtml, fmtInt, htmlTable } from "./_html";

/**
 * A checkpoint summary as a mime bundle: the text of `renderInspect` and an HTML table of every
 * tensor (name, shape, dtype, bytes) under a title with the format, container and size.
 * @param summary what `inspectCheckpoint(checkpoint)` returns
 * @returns `text/plain` and `text/html`
 * @example
 * ```ts
 * const ck = await graft.open("resnet18.pth");
 * graft.display({ toMimeBundle: () => graft.checkpointBundle(graft.inspectCheckpoint(ck)) });
 * ```
 */
export function checkpointBundle(summary: CheckpointSummary): MimeBundle {
  const head = ["Name", "Shape", "DType", "Bytes"];
  const rows = summary.entries.map((e) => [e.name, `[${e.shape.join(", ")}]`, e.dtype, fmtInt(e.byteLength)]);
  const bytes = summary.entries.reduce((s, e) => s + e.byteLength, 0);
  const title = `${summary.path}: ${summary.format}${summary.container ? ` (unwrapped from "${summary.container}")` : ""}, ` +
    `${summary.entries.length} tensors, ${fmtInt(bytes)} bytes`;
  const meta = Object.keys(summary.metadata ?? {}).length ? `metadata: ${JSON.stringify(summary.metadata)}` : "";
  return {
    "text/plain": renderInspect(summary),
    "text/html": `<div class="graft-checkpoint">${htmlTable(head, rows, title)}${meta ? `<p>${escapeHtml(meta)}</p>` : ""}</div>`,
  };
}
