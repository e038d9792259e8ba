// `npm run bench`: runs every benchmark under bench/ in turn; each prints its figures, its
// reference and the ratio against the target. `npm run bench -- load` runs only bench/load.ts.
import { readdirSync } from "node:fs";
import { join } from "node:path";
import { root, setup, sh } from "./_setup.mjs";

setup();
const only = process.argv.slice(2);
const benches = readdirSync(join(root, "bench"))
  .filter((f) => f.endsWith(".ts") && !f.startsWith("_"))
  .filter((f) => only.length === 0 || only.includes(f.replace(/\.ts$/, "")))
  .sort();
let failed = 0;
for (const file of benches) {
  console.log(`\n=== bench/${file}`);
  try {
    sh(process.execPath, ["--import", "tsx", join("bench", file)]);
  } catch (err) {
    failed++;
    console.error(`bench/${file} failed (exit ${err.status})`);
  }
}
process.exit(failed ? 1 : 0);
