// toHTML() in Debian's headless Chromium (offline): plotly.js from the package draws every figure
// on the page, the library once; without scripts the static picture (an <img> of the SVG) stays.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import * as plot from "../../src/plot";
import { ARTIFACTS, openChromium } from "./_chromium";

type Browser = Awaited<ReturnType<typeof openChromium>>;
let browser: Browser;

before(async () => {
  fs.mkdirSync(ARTIFACTS, { recursive: true });
  browser = await openChromium();
});
after(async () => { await browser?.close(); });

const counts = {
  trainable: 5130, frozen: 11_200_000, nonTrainable: 9600, total: 11_214_730,
  layers: [
    { name: "conv1", trainable: 0, frozen: 9408, nonTrainable: 0, shapes: ["kernel [7,7,3,64]"] },
    { name: "bn1", trainable: 0, frozen: 128, nonTrainable: 128 },
    { name: "layer1.0.conv1", trainable: 0, frozen: 11_190_464, nonTrainable: 9472 },
    { name: "fc", trainable: 5130, frozen: 0, nonTrainable: 0 },
  ],
};
const history = { epoch: [0, 1, 2, 3], history: { loss: [1.2, 0.8, 0.6, 0.5], val_loss: [1.3, 0.9, 0.8, 0.85], acc: [0.5, 0.7, 0.8, 0.85], val_acc: [0.45, 0.65, 0.7, 0.69] } };

/** What plotly drew per figure: traces, axis titles, shapes. */
const inspectPlots = () => [...document.querySelectorAll(".js-plotly-plot")].map((gd) => ({
  bars: gd.querySelectorAll(".barlayer .trace").length,
  lines: gd.querySelectorAll(".scatterlayer .trace").length,
  axisTitles: [...gd.querySelectorAll("[class^='g-x'] text, [class^='g-y'] text, .xtitle, .ytitle, [class*='title'] text")].map((e) => e.textContent).filter(Boolean),
  title: gd.querySelector(".gtitle")?.textContent ?? "",
  shapes: gd.querySelectorAll(".shapelayer path").length,
  mainSvgs: gd.querySelectorAll("svg.main-svg").length,
  staticLeft: gd.querySelectorAll(".graft-static").length,
}));

test("params and loss figures render as plotly on one page, plotly.js carried once", async () => {
  const page = await browser.context.newPage();
  const errors: string[] = [];
  page.on("pageerror", (e) => errors.push(e.message));
  const first = plot.params(counts).toHTML();                         // carries plotly.js
  const second = plot.loss(history, { unfreezeEpochs: [2] }).toHTML({ plotly: "none" });  // relies on the page
  assert.equal((first.match(/plotly\.js v2\.35\.3/g) ?? []).length, 1);
  assert.doesNotMatch(second, /plotly\.js v2/);
  const file = path.join(ARTIFACTS, "figures.html");
  // The library-less figure comes first on the page: it waits for plotly.js, then draws.
  fs.writeFileSync(file, `<!doctype html><html><head><meta charset="utf-8"></head><body>${second}${first}</body></html>`);
  await page.goto(`file://${file}`);
  await page.waitForFunction(() => document.querySelectorAll(".js-plotly-plot").length === 2, null, { timeout: 30_000 });
  const plots = await page.evaluate(inspectPlots);
  assert.deepEqual(errors, []);
  const [loss, params] = plots;
  assert.equal(loss.lines, 5, "loss, val_loss, acc, val_acc, best val_loss");
  assert.equal(loss.shapes, 1, "one unfreezing line");
  assert.match(loss.title, /best val_loss 0\.8 at epoch 3/);
  for (const t of ["epoch", "loss", "acc"]) assert.ok(loss.axisTitles.includes(t), `axis title ${t} in ${loss.axisTitles}`);
  assert.equal(params.bars, 3);
  assert.equal(params.title, "11.2 M parameters: 5.1 k trainable, 11.2 M frozen, 9.6 k non-trainable");
  for (const t of ["parameters", "layer"]) assert.ok(params.axisTitles.includes(t), `axis title ${t} in ${params.axisTitles}`);
  for (const p of plots) {
    assert.ok(p.mainSvgs >= 1);
    assert.equal(p.staticLeft, 0, "the static SVG is replaced");
  }
  await page.screenshot({ path: path.join(ARTIFACTS, "figures.png"), fullPage: true });
  await page.close();
});

test("with scripts disabled, the static picture inside the div is what shows: an <img> of the SVG", async () => {
  const page = await browser.context.newPage();
  const file = path.join(ARTIFACTS, "static.html");
  const fig = plot.loss(history);
  const html = fig.toHTML({ plotly: "none" }).replace(/<script>[\s\S]*?<\/script>/g, "");
  assert.doesNotMatch(html, /<svg/, "no inline SVG (sanitisers keep its text and drop its drawing)");
  fs.writeFileSync(file, `<!doctype html><html><body>${html}</body></html>`);
  await page.goto(`file://${file}`);
  const shown = await page.evaluate(() => {
    const img = document.querySelector<HTMLImageElement>(".graft-plot img.graft-static");
    return { src: img?.src ?? "", loaded: Boolean(img?.complete && img.naturalWidth > 0), width: img?.naturalWidth, alt: img?.alt, plotly: document.querySelectorAll("svg.main-svg").length };
  });
  assert.equal(shown.loaded, true, "the picture decodes");
  assert.equal(shown.width, 760);
  assert.equal(shown.plotly, 0);
  assert.equal(shown.alt, fig.summary);
  const svg = Buffer.from(shown.src.replace(/^data:image\/svg\+xml;base64,/, ""), "base64").toString("utf8");
  assert.equal(svg, fig.toSVG(), "the picture is graft's SVG");
  assert.equal(/<g class="trace scatter" data-name="loss"[^>]*>\n<polyline points="([^"]*)"/.exec(svg)?.[1].split(" ").length, 4);
  await page.screenshot({ path: path.join(ARTIFACTS, "static.png"), fullPage: true });
  await page.close();
});

test("the per-layer/per-block toggle redraws with the other rows", async () => {
  const layers = [];
  for (let b = 1; b <= 3; b++) for (let i = 0; i < 20; i++) layers.push({ name: `layer${b}.${i}.conv`, trainable: 0, frozen: 100 * b, nonTrainable: 0 });
  const fig = plot.params({ trainable: 0, frozen: 20 * 600, nonTrainable: 0, total: 20 * 600, layers });
  const page = await browser.context.newPage();
  const file = path.join(ARTIFACTS, "toggle.html");
  fs.writeFileSync(file, `<!doctype html><html><body>${fig.toHTML()}</body></html>`);
  await page.goto(`file://${file}`);
  await page.waitForSelector("svg.main-svg", { timeout: 30_000 });
  const ticks = () => page.evaluate(() => document.querySelectorAll(".yaxislayer-above .ytick").length);
  assert.equal(await ticks(), 3);
  await page.click("text=per layer (60)");
  await page.waitForFunction(() => document.querySelectorAll(".yaxislayer-above .ytick").length === 60, null, { timeout: 10_000 });
  await page.screenshot({ path: path.join(ARTIFACTS, "toggle-layers.png"), fullPage: true });
  await page.close();
});

test("Plotly.validate accepts every figure graft builds (no unknown or invalid attributes)", async () => {
  const deep = { ...counts, layers: Array.from({ length: 50 }, (_, i) => ({ name: `layer${1 + (i % 4)}.${i}.conv`, trainable: i, frozen: 100, nonTrainable: 1 })) };
  const live = plot.lossCallback({ unfreezeEpochs: [{ epoch: 1, names: ["layer4"] }] });
  for (let e = 0; e < 3; e++) {
    for (let b = 0; b < 5; b++) live.pushBatch({ loss: 1 / (1 + e + b / 5), acc: 0.5 });
    live.push({ loss: 1 / (1 + e), val_loss: 1.1 / (1 + e), acc: 0.5, val_acc: 0.4 });
  }
  const figures = [plot.params(counts), plot.params(deep, { log: true }), plot.loss(history, { unfreezeEpochs: [1] }), live.figure()].map((f) => f.toJSON())
    // Plotly.validate skips hidden traces (the other view of the layer/block toggle): show them all.
    .map((f) => ({ data: f.data.map((t) => ({ ...t, visible: true })), layout: f.layout }));
  const page = await browser.context.newPage();
  const file = path.join(ARTIFACTS, "validate.html");
  fs.writeFileSync(file, `<!doctype html><html><body>${plot.params(counts).toHTML()}</body></html>`);
  await page.goto(`file://${file}`);
  await page.waitForFunction(() => Boolean((window as unknown as { Plotly?: unknown }).Plotly), null, { timeout: 30_000 });
  const problems = await page.evaluate((figs) => figs.map((f) =>
    ((window as unknown as { Plotly: { validate: (d: unknown, l: unknown) => unknown[] | undefined } }).Plotly.validate(f.data, f.layout) ?? [])
      .map((p) => (p as { msg: string }).msg)
      // validate compares object values by identity: the buttons' update objects always "got reset"
      .filter((m) => !/^In layout, key updatemenus\[\d\]\.buttons\[\d\]\.args\[\d\] .* got reset to/.test(m))), figures);
  assert.deepEqual(problems, [[], [], [], []]);
  await page.close();
});

test("a page with RequireJS's AMD define (classic Notebook) still gets window.Plotly, and its define back", async () => {
  const page = await browser.context.newPage();
  const errors: string[] = [];
  page.on("pageerror", (e) => errors.push(e.message));
  const file = path.join(ARTIFACTS, "amd.html");
  const amd = `<script>window.define = function () { window.__amdCalls = (window.__amdCalls || 0) + 1; }; window.define.amd = {};</script>`;
  fs.writeFileSync(file, `<!doctype html><html><body>${amd}${plot.loss(history).toHTML()}</body></html>`);
  await page.goto(`file://${file}`);
  await page.waitForSelector(".js-plotly-plot svg.main-svg", { timeout: 30_000 });
  const state = await page.evaluate(() => {
    const w = window as unknown as { define?: { amd?: unknown }; __amdCalls?: number };
    return { amdRestored: Boolean(w.define?.amd), amdCalls: w.__amdCalls ?? 0 };
  });
  assert.deepEqual(state, { amdRestored: true, amdCalls: 0 });
  assert.deepEqual(errors, []);
  await page.close();
});
