import { test } from "node:test";
import assert from "node:assert/strict";
import * as plot from "../../src/plot";
import { PLOTLY_MIME } from "../../src/plot/figure";
import { xmlError } from "./_xml";

const result = { loss: 0.4, accuracy: 0.7, count: 20, confusion: [[5, 1, 0], [2, 6, 0], [0, 3, 3]] };

test("plot.confusion: a plotly heatmap (rows = true class) with every mime, a well-formed static SVG of the same counts", () => {
  const fig = plot.confusion(result, ["cat", "dog", "fox <&>"]);
  const json = fig.toJSON();
  const trace = json.data[0] as unknown as { type: string; z: number[][]; text: string[][]; x: string[]; y: string[] };
  assert.equal(trace.type, "heatmap");
  assert.deepEqual(trace.text, [["5", "1", "0"], ["2", "6", "0"], ["0", "3", "3"]]);
  assert.deepEqual(trace.z[1], [0.25, 0.75, 0]);
  assert.deepEqual(trace.y, ["cat", "dog", "fox <&>"]);
  assert.equal((json.layout.yaxis as { autorange: string }).autorange, "reversed");
  const svg = fig.toSVG();
  assert.equal(xmlError(svg), "", xmlError(svg));
  const cells = [...svg.matchAll(/data-row="(\d)" data-col="(\d)" data-count="(\d+)"/g)].map((m) => [Number(m[1]), Number(m[2]), Number(m[3])]);
  assert.equal(cells.length, 9);
  for (const [r, c, n] of cells) assert.equal(n, result.confusion[r][c]);
  assert.match(svg, /fox &lt;&amp;&gt;/);
  assert.match(svg, /accuracy 70\.0% of 20/);
  const bundle = fig.toMimeBundle();
  assert.deepEqual(Object.keys(bundle).sort(), ["application/vnd.plotly.v1+json", "image/svg+xml", "text/html", "text/plain"].sort());
  assert.ok(PLOTLY_MIME in bundle);
  assert.match(bundle["text/html"] as string, /<svg/);
  assert.match(String(fig), /rows = true class \(cat, dog, fox <&>\).*\[5, 1, 0\].*lowest recall: fox <&> 50%/);
});

test("plot.confusion: counts colouring, default class names, a 1×1 and a 40-class matrix; bad input is a typed error", () => {
  const counts = plot.confusion(result, undefined, { normalize: "none", title: "t" });
  assert.deepEqual((counts.toJSON().data[0] as unknown as { z: number[][] }).z[1], [2 / 6, 1, 0]);
  assert.deepEqual((counts.toJSON().data[0] as unknown as { x: string[] }).x, ["0", "1", "2"]);
  assert.equal(xmlError(plot.confusion({ confusion: [[0]] }).toSVG()), "");
  const big = Array.from({ length: 40 }, (_, i) => Array.from({ length: 40 }, (_, j) => (i === j ? 9 : (i * j) % 3)));
  assert.equal(xmlError(plot.confusion({ confusion: big }).toSVG()), "");
  assert.throws(() => plot.confusion({ confusion: [[1, 2]] }), TypeError);
  assert.throws(() => plot.confusion({ confusion: [[1, NaN], [0, 1]] }), TypeError);
  assert.throws(() => plot.confusion(result, ["a"]), /1 class names for a 3×3 matrix/);
});
