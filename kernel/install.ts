/**
 * Registers the kernelspec "graft" ("TypeScript (graft)") with Jupyter. The spec runs this very
 * checkout's kernel: `argv` holds the absolute paths of node and of dist/kernel/main.js, and the
 * kernel's heap limit (GRAFT_KERNEL_HEAP_MB, else half the memory; see _heap.ts).
 *
 * Where it goes (Jupyter's own rules): `--user` → the per-user data dir
 * (~/.local/share/jupyter/kernels/graft); `--prefix DIR` → DIR/share/jupyter/kernels/graft;
 * no flag → the system dir /usr/local/share/jupyter/kernels/graft when running as root, else
 * the per-user dir. `jupyter kernelspec install` does the copy when Jupyter is installed; when
 * it is not, graft writes kernel.json to the same place itself.
 */
import { spawnSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { PACKAGE_ROOT } from "./resolve";
import { kernelHeapMB } from "./_heap";

export const KERNEL_NAME = "graft";
export const DISPLAY_NAME = "TypeScript (graft)";

export interface InstallOptions {
  user?: boolean;
  prefix?: string;
}

/** The kernel.json content. */
export function kernelSpec(): Record<string, unknown> {
  return {
    // A bounded heap (_heap.ts): a runaway cell ends in V8's "heap out of memory", which the next
    // kernel reports, rather than in the system's silent out-of-memory kill.
    argv: [process.execPath, `--max-old-space-size=${kernelHeapMB()}`, path.join(PACKAGE_ROOT, "dist", "kernel", "main.js"), "--config-path", "{connection_file}"],
    display_name: DISPLAY_NAME,
    language: "typescript",
    // Jupyter sends interrupt_request on the control channel: the control thread raises SIGINT at
    // once (it breaks a synchronous loop) and the main thread interrupts an awaited cell even if
    // that signal was lost (see _sigint.ts).
    interrupt_mode: "message",
    metadata: { debugger: false },
  };
}

/**
 * Writes kernel.json into `dir/kernels/graft/` (a Jupyter data dir) and returns that folder.
 * @example
 * writeKernelSpec("/tmp/jp"); // then JUPYTER_PATH=/tmp/jp finds the kernel "graft"
 */
export function writeKernelSpec(dataDir: string): string {
  const dir = path.join(dataDir, "kernels", KERNEL_NAME);
  fs.mkdirSync(dir, { recursive: true });
  fs.writeFileSync(path.join(dir, "kernel.json"), JSON.stringify(kernelSpec(), null, 2) + "\n");
  return dir;
}

/** The `jupyter` command: Debian's /usr/bin/jupyter first (another python may come first on PATH). */
export function jupyterCommand(): string | undefined {
  if (fs.existsSync("/usr/bin/jupyter")) return "/usr/bin/jupyter";
  const r = spawnSync("jupyter", ["--version"], { stdio: "ignore" });
  return r.status === 0 ? "jupyter" : undefined;
}

function userDataDir(): string {
  if (process.env.JUPYTER_DATA_DIR) return process.env.JUPYTER_DATA_DIR;
  const xdg = process.env.XDG_DATA_HOME || path.join(os.homedir(), ".local", "share");
  return path.join(xdg, "jupyter");
}

/**
 * Installs the kernelspec; returns the folder holding kernel.json.
 * @example
 * installKernel({ prefix: "/tmp/env" }); // "/tmp/env/share/jupyter/kernels/graft"
 */
export function installKernel(opts: InstallOptions = {}): string {
  if (opts.user && opts.prefix) throw new TypeError("Cannot install with both --user and --prefix: pick one");
  if (!fs.existsSync(path.join(PACKAGE_ROOT, "dist", "kernel", "main.js"))) {
    throw new Error(`Cannot install the kernel: ${path.join(PACKAGE_ROOT, "dist", "kernel", "main.js")} is missing; run \`npm run build\` first`);
  }
  const user = opts.user || (!opts.prefix && process.getuid?.() !== 0);
  const jupyter = jupyterCommand();
  if (jupyter) {
    const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "graft-spec-"));
    try {
      const src = writeKernelSpec(tmp);
      const args = ["kernelspec", "install", "--replace", "--name", KERNEL_NAME];
      if (user) args.push("--user");
      if (opts.prefix) args.push("--prefix", path.resolve(opts.prefix));
      args.push(src);
      const r = spawnSync(jupyter, args, { encoding: "utf8" });
      const out = `${r.stdout}${r.stderr}`;
      if (r.status !== 0) throw new Error(`Cannot install the kernelspec: \`${jupyter} ${args.join(" ")}\` failed: ${out.trim()}`);
      const m = /Installed kernelspec \S+ in (.+)/.exec(out);
      if (m) return m[1].trim();
    } finally {
      fs.rmSync(tmp, { recursive: true, force: true });
    }
  }
  const dataDir = opts.prefix ? path.join(path.resolve(opts.prefix), "share", "jupyter") : user ? userDataDir() : "/usr/local/share/jupyter";
  return writeKernelSpec(dataDir);
}
