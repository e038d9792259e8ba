/**
 * A real Jupyter Notebook 6 (Debian's `jupyter-notebook`) driven by Debian's Chromium through
 * playwright-core (test helper). `startNotebook6()` starts the server on 127.0.0.1 with a
 * token, in a temporary directory, with graft's kernel installed there by `graft install
 * --prefix` and found through JUPYTER_PATH (config, data and runtime folders are temporary
 * too, so the trust database is the test's own); `stop()` shuts it all down and removes it.
 * The page helpers drive the classic UI through its `Jupyter.notebook` object.
 */
import { execFileSync, spawn, type ChildProcess } from "node:child_process";
import * as fs from "node:fs";
import * as net from "node:net";
import * as os from "node:os";
import * as path from "node:path";
import { chromium, type BrowserContext, type Page } from "playwright-core";
import { CLI, ensureBuilt } from "../kernel/_build";

export const CHROMIUM = "/usr/bin/chromium";
export const PYTHON = "/usr/bin/python3";

/** A running Notebook 6 server and a browser pointed at it. */
export interface Notebook6 {
  /** The folder the server serves (notebooks go here). */
  dir: string;
  /** `http://127.0.0.1:PORT`. */
  base: string;
  token: string;
  context: BrowserContext;
  /** Everything the server printed (for failure messages). */
  log(): string;
  /** Opens `name` (relative to `dir`) and waits until the notebook is loaded and its kernel ready. */
  open(name: string): Promise<Page>;
  /** Stops the browser and the server (its kernels with it) and removes the folders. */
  stop(): Promise<void>;
}

interface JupyterWindow {
  Jupyter: {
    notebook: {
      _fully_loaded?: boolean;
      trusted: boolean;
      kernel?: { info_reply?: Record<string, unknown>; is_connected(): boolean };
      get_cells(): Array<{ cell_type: string; input_prompt_number?: number | string | null; output_area?: { outputs: unknown[] } }>;
      execute_all_cells(): void;
      execute_cells(indices: number[]): void;
      save_notebook(): Promise<unknown>;
      dirty: boolean;
    };
  };
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.on("error", reject);
    srv.listen(0, "127.0.0.1", () => {
      const port = (srv.address() as net.AddressInfo).port;
      srv.close(() => resolve(port));
    });
  });
}

async function waitForServer(base: string, token: string, server: ChildProcess, log: () => string, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (server.exitCode !== null) throw new Error(`jupyter-notebook exited (${server.exitCode}) before serving:\n${log()}`);
    try {
      const r = await fetch(`${base}/api/status?token=${token}`);
      if (r.ok) return;
    } catch { /* not listening yet */ }
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(`jupyter-notebook did not answer on ${base} within ${timeoutMs} ms:\n${log()}`);
}

/**
 * Starts Notebook 6 with the graft kernel, and headless Chromium allowed to reach only it.
 * @example
 * const nb = await startNotebook6();
 * fs.writeFileSync(path.join(nb.dir, "a.ipynb"), JSON.stringify(notebook));
 * const page = await nb.open("a.ipynb");
 * await runAll(page);
 * await nb.stop();
 */
export async function startNotebook6(): Promise<Notebook6> {
  for (const [what, check] of [["Notebook 6 (Debian package jupyter-notebook)", () => execFileSync(PYTHON, ["-c", "import notebook"], { stdio: "pipe" })],
    ["Chromium (Debian package chromium)", () => fs.accessSync(CHROMIUM, fs.constants.X_OK)]] as const) {
    try { check(); } catch { throw new Error(`Cannot start the browser test: ${what} is not installed; run scripts/system-deps.sh as root`); }
  }
  ensureBuilt();
  const root = fs.mkdtempSync(path.join(os.tmpdir(), "graft-nb6-"));
  const dir = path.join(root, "notebooks"), prefix = path.join(root, "prefix");
  for (const d of [dir, prefix, path.join(root, "config"), path.join(root, "data"), path.join(root, "runtime"), path.join(root, "profile")]) fs.mkdirSync(d, { recursive: true });
  execFileSync(process.execPath, [CLI, "install", "--prefix", prefix], { stdio: "pipe" });
  const port = await freePort();
  const token = Math.random().toString(36).slice(2) + Math.random().toString(36).slice(2);
  const base = `http://127.0.0.1:${port}`;
  const env = {
    ...process.env,
    JUPYTER_PATH: path.join(prefix, "share", "jupyter"),
    JUPYTER_CONFIG_DIR: path.join(root, "config"),
    JUPYTER_DATA_DIR: path.join(root, "data"),
    JUPYTER_RUNTIME_DIR: path.join(root, "runtime"),
  };
  const server = spawn(PYTHON, ["-m", "notebook", "--no-browser", "--ip=127.0.0.1", `--port=${port}`, "--port-retries=0",
    `--NotebookApp.token=${token}`, `--notebook-dir=${dir}`, "--NotebookApp.open_browser=False", ...(process.getuid?.() === 0 ? ["--allow-root"] : [])], { env, stdio: ["ignore", "pipe", "pipe"], detached: true });
  let output = "";
  server.stdout!.on("data", (b) => { output += b; });
  server.stderr!.on("data", (b) => { output += b; });
  const log = () => output;
  let context: BrowserContext | undefined;
  const stop = async () => {
    await context?.close().catch(() => {});
    if (server.exitCode === null) {
      const exited = new Promise((r) => server.once("exit", r));
      try { process.kill(-server.pid!, "SIGTERM"); } catch { /* gone */ }
      const t = setTimeout(() => { try { process.kill(-server.pid!, "SIGKILL"); } catch { /* gone */ } }, 10_000);
      await exited;
      clearTimeout(t);
    }
    fs.rmSync(root, { recursive: true, force: true });
  };
  try {
    await waitForServer(base, token, server, log);
    context = await chromium.launchPersistentContext(path.join(root, "profile"), {
      executablePath: CHROMIUM,
      headless: true,
      args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-quic",
        "--no-first-run", "--disable-component-update", "--disable-sync"],
      viewport: { width: 1200, height: 900 },
    });
    // Only the server, local files and inline data: anything else (CDNs, fonts) is refused.
    const allowed = new RegExp(`^(${base.replace(/[.]/g, "\\.")}/|ws://127\\.0\\.0\\.1:${port}/|file:|data:|about:)`);
    await context.route((url) => !allowed.test(url.href), (route) => route.abort());
  } catch (e) {
    await stop();
    throw e;
  }
  const ctx = context;
  return {
    dir, base, token, context: ctx, log, stop,
    async open(name: string) {
      const page = await ctx.newPage();
      await page.goto(`${base}/notebooks/${encodeURIComponent(name)}?token=${token}`);
      await page.waitForFunction(() => {
        const nb = (window as unknown as Partial<JupyterWindow>).Jupyter?.notebook;
        return Boolean(nb?._fully_loaded && nb.kernel?.is_connected() && Object.keys(nb.kernel.info_reply ?? {}).length);
      }, null, { timeout: 120_000 });
      return page;
    },
  };
}

/** Waits until every code cell has run (a number in its prompt, none queued) and the kernel is idle. */
export async function waitIdle(page: Page, timeoutMs = 300_000): Promise<void> {
  await page.waitForFunction(() => {
    const cells = (window as unknown as JupyterWindow).Jupyter.notebook.get_cells().filter((c) => c.cell_type === "code");
    const done = cells.every((c) => typeof c.input_prompt_number === "number");
    return done && !document.querySelector("#kernel_indicator_icon.kernel_busy_icon");
  }, null, { timeout: timeoutMs, polling: 250 });
}

/** Cell ▸ Run All, then waits for the last cell. */
export async function runAll(page: Page, timeoutMs?: number): Promise<void> {
  await page.evaluate(() => (window as unknown as JupyterWindow).Jupyter.notebook.execute_all_cells());
  await waitIdle(page, timeoutMs);
}

/** Runs code cell `index` again and waits for it. */
export async function runCell(page: Page, index: number, timeoutMs?: number): Promise<void> {
  await page.evaluate((i) => {
    const nb = (window as unknown as JupyterWindow).Jupyter.notebook;
    (nb.get_cells()[i] as { input_prompt_number?: unknown }).input_prompt_number = "*";
    nb.execute_cells([i]);
  }, index);
  await waitIdle(page, timeoutMs);
}

/** File ▸ Save (and checkpoint), resolved when the server has written the file. */
export async function save(page: Page): Promise<void> {
  await page.evaluate(async () => { await (window as unknown as JupyterWindow).Jupyter.notebook.save_notebook(); });
}

/** Whether the page holds the notebook as trusted. */
export async function isTrusted(page: Page): Promise<boolean> {
  return page.evaluate(() => (window as unknown as JupyterWindow).Jupyter.notebook.trusted);
}

/** A notebook JSON for the graft kernel from code cell sources. */
export function graftNotebook(sources: string[]): Record<string, unknown> {
  return {
    nbformat: 4, nbformat_minor: 5,
    metadata: { kernelspec: { display_name: "TypeScript (graft)", language: "typescript", name: "graft" } },
    cells: sources.map((s, i) => ({ cell_type: "code", id: `cell-${i}`, metadata: {}, execution_count: null, outputs: [], source: s })),
  };
}
