/**
 * The hidden first cell: imports graft so its common names are in scope in every cell (a cell
 * that declares the same name wins), and waits for the tfjs backend so the first user cell
 * computes at full speed.
 */
/** Names bound in every notebook: graft exports each (the type says so, so a rename fails to compile). */
export const PRELUDE_NAMES: readonly (keyof typeof import("../src"))[] = [
  "tf", "open", "loadWeights", "freeze", "unfreeze", "freezeUpTo", "countParams", "trainableVariables",
  "plot", "display", "clearOutput", "zoo", "data", "losses", "fit", "evaluate", "predict", "infer", "save", "engine", "ready",
];

/**
 * The prelude's TypeScript source.
 * @example
 * preludeSource(); // 'import * as graft from "graft";\nimport { tf, open, …, ready } from "graft";\nawait graft.ready();'
 */
export function preludeSource(): string {
  // Named imports (not a destructuring) so `tf` is a namespace for types too (`x as tf.Tensor`).
  return ['import * as graft from "graft";', `import { ${PRELUDE_NAMES.join(", ")} } from "graft";`, "await graft.ready();"].join("\n");
}
