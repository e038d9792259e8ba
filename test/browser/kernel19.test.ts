// Notebook 6 in Chromium, as a user works: `%npm install` of a local tarball (made by `npm pack`
// now), `import` of it in the next cell, and Shift-Tab inside a call's parentheses showing the
// tooltip; then a load report whose collapsible sections show their disclosure triangle.
// The harness is self-contained: `jupyter notebook` on 127.0.0.1 with this checkout's
// kernelspec, driven through playwright-core and Debian's /usr/bin/chromium.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { execFileSync, spawn, type ChildProcess } from "node:child_process";
import { randomBytes } from "node:crypto";
import fs from "node:fs";
import net from "node:net";
import os from "node:os";
import path from "node:path";
import { chromium, type Browser, type Page } from "playwright-core";
import { ensureBuilt, KERNEL_MAIN } from "../kernel/_build";

const CHROMIUM = "/usr/bin/chromium";
const JUPYTER = "/usr/bin/jupyter";
// npm test installs them (scripts/system-deps.sh); a missing one is a failure, not a skip.
const haveNotebook = fs.existsSync(CHROMIUM) && fs.existsSync(JUPYTER) && fs.existsSync("/usr/lib/python3/dist-packages/notebook");
const NEEDS = "Debian's jupyter-notebook and chromium (scripts/system-deps.sh installs them)";
const TMP = fs.mkdtempSync(path.join(os.tmpdir(), "graft-nb6-"));
const TOKEN = randomBytes(12).toString("hex");
let server: ChildProcess | undefined;
let serverLog = "";
let browser: Browser | undefined;
let page: Page;
let base = "";
let tarball = "";

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.listen(0, "127.0.0.1", () => {
      const port = (s.address() as net.AddressInfo).port;
      s.close(() => resolve(port));
    });
    s.on("error", reject);
  });
}

async function waitFor(what: string, ok: () => Promise<boolean>, ms: number): Promise<void> {
  const end = Date.now() + ms;
  for (;;) {
    if (await ok().catch(() => false)) return;
    if (server && server.exitCode !== null) throw new Error(`jupyter notebook exited (${server.exitCode}) while waiting for ${what}:\n${serverLog.slice(-3000)}`);
    if (Date.now() > end) throw new Error(`timed out after ${ms} ms waiting for ${what}; server log:\n${serverLog.slice(-3000)}`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

/** Types `text` into a new cell at the end (a real keyboard; CodeMirror closes brackets itself). */
async function newCell(text: string): Promise<number> {
  const index = await page.evaluate(() => {
    const nb = (window as any).Jupyter.notebook;
    const last = nb.ncells() - 1;
    const cell = nb.get_cell(last);
    if (cell.get_text() !== "") nb.insert_cell_below("code", last);
    const i = cell.get_text() === "" ? last : last + 1;
    nb.select(i);
    nb.edit_mode();
    return i;
  });
  await page.locator(".cell").nth(index).locator(".CodeMirror").click();
  await page.keyboard.type(text);
  return index;
}

async function run(index: number): Promise<void> {
  await page.keyboard.press("Shift+Enter");
  await waitFor(`cell ${index} to finish`, () => page.evaluate((i) => {
    const cell = (window as any).Jupyter.notebook.get_cell(i);
    return cell.input_prompt_number !== "*" && cell.input_prompt_number !== undefined && cell.input_prompt_number !== null;
  }, index), 180_000);
}

const outputText = (index: number) => page.locator(".cell").nth(index).locator(".output_area").allInnerTexts().then((t) => t.join("\n"));

before(async () => {
  if (!haveNotebook) return;
  ensureBuilt();
  const pkg = path.join(TMP, "src", "nb6-greeter");
  fs.mkdirSync(pkg, { recursive: true });
  fs.writeFileSync(path.join(pkg, "package.json"), JSON.stringify({ name: "nb6-greeter", version: "1.0.0", main: "index.js", types: "index.d.ts" }));
  fs.writeFileSync(path.join(pkg, "index.js"), 'exports.greet = (who) => "hello " + who;\n');
  fs.writeFileSync(path.join(pkg, "index.d.ts"), "/** Greets someone.\n * @param who whom to greet\n * @returns the greeting\n */\nexport declare function greet(who: string): string;\n");
  tarball = path.join(TMP, execFileSync("npm", ["pack", "--silent", "--pack-destination", TMP], { cwd: pkg, encoding: "utf8" }).trim().split("\n").pop()!);
  const nbDir = path.join(TMP, "notebooks");
  fs.mkdirSync(nbDir);
  const cells = [{ cell_type: "code", execution_count: null, metadata: {}, outputs: [], source: [] }];
  const meta = { kernelspec: { name: "graft", display_name: "TypeScript (graft)", language: "typescript" } };
  fs.writeFileSync(path.join(nbDir, "daily.ipynb"), JSON.stringify({ cells, metadata: meta, nbformat: 4, nbformat_minor: 5 }));
  // A safetensors file with fc's kernel but no bias: the report has a "missing" and a "loaded" section.
  const header = Buffer.from(JSON.stringify({ "fc.weight": { dtype: "F32", shape: [2, 3], data_offsets: [0, 24] } }));
  const size = Buffer.alloc(8);
  size.writeBigUInt64LE(BigInt(header.length));
  fs.writeFileSync(path.join(nbDir, "fc.safetensors"), Buffer.concat([size, header, Buffer.from(new Float32Array([1, 2, 3, 4, 5, 6]).buffer)]));
  const jp = path.join(TMP, "jupyter");
  fs.mkdirSync(path.join(jp, "kernels", "graft"), { recursive: true });
  const spec = { argv: [process.execPath, KERNEL_MAIN, "--config-path", "{connection_file}"], display_name: "TypeScript (graft)", language: "typescript", interrupt_mode: "signal" };
  fs.writeFileSync(path.join(jp, "kernels", "graft", "kernel.json"), JSON.stringify(spec));
  const port = await freePort();
  base = `http://127.0.0.1:${port}`;
  const env = { ...process.env, JUPYTER_PATH: jp, JUPYTER_CONFIG_DIR: path.join(TMP, "config"), JUPYTER_RUNTIME_DIR: path.join(TMP, "runtime"), JUPYTER_DATA_DIR: path.join(TMP, "data") };
  server = spawn(JUPYTER, ["notebook", "--no-browser", "--ip=127.0.0.1", `--port=${port}`, `--NotebookApp.token=${TOKEN}`, `--notebook-dir=${nbDir}`, "--NotebookApp.open_browser=False", ...(process.getuid?.() === 0 ? ["--allow-root"] : [])], { env, stdio: ["ignore", "pipe", "pipe"] });
  server.stdout!.on("data", (d) => (serverLog += d));
  server.stderr!.on("data", (d) => (serverLog += d));
  await waitFor("jupyter notebook to answer", async () => (await fetch(`${base}/api?token=${TOKEN}`)).ok, 60_000);
  browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--no-first-run"] });
  page = await browser.newPage({ viewport: { width: 1200, height: 900 } });
  // Offline: only the local notebook server.
  await page.route((url) => !url.href.startsWith(base) && !/^(data|blob|about):/.test(url.href), (r) => r.abort());
  await page.goto(`${base}/notebooks/daily.ipynb?token=${TOKEN}`);
  await waitFor("the graft kernel to be idle", () => page.evaluate(() => {
    const k = (window as any).Jupyter?.notebook?.kernel;
    return !!k && k.is_connected() && document.querySelector("#kernel_indicator_icon.kernel_idle_icon") !== null;
  }), 120_000);
});

after(async () => {
  await browser?.close();
  if (server && server.exitCode === null) {
    server.kill("SIGTERM");
    await new Promise((r) => server!.once("exit", r));
  }
  fs.rmSync(TMP, { recursive: true, force: true });
});

test("Notebook 6: %npm install of a local tarball, import in the next cell, Shift-Tab tooltip inside the call", async () => {
  assert.ok(haveNotebook, `this test needs ${NEEDS}`);
  const install = await newCell(`%npm install ${tarball}`);
  await run(install);
  const log = await outputText(install);
  assert.match(log, /added 1 package/, log);
  assert.match(log, /import the packages in the next cell/);

  const use = await newCell('import { greet } from "nb6-greeter";\ngreet("browser")');
  await run(use);
  assert.match(await outputText(use), /'hello browser'/);

  // "greet(" — CodeMirror closes the bracket, the cursor sits between them; Shift-Tab asks the kernel.
  await newCell("greet(");
  await page.keyboard.press("Shift+Tab");
  const tooltip = page.locator("#tooltip");
  await tooltip.waitFor({ state: "visible", timeout: 30_000 });
  await waitFor("the tooltip's text", async () => /greet\(who: string\): string/.test(await tooltip.innerText()), 30_000);
  const text = await tooltip.innerText();
  assert.match(text, /Greets someone\./);
  assert.match(text, /Returns: the greeting/);
  assert.ok(!text.includes("```"), text);
  await page.keyboard.press("Escape");
});

test("Notebook 6: a load report's collapsible sections show a disclosure triangle", async () => {
  assert.ok(haveNotebook, `this test needs ${NEEDS}`);
  const cell = await newCell(
    'const m = tf.sequential({ layers: [tf.layers.dense({ units: 2, inputShape: [3], name: "fc" })] });\n' +
      'await loadWeights(m, "fc.safetensors")',
  );
  await run(cell);
  const summary = page.locator(".cell").nth(cell).locator(".output_area summary").first();
  await summary.waitFor({ state: "visible", timeout: 30_000 });
  const display = await summary.evaluate((el) => getComputedStyle(el).display);
  assert.equal(display, "list-item", "a summary shows its marker only as a list-item");
});
