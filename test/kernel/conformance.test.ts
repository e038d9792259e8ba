// The official Jupyter conformance suite (jupyter_kernel_test 0.4.5, Debian) with every test enabled.
import { test, before } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { CLI, ROOT, ensureBuilt } from "./_build";

before(() => ensureBuilt());

test("jupyter_kernel_test: all 12 tests run and pass against the installed kernelspec 'graft'", () => {
  const prefix = fs.mkdtempSync(path.join(os.tmpdir(), "graft-conformance-"));
  const inst = spawnSync(process.execPath, [CLI, "install", "--prefix", prefix], { encoding: "utf8" });
  assert.equal(inst.status, 0, inst.stderr);
  const r = spawnSync("/usr/bin/python3", ["-m", "unittest", "-v", "conformance_test"], {
    cwd: path.join(ROOT, "test", "kernel"),
    encoding: "utf8",
    env: { ...process.env, JUPYTER_PATH: path.join(prefix, "share", "jupyter") },
  });
  fs.rmSync(prefix, { recursive: true, force: true });
  const out = `${r.stdout}${r.stderr}`;
  assert.equal(r.status, 0, out);
  assert.match(out, /Ran 12 tests/);
  assert.doesNotMatch(out, /skipped/i);
  assert.match(out, /\nOK\n/);
});
