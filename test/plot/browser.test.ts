// A notebook drawing both figures (the loss callback over a short real fit) executed through the
// graft kernel (`graft run`, nbclient), exported by nbconvert, opened in headless Chromium.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { CLI, ROOT, ensureBuilt } from "../kernel/_build";
import { ARTIFACTS, openChromium } from "./_chromium";

const PLOTLY = "application/vnd.plotly.v1+json";
const OUT = path.join(ARTIFACTS, "notebook");
const IPYNB = path.join(OUT, "plots.ipynb");
const HTML = path.join(OUT, "plots.html");

interface Output { output_type: string; data?: Record<string, unknown> }
interface Figure { data: { name: string; x: number[]; y: number[]; visible?: boolean }[]; layout: Record<string, unknown> }
let cells: { outputs: Output[] }[];
let browser: Awaited<ReturnType<typeof openChromium>>;

before(async () => {
  ensureBuilt();
  fs.rmSync(OUT, { recursive: true, force: true });
  fs.mkdirSync(OUT, { recursive: true });
  const args = [CLI, "run", path.join(ROOT, "test", "plot", "notebooks", "plots.ipynb"), "--output", IPYNB, "--html", HTML, "--timeout", "120"];
  await new Promise<void>((resolve, reject) => execFile(process.execPath, args, { cwd: OUT }, (err, stdout, stderr) =>
    err ? reject(new Error(`graft run failed: ${stderr || stdout}`)) : resolve()));
  cells = JSON.parse(fs.readFileSync(IPYNB, "utf8")).cells;
  browser = await openChromium();
});
after(async () => { await browser?.close(); });

test("the executed notebook: plotly.js as its own output before each figure (the session's first copy, then the latest), at most twice in the file; every mime type per figure", () => {
  const [live, params] = cells;
  assert.equal(live.outputs.length, 2, `the library and the live plot, got ${JSON.stringify(live.outputs.map((o) => Object.keys(o.data ?? {})))}`);
  const [library, plotOutput] = live.outputs;
  assert.deepEqual(Object.keys(library.data!).sort(), ["text/html", "text/plain"]);
  assert.match(String(library.data!["text/html"]), /plotly\.js v2\.35\.3/);
  assert.equal(plotOutput.output_type, "display_data");
  assert.deepEqual(Object.keys(plotOutput.data!).sort(), [PLOTLY, "image/svg+xml", "text/html", "text/plain"]);
  const fig = plotOutput.data![PLOTLY] as Figure;
  assert.equal(fig.data.find((t) => t.name === "val_loss")!.y.length, 4, "the final state: 4 epochs");
  assert.equal(fig.data.find((t) => t.name === "loss (batch)")!.y.length, 4 * 9, "72 samples / batch 8 = 9 batches per epoch");
  assert.match(String(plotOutput.data!["text/plain"]), /^Training: epoch 4 of 4: /);
  assert.doesNotMatch(String(plotOutput.data!["text/html"]), /plotly\.js v2/);
  const raw = fs.readFileSync(IPYNB, "utf8");
  assert.equal((raw.match(/plotly\.js v2\.35\.3/g) ?? []).length, 2, "plotly.js is in the notebook twice: the first copy and the latest");
  assert.equal(params.outputs.length, 2, "the latest copy of the library, then the figure");
  assert.match(String(params.outputs[0].data!["text/html"]), /plotly\.js v2\.35\.3/);
  const result = params.outputs[1];
  assert.equal(result.output_type, "execute_result");
  assert.deepEqual(Object.keys(result.data!).sort(), [PLOTLY, "image/svg+xml", "text/html", "text/plain"]);
  assert.doesNotMatch(String(result.data!["text/html"]), /plotly\.js v2/);
  assert.match(String(result.data!["text/plain"]), /^259 parameters: 51 trainable, 176 frozen, 32 non-trainable/);
});

test("the notebook's SVG outputs alone hold the curves' points", async () => {
  const svgOf = (i: number) => String(cells[i].outputs.find((o) => o.data?.[PLOTLY])!.data!["image/svg+xml"]);
  const fig = cells[0].outputs.find((o) => o.data?.[PLOTLY])!.data![PLOTLY] as Figure;
  const page = await browser.context.newPage();
  for (const [i, name] of [[1, "params"], [0, "loss"]] as const) {
    const file = path.join(OUT, `${name}.svg`);
    fs.writeFileSync(file, svgOf(i));
    await page.goto(`file://${file}`);
    if (name === "params") {
      const bars = await page.evaluate(() => document.querySelectorAll("g.trace.bars rect").length);
      assert.equal(bars, 4, "fc1 frozen, bn1 frozen + non-trainable, head trainable");
    } else {
      const lines = await page.evaluate(() => [...document.querySelectorAll("g.trace.scatter")].map((g) => ({
        name: g.getAttribute("data-name"), y: g.getAttribute("data-y")!.split(" ").map(Number),
        points: g.querySelector("polyline")?.getAttribute("points")?.split(" ").length ?? 0,
      })));
      for (const key of ["loss", "val_loss", "acc", "val_acc"]) {
        const line = lines.find((l) => l.name === key)!;
        assert.deepEqual(line.y, fig.data.find((t) => t.name === key)!.y, `${key}'s values`);
      }
      assert.equal(lines.find((l) => l.name === "val_loss")!.points, 4);
      assert.equal(lines.find((l) => l.name === "loss (batch)")!.points, 36);
    }
    await page.screenshot({ path: path.join(OUT, `${name}-svg.png`) });
  }
  await page.close();
});

test("the nbconvert HTML in Chromium: both figures drawn by plotly.js with their traces and axis titles", async () => {
  const page = await browser.context.newPage();
  const errors: string[] = [];
  page.on("pageerror", (e) => errors.push(e.message));
  await page.goto(`file://${HTML}`);
  await page.waitForFunction(() => document.querySelectorAll(".js-plotly-plot svg.main-svg").length >= 4, null, { timeout: 30_000 });
  const plots = await page.evaluate(() => [...document.querySelectorAll(".js-plotly-plot")].map((gd) => ({
    bars: gd.querySelectorAll(".barlayer .trace").length,
    lines: gd.querySelectorAll(".scatterlayer .trace").length,
    titles: [...gd.querySelectorAll(".infolayer text")].map((e) => e.textContent ?? ""),
    shapes: gd.querySelectorAll(".shapelayer path").length,
  })));
  assert.deepEqual(errors, []);
  assert.equal(plots.length, 2);
  const [loss, params] = plots;
  assert.equal(params.bars, 3, "trainable, frozen, non-trainable");
  for (const t of ["259 parameters: 51 trainable, 176 frozen, 32 non-trainable", "parameters", "layer"]) assert.ok(params.titles.includes(t), `"${t}" in ${params.titles}`);
  assert.equal(loss.lines, 9, "batch raw + smoothed, loss, val_loss per panel (2 panels), best val_loss");
  assert.equal(loss.shapes, 1, "the unfreezing line");
  for (const t of ["epoch", "loss", "acc", "unfroze backbone.fc1"]) assert.ok(loss.titles.includes(t), `"${t}" in ${loss.titles}`);
  await page.screenshot({ path: path.join(OUT, "notebook.png"), fullPage: true });
  await page.close();
});
