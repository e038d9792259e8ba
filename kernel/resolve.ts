/**
 * Makes `import … from "graft"` work in every notebook cell, wherever the kernel was started:
 * at run time (node's resolver) and at compile time (the TypeScript compiler inside tslab).
 * Inside this repository node already resolves "graft" by package self-reference; elsewhere
 * (a notebook in /tmp, a project without graft installed) both fall back to this package.
 */
import Module from "node:module";
import path from "node:path";
import fs from "node:fs";

/** The root of the graft package this kernel belongs to (holds package.json). */
export const PACKAGE_ROOT = path.resolve(__dirname, "..", "..");

const NAME = "graft";

/**
 * graft's public API, typed, loaded on first use (not at kernel start): the same module instance
 * as a notebook's `require("graft")` (both resolve to this package's dist/src/index.js).
 * @example
 * const names = graftLib().freeze(model, graftLib().parsePattern("layer1.*"));
 */
export function graftLib(): typeof import("../src") {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  return require("../src");
}

/**
 * Installs both fallbacks; call once, before the first cell compiles.
 * @example
 * installGraftResolution();
 * require("graft"); // resolves from any working directory
 */
export function installGraftResolution(): void {
  patchNodeResolver();
  patchCompilerSys();
}

function patchNodeResolver(): void {
  const M = Module as unknown as { _resolveFilename: (request: string, ...rest: unknown[]) => string };
  const original = M._resolveFilename;
  M._resolveFilename = function (request: string, ...rest: unknown[]): string {
    try {
      return original.call(this, request, ...rest);
    } catch (err) {
      if (request !== NAME && !request.startsWith(NAME + "/")) throw err;
      return original.call(this, path.join(PACKAGE_ROOT, request === NAME ? "" : request.slice(NAME.length + 1)), ...rest);
    }
  };
}

/** Maps `…/node_modules/graft/<rest>` to `PACKAGE_ROOT/<rest>` when no such folder exists. */
function forward(p: string): string {
  const m = /^(.*)[\\/]node_modules[\\/]graft(?=$|[\\/])(.*)$/.exec(p);
  if (!m || fs.existsSync(path.join(m[1], "node_modules", NAME))) return p;
  return path.join(PACKAGE_ROOT, m[2]);
}

function patchCompilerSys(): void {
  const tslabDir = path.dirname(require.resolve("tslab/package.json"));
  const ts = require(require.resolve("@tslab/typescript-for-tslab", { paths: [tslabDir] }));
  const sys = ts.sys as Record<string, (...args: any[]) => any>;
  for (const fn of ["fileExists", "readFile", "directoryExists", "realpath", "getDirectories", "readDirectory", "getModifiedTime"]) {
    const original = sys[fn];
    if (typeof original !== "function") continue;
    sys[fn] = (p: string, ...rest: unknown[]) => original.call(sys, typeof p === "string" ? forward(p) : p, ...rest);
  }
}
