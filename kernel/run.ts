/**
 * `graft run NOTEBOOK`: executes a notebook headless through *this* checkout's graft kernel
 * (a private kernelspec on JUPYTER_PATH, so whatever is installed system-wide is not used), with
 * Debian's python3-nbclient; saves the executed notebook and, when asked, its HTML.
 */
import { spawnSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { DISPLAY_NAME, KERNEL_NAME, writeKernelSpec } from "./install";
import { PACKAGE_ROOT } from "./resolve";

export interface RunOptions {
  /** Executed notebook path; default `out/<name>.ipynb` under the current directory. */
  output?: string;
  /** Also write HTML here (nbconvert). */
  html?: string;
  /** Seconds per cell; default 600. */
  timeout?: number;
}

export interface RunResult {
  /** 0 ok, 1 a cell failed, 2 the kernel or Python side failed. */
  status: number;
  output: string;
  html?: string;
}

/** Debian's python (it has nbclient), unless GRAFT_PYTHON says otherwise. */
export function pythonCommand(): string {
  if (process.env.GRAFT_PYTHON) return process.env.GRAFT_PYTHON;
  return fs.existsSync("/usr/bin/python3") ? "/usr/bin/python3" : "python3";
}

/**
 * Runs `notebook`; output of nbclient and of the kernel goes to this process's stdout/stderr.
 * @example
 * const r = runNotebook("notebooks/01-quickstart.ipynb", { html: "out/quickstart.html" });
 * if (r.status !== 0) process.exit(r.status);
 */
export function runNotebook(notebook: string, opts: RunOptions = {}): RunResult {
  if (!fs.existsSync(notebook)) throw new Error(`Cannot run ${notebook}: no such file`);
  const name = path.basename(notebook).replace(/\.ipynb$/, "");
  const output = opts.output ?? path.join("out", `${name}.ipynb`);
  const jupyterPath = fs.mkdtempSync(path.join(os.tmpdir(), "graft-run-"));
  try {
    writeKernelSpec(jupyterPath);
    const args = [path.join(PACKAGE_ROOT, "kernel", "run_notebook.py"), notebook, "--output", output, "--kernel", KERNEL_NAME, "--display-name", DISPLAY_NAME];
    if (opts.html) args.push("--html", opts.html);
    if (opts.timeout !== undefined) args.push("--timeout", String(opts.timeout));
    const env = { ...process.env, JUPYTER_PATH: [jupyterPath, process.env.JUPYTER_PATH].filter(Boolean).join(path.delimiter) };
    const r = spawnSync(pythonCommand(), args, { stdio: "inherit", env });
    if (r.error) throw new Error(`Cannot start ${pythonCommand()}: ${r.error.message}; install python3-nbclient (Debian) or set GRAFT_PYTHON`);
    return { status: r.status ?? 2, output, html: opts.html };
  } finally {
    fs.rmSync(jupyterPath, { recursive: true, force: true });
  }
}
