/**
 * `await import("pkg")` in a cell for every ES module. tslab compiles cells to CommonJS, so
 * `import()` becomes `require()`; node ≥ 20.19 requires ES modules, but not those with
 * top-level await (ERR_REQUIRE_ASYNC_MODULE), and older node none (ERR_REQUIRE_ESM). The cell's
 * compiled `import()` is routed through `graftImport`, which falls back to node's real import().
 */
import vm from "node:vm";
import { pathToFileURL } from "node:url";

// Made here, in a module node loaded, so its import() has node's loader (one made inside a
// vm script has none: "A dynamic import callback was not specified").
const esmImport = new Function("url", "return import(url)") as (url: string) => Promise<unknown>;

const ESM_CODES = new Set(["ERR_REQUIRE_ESM", "ERR_REQUIRE_ASYNC_MODULE"]);

function importStar(mod: any): unknown {
  if (mod && mod.__esModule) return mod;
  const out: Record<string, unknown> = { default: mod };
  if (mod && (typeof mod === "object" || typeof mod === "function")) for (const k of Object.keys(mod)) if (k !== "default") out[k] = mod[k];
  return out;
}

/**
 * What a cell's `import(spec)` returns: the module through the cell's `require`, or, for an ES
 * module require cannot load, through node's import().
 * @param spec the module specifier
 * @param req the cell's require (resolves from the notebook's folder)
 * @returns the module namespace
 * @example
 * const m = await graftImport("esm-with-top-level-await", require);
 */
export async function graftImport(spec: string, req: NodeJS.Require): Promise<unknown> {
  try {
    return importStar(req(spec));
  } catch (err) {
    if (!ESM_CODES.has((err as { code?: string })?.code ?? "")) throw err;
    let file: string;
    try {
      file = req.resolve(spec);
    } catch {
      throw err;
    }
    return esmImport(pathToFileURL(file).href);
  }
}

/**
 * Routes TypeScript's CommonJS form of `import(x)` to `__graftImport(x, require)`.
 * @example
 * rewriteDynamicImports('Promise.resolve().then(() => __importStar(require("m")))'); // '__graftImport("m", require)'
 */
export function rewriteDynamicImports(js: string): string {
  return js
    .replace(/Promise\.resolve\(\)\.then\(\(\) => __importStar\(require\(("(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*')\)\)\)/g, "__graftImport($1, require)")
    .replace(/Promise\.resolve\((`(?:[^`\\]|\\.)*`|[\w$.]+)\)\.then\(([\w$]+) => __importStar\(require\(\2\)\)\)/g, "__graftImport($1, require)");
}

let installed = false;

/** Defines `__graftImport` and rewrites tslab's compiled cells as they run. Idempotent. */
export function installEsmImports(): void {
  if (installed) return;
  installed = true;
  Object.defineProperty(globalThis, "__graftImport", { value: graftImport, enumerable: false, configurable: true });
  const original = vm.runInThisContext;
  vm.runInThisContext = function (code: string, options?: vm.RunningScriptOptions | string) {
    if (typeof code === "string" && /^\((async )?function\(exports, require\) \{ /.test(code) && code.includes("__importStar(require(")) code = rewriteDynamicImports(code);
    return original.call(vm, code, options as vm.RunningScriptOptions);
  } as typeof vm.runInThisContext;
}
