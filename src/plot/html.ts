/**
 * The `text/html` rendering of a figure, and where plotly.js comes from.
 *
 * plotly.js is inlined from the installed `plotly.js-dist-min` package (no CDN, no network),
 * once per kernel session: a notebook page (live, or exported by nbconvert where every output
 * sits on one page) then holds the 4.5 MB library once, in the first figure's output, and
 * every later figure draws with `window.Plotly`, waiting for it if its own script runs first.
 * The cost is an executed `.ipynb` about 4.5 MB larger (once, not per figure). A figure shown
 * before the library arrives, or with scripts stripped, still shows its static SVG. A live plot
 * (`lossCallback`) gets the library as a separate output, since its own output is replaced
 * by every update and updates never carry the library. Re-running only the cell whose output
 * carried the library drops it from the saved notebook (its new output does not carry it
 * again); restart the kernel and run all cells to get a self-contained notebook again.
 */
import * as fs from "node:fs";
import { kernelBridge } from "../display/bridge";

/** `"inline"`: embed plotly.js; `"none"`: rely on the page; `"auto"`: once per kernel session. */
export type PlotlyLibraryMode = "inline" | "none" | "auto";

let libraryText: string | undefined;
const sessionsServed = new WeakSet<object>();

/** The bundled plotly.js source (read once). */
function plotlySource(): string {
  libraryText ??= fs.readFileSync(require.resolve("plotly.js-dist-min/plotly.min.js"), "utf8");
  return libraryText;
}

/**
 * True the first time per kernel session (then false): the caller must ship plotly.js.
 * Outside the kernel every call answers true, so each HTML stays self-contained.
 */
export function claimPlotlyLibrary(): boolean {
  const bridge = kernelBridge();
  if (!bridge) return true;
  if (sessionsServed.has(bridge)) return false;
  sessionsServed.add(bridge);
  return true;
}

/**
 * Scripts that load plotly.js into the page unless present, hiding an AMD `define` (Notebook 6
 * has RequireJS) so the library sets `window.Plotly`, then draw the figures that waited.
 */
export function plotlyLibraryHTML(): string {
  return [
    `<script>window.__graftDefine = window.define; if (!window.Plotly) { window.define = undefined; }</script>`,
    `<script>if (!window.Plotly) {\n${plotlySource()}\n}</script>`,
    `<script>if (window.__graftDefine) { window.define = window.__graftDefine; }`
      + ` var q = window.__graftPlotlyQueue || []; window.__graftPlotlyQueue = [];`
      + ` q.forEach(function (draw) { draw(); });</script>`,
  ].join("\n");
}

/** JSON safe inside a `<script>` element. */
function scriptJSON(value: unknown): string {
  return JSON.stringify(value).replace(/</g, "\\u003c").replace(/\u2028/g, "\\u2028").replace(/\u2029/g, "\\u2029");
}

let counter = 0;

/** A div with the static SVG, replaced by the plotly.js figure when scripts run. */
export function figureHTML(fig: { data: unknown[]; layout: Record<string, unknown> }, svg: string, mode: PlotlyLibraryMode): string {
  const id = `graft-plot-${Date.now().toString(36)}-${(counter++).toString(36)}`;
  const inline = mode === "inline" || (mode === "auto" && claimPlotlyLibrary());
  const config = { responsive: true, displaylogo: false };
  const draw = `<script>(function () {
  var fig = ${scriptJSON({ data: fig.data, layout: fig.layout, config })};
  function draw() {
    var el = document.getElementById(${JSON.stringify(id)});
    if (!el || !window.Plotly) return;
    el.innerHTML = "";
    window.Plotly.newPlot(el, fig.data, fig.layout, fig.config);
  }
  if (window.Plotly) draw(); else (window.__graftPlotlyQueue = window.__graftPlotlyQueue || []).push(draw);
})();</script>`;
  const div = `<div class="graft-plot" id="${id}"><div class="graft-static">${svg}</div></div>`;
  return [div, inline ? plotlyLibraryHTML() : "", draw].filter(Boolean).join("\n");
}
