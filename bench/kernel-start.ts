// Kernel startup: time from launching the process to the first execute_reply, for the graft
// kernel vs plain tslab 1.0.22, one run each on this machine, same client. Target (issue 7):
// graft <= 1.2x tslab for the first reply ("1 + 1"). Also shown: the first cell that uses tfjs
// (graft: `tf` from the prelude; tslab: the cell imports @tensorflow/tfjs itself), where both
// pay the TypeScript compiler's load of tfjs's declarations.
// Run: node --import tsx bench/kernel-start.ts   (after `npm run build`)
import fs from "node:fs";
import path from "node:path";
import { performance } from "node:perf_hooks";
import { ensureBuilt, KERNEL_MAIN, ROOT } from "../test/kernel/_build";
import { KernelClient } from "../test/kernel/_client";

async function firstReply(name: string, argv: string[], cwd: string, code = "1 + 1"): Promise<number> {
  const t0 = performance.now();
  const k = await KernelClient.start({ cwd, argv });
  const r = await k.execute(code);
  const ms = performance.now() - t0;
  if (r.reply.content.status !== "ok") throw new Error(`${name}: first cell failed: ${JSON.stringify(r.reply.content)}`);
  await k.close();
  return ms;
}

async function main(): Promise<void> {
  ensureBuilt();
  // Inside the repo so that tslab's cells resolve @tensorflow/tfjs too.
  const cwd = path.join(ROOT, "bench", ".fixtures", "kernel-start");
  fs.mkdirSync(cwd, { recursive: true });
  const tslabArgv = [process.execPath, path.join(ROOT, "node_modules", "tslab", "bin", "tslab"), "kernel", "--config-path"];
  const graftArgv = [process.execPath, KERNEL_MAIN, "--config-path"];
  const tslab = await firstReply("tslab", tslabArgv, cwd);
  const graft = await firstReply("graft", graftArgv, cwd);
  const tslabTf = await firstReply("tslab", tslabArgv, cwd, 'import * as tf from "@tensorflow/tfjs";\ntf.zeros([2]).shape');
  const graftTf = await firstReply("graft", graftArgv, cwd, "tf.zeros([2]).shape");
  const ratio = graft / tslab;
  const line = (what: string, t: number, g: number) =>
    console.log(`  ${what.padEnd(26)} tslab ${t.toFixed(0).padStart(5)} ms   graft ${g.toFixed(0).padStart(5)} ms   ratio ${(g / t).toFixed(2)}x`);
  console.log("kernel launch → first execute_reply (one run each; graft: graft loaded, wasm backend ready)");
  line('first cell "1 + 1"', tslab, graft);
  line("first cell using tfjs", tslabTf, graftTf);
  console.log(`target: first reply <= 1.20x tslab: ${ratio <= 1.2 ? "met" : "NOT met"} (${ratio.toFixed(2)}x)`);
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
