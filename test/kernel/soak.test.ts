// Soak (soak_cycles.py): GRAFT_SOAK_CYCLES (default 10; the full soak is 50) cycles of start →
// execute → interrupt → restart → execute → shutdown under Debian's jupyter_client. Every kernel
// process must exit by itself with code 0 and print no native abort text ("corrupted
// double-linked list", "free(): …", V8's FATAL ERROR) on stderr. A cycle (two kernel starts)
// took 7 s on a shared 2-core machine: the default keeps CI near a minute and a half.
import { test, before } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { CLI, ROOT, ensureBuilt } from "./_build";

before(() => ensureBuilt());

const CYCLES = Number(process.env.GRAFT_SOAK_CYCLES ?? 10);

/** One JSON line per cycle: `problems` (how a process ended, abort text), `cells` (cell replies). */
let cycles: Array<{ cycle: number; problems: string[]; cells: string[] }> = [];

test(`${CYCLES} kernel start → execute → interrupt → restart → shutdown cycles: zero abnormal exits`, () => {
  assert.ok(Number.isInteger(CYCLES) && CYCLES > 0, `GRAFT_SOAK_CYCLES must be a positive whole number: got ${process.env.GRAFT_SOAK_CYCLES}`);
  const prefix = fs.mkdtempSync(path.join(os.tmpdir(), "graft-soak-"));
  const inst = spawnSync(process.execPath, [CLI, "install", "--prefix", prefix], { encoding: "utf8" });
  assert.equal(inst.status, 0, inst.stderr);
  const r = spawnSync("/usr/bin/python3", [path.join(ROOT, "test", "kernel", "soak_cycles.py"), String(CYCLES)], {
    encoding: "utf8",
    env: { ...process.env, JUPYTER_PATH: path.join(prefix, "share", "jupyter") },
    timeout: CYCLES * 120_000,
  });
  fs.rmSync(prefix, { recursive: true, force: true });
  const lines = r.stdout.trim().split("\n").filter((l) => l.startsWith("{")).map((l) => JSON.parse(l));
  cycles = lines.filter((l) => l.cycle !== undefined);
  const bad = lines.filter((l) => l.problems?.length);
  assert.deepEqual(bad, [], `abnormal cycles:\n${JSON.stringify(bad, null, 1)}\n${r.stderr}`);
  assert.equal(r.status, 0, `${r.stdout}${r.stderr}`);
  const summary = lines[lines.length - 1];
  assert.deepEqual([summary.cycles, summary.abnormal], [CYCLES, 0]);
  console.log(`soak: ${CYCLES} cycles in ${summary.seconds} s, 0 abnormal exits, ${summary.cells_failed} cycles with a failed cell`);
});

test("every cell of the soak answered as expected: each interrupt with KeyboardInterrupt", () => {
  const failed = cycles.filter((c) => c.cells?.length);
  assert.deepEqual(failed, [], JSON.stringify(failed, null, 1));
});
