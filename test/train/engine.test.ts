import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { engine, ready, tf } from "../../src/engine/engine";

test("engine() answers at once: wasm (npm test pins it) or, without the pin, wasm because tfjs-node is absent", () => {
  const info = engine();
  assert.equal(info.backend, "wasm");
  assert.match(info.reason, process.env.GRAFT_BACKEND === "wasm" ? /GRAFT_BACKEND=wasm/ : /tfjs-node not installed/);
});

test("ready() initialises the chosen backend and reports the build and its threads", async () => {
  const info = await ready();
  assert.equal(tf.getBackend(), "wasm");
  assert.equal(info.active, "wasm");
  assert.equal(info.warning, undefined);
  assert.match(info.reason, /(threaded SIMD|SIMD) build, \d+ threads?/);
  assert.match(info.reason, new RegExp(`${info.threads} threads?`));
});

/** Runs `code` (CommonJS, `g` = require("graft")) in a fresh node from the repo root; its last stdout line is JSON. */
function child(code: string, env: Record<string, string> = {}): { out: any; all: string } {
  const root = path.join(__dirname, "..", "..");
  const r = spawnSync(process.execPath, ["-e", `const g=require("graft"); const tf=g.tf; (async()=>{${code}})().catch(e=>{console.log(JSON.stringify({error:e.name,message:e.message}));})`], {
    cwd: root, encoding: "utf8", env: { ...process.env, GRAFT_WASM: "", GRAFT_THREADS: "", ...env }, timeout: 120_000,
  });
  assert.equal(r.status, 0, r.stderr);
  const lines = r.stdout.trim().split("\n");
  return { out: JSON.parse(lines[lines.length - 1]), all: r.stdout + r.stderr };
}

test("require('graft') then the tfjs idiom await tf.ready(): every op lands on graft's backend, no banner", () => {
  const { out, all } = child(`await tf.ready(); const y = tf.matMul(tf.ones([4, 4]), tf.ones([4, 4])).sum().dataSync()[0];
    console.log(JSON.stringify({ backend: tf.getBackend(), engine: g.engine(), y }))`);
  assert.equal(out.backend, out.engine.backend);
  assert.equal(out.backend, "wasm");
  assert.equal(out.engine.active, "wasm");
  assert.equal(out.y, 64);
  assert.doesNotMatch(all, /Hi, looks like|tfjs-node for more details/);
});

test("threaded wasm on every core by default; GRAFT_THREADS and GRAFT_WASM=single override, the reason says which", () => {
  const cores = os.availableParallelism();
  const def = child(`console.log(JSON.stringify(await g.ready()))`).out;
  if (cores > 1) {
    assert.match(def.reason, new RegExp(`threaded SIMD build, ${Math.min(cores, 8)} threads \\(${cores} cores available`));
    assert.equal(def.threads, Math.min(cores, 8));
  } else {
    assert.match(def.reason, /SIMD build, 1 thread \(1 core available\)/);
  }
  const two = child(`console.log(JSON.stringify(await g.ready()))`, { GRAFT_THREADS: "2" }).out;
  assert.match(two.reason, /threaded SIMD build, 2 threads \(GRAFT_THREADS=2\)/);
  assert.equal(two.threads, 2);
  const single = child(`console.log(JSON.stringify(await g.ready()))`, { GRAFT_WASM: "single" }).out;
  assert.match(single.reason, /: SIMD build, 1 thread \(GRAFT_WASM=single\)/);
  assert.equal(single.threads, 1);
  const forced = child(`console.log(JSON.stringify(await g.ready()))`, { GRAFT_WASM: "threaded", GRAFT_THREADS: "1" }).out;
  assert.match(forced.reason, /threaded SIMD build, 1 thread \(GRAFT_THREADS=1\)/);
});

test("a bad GRAFT_THREADS or GRAFT_WASM rejects ready() with a RangeError naming the value and the fix", () => {
  const t = child(`await g.ready()`, { GRAFT_THREADS: "lots" }).out;
  assert.equal(t.error, "RangeError");
  assert.match(t.message, /GRAFT_THREADS="lots": it must be a positive integer/);
  const w = child(`await g.ready()`, { GRAFT_WASM: "fast" }).out;
  assert.equal(w.error, "RangeError");
  assert.match(w.message, /GRAFT_WASM="fast": it must be "threaded" or "single"/);
});

test("tf.setBackend('cpu') behind graft's back: engine() says so in active and warning, quietly", () => {
  const { out, all } = child(`await g.ready(); await tf.setBackend("cpu"); tf.ones([2]).dataSync(); const moved = g.engine();
    await tf.setBackend("wasm"); console.log(JSON.stringify({ moved, back: g.engine() }))`);
  assert.equal(out.moved.backend, "wasm");
  assert.equal(out.moved.active, "cpu");
  assert.match(out.moved.warning, /tfjs computes on "cpu", not on "wasm".*await tf.setBackend\("wasm"\)/);
  assert.equal(out.back.warning, undefined);
  assert.doesNotMatch(all, /Hi, looks like/);
});

test("the threaded heap: graft's heap views follow the shared memory as it grows; the in-place loader's transpose binds to it", () => {
  const { out } = child(`await g.ready(); const { wasmHeap } = require("./dist/src/checkpoint/_wasm_heap");
    const heap = wasmHeap(); const before = heap.bytes().length; const shared = heap.memory.buffer instanceof SharedArrayBuffer;
    const big = tf.zeros([48 << 20]); const { tensor, ptr } = heap.alloc([4]);
    new Float32Array(heap.bytes().buffer, ptr, 4).set([1, 2, 3, 4]);
    const transpose = !!require("./dist/src/load/_fast/wasm_transpose").wasmTranspose(heap.memory);
    console.log(JSON.stringify({ shared, transpose, grew: heap.bytes().length > before, same: heap.bytes().length === heap.memory.buffer.byteLength, v: Array.from(tensor.dataSync()) })); big.dispose();`,
    { GRAFT_WASM: "threaded", GRAFT_THREADS: "2" });
  assert.deepEqual(out, { shared: true, transpose: true, grew: true, same: true, v: [1, 2, 3, 4] });
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

test("tensors made before ready() run on cpu meanwhile (engine() says so) and move to wasm after tf.ready()", () => {
  const { out } = child(`const w = tf.tensor([1, 2, 3]); const early = g.engine(); await tf.ready();
    const y = Array.from(w.mul(2).dataSync()); console.log(JSON.stringify({ early, y, backend: tf.getBackend(), late: g.engine() }))`);
  assert.equal(out.early.active, "cpu");
  assert.match(out.early.warning, /has not started yet.*await graft\.ready\(\) \(or tf\.ready\(\)\)/);
  assert.deepEqual(out.y, [2, 4, 6]);
  assert.equal(out.backend, "wasm");
  assert.equal(out.late.warning, undefined);
});

test("a threaded build that fails to start falls back to unthreaded SIMD wasm, the reason saying why — not to cpu", () => {
  const root = path.join(__dirname, "..", "..");
  const code = `const fs = require("fs"); const read = fs.readFileSync;
    fs.readFileSync = function (p, ...a) { if (String(p).endsWith("threaded-simd.wasm")) throw new Error("simulated: no threaded binary"); return read.call(this, p, ...a); };
    const g = require("graft"); g.tf.ready().then(() => console.log(JSON.stringify({ b: g.tf.getBackend(), e: g.engine(), y: g.tf.ones([3]).sum().dataSync()[0] })));`;
  const r = spawnSync(process.execPath, ["-e", code], { cwd: root, encoding: "utf8", env: { ...process.env, GRAFT_WASM: "threaded", GRAFT_THREADS: "2" }, timeout: 120_000 });
  assert.equal(r.status, 0, r.stderr);
  const out = JSON.parse(r.stdout.trim().split("\n").pop()!);
  assert.equal(out.b, "wasm");
  assert.equal(out.e.backend, "wasm");
  assert.equal(out.e.threads, 1);
  assert.match(out.e.reason, /SIMD build, 1 thread; the threaded build did not start \(simulated: no threaded binary\), so the unthreaded one runs/);
  assert.equal(out.y, 3);
});
