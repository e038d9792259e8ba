// `npm test`: installs what is missing, builds, then runs every test under test/ with node's
// test runner (TypeScript through tsx). Extra arguments are passed to `node --test`, e.g.
// `npm test -- --test-name-pattern=safetensors`, or test files to run only those; `npm run
// test:memory` runs only the memory suite (test/**/*.memory.ts), which a full run runs first. A full
// run also type-checks the tests and benchmarks with the sources (tsconfig.test.json), as tsx does not.
import { readdirSync } from "node:fs";
import { join, relative } from "node:path";
import { root, setup, sh, TSC } from "./_setup.mjs";

function findTests(dir, suffix = ".test.ts") {
  const out = [];
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    if (entry.name.startsWith(".") || entry.name === "node_modules") continue;
    const p = join(dir, entry.name);
    if (entry.isDirectory()) out.push(...findTests(p, suffix));
    else if (entry.name.endsWith(suffix)) out.push(relative(root, p));
  }
  return out.sort();
}

setup();
// The suite asserts the wasm engine (graft's default without tfjs-node): pin it, so a machine that
// has tfjs-node runs the same tests. `GRAFT_BACKEND=… npm test` overrides.
process.env.GRAFT_BACKEND ??= "wasm";
const args = process.argv.slice(2);
const memoryOnly = args[0] === "--memory";
if (memoryOnly) args.shift();
const files = args.filter((a) => a.endsWith(".ts"));
const flags = args.filter((a) => !a.endsWith(".ts"));
// The memory suite measures RSS, so it runs alone, one file at a time, before the unit tests (whose
// summary then comes last); see test/memory/. A failure there fails the run after the unit tests.
let memoryFailed = 0;
if (files.length === 0) {
  try {
    sh(process.execPath, ["--import", "tsx", "--test", "--test-concurrency=1", "--test-reporter=spec", ...flags, ...findTests(join(root, "test"), ".memory.ts")]);
  } catch (err) {
    memoryFailed = err.status ?? 1;
  }
}
if (memoryOnly) process.exit(memoryFailed);
try {
  if (files.length === 0) sh(process.execPath, [TSC, "-p", "tsconfig.test.json"]);
  sh(process.execPath, ["--import", "tsx", "--test", "--test-reporter=spec", ...flags, ...(files.length ? files : findTests(join(root, "test")))]);
} catch (err) {
  process.exit(err.status ?? 1);
}
if (memoryFailed) {
  console.error("the memory suite (test/memory) failed: see its output above the unit tests'");
  process.exit(memoryFailed);
}
