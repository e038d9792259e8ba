/**
 * The `text/html` rendering of a figure, and where plotly.js comes from.
 *
 * Every figure's HTML is a div holding the figure's static picture, an `<img>` of the SVG graft
 * draws (a `data:` URI, so it survives the sanitiser of untrusted notebooks and the script
 * stripping of viewers), and a script that replaces the picture with the plotly.js figure once
 * `window.Plotly` exists, waiting for it (and for its div to reach the page) when it does not.
 *
 * plotly.js itself is inlined from the installed `plotly.js-dist-min` package (no CDN, no
 * network). Outside the kernel each `toHTML()` carries it (a self-contained page). In the graft
 * kernel it travels as outputs of their own, so that a saved notebook holds it at most twice
 * whatever the user re-runs: the first figure of the kernel session gets one copy that is never
 * touched, and every later figure gets a new "latest" copy while the previous latest copy is
 * emptied in place (update_display_data). Re-running the cell holding the first copy leaves the
 * latest; re-running the latest cell makes a new latest. A cell showing several figures gets one
 * copy (a new one only after clear_output, which may have removed it). The library's script does nothing when
 * `window.Plotly` is already defined, so a page with both copies loads it once.
 */
import * as fs from "node:fs";
import { kernelBridge } from "../display/bridge";

/** `"inline"`: embed plotly.js; `"none"`: rely on the page; `"auto"`: inline outside the kernel, library outputs inside. */
export type PlotlyLibraryMode = "inline" | "none" | "auto";

let libraryText: string | undefined;

/** The bundled plotly.js source (read once). */
function plotlySource(): string {
  libraryText ??= fs.readFileSync(require.resolve("plotly.js-dist-min/plotly.min.js"), "utf8");
  return libraryText;
}

/** Per kernel session: how many library outputs went out, the latest one's display id and output generation. */
interface Carriers { sent: number; latest?: string; generation?: number }
const sessions = new WeakMap<object, Carriers>();

/** The display id prefix of the outputs carrying plotly.js. */
export const PLOTLY_OUTPUT_ID = "graft-plotly";

/**
 * Sends plotly.js with the figure about to be shown, when running in the graft kernel: as the
 * session's first copy (kept), or as its latest copy (the previous latest is emptied).
 * @returns false in the kernel (the library went out), true outside it (the caller must inline it)
 * @example
 * const inline = shipPlotlyLibrary();   // true in plain node
 */
export function shipPlotlyLibrary(): boolean {
  const bridge = kernelBridge();
  if (!bridge) return true;
  const s = sessions.get(bridge) ?? { sent: 0 };
  sessions.set(bridge, s);
  // The running cell already holds a copy (nothing cleared since): one per cell is enough.
  const generation = bridge.outputGeneration;
  if (generation !== undefined && generation === s.generation) return false;
  s.generation = generation;
  const id = `${PLOTLY_OUTPUT_ID}-${process.pid}-${Date.now().toString(36)}-${++s.sent}`;
  bridge.display({ data: { "text/html": plotlyLibraryHTML(), "text/plain": "" }, metadata: {}, id });
  if (s.sent === 1) return false;
  if (s.latest) bridge.display({ data: { "text/html": "", "text/plain": "" }, metadata: {}, id: s.latest, update: true });
  s.latest = id;
  return false;
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

/** The static picture: the SVG as a `data:` URI image (kept by sanitisers that drop inline SVG). */
export function staticImageHTML(svg: string, alt: string): string {
  const w = /^<svg[^>]*\swidth="([\d.]+)"/.exec(svg)?.[1];
  const src = `data:image/svg+xml;base64,${Buffer.from(svg, "utf8").toString("base64")}`;
  const esc = alt.replace(/&/g, "&amp;").replace(/"/g, "&quot;").replace(/</g, "&lt;").replace(/>/g, "&gt;");
  return `<img class="graft-static" src="${src}"${w ? ` width="${w}"` : ""} alt="${esc}" style="max-width:100%">`;
}

let counter = 0;

/**
 * A div with the static picture, replaced by the plotly.js figure when scripts run.
 * @param fig the plotly figure
 * @param svg its static SVG
 * @param mode where plotly.js comes from
 * @param alt the picture's alternative text (the figure's summary)
 */
export function figureHTML(fig: { data: unknown[]; layout: Record<string, unknown> }, svg: string, mode: PlotlyLibraryMode, alt = ""): string {
  const id = `graft-plot-${Date.now().toString(36)}-${(counter++).toString(36)}`;
  const inline = mode === "inline" || (mode === "auto" && shipPlotlyLibrary());
  const config = { responsive: true, displaylogo: false };
  // Notebook 6 runs an output's scripts before its div is on the page: retry until it is.
  const draw = `<script>(function () {
  var fig = ${scriptJSON({ data: fig.data, layout: fig.layout, config })}, tries = 0;
  function draw() {
    if (!window.Plotly) { (window.__graftPlotlyQueue = window.__graftPlotlyQueue || []).push(draw); return; }
    var el = document.getElementById(${JSON.stringify(id)});
    if (!el || !el.isConnected) { if (tries++ < 200) setTimeout(draw, 50); return; }
    if (el.getAttribute("data-drawn")) return;
    el.setAttribute("data-drawn", "1");
    el.innerHTML = "";
    window.Plotly.newPlot(el, fig.data, fig.layout, fig.config);
  }
  draw();
})();</script>`;
  const div = `<div class="graft-plot" id="${id}">${staticImageHTML(svg, alt)}</div>`;
  return [div, inline ? plotlyLibraryHTML() : "", draw].filter(Boolean).join("\n");
}
