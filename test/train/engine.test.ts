import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { engine, ready, tf } from "../../src/train/engine";

test("engine() answers at once: wasm here, with a reason naming tfjs-node", () => {
  const info = engine();
  assert.equal(info.backend, "wasm");
  assert.match(info.reason, /tfjs-node not installed/);
});

test("ready() initialises the chosen backend and reports SIMD and threads", async () => {
  const info = await ready();
  assert.equal(tf.getBackend(), "wasm");
  assert.match(info.reason, /thread/);
});

test("require('graft') from the repo root prints the engine quietly, no tfjs banner", () => {
  const root = path.join(__dirname, "..", "..");
  const out = spawnSync(process.execPath, ["-e", `const g=require("graft"); g.ready().then(()=>{g.tf.ones([2]).dataSync(); console.log(JSON.stringify(g.engine()))})`], { cwd: root, encoding: "utf8" });
  assert.equal(out.status, 0, out.stderr);
  assert.equal(JSON.parse(out.stdout.trim()).backend, "wasm");
  assert.doesNotMatch(out.stdout + out.stderr, /Hi, looks like|tfjs-node for more details/);
});

test("GRAFT_BACKEND=cpu falls back to the cpu backend quietly", () => {
  const root = path.join(__dirname, "..", "..");
  const out = spawnSync(process.execPath, ["-e", `const g=require("graft"); g.ready().then((i)=>{g.tf.ones([2]).dataSync(); console.log(JSON.stringify(i))})`], {
    cwd: root, encoding: "utf8", env: { ...process.env, GRAFT_BACKEND: "cpu" },
  });
  assert.equal(out.status, 0, out.stderr);
  assert.equal(JSON.parse(out.stdout.trim()).backend, "cpu");
  assert.doesNotMatch(out.stdout + out.stderr, /Hi, looks like/);
});

test("file:// save and load work without tfjs-node, as they do with it", async () => {
  await ready();
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "graft-io-"));
  const model = tf.sequential({ layers: [tf.layers.dense({ units: 3, inputShape: [4], name: "fc" })] });
  model.compile({ optimizer: "sgd", loss: "meanSquaredError" });
  await model.save(`file://${dir}`);
  assert.ok(fs.existsSync(path.join(dir, "model.json")));
  assert.ok(fs.existsSync(path.join(dir, "weights.bin")));
  const loaded = await tf.loadLayersModel(`file://${dir}/model.json`);
  const x = tf.randomNormal([2, 4]);
  const a = (model.predict(x) as tf.Tensor).arraySync();
  const b = (loaded.predict(x) as tf.Tensor).arraySync();
  assert.deepEqual(b, a);
  fs.rmSync(dir, { recursive: true });
});
