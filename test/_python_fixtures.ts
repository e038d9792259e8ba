/**
 * Fixtures written by a Python script (real PyTorch, torchvision, PIL) into a folder, once. Test
 * files run in parallel processes, so one of them writes under a lock directory while the others
 * wait; a lock older than `staleMinutes` is taken to be left by a crashed run.
 */
import { execFileSync } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";

export interface PythonFixtures {
  /** The folder the script writes into (its last argument). */
  dir: string;
  /** The script, run with Debian's /usr/bin/python3. */
  script: string;
  /** Whether the folder already holds what the script writes (e.g. a stamp newer than the script). */
  isFresh(): boolean;
  /** Interpreter flags before the script (e.g. `-W ignore`). */
  pythonArgs?: string[];
  staleMinutes?: number;
}

const sleep = (ms: number): void => void Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);

/** Runs `script dir` unless `isFresh()`, one process at a time. */
export function writePythonFixtures(f: PythonFixtures): void {
  const lock = `${f.dir}.lock`;
  fs.mkdirSync(path.dirname(f.dir), { recursive: true });
  for (;;) {
    if (f.isFresh()) return;
    try {
      fs.mkdirSync(lock);
      break;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== "EEXIST") throw err;
      const held = fs.statSync(lock, { throwIfNoEntry: false });
      if (held && Date.now() - held.mtimeMs > (f.staleMinutes ?? 10) * 60_000) fs.rmSync(lock, { recursive: true, force: true });
      else if (held) sleep(500);
    }
  }
  try {
    if (f.isFresh()) return;
    fs.rmSync(f.dir, { recursive: true, force: true });
    fs.mkdirSync(f.dir, { recursive: true });
    execFileSync("/usr/bin/python3", [...(f.pythonArgs ?? []), f.script, f.dir], { stdio: ["ignore", "inherit", "inherit"] });
  } finally {
    fs.rmSync(lock, { recursive: true, force: true });
  }
}
