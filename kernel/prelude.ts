/**
 * The hidden first cell: imports graft so its common names are in scope in every cell (a cell
 * that declares the same name wins), and waits for the tfjs backend so the first user cell
 * computes at full speed.
 */
import { graftLib } from "./resolve";

/** Names bound in every notebook when graft exports them. */
export const PRELUDE_NAMES = [
  "tf", "open", "loadWeights", "freeze", "unfreeze", "freezeUpTo", "countParams", "trainableVariables",
  "plot", "display", "clearOutput", "zoo", "engine", "ready",
] as const;

/**
 * The prelude's TypeScript source, binding only what the built package exports.
 * @example
 * preludeSource(); // 'import * as graft from "graft";\nimport { tf, engine, ready } from "graft";\nawait graft.ready();'
 */
export function preludeSource(exported: Record<string, unknown> = graftLib()): string {
  const names = PRELUDE_NAMES.filter((n) => exported[n] !== undefined);
  const lines = ['import * as graft from "graft";'];
  // Named imports (not a destructuring) so `tf` is a namespace for types too (`x as tf.Tensor`).
  if (names.length) lines.push(`import { ${names.join(", ")} } from "graft";`);
  if (typeof exported.ready === "function") lines.push("await graft.ready();");
  return lines.join("\n");
}
