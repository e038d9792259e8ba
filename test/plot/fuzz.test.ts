// Every renderer is total over hostile numbers: thousands of seeded cases (NaN, ±Infinity,
// ±1e308, subnormals, constant series at any magnitude, empty series, 10⁶ points) rendered in a
// worker under a watchdog; each must render in under 1 s of CPU time (CPU, not wall time: the
// test machine is shared) to a bounded, well-formed SVG. The watchdog stops a case that runs
// 10 s of wall time (a hang: before the fix, the smallest repro below never returned).
import { test } from "node:test";
import assert from "node:assert/strict";
import * as path from "node:path";
import { Worker } from "node:worker_threads";
import * as plot from "../../src/plot";
import { xmlErrors } from "./_xml";

const CASES = Number(process.env.GRAFT_FUZZ_CASES ?? 2000);
const CASE_MS = 1000;
const HANG_MS = 10_000;
const MAX_SVG = 2_000_000;

interface Done { type: "done"; seed: number; big: boolean; kind: string; ms: number; cpuMs: number; bytes: number; svgBytes: number; svg: string }

/** Runs seeds [first, first + count) in a worker; rejects naming the seed that hangs or throws. */
function runWorker(first: number, count: number, bigEvery: number): Promise<Done[]> {
  return new Promise((resolve, reject) => {
    const file = path.join(__dirname, "_fuzz_worker.ts");
    const worker = new Worker(`require("tsx/cjs"); require(${JSON.stringify(file)});`, { eval: true, workerData: { first, count, bigEvery } });
    const done: Done[] = [];
    let timer: NodeJS.Timeout | undefined;
    let failed = false;
    const fail = (e: Error) => { if (failed) return; failed = true; clearTimeout(timer); void worker.terminate(); reject(e); };
    worker.on("message", (m: { type: "start" | "done" | "error" | "end"; seed: number; big: boolean; message?: string }) => {
      clearTimeout(timer);
      if (m.type === "start") {
        timer = setTimeout(() => fail(new Error(`case ${m.seed}${m.big ? " (10^6 points)" : ""} did not finish in ${HANG_MS} ms`)), HANG_MS);
      } else if (m.type === "done") done.push(m as unknown as Done);
      else if (m.type === "error") fail(new Error(`case ${m.seed} threw: ${m.message}`));
      else if (m.type === "end") { void worker.terminate(); resolve(done); }
    });
    worker.on("error", fail);
    worker.on("exit", (code) => { if (!failed && done.length < count) fail(new Error(`worker exited (${code}) after ${done.length} of ${count} cases`)); });
  });
}

test("the smallest repro: a constant metric at 1e30 renders (the axis used to loop forever)", () => {
  const cb = plot.lossCallback();
  cb.pushBatch({ loss: 1, acc: 1e30 });
  cb.pushBatch({ loss: 2, acc: 1e30 });
  const svg = cb.figure().toSVG();
  assert.equal(xmlErrors([svg])[0], "");
  assert.match(svg, /<g class="axis yaxis2">[\s\S]*?>1\.0e\+30</, "the acc panel's axis is labelled around 1e30");
});

test(`${CASES} seeded hostile cases render within ${CASE_MS} ms of CPU each to well-formed SVG under ${MAX_SVG / 1e6} MB`, { timeout: 600_000 }, async () => {
  const results = await runWorker(1, CASES, 300);
  assert.equal(results.length, CASES);
  const slow = results.filter((r) => r.cpuMs > CASE_MS);
  assert.deepEqual(slow.map((r) => `${r.seed} ${r.kind}: ${r.cpuMs.toFixed(0)} ms of CPU (${r.ms.toFixed(0)} ms wall)`), []);
  const huge = results.filter((r) => r.svgBytes > MAX_SVG);
  assert.deepEqual(huge.map((r) => `${r.seed} ${r.kind}: ${r.svgBytes} bytes`), []);
  const errors = xmlErrors(results.map((r) => r.svg));
  const bad = results.map((r, i) => [r, errors[i]] as const).filter(([, e]) => e !== "");
  assert.deepEqual(bad.map(([r, e]) => `${r.seed} ${r.kind}: ${e}`), []);
  for (const r of results) assert.doesNotMatch(r.svg, /\s(?!data-)[a-z-]+="[^"]*(NaN|Infinity)/, `case ${r.seed} (${r.kind}) wrote NaN or Infinity into an SVG attribute`);
  const big = results.filter((r) => r.big);
  assert.equal(big.length, Math.floor(CASES / 300));
  const tables = results.filter((r) => r.kind === "tables of 10^5 rows");
  for (const t of tables) assert.ok(t.bytes < 5_000_000, `the tables of 10^5 rows are cut short: ${t.bytes} characters`);
  const kinds = new Set(results.map((r) => r.kind));
  assert.ok(kinds.size >= 8, `every kind of case ran: ${[...kinds]}`);
  console.log(`# slowest case ${Math.max(...results.map((r) => r.cpuMs)).toFixed(0)} ms CPU; largest SVG ${Math.max(...results.map((r) => r.svgBytes))} bytes; big cases (10^6 points, 10^5 rows) ${big.map((r) => `${r.cpuMs.toFixed(0)} ms CPU / ${r.ms.toFixed(0)} ms wall`).join(", ")}`);
});
