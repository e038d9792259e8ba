/**
 * Rich rendering: any value → a Jupyter mime bundle (`text/plain` always present).
 * Order of preference: Deno's `[Symbol.for("Jupyter.display")]()`, a `toMimeBundle()` method,
 * tfjs Tensors, LayersModels, parameter counts, a `toHTML()` method, then `util.inspect`.
 */
import { inspect } from "node:util";
import type { MimeBundle } from "./bridge";
import { tensorBundle, isTensor } from "./_tensor";
import { modelBundle, isLayersModel, countsBundle, isParamCounts } from "./_model";

/** Deno's display protocol symbol: `obj[JUPYTER_DISPLAY]()` returns a mime bundle. */
export const JUPYTER_DISPLAY = Symbol.for("Jupyter.display");

/**
 * The mime bundle Jupyter shows for `value`.
 * @param value anything
 * @returns mime type → data, with `text/plain` always present
 * @example Plain values
 * ```ts
 * assert.deepEqual(toMimeBundle(42), { "text/plain": "42" });
 * ```
 * @example Objects that know how to show themselves
 * ```ts
 * const bundle = toMimeBundle({ toHTML: () => "<b>hi</b>" });
 * assert.equal(bundle["text/html"], "<b>hi</b>");
 * ```
 */
export function toMimeBundle(value: unknown): MimeBundle {
  const bundle = richBundle(value);
  if (bundle["text/plain"] === undefined) bundle["text/plain"] = plainText(value);
  return bundle;
}

function richBundle(value: unknown): MimeBundle {
  if (value === null || (typeof value !== "object" && typeof value !== "function")) return {};
  const v = value as Record<string | symbol, any>;
  if (typeof v[JUPYTER_DISPLAY] === "function") return { ...v[JUPYTER_DISPLAY]() };
  if (typeof v.toMimeBundle === "function") return { ...v.toMimeBundle() };
  if (isTensor(value)) return tensorBundle(value);
  if (isLayersModel(value)) return modelBundle(value);
  if (isParamCounts(value)) return countsBundle(value);
  if (typeof v.toHTML === "function") {
    const plain = hasOwnToString(v) ? String(v) : undefined;
    return plain === undefined ? { "text/html": v.toHTML() } : { "text/html": v.toHTML(), "text/plain": plain };
  }
  return {};
}

function hasOwnToString(v: object): boolean {
  for (let p = v; p && p !== Object.prototype; p = Object.getPrototypeOf(p)) {
    if (Object.prototype.hasOwnProperty.call(p, "toString")) return true;
  }
  return false;
}

/** `util.inspect` without colours, as node's REPL prints values. */
export function plainText(value: unknown): string {
  return inspect(value, { colors: false, depth: 4, maxArrayLength: 50, breakLength: 100 });
}
