/**
 * Layer patterns: which layers of a model a freeze, unfreeze or schedule addresses.
 *
 * A pattern is one of
 * - a glob over full layer names: `*` matches any run of characters except `/` (so it crosses
 *   the dots of torch-style names: `"layer[1-3].*"` matches `layer1.0.conv1`), `**` also crosses
 *   `/` into nested models, `?` one character except `/`, `[1-3]` / `[!0]` a character class,
 *   `{conv1,bn1}` alternatives, `\` escapes; a leading `!` negates (every layer except those);
 * - a RegExp, tested (unanchored, like `RegExp.test`) against full names;
 * - an array of globs or names, applied in order like a .gitignore: plain entries add layers,
 *   `!` entries remove them; an array that starts with a `!` entry starts from every layer;
 * - a predicate `(layer) => boolean`.
 * Nested models are addressed `outer/inner` (`backbone/layer1.0.conv1`). A pattern that selects a
 * nested model selects every layer inside it. A glob, regex or array entry that matches nothing is
 * an error (a typo must not silently freeze nothing, or with `!`, everything).
 */
import * as tf from "@tensorflow/tfjs";
import { GraftPatternError } from "./errors";
import { _globToRegExp, _splitGlobList } from "../_text/glob";
import { _closest } from "./_edit_distance";
import { _assertModel, _walk, type LayerNode } from "./_tree";

/** What graft accepts to pick layers: glob, RegExp, list of globs/names, or predicate. */
export type Pattern = string | RegExp | string[] | ((layer: tf.layers.Layer) => boolean);

/**
 * Compiles a glob over layer names to an anchored RegExp (syntax above).
 * @param glob the glob, without a leading `!`.
 * @returns a RegExp matching whole names.
 * @example
 * ```ts
 * globToRegExp("layer[1-3].*").test("layer1.0.conv1"); // true
 * globToRegExp("*").test("backbone/conv1");            // false: `*` stays within one level
 * ```
 */
export function globToRegExp(glob: string): RegExp {
  return _globToRegExp(glob, { separator: "/", what: "layer glob" });
}


/** Pretty form of a pattern for messages. */
export function _describe(pattern: Pattern): string {
  if (typeof pattern === "string") return JSON.stringify(pattern);
  if (pattern instanceof RegExp) return String(pattern);
  if (Array.isArray(pattern)) return JSON.stringify(pattern);
  return `predicate ${pattern.name || "(anonymous)"}`;
}

function noMatch(fn: string, part: string, whole: Pattern, nodes: LayerNode[], model: tf.LayersModel): GraftPatternError {
  const names = nodes.map((n) => n.path);
  const candidates = typeof whole === "function" ? [] : _closest(part, names);
  const label = typeof whole === "string" || Array.isArray(whole) ? JSON.stringify(part) : part;
  const partText = Array.isArray(whole) ? `${label} (in ${_describe(whole)})` : label;
  return new GraftPatternError(
    `${fn}: pattern ${partText} matches none of the ${names.length} layers of model "${model.name}". ` +
      (candidates.length ? `Closest layer names: ${candidates.join(", ")}. ` : `Its layers: ${names.slice(0, 8).join(", ")}${names.length > 8 ? ", …" : ""}. `) +
      `Globs match whole names: "*" crosses "." but not "/", "**" crosses "/", nested layers are named "outer/inner"; ` +
      `list every name with graft.layerNames(model).`,
    part,
    candidates,
  );
}

/**
 * The leaf layers `pattern` selects in `model`, in model order (syntax above).
 * @param model the model whose layers (nested ones included) are searched.
 * @param pattern glob, RegExp, array of globs/names, or predicate.
 * @param fn the calling function's name, used in messages.
 * @returns the selected leaf layers with their full names.
 * @throws {GraftPatternError} when a glob, regex, list entry or predicate matches nothing.
 * @throws {TypeError} when `pattern` is none of the accepted types.
 * @example
 * ```ts
 * selectLayers(model, "!fc").map((n) => n.path); // every layer but the head
 * ```
 */
export function selectLayers(model: tf.LayersModel, pattern: Pattern, fn = "selectLayers"): LayerNode[] {
  _assertModel(model, fn);
  const nodes = _walk(model);
  const leaves = nodes.filter((n) => !n.container);
  const expand = (hits: LayerNode[]): Set<LayerNode> => new Set(hits.flatMap((n) => n.leaves));
  const byTest = (test: (n: LayerNode) => boolean, part: string): Set<LayerNode> => {
    const hits = nodes.filter(test);
    if (hits.length === 0) throw noMatch(fn, part, pattern, nodes, model);
    return expand(hits);
  };
  /** `label` is what messages and the error's `pattern` field show: the glob as written, `!` included. */
  const byGlob = (glob: string, label = glob): Set<LayerNode> => {
    const re = globToRegExp(glob);
    return byTest((n) => re.test(n.path), label);
  };

  let selected: Set<LayerNode>;
  if (typeof pattern === "string") {
    if (pattern.startsWith("!")) {
      const removed = byGlob(pattern.slice(1), pattern);
      selected = new Set(leaves.filter((n) => !removed.has(n)));
    } else selected = byGlob(pattern);
  } else if (pattern instanceof RegExp) {
    const re = new RegExp(pattern.source, pattern.flags.replace(/[gy]/g, ""));
    selected = byTest((n) => re.test(n.path), String(pattern));
  } else if (Array.isArray(pattern)) {
    const bad = pattern.find((p) => typeof p !== "string");
    if (bad !== undefined) throw new TypeError(`${fn}: a pattern list holds layer names or globs (strings): got ${typeof bad} ${String(bad)}`);
    selected = new Set(pattern.length > 0 && pattern[0].startsWith("!") ? leaves : []);
    for (const p of pattern) {
      if (p.startsWith("!")) for (const n of byGlob(p.slice(1), p)) selected.delete(n);
      else for (const n of byGlob(p)) selected.add(n);
    }
  } else if (typeof pattern === "function") {
    selected = byTest((n) => Boolean(pattern(n.layer)), _describe(pattern));
  } else {
    const got = pattern === null ? "null" : typeof pattern;
    throw new TypeError(`${fn}: pattern must be a glob string, RegExp, array of names/globs or (layer) => boolean: got ${got}`);
  }
  return leaves.filter((n) => selected.has(n));
}

/**
 * A pattern written as text, as the `%freeze` magic and a command line take it: `/re/flags` is a
 * RegExp, `a,b` a list (commas inside `{a,b}` stay), anything else one glob.
 * @param text the pattern as typed
 * @returns the {@link Pattern} that `freeze`, `unfreeze` and `selectLayers` take
 * @example
 * ```ts
 * graft.parsePattern("/^layer[12]\\./");   // /^layer[12]\./
 * graft.parsePattern("conv1,{bn1,fc}");  // ["conv1", "{bn1,fc}"]
 * ```
 */
export function parsePattern(text: string): Pattern {
  const re = /^\/(.+)\/([gimsuy]*)$/.exec(text);
  if (re) return new RegExp(re[1], re[2]);
  const parts = _splitGlobList(text);
  return parts.length > 1 ? parts : text;
}

/**
 * Every layer name of `model`, nested models and their contents included (`backbone/conv1`).
 * @example
 * ```ts
 * graft.layerNames(model); // ["conv1", "bn1", "relu", "layer1.0.conv1", …, "fc"]
 * ```
 */
export function layerNames(model: tf.LayersModel): string[] {
  _assertModel(model, "layerNames");
  return _walk(model).map((n) => n.path);
}
