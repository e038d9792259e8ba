/** Rendering of tfjs Tensors: dtype, shape and a preview of the first values (read synchronously). */
import type { MimeBundle } from "./bridge";
import { escapeHtml } from "./_html";

interface TensorLike {
  shape: number[];
  dtype: string;
  size: number;
  isDisposed: boolean;
  dataSync(): ArrayLike<number> | string[];
}

/** Duck-typed: anything with tfjs Tensor's shape, dtype, size and dataSync. */
export function isTensor(v: unknown): v is TensorLike {
  const t = v as TensorLike;
  return !!t && typeof t === "object" && Array.isArray(t.shape) && typeof t.dtype === "string" && typeof t.dataSync === "function" && typeof t.size === "number";
}

const PREVIEW = 8;

/** `Tensor float32 [2, 3] (6 values)` + the first values, in text and HTML. */
export function tensorBundle(t: TensorLike): MimeBundle {
  const head = `Tensor ${t.dtype} [${t.shape.join(", ")}]`;
  if (t.isDisposed) return { "text/plain": `${head} (disposed)` };
  const data = t.dataSync();
  const n = Math.min(PREVIEW, data.length);
  const vals: string[] = [];
  for (let i = 0; i < n; i++) vals.push(fmt(data[i]));
  const preview = `[${vals.join(", ")}${data.length > n ? ", …" : ""}]`;
  let stats = "";
  if (t.dtype !== "string" && data.length > 0) {
    let min = Infinity, max = -Infinity, sum = 0;
    for (let i = 0; i < data.length; i++) {
      const x = Number(data[i]);
      if (x < min) min = x;
      if (x > max) max = x;
      sum += x;
    }
    stats = `min ${fmt(min)}, max ${fmt(max)}, mean ${fmt(sum / data.length)}`;
  }
  const plain = `${head} (${t.size} values)${stats ? `; ${stats}` : ""}\n${preview}`;
  const html =
    `<div class="graft-tensor"><b>Tensor</b> <code>${escapeHtml(t.dtype)}</code> shape <code>[${t.shape.join(", ")}]</code> ` +
    `· ${t.size} values${stats ? ` · ${escapeHtml(stats)}` : ""}<br><code>${escapeHtml(preview)}</code></div>`;
  return { "text/plain": plain, "text/html": html };
}

function fmt(x: unknown): string {
  if (typeof x !== "number") return JSON.stringify(x);
  return Number.isInteger(x) ? String(x) : String(Number(x.toPrecision(5)));
}
