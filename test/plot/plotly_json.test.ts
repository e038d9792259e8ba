// The plotly JSON uses only attributes plotly.js has had since before 2.0 (Jan 2021), so figures
// render in any plotly.js 2.x front end (JupyterLab's and VS Code's renderers ship their own),
// not just the bundled 2.35.3. A new attribute must be checked against plotly.js's changelog
// (the version it appeared in is noted) before it is added here.
import { test } from "node:test";
import assert from "node:assert/strict";
import * as plot from "../../src/plot";

const TRACE = new Set([
  "type", "name", "x", "y", "mode", "orientation", "visible", "showlegend", "legendgroup", "opacity",
  "xaxis", "yaxis", "hoverinfo",
  "customdata",     // 1.23
  "hovertemplate",  // 1.41
  "meta", "meta.view", // 1.46
  "marker.color", "marker.size", "marker.symbol",
  "line.color", "line.width", "line.dash",
]);
const LAYOUT = new Set([
  "title.text", "title.font.size", // title as an object: 1.43
  "height", "margin.l", "margin.r", "margin.t", "margin.b", "barmode", "bargap", "hovermode",
  "legend.orientation", "legend.x", "legend.y", "legend.xanchor", "legend.yanchor", "legend.traceorder",
  "AXIS.title.text", "AXIS.title.standoff" /* 1.43 */, "AXIS.type", "AXIS.rangemode", "AXIS.anchor", "AXIS.domain", "AXIS.range", "AXIS.autorange",
  "AXIS.zeroline", "AXIS.showticklabels", "AXIS.tick0", "AXIS.dtick",
  "AXIS.automargin", // 1.37
  "AXIS.matches",    // 1.48
  "shapes.type", "shapes.xref", "shapes.yref", "shapes.x0", "shapes.x1", "shapes.y0", "shapes.y1",
  "shapes.line.color", "shapes.line.width", "shapes.line.dash",
  "annotations.x", "annotations.y", "annotations.xref", "annotations.yref", "annotations.text", "annotations.showarrow",
  "annotations.xanchor", "annotations.yanchor", "annotations.xshift", "annotations.yshift",
  "annotations.font.size", "annotations.font.color",
  // updatemenus: 1.18
  "updatemenus.type", "updatemenus.direction", "updatemenus.showactive", "updatemenus.active", "updatemenus.x",
  "updatemenus.xanchor", "updatemenus.y", "updatemenus.yanchor", "updatemenus.pad.b",
  "updatemenus.buttons.label", "updatemenus.buttons.method", "updatemenus.buttons.args",
]);

/** Attribute paths of a plotly object: arrays of objects are walked, data arrays are leaves. */
function paths(value: Record<string, unknown>, prefix = "", axes = false): string[] {
  const out: string[] = [];
  for (const [k, v] of Object.entries(value)) {
    const key = prefix + (axes && !prefix ? k.replace(/^[xy]axis\d*$/, "AXIS") : k);
    if (key.endsWith("buttons.args")) { out.push(key); continue; }
    if (Array.isArray(v) && v.length > 0 && typeof v[0] === "object" && v[0] !== null && !Array.isArray(v[0])) {
      for (const item of v) out.push(...paths(item as Record<string, unknown>, `${key}.`));
    } else if (v && typeof v === "object" && !Array.isArray(v)) out.push(...paths(v as Record<string, unknown>, `${key}.`));
    else out.push(key);
  }
  return [...new Set(out)];
}

test("figures use only attributes plotly.js had before 2.0", () => {
  const live = plot.lossCallback({ unfreezeEpochs: [{ epoch: 1, names: ["fc"] }] });
  for (let e = 0; e < 2; e++) { live.pushBatch({ loss: 1, acc: 0.5 }); live.push({ loss: 1, val_loss: 2, acc: 0.5, val_acc: 0.4 }); }
  const layers = Array.from({ length: 45 }, (_, i) => ({ name: `layer${i % 3}.${i}`, trainable: 1, frozen: 2, nonTrainable: 3, shapes: ["kernel [1]"] }));
  const figures = [plot.params({ trainable: 45, frozen: 90, nonTrainable: 135, total: 270, layers }, { log: true }),
    plot.params({ trainable: 45, frozen: 90, nonTrainable: 135, total: 270, layers: layers.slice(0, 2) }), live.figure()];
  for (const fig of figures) {
    for (const t of fig.data) for (const p of paths(t)) assert.ok(TRACE.has(p), `trace attribute ${p} is not on the list`);
    for (const p of paths(fig.layout, "", true)) assert.ok(LAYOUT.has(p), `layout attribute ${p} is not on the list`);
  }
});
