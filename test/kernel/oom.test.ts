// A runaway cell through Debian's jupyter_client (oom_restart.py): the kernel, installed with a
// 256 MiB heap, dies of "JavaScript heap out of memory"; Jupyter restarts it; the first cell of
// the new process says why, which cell, and how to raise the limit — once. A kernel killed with
// SIGKILL while busy is reported as killed from outside.
import { test, before } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { CLI, ROOT, ensureBuilt } from "./_build";
import { kernelHeapMB } from "../../kernel/_heap";

before(() => ensureBuilt());

test("a runaway allocation: the kernel dies of heap out of memory and the next start says so on the first cell", () => {
  const prefix = fs.mkdtempSync(path.join(os.tmpdir(), "graft-oom-"));
  const inst = spawnSync(process.execPath, [CLI, "install", "--prefix", prefix], { encoding: "utf8", env: { ...process.env, GRAFT_KERNEL_HEAP_MB: "256" } });
  assert.equal(inst.status, 0, inst.stderr);
  const spec = JSON.parse(fs.readFileSync(path.join(prefix, "share", "jupyter", "kernels", "graft", "kernel.json"), "utf8"));
  assert.ok(spec.argv.includes("--max-old-space-size=256"), JSON.stringify(spec.argv));
  const err = path.join(prefix, "kernel-stderr.txt");
  const r = spawnSync("/usr/bin/python3", [path.join(ROOT, "test", "kernel", "oom_restart.py"), err], {
    encoding: "utf8",
    env: { ...process.env, JUPYTER_PATH: path.join(prefix, "share", "jupyter") },
    timeout: 900_000,
  });
  const kernelErr = fs.existsSync(err) ? fs.readFileSync(err, "utf8") : "";
  fs.rmSync(prefix, { recursive: true, force: true });
  assert.equal(r.status, 0, `${r.stdout}${r.stderr}`);
  const out = JSON.parse(r.stdout.trim().split("\n").pop()!);
  // V8 counts the young generation on top of --max-old-space-size.
  assert.ok(Number(out.heap_limit_mb) >= 256 && Number(out.heap_limit_mb) < 400, out.heap_limit_mb);
  assert.equal(out.oom_exit, -6, "V8 aborts on heap out of memory");
  const [reply, stderr, result] = out.after_oom;
  assert.equal(reply.status, "ok");
  assert.equal(result, "2");
  assert.match(stderr, /^The previous kernel process \(pid \d+\) died of JavaScript heap out of memory \("[^"]*JavaScript heap out of memory"\) while running In \[3\]\.\n/);
  assert.ok(stderr.includes("That cell began:\n    const hog: number[][] = [];\n    while (true) hog.push("), stderr);
  assert.ok(stderr.includes("The kernel's heap limit is 256 MiB; for a bigger one, reinstall the kernel with GRAFT_KERNEL_HEAP_MB set (e.g. GRAFT_KERNEL_HEAP_MB=512 graft install)."), stderr);
  assert.match(kernelErr, /JavaScript heap out of memory/, "the dead kernel's own stderr (Jupyter's log) says it too");
  assert.deepEqual(out.second.slice(1), ["", "2"], "told once");
  assert.equal(out.keep.status, "error", "the new process has none of the old variables");
  assert.equal(out.kill_exit, -9);
  const [killReply, killErr] = out.after_kill;
  assert.equal(killReply.status, "ok");
  assert.match(killErr, /^The previous kernel process \(pid \d+\) ended while running In \[\d+\] and left no report: it was killed from outside/);
  assert.ok(killErr.includes("That cell began:\n    while (true) {}"), killErr);
});

test("the heap limit: half the memory within [512 MiB, 16 GiB], or GRAFT_KERNEL_HEAP_MB; a bad value is a RangeError", () => {
  const half = Math.floor(os.totalmem() / 2 / 2 ** 20);
  const mb = kernelHeapMB({});
  assert.ok(mb >= 512 && mb <= 16384 && mb <= Math.max(512, half), String(mb));
  assert.equal(kernelHeapMB({ GRAFT_KERNEL_HEAP_MB: "2048" }), 2048);
  for (const bad of ["abc", "1.5", "-1", "10"]) {
    assert.throws(() => kernelHeapMB({ GRAFT_KERNEL_HEAP_MB: bad }), { name: "RangeError", message: `GRAFT_KERNEL_HEAP_MB must be a whole number of MiB, at least 64: got "${bad}"` });
  }
});
