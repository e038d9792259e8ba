// `graft inspect FILE --against MODEL_JSON`: the dry-run load report of a real torchvision .pth
// for a tfjs model.json saved by tfjs, with an exit status scripts can gate on.
import { test, before } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { CLI, ROOT, ensureBuilt } from "../kernel/_build";
import { fixturePath } from "../load/_fixtures";
import { ready } from "../../src/engine/engine";
import * as zoo from "../../src/zoo";

const DIR = path.join(ROOT, "test", ".fixtures", "cli");
const graft = (...args: string[]) => spawnSync(process.execPath, [CLI, ...args], { encoding: "utf8" });
let pth = "";

/** resnet18 with `classes` outputs saved as a tfjs model.json (the .pth has a 10-class head). */
async function modelJson(classes: number): Promise<string> {
  const dir = path.join(DIR, `resnet18_${classes}`);
  const file = path.join(dir, "model.json");
  if (!fs.existsSync(file)) {
    const model = zoo.resnet18({ numClasses: classes, inputShape: [64, 64, 3] });
    await model.save(`file://${dir}`);
    model.dispose();
  }
  return file;
}

before(async () => {
  ensureBuilt();
  await ready();
  fs.mkdirSync(DIR, { recursive: true });
  pth = fixturePath("resnet18.pth");
});

test("--against a model whose head differs: the mismatch in the report, nothing loaded, exit 1", async () => {
  const r = graft("inspect", pth, "--against", await modelJson(5));
  assert.equal(r.status, 1, r.stderr);
  assert.match(r.stdout, /loaded 100\/102 tensors, 99\.9 % of parameters; 2 shape mismatches \(fc\.weight 10×512 vs 5×512, fc\.bias\); not applied \(dry run\)/);
  assert.match(r.stdout, /conv1\/kernel\s+conv1\.weight\s+\[7, 7, 3, 64\]\s+transpose/);
  const j = spawnSync(process.execPath, [CLI, "inspect", pth, "--against", await modelJson(5), "--json"], { encoding: "utf8" });
  assert.equal(j.status, 1);
  const report = JSON.parse(j.stdout);
  assert.equal(report.applied, false);
  assert.deepEqual(report.mismatched.map((m: { source: string }) => m.source).sort(), ["fc.bias", "fc.weight"]);
});

test("--against a model that matches: exit 0; --strip-prefix none and --layout pass through", async () => {
  const file = await modelJson(10);
  const r = graft("inspect", pth, "--against", file);
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stdout, /loaded 102\/102 tensors, 100\.0 % of parameters; not applied \(dry run\)/);
  const t = graft("inspect", pth, "--against", file, "--strip-prefix", "none", "--layout", "tfjs");
  assert.equal(t.status, 1, "read as a tfjs checkpoint, torch names match no tfjs weight");
  assert.match(t.stdout, /\(torch-zip, tfjs layout\)\nloaded 0\/102 tensors/);
});

test("--against a file that is not a tfjs model: one line naming it, exit 2", () => {
  const bad = path.join(DIR, "not_a_model.json");
  fs.writeFileSync(bad, JSON.stringify({ weightsManifest: [] }));
  for (const [file, why] of [[bad, /no "modelTopology"/], [path.join(DIR, "missing.json"), /no such file/]] as const) {
    const r = graft("inspect", pth, "--against", file);
    assert.equal(r.status, 2);
    assert.equal(r.stderr.trim().split("\n").length, 1, r.stderr);
    assert.match(r.stderr, new RegExp(`graft: Cannot read model ${file.replace(/[.*+?^${}()|[\]\\/]/g, "\\$&")}: `));
    assert.match(r.stderr, why);
  }
  const l = graft("inspect", pth, "--layout", "torch");
  assert.equal(l.status, 2);
  assert.match(l.stderr, /--strip-prefix and --layout go with --against MODEL_JSON/);
});
