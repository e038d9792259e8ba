/**
 * The parameter table: Keras-`summary()`-like text with a Frozen column, and an HTML table for
 * notebooks. Both come from {@link countParams}.
 */
import * as tf from "@tensorflow/tfjs";
import { countParams, type ParamCounts } from "./count";

/** A rendered parameter table: `toString()` for text, `toHTML()` for the kernel. */
export interface ParamsTable {
  counts: ParamCounts;
  toString(): string;
  toHTML(): string;
  toJSON(): ParamCounts;
}

const isCounts = (v: tf.LayersModel | ParamCounts): v is ParamCounts => !("getLayer" in v);

/** 1234567 → "1,234,567"; beyond 1e21 in exponent form; NaN and ±∞ as such. */
const fmt = (n: number) => (!Number.isFinite(n) ? (Number.isNaN(n) ? "NaN" : n > 0 ? "∞" : "-∞") : Math.abs(n) >= 1e21 ? n.toExponential(3) : n.toLocaleString("en-US"));
/** Most layer rows a table shows; the rest are counted. */
const MAX_ROWS = 1000;

function state(r: { trainable: number; frozen: number }): string {
  if (r.trainable + r.frozen === 0) return "";
  if (r.frozen === 0) return "trainable";
  return r.trainable === 0 ? "frozen" : "partly frozen";
}

/**
 * Text like Keras `summary()`: one row per layer with weights (layers without weights are
 * summarised in one line), columns Layer (type), Trainable, Frozen, Non-trainable, State.
 * @example
 * ```ts
 * console.log(graft.formatParams(model));
 * ```
 */
export function formatParams(model: tf.LayersModel | ParamCounts): string {
  const c = isCounts(model) ? model : countParams(model);
  const all = c.layers.filter((r) => r.trainable + r.frozen + r.nonTrainable > 0);
  const rows = all.slice(0, MAX_ROWS);
  const head = ["Layer (type)", "Trainable", "Frozen", "Non-trainable", "State"];
  const body = rows.map((r) => [`${r.name} (${r.className})`, fmt(r.trainable), fmt(r.frozen), fmt(r.nonTrainable), state(r)]);
  const widths = head.map((h, i) => body.reduce((w, b) => Math.max(w, b[i].length), h.length));
  const line = (cells: string[]) => cells.map((s, i) => (i === 0 || i === 4 ? s.padEnd(widths[i]) : s.padStart(widths[i]))).join("  ").trimEnd();
  const rule = "_".repeat(widths.reduce((a, b) => a + b + 2, -2));
  const skipped = c.layers.length - all.length;
  return [
    rule,
    line(head),
    "=".repeat(rule.length),
    ...body.map(line),
    ...(all.length > rows.length ? [`(… ${all.length - rows.length} more layers with weights)`] : []),
    ...(skipped > 0 ? [`(${skipped} layer${skipped === 1 ? "" : "s"} without weights not shown)`] : []),
    "=".repeat(rule.length),
    `Total params: ${fmt(c.total)}`,
    `Trainable params: ${fmt(c.trainable)}`,
    `Frozen params: ${fmt(c.frozen)}`,
    `Non-trainable params: ${fmt(c.nonTrainable)}`,
    rule,
  ].join("\n");
}

function esc(s: string): string {
  return s.replace(/[&<>"']/g, (ch) => `&#${ch.charCodeAt(0)};`);
}

/**
 * The same table as HTML (a `<table class="graft-params">` with a totals footer).
 * @example
 * ```ts
 * graft.display(graft.paramsTable(model)); // the kernel shows toHTML()
 * ```
 */
export function paramsTable(model: tf.LayersModel | ParamCounts): ParamsTable {
  const counts = isCounts(model) ? model : countParams(model);
  const toHTML = () => {
    const all = counts.layers.filter((r) => r.trainable + r.frozen + r.nonTrainable > 0);
    const rows = all.slice(0, MAX_ROWS);
    const td = (s: string, right = true) => `<td style="text-align:${right ? "right" : "left"}">${esc(s)}</td>`;
    const tr = rows.map((r) =>
      `<tr class="${state(r).replace(" ", "-")}">${td(r.name, false)}${td(r.className, false)}${td(fmt(r.trainable))}${td(fmt(r.frozen))}${td(fmt(r.nonTrainable))}${td(state(r), false)}</tr>`);
    return [
      `<table class="graft-params">`,
      `<thead><tr><th>Layer</th><th>Type</th><th>Trainable</th><th>Frozen</th><th>Non-trainable</th><th>State</th></tr></thead>`,
      `<tbody>${tr.join("")}${all.length > rows.length ? `<tr><td colspan="6">… ${all.length - rows.length} more layers with weights</td></tr>` : ""}</tbody>`,
      `<tfoot><tr><th colspan="2" style="text-align:left">Total ${esc(fmt(counts.total))}</th>${td(fmt(counts.trainable))}${td(fmt(counts.frozen))}${td(fmt(counts.nonTrainable))}<td></td></tr></tfoot>`,
      `</table>`,
    ].join("");
  };
  return { counts, toString: () => formatParams(counts), toHTML, toJSON: () => counts };
}
