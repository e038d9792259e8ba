/** `%inspect FILE`: graft.open + a table of the checkpoint's tensors (format, container, metadata). */
import type { MagicSpec } from "./registry";
import { graftFunction } from "./_graft";
import { PACKAGE_ROOT } from "../resolve";
import { escapeHtml, fmtInt, htmlTable, textTable } from "../../src/display/_html";

interface Info {
  format: string;
  path: string;
  container?: string | null;
  entries: Array<{ name: string; shape: number[]; dtype: string; byteLength: number }>;
  metadata: Record<string, unknown>;
  close?: () => Promise<void>;
}

/** The checkpoint table as a mime bundle (also used for `graft inspect`-like output in cells). */
export function checkpointBundle(c: Info): Record<string, string> {
  const head = ["Name", "Shape", "DType", "Bytes"];
  const rows = c.entries.map((e) => [e.name, `[${e.shape.join(", ")}]`, e.dtype, fmtInt(e.byteLength)]);
  const bytes = c.entries.reduce((s, e) => s + e.byteLength, 0);
  const title = `${c.path}: ${c.format}${c.container ? ` (unwrapped from "${c.container}")` : ""}, ${c.entries.length} tensors, ${fmtInt(bytes)} bytes`;
  const meta = Object.keys(c.metadata ?? {}).length ? `metadata: ${JSON.stringify(c.metadata)}` : "";
  return {
    "text/plain": [title, textTable(head, rows), meta].filter(Boolean).join("\n"),
    "text/html": `<div class="graft-checkpoint">${htmlTable(head, rows, title)}${meta ? `<p>${escapeHtml(meta)}</p>` : ""}</div>`,
  };
}

export const inspect: MagicSpec = {
  name: "inspect",
  kind: "line",
  summary: "Opens a checkpoint and lists its tensors: name, shape, dtype, bytes; plus its format, container and metadata.",
  args: { positional: [{ name: "FILE" }] },
  async run(args) {
    const graft = require(PACKAGE_ROOT);
    const open = graftFunction<(f: string) => Promise<Info>>("open", "src/checkpoint");
    const ckpt = await open(String(args.file));
    try {
      const summary: Info = typeof graft.inspectCheckpoint === "function" ? graft.inspectCheckpoint(ckpt) : ckpt;
      const bundle = checkpointBundle(summary);
      if (typeof graft.renderInspect === "function") bundle["text/plain"] = graft.renderInspect(summary);
      return { toMimeBundle: () => bundle };
    } finally {
      await ckpt.close?.();
    }
  },
};
