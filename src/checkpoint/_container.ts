/**
 * Container unwrapping: what `torch.load` returned is not always a state dict (ARCHITECTURE.md §4).
 * From the unpickled value this finds the tensors a user means and where they came from:
 * - a state dict (a dict whose values are tensors) as is;
 * - a dict holding one under a well-known key (`state_dict`, `model`, `model_state_dict`,
 *   `module`, `ema`, `model_ema`, `net`, … nested), `container` naming the key path taken;
 * - a whole pickled `nn.Module` (inert records): `_parameters`, `_buffers` (persistent only) and
 *   `_modules` walked into the usual dotted names, `None` entries skipped;
 * - otherwise every tensor found, under dotted key paths.
 * Everything not taken becomes `metadata`, as plain JSON-able values (tensors described, not read).
 */
import { GraftFormatError } from "./errors";
import { PyGlobal, PyObject, type TensorRef } from "./_pickle_globals";

/** Keys that hold the weights, in the order they are preferred. */
export const CONTAINER_KEYS = [
  "state_dict", "model_state_dict", "model", "module", "ema", "model_ema", "state_dict_ema",
  "net", "network", "weights", "params", "generator", "student", "teacher",
];

export interface Unwrapped {
  tensors: Array<[string, TensorRef]>;
  container?: string;
  metadata: Record<string, unknown>;
}

const MAX_DEPTH = 64;

function isTensor(v: unknown): v is TensorRef {
  return typeof v === "object" && v !== null && (v as TensorRef).kind === "tensor";
}

function isModule(v: unknown): boolean {
  const d = v instanceof PyObject ? v.dict : undefined;
  return d !== undefined && (d.get("_parameters") instanceof Map || d.get("_modules") instanceof Map);
}

function isStateDict(v: unknown): v is Map<unknown, unknown> {
  if (!(v instanceof Map) || v.size === 0) return false;
  for (const x of v.values()) if (!isTensor(x)) return false;
  return true;
}

/** Collects a module's state dict (parameters, persistent buffers, then submodules) under `prefix`. */
function walkModule(m: PyObject, prefix: string, out: Array<[string, TensorRef]>, seen: Set<unknown>, depth: number): void {
  if (seen.has(m) || depth > MAX_DEPTH) return;
  seen.add(m);
  const d = m.dict!;
  const skip = d.get("_non_persistent_buffers_set");
  for (const group of ["_parameters", "_buffers"]) {
    const g = d.get(group);
    if (!(g instanceof Map)) continue;
    for (const [k, v] of g) {
      if (group === "_buffers" && skip instanceof Set && skip.has(k)) continue;
      if (isTensor(v)) out.push([prefix + String(k), v]);
    }
  }
  const mods = d.get("_modules");
  if (mods instanceof Map) {
    for (const [k, v] of mods) if (isModule(v)) walkModule(v as PyObject, `${prefix}${String(k)}.`, out, seen, depth + 1);
  }
}

function flatten(v: unknown, prefix: string, out: Array<[string, TensorRef]>, seen: Set<unknown>, depth: number): void {
  if (depth > MAX_DEPTH || (typeof v === "object" && v !== null && seen.has(v))) return;
  if (isTensor(v)) {
    out.push([prefix.slice(0, -1), v]);
    return;
  }
  if (typeof v === "object" && v !== null) seen.add(v);
  if (isModule(v)) walkModule(v as PyObject, prefix, out, seen, depth);
  else if (v instanceof Map) for (const [k, x] of v) flatten(x, `${prefix}${String(k)}.`, out, seen, depth + 1);
  else if (Array.isArray(v)) v.forEach((x, i) => flatten(x, `${prefix}${i}.`, out, seen, depth + 1));
}

function tensorsOf(v: unknown): Array<[string, TensorRef]> | undefined {
  if (isStateDict(v)) return [...v].map(([k, t]) => [String(k), t as TensorRef]);
  if (isModule(v)) {
    const out: Array<[string, TensorRef]> = [];
    walkModule(v as PyObject, "", out, new Set(), 0);
    return out.length ? out : undefined;
  }
  return undefined;
}

/** Follows a well-known key (recursively) to a state dict or module; returns the path taken. */
function findContainer(v: unknown, path: string[], depth: number): { path: string[]; tensors: Array<[string, TensorRef]> } | undefined {
  const direct = tensorsOf(v);
  if (direct) return { path, tensors: direct };
  if (!(v instanceof Map) || depth > 4) return undefined;
  for (const key of CONTAINER_KEYS) {
    if (!v.has(key)) continue;
    const found = findContainer(v.get(key), [...path, key], depth + 1);
    if (found) return found;
  }
  return undefined;
}

function setKey(obj: Record<string, unknown>, key: string, value: unknown): void {
  Object.defineProperty(obj, key, { value, enumerable: true, writable: true, configurable: true });
}

/** A pickle value as plain JSON-able data (Maps → objects, tensors → short descriptions). */
export function toPlain(v: unknown, depth = 0, seen = new Set<unknown>()): unknown {
  if (v === null || v === undefined) return null;
  if (typeof v === "bigint") return Number.isSafeInteger(Number(v)) ? Number(v) : v.toString();
  if (typeof v === "number") return Number.isFinite(v) ? v : String(v);
  if (typeof v !== "object") return v;
  if (depth > MAX_DEPTH || seen.has(v)) return "<recursive>";
  if (isTensor(v)) return `<tensor ${v.dtype} [${v.shape.join(", ")}]>`;
  if (v instanceof Uint8Array) return `<bytes ${v.length}>`;
  if (v instanceof PyGlobal) return v.qualified;
  seen.add(v);
  try {
    if (Array.isArray(v)) return v.map((x) => toPlain(x, depth + 1, seen));
    if (v instanceof Set) return [...v].map((x) => toPlain(x, depth + 1, seen));
    if (v instanceof Map) {
      const out: Record<string, unknown> = {};
      for (const [k, x] of v) setKey(out, typeof k === "string" ? k : String(toPlain(k, depth + 1, seen)), toPlain(x, depth + 1, seen));
      return out;
    }
    if (v instanceof PyObject) {
      const out: Record<string, unknown> = { __class__: v.className };
      if (isModule(v)) return out;
      const d = v.dict;
      if (d) for (const [k, x] of d) setKey(out, String(k), toPlain(x, depth + 1, seen));
      else if (v.args.length) setKey(out, "__args__", toPlain(v.args, depth + 1, seen));
      return out;
    }
  } finally {
    seen.delete(v);
  }
  return String(v);
}

/**
 * Finds the state dict inside an unpickled checkpoint.
 * @param value what the pickle held
 * @param file the file, for errors
 * @param container an explicit key path ("model.ema") to take instead of guessing
 * @returns the tensors in file order, the container path and the rest as metadata
 * @example
 * ```ts
 * const sd = new Map<string, unknown>([["fc.bias", { shape: [10] }]]); // what a state dict parses to
 * const { container, metadata } = unwrapContainer(new Map<string, unknown>([["state_dict", sd], ["epoch", 3]]), "f.pt");
 * assert.equal(container, "state_dict");
 * assert.deepEqual(metadata, { epoch: 3 });
 * ```
 */
export function unwrapContainer(value: unknown, file: string, container?: string): Unwrapped {
  if (container !== undefined) {
    let v = value;
    const taken: string[] = [];
    for (const key of container.split(".")) {
      if (!(v instanceof Map) || !v.has(key)) {
        const keys = v instanceof Map ? [...v.keys()].map(String).join(", ") : "none (not a dict)";
        throw new GraftFormatError(file, `container path "${container}" not found at "${key}"; keys at ${taken.join(".") || "top level"}: ${keys}`);
      }
      taken.push(key);
      v = v.get(key);
    }
    const tensors: Array<[string, TensorRef]> = [];
    flatten(v, "", tensors, new Set(), 0);
    return { tensors, container, metadata: metadataBeside(value, taken) };
  }
  const found = findContainer(value, [], 0);
  if (found) {
    const metadata = metadataBeside(value, found.path);
    if (isModule(found.path.length ? undefined : value)) setKey(metadata, "__class__", (value as PyObject).className);
    return { tensors: found.tensors, container: found.path.length ? found.path.join(".") : undefined, metadata };
  }
  // No known layout: take tensors at the top level of a dict, else every tensor found.
  const tensors: Array<[string, TensorRef]> = [];
  const metadata: Record<string, unknown> = {};
  if (value instanceof Map) {
    for (const [k, x] of value) {
      const before = tensors.length;
      flatten(x, `${String(k)}.`, tensors, new Set(), 1);
      if (tensors.length === before) setKey(metadata, String(k), toPlain(x));
    }
  } else {
    flatten(value, "", tensors, new Set(), 0);
  }
  return { tensors, metadata };
}

/** Non-tensor items beside the path taken, at every level of it. */
function metadataBeside(value: unknown, path: string[]): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  let v = value;
  const prefix: string[] = [];
  for (const key of path) {
    if (!(v instanceof Map)) break;
    for (const [k, x] of v) if (k !== key) setKey(out, [...prefix, String(k)].join("."), toPlain(x));
    prefix.push(key);
    v = v.get(key);
  }
  return out;
}
