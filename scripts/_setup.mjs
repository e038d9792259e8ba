// Shared by `npm start`, `npm test` and `npm run bench`: make a fresh clone ready to run.
import { execFileSync } from "node:child_process";
import { existsSync, statSync, readdirSync } from "node:fs";
import { join, dirname } from "node:path";
import { fileURLToPath } from "node:url";

export const root = join(dirname(fileURLToPath(import.meta.url)), "..");
/** The project's TypeScript compiler: `npx tsc` may find tslab's older bundled copy (same bin name). */
export const TSC = join(root, "node_modules", "typescript", "bin", "tsc");

export function sh(cmd, args, opts = {}) {
  execFileSync(cmd, args, { stdio: "inherit", cwd: root, ...opts });
}

function newestMtime(dir) {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, entry.name);
    newest = Math.max(newest, entry.isDirectory() ? newestMtime(p) : statSync(p).mtimeMs);
  }
  return newest;
}

/** npm install when node_modules is missing or older than the lockfile; build when sources changed. */
export function setup({ systemDeps = true } = {}) {
  if (systemDeps) sh("bash", ["scripts/system-deps.sh"]);
  const lock = join(root, "package-lock.json");
  const installed = join(root, "node_modules", ".package-lock.json");
  if (!existsSync(installed) || (existsSync(lock) && statSync(lock).mtimeMs > statSync(installed).mtimeMs)) {
    // onnxruntime-node's install script would fetch CUDA providers (from outside the npm registry);
    // its CPU binaries are in its npm package, which is all graft uses.
    sh("npm", [existsSync(lock) ? "ci" : "install", "--no-audit", "--no-fund"], { env: { ...process.env, ONNXRUNTIME_NODE_INSTALL: "skip" } });
  }
  const stamp = join(root, "dist", "src", "index.js");
  const sources = Math.max(newestMtime(join(root, "src")), newestMtime(join(root, "kernel")));
  if (!existsSync(stamp) || statSync(stamp).mtimeMs < sources) sh(process.execPath, [TSC, "-p", "tsconfig.json"]);
}
