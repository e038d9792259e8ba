/** Shared by the kernel and CLI tests: builds dist/ when a source is newer (standalone runs). */
import { execFileSync } from "node:child_process";
import fs from "node:fs";
import path from "node:path";

export const ROOT = path.resolve(__dirname, "..", "..");
export const CLI = path.join(ROOT, "dist", "kernel", "cli.js");
export const KERNEL_MAIN = path.join(ROOT, "dist", "kernel", "main.js");

function newest(dir: string): number {
  let t = 0;
  for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, e.name);
    t = Math.max(t, e.isDirectory() ? newest(p) : fs.statSync(p).mtimeMs);
  }
  return t;
}

/** Runs `tsc -p .` when dist/kernel/main.js is missing or older than src/ or kernel/. */
export function ensureBuilt(): void {
  const stale = !fs.existsSync(KERNEL_MAIN) || fs.statSync(KERNEL_MAIN).mtimeMs < Math.max(newest(path.join(ROOT, "src")), newest(path.join(ROOT, "kernel")));
  if (stale) {
    try {
      execFileSync(process.execPath, [path.join(ROOT, "node_modules", "typescript", "bin", "tsc"), "-p", ROOT], { stdio: "pipe" });
    } catch {
      // type errors elsewhere still emit; the checks below say whether the kernel was built
    }
  }
  if (!fs.existsSync(KERNEL_MAIN) || !fs.existsSync(CLI)) throw new Error(`build failed: ${KERNEL_MAIN} or ${CLI} missing; run npm run build`);
}
