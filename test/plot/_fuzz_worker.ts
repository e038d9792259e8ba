// Worker side of fuzz.test.ts: builds each case's input, then renders it, reporting the start and
// the end (wall and CPU time) so the main thread's watchdog can stop it when one case hangs.
import { parentPort, workerData } from "node:worker_threads";
import { BIG_KINDS, makeCase } from "./_fuzz_cases";

const { first, count, bigEvery } = workerData as { first: number; count: number; bigEvery: number };
for (let seed = first; seed < first + count; seed++) {
  const i = seed - first;
  const big = bigEvery > 0 && i % bigEvery === bigEvery - 1;
  try {
    const run = makeCase(seed, big ? Math.floor(i / bigEvery) % BIG_KINDS : undefined);
    parentPort!.postMessage({ type: "start", seed, big });
    const t0 = performance.now(), c0 = process.cpuUsage();
    const res = run();
    const cpu = process.cpuUsage(c0);
    parentPort!.postMessage({ type: "done", seed, big, kind: res.kind, ms: performance.now() - t0, cpuMs: (cpu.user + cpu.system) / 1000, bytes: res.bytes, svgBytes: res.svg.length, svg: res.svg });
  } catch (e) {
    parentPort!.postMessage({ type: "error", seed, big, message: (e as Error)?.stack ?? String(e) });
  }
}
parentPort!.postMessage({ type: "end" });
