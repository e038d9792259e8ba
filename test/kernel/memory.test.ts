// 200 cells in one kernel, each creating and disposing tensors: tfjs's tensor count must not grow
// and the kernel's RSS must stay within 1.5x of where it was after cell 20.
import { test, after } from "node:test";
import assert from "node:assert/strict";
import { ensureBuilt } from "./_build";
import { KernelClient, textOf } from "./_client";

let k: KernelClient | undefined;
after(async () => k?.close());

const CELL = [
  "const t = tf.randomNormal([64, 64]);",
  "const s = tf.tidy(() => t.matMul(t).sum());",
  "const v = s.dataSync()[0];",
  "t.dispose();",
  "s.dispose();",
  "JSON.stringify([tf.memory().numTensors, process.memoryUsage().rss])",
].join("\n");

test("200 cells: numTensors does not grow, RSS stays within 1.5x of cell 20", async () => {
  ensureBuilt();
  k = await KernelClient.start();
  const samples: Array<[number, number]> = [];
  for (let i = 1; i <= 200; i++) {
    const r = await k.execute(CELL);
    assert.equal(r.reply.content.status, "ok", JSON.stringify(r.reply.content));
    samples.push(JSON.parse(JSON.parse(textOf(r.iopub[1]).replace(/^'|'$/g, '"'))));
  }
  const tensors = samples.map((s) => s[0]);
  assert.ok(tensors.every((n) => n === tensors[0]), `numTensors changed: ${[...new Set(tensors)].join(" → ")}`);
  const rss20 = samples[19][1];
  const rss200 = samples[199][1];
  assert.ok(rss200 <= 1.5 * rss20, `RSS grew from ${(rss20 / 2 ** 20).toFixed(0)} MiB (cell 20) to ${(rss200 / 2 ** 20).toFixed(0)} MiB (cell 200)`);
});
