/**
 * Top-level `await` that tslab misses. tslab runs a cell in an `async` wrapper only when the
 * TypeScript checker reported "await is only allowed within async functions" (1308) for it. A
 * cell that declares or shows something is a module (tslab appends `export {…}`), and TypeScript
 * re-parses a module's top level in await context, so `await (x)`, `await [p][0]`, `await (await x)`
 * and `for await` raise no such diagnostic: the cell ran in a plain function, where `await (x)` is
 * a call of an undefined `await` and `for await` a syntax error. This looks at the emitted
 * JavaScript itself: any `await` outside a function needs the async wrapper.
 */
import path from "node:path";
import type * as TS from "typescript";

let ts: typeof TS | undefined;

/** tslab's own TypeScript, the one that emitted the code. */
function typescript(): typeof TS {
  return (ts ??= require(require.resolve("@tslab/typescript-for-tslab", { paths: [path.dirname(require.resolve("tslab/package.json"))] })));
}

/**
 * Whether `js` (a converted cell) has an `await` expression or a `for await` loop at its top
 * level, i.e. outside every function, method, accessor and class body.
 * @example
 * hasTopLevelAwait("exports.p = await (f());"); // true
 * hasTopLevelAwait("const f = async () => await (g());"); // false
 */
export function hasTopLevelAwait(js: string): boolean {
  if (!/\bawait\b/.test(js)) return false;
  const t = typescript();
  // `export {}` makes it a module, so the parser reads `await (` as an await expression.
  const file = t.createSourceFile("cell.js", `${js}\nexport {};\n`, t.ScriptTarget.ESNext, false, t.ScriptKind.JS);
  const visit = (node: TS.Node): boolean => {
    if (t.isFunctionLike(node) || t.isClassLike(node)) return false;
    if (t.isAwaitExpression(node)) return true;
    if (t.isForOfStatement(node) && node.awaitModifier) return true;
    return t.forEachChild(node, visit) ?? false;
  };
  return t.forEachChild(file, visit) ?? false;
}
