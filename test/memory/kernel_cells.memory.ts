// The memory suite (test/memory/*.memory.ts): assertions on a process's RSS, which depends on
// what else the machine runs. `npm test` runs this suite after the unit tests, alone and one file
// at a time, so that no other test's allocations land in the measurement; `npm run test:memory`
// runs only it. Thresholds are ratios against the same process earlier in the run (never absolute
// sizes), with the margin explained where it is set.
//
// 200 cells in one kernel, each creating and disposing tensors: tfjs's tensor count must not grow
// and the kernel's RSS must stay within 1.5x of where it was after cell 20. Each cell samples RSS
// after a full garbage collection, so the test measures what the kernel keeps: without it, RSS
// swings by ~1.7x with V8's collection schedule (265 → 650 MiB measured) and one sample at cell
// 200 passed or failed by where in the swing it fell; after a collection it was 265 → 281 MiB.
import { test, after } from "node:test";
import assert from "node:assert/strict";
import { ensureBuilt } from "../kernel/_build";
import { KernelClient, textOf, type Reply } from "../kernel/_client";

let k: KernelClient | undefined;
after(async () => k?.close());

const CELL = [
  "const t = tf.randomNormal([64, 64]);",
  "const s = tf.tidy(() => t.matMul(t).sum());",
  "const v = s.dataSync()[0];",
  "t.dispose();",
  "s.dispose();",
  "collectGarbage();",
  "JSON.stringify([tf.memory().numTensors, process.memoryUsage().rss])",
].join("\n");

test("200 cells: numTensors does not grow, RSS stays within 1.5x of cell 20", async () => {
  ensureBuilt();
  k = await KernelClient.start();
  // V8's collector, reachable from a cell without restarting the kernel with --expose-gc.
  const setup = await k.execute(`require("v8").setFlagsFromString("--expose-gc"); const collectGarbage = require("vm").runInNewContext("gc");`);
  assert.equal(setup.reply.content.status, "ok", JSON.stringify(setup.reply.content));
  const samples: Array<[number, number]> = [];
  for (let i = 1; i <= 200; i++) {
    const r: Reply = await k.execute(CELL);
    assert.equal(r.reply.content.status, "ok", JSON.stringify(r.reply.content));
    samples.push(JSON.parse(JSON.parse(textOf(r.iopub[1]).replace(/^'|'$/g, '"'))));
  }
  const tensors = samples.map((s) => s[0]);
  assert.ok(tensors.every((n) => n === tensors[0]), `numTensors changed: ${[...new Set(tensors)].join(" → ")}`);
  const rss20 = samples[19][1];
  const rss200 = samples[199][1];
  // 1.5×: after a full collection RSS stays within a few percent between cells 20 and 200; a leak of
  // one 16 KiB tensor per cell would add ~3 MiB only, but a leaked kernel-side copy of each cell's
  // output or compiled program grows it past 1.5× within 200 cells.
  assert.ok(rss200 <= 1.5 * rss20, `RSS grew from ${(rss20 / 2 ** 20).toFixed(0)} MiB (cell 20) to ${(rss200 / 2 ** 20).toFixed(0)} MiB (cell 200)`);
});
