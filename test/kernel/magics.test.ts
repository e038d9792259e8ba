// The model magics over the wire, on a checkpoint written by real PyTorch: each one is a thin
// shell over graft's public function (open/inspectCheckpoint, loadWeights, freeze/unfreeze, countParams).
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { ROOT, ensureBuilt } from "./_build";
import { KernelClient, textOf, type Reply } from "./_client";

const FIXTURES = path.join(ROOT, "test", ".fixtures", "kernel");
const SCRIPT = path.join(ROOT, "test", "fixtures", "make_kernel_fixtures.py");
let k: KernelClient;

before(async () => {
  ensureBuilt();
  const ckpt = path.join(FIXTURES, "mlp.pt");
  if (!fs.existsSync(ckpt) || fs.statSync(ckpt).mtimeMs < fs.statSync(SCRIPT).mtimeMs) execFileSync("/usr/bin/python3", [SCRIPT, FIXTURES]);
  k = await KernelClient.start({ cwd: FIXTURES });
  const r = await k.execute('const model = tf.sequential({ layers: [tf.layers.dense({ units: 3, inputShape: [4], name: "fc1" }), tf.layers.dense({ units: 2, name: "fc2" })] });');
  assert.equal(r.reply.content.status, "ok", JSON.stringify(r.reply.content));
});
after(async () => k?.close());

const shown = (r: Reply, mime = "text/plain") =>
  r.iopub.filter((m) => m.header.msg_type === "display_data").map((m) => String(m.content.data[mime] ?? "")).join("\n");

test("%inspect FILE lists the checkpoint's tensors", async () => {
  const r = await k.execute("%inspect mlp.pt");
  assert.equal(r.reply.content.status, "ok", JSON.stringify(r.reply.content));
  const text = shown(r);
  assert.match(text, /torch-zip/);
  assert.match(text, /fc1\.weight\s+\[3, 4\]\s+float32/);
  assert.match(shown(r, "text/html"), /<td>fc2\.bias<\/td>/);
});

test("%load_weights --dry-run reports and changes nothing; then it loads into the only model", async () => {
  const before = await k.execute("Array.from(model.getLayer('fc1').getWeights()[0].dataSync())");
  const dry = await k.execute("%load_weights mlp.pt --dry-run");
  assert.equal(dry.reply.content.status, "ok", JSON.stringify(dry.reply.content));
  assert.ok(shown(dry, "text/html").length > 0);
  assert.equal(textOf((await k.execute("Array.from(model.getLayer('fc1').getWeights()[0].dataSync())")).iopub[1]), textOf(before.iopub[1]));
  const load = await k.execute("%load_weights mlp.pt into model --strict");
  assert.equal(load.reply.content.status, "ok", JSON.stringify(load.reply.content));
  const got = await k.execute("JSON.stringify(Array.from(model.getLayer('fc1').getWeights()[0].dataSync()))");
  const values: number[] = JSON.parse(JSON.parse(textOf(got.iopub[1]).replace(/^'|'$/g, '"')));
  const want = fs.readFileSync(path.join(FIXTURES, "mlp_fc1_kernel.txt"), "utf8").trim().split(" ").map(Number);
  assert.equal(values.length, want.length);
  values.forEach((v, i) => assert.ok(Math.abs(v - want[i]) < 1e-6, `fc1 kernel[${i}] = ${v}, PyTorch ${want[i]}`));
});

test("%freeze / %unfreeze / %params and the model's own rendering agree", async () => {
  const f = await k.execute("%freeze fc1");
  assert.match(shown(f), /^Froze 1 layer: fc1\n/);
  assert.match(shown(f), /Trainable params: 8\nFrozen params: 15\n/);
  const p = await k.execute("%params");
  assert.equal(p.reply.content.status, "ok", JSON.stringify(p.reply.content));
  // one table: %params shows (after its chart) exactly the table %freeze showed under its headline
  assert.ok(shown(p).endsWith(shown(f).replace(/^Froze 1 layer: fc1\n/, "")), shown(p));
  const m = await k.execute("model");
  assert.match(textOf(m.iopub[1]), /fc1\s+Dense\s+\[None,3\]\s+0\s+15\s+0/);
  const u = await k.execute("%unfreeze fc*");
  assert.match(shown(u), /^Unfroze \d+ layers?/);
  assert.match(shown(u), /Trainable params: 23\nFrozen params: 0\n/);
});

test("magic model arguments: a named variable that is not there, several models", async () => {
  const nope = await k.execute("%freeze fc1 on nope");
  assert.equal(nope.reply.content.evalue, "%freeze: no variable named nope in this notebook");
  await k.execute("const other = tf.sequential({ layers: [tf.layers.dense({ units: 1, inputShape: [1] })] });");
  const two = await k.execute("%params");
  assert.equal(two.reply.content.ename, "UsageError");
  assert.match(two.reply.content.evalue, /^%params: several models \(model, other\); name one/);
});

test("interrupt_request stops an awaited model.fit; the kernel stays and can fit again", async () => {
  await k.execute('model.compile({ optimizer: "sgd", loss: "meanSquaredError" });\nconst xs = tf.randomNormal([64, 4]);\nconst ys = tf.randomNormal([64, 2]);');
  const running = k.execute("await model.fit(xs, ys, { epochs: 100000, batchSize: 8, verbose: 0 });");
  setTimeout(() => k.request("interrupt_request", {}, "control"), 1500);
  const r = await running;
  assert.equal(r.reply.content.ename, "KeyboardInterrupt");
  const again = await k.execute("(await model.fit(xs, ys, { epochs: 2, verbose: 0 })).epoch.length");
  assert.equal(textOf(again.iopub[1]), "2");
});
