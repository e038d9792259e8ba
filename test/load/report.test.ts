/** LoadReport renderings: terminal text, notebook HTML (summary first, collapsible sections), JSON, Jupyter bundle. */
import { test } from "node:test";
import assert from "node:assert/strict";
import { ready } from "../../src/engine/engine";
import { loadWeights } from "../../src/load";
import { memoryCheckpoint, readCase } from "./_fixtures";
import { tiny } from "./_tiny";

async function seedReport() {
  await ready();
  const c = readCase("seed_head");
  const tensors = [...c.tensors, { name: "extra.<weight>", shape: [2], dtype: "float32", data: [1, 2] }];
  return loadWeights(tiny(10), memoryCheckpoint(tensors, { path: "seed_head.pth", container: "state_dict" }), { match: "name" });
}

test("toString: heading, summary, one table per non-empty section", async () => {
  const text = (await seedReport()).toString();
  const lines = text.split("\n");
  assert.equal(lines[0], 'LoadReport: seed_head.pth (torch-zip, container "state_dict", torch layout)');
  assert.match(lines[1], /^loaded 5\/7 tensors, 73\.3 % of parameters; 2 shape mismatches \(fc\.weight 1000×8 vs 10×8, fc\.bias\); 1 unexpected \(extra\.<weight>\); applied in \d+ ms$/);
  assert.match(text, /mismatched \(2\):\n {2}model weight +checkpoint entry +checkpoint +model expects\n {2}fc\/kernel +fc\.weight +\[1000, 8\] +\[10, 8\]/);
  assert.match(text, /ignored \(1\):\n.*\n {2}bn1\.num_batches_tracked +BatchNorm step counter/);
  assert.match(text, /loaded \(5\):[\s\S]*conv1\/kernel +conv1\.weight +\[3, 3, 3, 8\] +transpose\(2,3,1,0\)/);
});

test("toHTML: the summary line first, then <details> sections with problems open; text is escaped", async () => {
  const report = await seedReport();
  const html = report.toHTML();
  const summaryAt = html.indexOf("loaded 5/7 tensors, 73.3 % of parameters; 2 shape mismatches (fc.weight 1000×8 vs 10×8, fc.bias)");
  assert.ok(summaryAt > 0 && summaryAt < html.indexOf("<details"));
  assert.match(html, /<details open><summary style="display:list-item;cursor:pointer">mismatched \(2\)<\/summary>/);
  assert.match(html, /<details><summary style="display:list-item;cursor:pointer">loaded \(5\)<\/summary>/);
  assert.ok(html.includes("extra.&#60;weight&#62;") && !html.includes("extra.<weight>"));
  const bundle = (report as unknown as Record<symbol, () => Record<string, unknown>>)[Symbol.for("Jupyter.display")]();
  assert.deepEqual(Object.keys(bundle).sort(), ["text/html", "text/plain"]);
  assert.equal(bundle["text/plain"], report.toString());
});

test("toJSON: plain data with fields, summary and issues keyed by code", async () => {
  const report = await seedReport();
  const json = JSON.parse(JSON.stringify(report));
  assert.equal(json.format, "torch-zip");
  assert.equal(json.applied, true);
  assert.equal(json.loaded.length, 5);
  assert.deepEqual(json.issues.map((i: { code: string }) => i.code), ["shape_mismatch", "shape_mismatch", "unexpected"]);
  assert.deepEqual(json.issues[0].actual, [1000, 8]);
  assert.deepEqual(json.issues[0].expected, [10, 8]);
  assert.match(json.issues[2].message, /skip: 'extra\.\*'/);
});

test("planReport: the dry-run report from names and shapes only (what inspect --against shows)", async () => {
  const { planReport } = await import("../../src/load");
  const c = readCase("seed_head");
  const entries = c.tensors.map((t) => ({ name: t.name, shape: t.shape, dtype: "float32" as const, byteLength: 4 * t.data.length }));
  const report = planReport(tiny(10), { format: "torch-zip", entries, path: "seed_head.pth" });
  assert.equal(report.applied, false);
  assert.match(report.summary(), /^loaded 5\/7 tensors, 73\.3 % of parameters; 2 shape mismatches \(fc\.weight 1000×8 vs 10×8, fc\.bias\); not applied \(dry run\)$/);
});
