/**
 * graft's wasm-heap code on both tfjs wasm builds: the rest of the suite runs on the default one
 * (threaded SIMD where there is more than one core), and this file runs the gradient and load
 * tests again on the other (GRAFT_WASM=single, or threaded with 2 threads on a 1-core machine).
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import * as os from "node:os";
import * as path from "node:path";

const HEAP_TESTS = [
  "test/train/wasm_gradients.test.ts",
  "test/load/in_place.test.ts",
  "test/load/transpose_helper.test.ts",
  "test/checkpoint/read_heap.test.ts",
  "test/load/load_weights.test.ts",
];

const threadedByDefault = os.availableParallelism() > 1;
const other = threadedByDefault ? { GRAFT_WASM: "single", GRAFT_THREADS: "" } : { GRAFT_WASM: "threaded", GRAFT_THREADS: "2" };

/** The environment of a child test run: its own runner (NODE_TEST_CONTEXT would make it report to ours). */
function childEnv(): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env, ...other };
  delete env.NODE_TEST_CONTEXT;
  return env;
}

test(`the gradient and load tests pass on the other wasm build too (GRAFT_WASM=${other.GRAFT_WASM})`, () => {
  const root = path.join(__dirname, "..", "..");
  const r = spawnSync(process.execPath, ["--import", "tsx", "--test", "--test-reporter=tap", ...HEAP_TESTS], {
    cwd: root, encoding: "utf8", env: childEnv(), timeout: 900_000,
  });
  const failed = r.stdout.split("\n").filter((l) => /^not ok /.test(l));
  assert.equal(r.status, 0, `on GRAFT_WASM=${other.GRAFT_WASM}: ${failed.join("; ") || r.stderr.slice(-2000)}`);
  assert.match(r.stdout, /# fail 0/);
  const pass = Number(/# pass (\d+)/.exec(r.stdout)?.[1] ?? 0);
  assert.ok(pass >= 30, `expected the heap tests to run, got ${pass} passing`);
});

test("the engine reports the build each run uses", () => {
  const root = path.join(__dirname, "..", "..");
  const r = spawnSync(process.execPath, ["-e", `require("graft").ready().then(i => console.log(i.reason))`], { cwd: root, encoding: "utf8", env: { ...process.env, ...other } });
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stdout, threadedByDefault ? /SIMD build, 1 thread \(GRAFT_WASM=single\)/ : /threaded SIMD build, 2 threads/);
});
