/**
 * Where `%npm` installs: the notebook's project (the nearest package.json upward from the
 * kernel's working directory, which Jupyter sets to the notebook's folder), or, when there is
 * none, a per-notebook environment `.graft/env/` next to the notebook (its own package.json and
 * node_modules). Packages of that environment resolve like the folder's own node_modules, both
 * at run time (node's resolver) and for the TypeScript compiler inside tslab.
 */
import Module from "node:module";
import fs from "node:fs";
import path from "node:path";

/** The folder of the per-notebook environment, relative to the notebook's folder. */
export const ENV_DIR = path.join(".graft", "env");

/** Where packages go for a notebook in `cwd`. */
export interface NotebookProject {
  /** The folder holding package.json (npm runs there). */
  dir: string;
  /** "project": an existing package.json upward; "env": graft's per-notebook environment. */
  kind: "project" | "env";
}

/**
 * The project `%npm` installs into for a notebook in `cwd`.
 * @example
 * notebookProject("/tmp/nb"); // { dir: "/tmp/nb/.graft/env", kind: "env" } when no package.json is above
 */
export function notebookProject(cwd: string): NotebookProject {
  for (let dir = path.resolve(cwd); ; dir = path.dirname(dir)) {
    if (fs.existsSync(path.join(dir, "package.json"))) return { dir, kind: "project" };
    if (path.dirname(dir) === dir) break;
  }
  return { dir: path.join(path.resolve(cwd), ENV_DIR), kind: "env" };
}

/** Creates the per-notebook environment's package.json when it is missing; returns its folder. */
export function ensureEnv(dir: string): string {
  fs.mkdirSync(dir, { recursive: true });
  const pkg = path.join(dir, "package.json");
  if (!fs.existsSync(pkg)) {
    const manifest = { name: "graft-notebook-env", private: true, description: "Packages installed by %npm for the notebooks in ../..", dependencies: {} };
    fs.writeFileSync(pkg, JSON.stringify(manifest, null, 2) + "\n");
  }
  return dir;
}

let installed: string | undefined;

/**
 * Makes packages of `cwd`'s per-notebook environment importable from cells: node's resolver
 * falls back to it, and the compiler sees `cwd/node_modules/X` as `cwd/.graft/env/node_modules/X`
 * when the first does not exist. Idempotent.
 * @example
 * installEnvResolution(process.cwd());
 */
export function installEnvResolution(cwd: string): void {
  if (installed) return;
  const root = path.resolve(cwd);
  installed = root;
  const envModules = path.join(root, ENV_DIR, "node_modules");
  const M = Module as unknown as { _resolveFilename: (request: string, ...rest: any[]) => string };
  const original = M._resolveFilename;
  const fromEnv = Module.createRequire(path.join(root, ENV_DIR, "index.js"));
  M._resolveFilename = function (request: string, ...rest: any[]): string {
    try {
      return original.call(this, request, ...rest);
    } catch (err) {
      if (request.startsWith(".") || path.isAbsolute(request) || request.startsWith("node:") || !fs.existsSync(envModules)) throw err;
      try {
        return fromEnv.resolve(request);
      } catch {
        throw err;
      }
    }
  };
  const local = path.join(root, "node_modules");
  const forward = (p: string): string => {
    if (p !== local && !p.startsWith(local + path.sep)) return p;
    if (fs.existsSync(p) || !fs.existsSync(envModules)) return p;
    return path.join(envModules, p.slice(local.length));
  };
  const tslabDir = path.dirname(require.resolve("tslab/package.json"));
  const ts = require(require.resolve("@tslab/typescript-for-tslab", { paths: [tslabDir] }));
  const sys = ts.sys as Record<string, (...args: any[]) => any>;
  for (const fn of ["fileExists", "readFile", "directoryExists", "realpath", "getDirectories", "readDirectory", "getModifiedTime"]) {
    const orig = sys[fn];
    if (typeof orig !== "function") continue;
    sys[fn] = (p: string, ...rest: unknown[]) => orig.call(sys, typeof p === "string" ? forward(p) : p, ...rest);
  }
  // The compiler's watchers of packages (failed module lookups, node_modules, package.json) are
  // off: %npm reloads the compiler itself, and tslab's debouncer throws ("Unexpected pending
  // rebuildTimer") when two such events arrive between cells, e.g. while npm writes node_modules.
  const watchFile = sys.watchFile;
  const quiet = () => ({ close() {} });
  sys.watchDirectory = quiet;
  sys.watchFile = (p: string, ...rest: unknown[]) => (/[\\/]node_modules[\\/]|package\.json$/.test(p) ? quiet() : watchFile.call(sys, p, ...rest));
}
