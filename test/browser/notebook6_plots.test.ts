// Plots survive saving in Jupyter Notebook 6 (Debian's jupyter-notebook, driven by Chromium):
// Run All, re-run the cell whose output carried plotly.js first, then the last cell, Save, reopen → every chart is a
// plotly figure and the file holds plotly.js at most twice; an untrusted copy shows every chart
// as its picture (an <img> of the SVG), never as run-on text; nbconvert's HTML shows the
// pictures without scripts and the plotly figures with them.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import type { Page } from "playwright-core";
import { graftNotebook, isTrusted, PYTHON, runAll, runCell, save, startNotebook6, type Notebook6 } from "./_notebook6";

const CELLS = [
  `// A small model, the first block frozen; live loss curves over a short real fit.
const input = tf.input({ shape: [8] });
const h = tf.layers.dense({ units: 16, activation: "relu", name: "backbone.fc1" }).apply(input) as tf.SymbolicTensor;
const out = tf.layers.dense({ units: 3, activation: "softmax", name: "head" }).apply(h) as tf.SymbolicTensor;
const model = tf.model({ inputs: input, outputs: out });
model.getLayer("backbone.fc1").trainable = false;
model.compile({ optimizer: tf.train.adam(0.05), loss: "categoricalCrossentropy", metrics: ["accuracy"] });
const xs = tf.randomNormal([64, 8], 0, 1, "float32", 7);
const ys = tf.oneHot(tf.randomUniform([64], 0, 3, "int32", 7), 3);
const history = await model.fit(xs, ys, { epochs: 3, batchSize: 16, validationSplit: 0.25, verbose: 0, callbacks: [plot.lossCallback()] });`,
  `plot.params(model)`,
  `display(plot.loss(history)); 2 + 2`,
  `const quiet = 1 + 1`,
  `plot.loss(history, { batches: false, title: "epochs only" })`,
];
const CHARTS = 4;
/** Screenshots for a person to look at (kept after the run). */
const ARTIFACTS = path.join(__dirname, "..", ".fixtures", "browser");
const PLOTLY_MARK = /plotly\.js v2\.35\.3/g;

let nb: Notebook6;
before(async () => {
  fs.mkdirSync(ARTIFACTS, { recursive: true });
  nb = await startNotebook6();
});
after(async () => { await nb?.stop(); });

/** Per chart: drawn by plotly, its picture shown and decoded, the visible text of its output. */
const inspect = (page: Page) => page.evaluate(() => [...document.querySelectorAll(".graft-plot")].map((el) => {
  const img = el.querySelector<HTMLImageElement>("img.graft-static");
  const output = el.closest<HTMLElement>(".output_subarea, .jp-OutputArea-output") ?? (el as HTMLElement);
  return {
    plotly: el.querySelectorAll("svg.main-svg").length > 0,
    img: Boolean(img && img.complete && img.naturalWidth > 0),
    text: output.innerText.trim(),
  };
}));

/** Every output's visible text (run-on chart text would show here). */
const outputTexts = (page: Page) => page.evaluate(() => [...document.querySelectorAll<HTMLElement>(".output_subarea")].map((o) => o.innerText.trim()));

/** Waits for `n` plotly charts on the page. */
const chartsDrawn = (page: Page, n: number) => page.waitForFunction((k) => document.querySelectorAll(".graft-plot.js-plotly-plot").length >= k
  && [...document.querySelectorAll(".graft-plot.js-plotly-plot")].every((p) => p.querySelector("svg.main-svg")), n, { timeout: 60_000 });

test("Notebook 6: Run All, re-run the first plotting cell and the last, Save, reopen: every chart is interactive, plotly.js in the file at most twice; untrusted: pictures, no run-on text", { timeout: 600_000 }, async () => {
  const file = path.join(nb.dir, "plots.ipynb");
  fs.writeFileSync(file, JSON.stringify(graftNotebook(CELLS), null, 1));
  const page = await nb.open("plots.ipynb");
  const errors: string[] = [];
  page.on("pageerror", (e) => errors.push(e.message));
  await runAll(page);
  await chartsDrawn(page, CHARTS);
  await runCell(page, 0); // its output carried the session's first copy of plotly.js
  await chartsDrawn(page, CHARTS);
  await runCell(page, 4); // now the only copy sits in the last cell, after every other chart
  await chartsDrawn(page, CHARTS);
  await save(page);
  await page.close();

  const saved = fs.readFileSync(file, "utf8");
  const copies = (saved.match(PLOTLY_MARK) ?? []).length;
  assert.ok(copies >= 1 && copies <= 2, `plotly.js ${copies} times in the saved notebook`);
  console.log(`# saved notebook: ${(saved.length / 1e6).toFixed(2)} MB, plotly.js ${copies}×`);

  // Reopen, trusted (the server signed it on save): every chart drawn by plotly.
  const again = await nb.open("plots.ipynb");
  again.on("pageerror", (e) => errors.push(e.message));
  assert.equal(await isTrusted(again), true);
  await chartsDrawn(again, CHARTS);
  const trusted = await inspect(again);
  assert.equal(trusted.length, CHARTS, JSON.stringify(trusted));
  assert.ok(trusted.every((c) => c.plotly), `every chart interactive: ${JSON.stringify(trusted)}`);
  assert.equal(await again.evaluate(() => typeof (window as unknown as { Plotly?: unknown }).Plotly), "object");
  await again.screenshot({ path: path.join(ARTIFACTS, "notebook6-trusted.png"), fullPage: true });
  await again.close();
  assert.deepEqual(errors, []);

  // An untrusted copy (changed, so its signature is unknown): pictures, no scripts, no text.
  const copy = JSON.parse(saved);
  copy.metadata.graft_test = "a copy from someone else";
  fs.writeFileSync(path.join(nb.dir, "untrusted.ipynb"), JSON.stringify(copy, null, 1));
  const other = await nb.open("untrusted.ipynb");
  assert.equal(await isTrusted(other), false);
  await other.waitForFunction(() => [...document.querySelectorAll<HTMLImageElement>("img.graft-static")].filter((i) => i.complete && i.naturalWidth > 0).length >= 4, null, { timeout: 30_000 });
  const untrusted = await inspect(other);
  assert.equal(untrusted.length, CHARTS, JSON.stringify(untrusted));
  for (const c of untrusted) {
    assert.equal(c.plotly, false);
    assert.equal(c.img, true, "the chart's picture shows");
    assert.equal(c.text, "", `no run-on text: ${JSON.stringify(c.text.slice(0, 120))}`);
  }
  for (const t of await outputTexts(other)) assert.doesNotMatch(t, /parameters:|epoch \d/, `an output shows a chart as text: ${t.slice(0, 120)}`);
  await other.screenshot({ path: path.join(ARTIFACTS, "notebook6-untrusted.png"), fullPage: true });
  await other.close();

  // nbconvert's HTML: with scripts, plotly figures; without, the pictures.
  const html = path.join(nb.dir, "plots.html");
  execFileSync(PYTHON, ["-m", "nbconvert", "--to", "html", "--output", html, file], { stdio: "pipe" });
  const exported = await nb.context.newPage();
  await exported.goto(`file://${html}`);
  await chartsDrawn(exported, CHARTS);
  assert.equal((await inspect(exported)).filter((c) => c.plotly).length, CHARTS);
  assert.ok((fs.readFileSync(html, "utf8").match(PLOTLY_MARK) ?? []).length <= 2, "nbconvert's page carries plotly.js at most twice");
  await exported.close();
  const stripped = path.join(nb.dir, "stripped.html");
  fs.writeFileSync(stripped, fs.readFileSync(html, "utf8").replace(/<script\b[^>]*>[\s\S]*?<\/script>/g, ""));
  const plain = await nb.context.newPage();
  await plain.goto(`file://${stripped}`);
  await plain.waitForFunction(() => [...document.querySelectorAll<HTMLImageElement>("img.graft-static")].filter((i) => i.complete && i.naturalWidth > 0).length >= 4, null, { timeout: 30_000 });
  const pictures = await inspect(plain);
  assert.equal(pictures.filter((c) => c.img && !c.plotly).length, CHARTS);
  await plain.close();
});
