// `npm test`: installs what is missing, builds, then runs every test under test/ with node's
// test runner (TypeScript through tsx). Extra arguments are passed to `node --test`, e.g.
// `npm test -- --test-name-pattern=safetensors`, or test files to run only those. A full run first
// type-checks the tests and benchmarks with the sources (tsconfig.test.json), as tsx does not.
import { readdirSync } from "node:fs";
import { join, relative } from "node:path";
import { root, setup, sh } from "./_setup.mjs";

function findTests(dir) {
  const out = [];
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    if (entry.name.startsWith(".") || entry.name === "node_modules") continue;
    const p = join(dir, entry.name);
    if (entry.isDirectory()) out.push(...findTests(p));
    else if (entry.name.endsWith(".test.ts")) out.push(relative(root, p));
  }
  return out.sort();
}

setup();
const args = process.argv.slice(2);
const files = args.filter((a) => a.endsWith(".ts"));
const flags = args.filter((a) => !a.endsWith(".ts"));
try {
  if (files.length === 0) sh("npx", ["tsc", "-p", "tsconfig.test.json"]);
  sh(process.execPath, ["--import", "tsx", "--test", "--test-reporter=spec", ...flags, ...(files.length ? files : findTests(join(root, "test")))]);
} catch (err) {
  process.exit(err.status ?? 1);
}
