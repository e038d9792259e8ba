import { test } from "node:test";
import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import * as plot from "../../src/plot";
import { openChromium } from "./_chromium";

test("plot.confusion's HTML in Chromium: plotly.js draws the heatmap with every count and both axis titles", async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "graft-confusion-"));
  const file = path.join(dir, "confusion.html");
  const fig = plot.confusion({ confusion: [[5, 1, 0], [2, 6, 0], [0, 3, 3]] }, ["cat", "dog", "fox"]);
  fs.writeFileSync(file, `<!doctype html><html><body>${fig.toHTML()}</body></html>`);
  const browser = await openChromium();
  try {
    const page = await browser.context.newPage();
    const errors: string[] = [];
    page.on("pageerror", (e) => errors.push(e.message));
    await page.goto(`file://${file}`);
    await page.waitForFunction(() => document.querySelectorAll(".js-plotly-plot .heatmaplayer").length > 0, null, { timeout: 30_000 });
    const drawn = await page.evaluate(() => {
      const gd = document.querySelector(".js-plotly-plot")!;
      return {
        heatmaps: gd.querySelectorAll(".heatmaplayer .hm").length,
        texts: [...gd.querySelectorAll(".heatmaplayer text, .heatmaplayer .textpoint")].map((e) => e.textContent ?? ""),
        titles: [...gd.querySelectorAll(".infolayer text, .g-xtitle text, .g-ytitle text")].map((e) => e.textContent ?? ""),
        ticks: [...gd.querySelectorAll(".xtick text")].map((e) => e.textContent ?? ""),
      };
    });
    assert.deepEqual(errors, []);
    assert.equal(drawn.heatmaps, 1);
    assert.deepEqual([...drawn.texts].filter((t) => t !== "").sort(), ["0", "0", "0", "1", "2", "3", "3", "5", "6"]);
    for (const t of ["predicted class", "true class"]) assert.ok(drawn.titles.includes(t), `"${t}" in ${drawn.titles}`);
    assert.deepEqual(drawn.ticks, ["cat", "dog", "fox"]);
  } finally {
    await browser.close();
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
