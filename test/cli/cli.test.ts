// The `graft` command: install, usage errors, inspect's error for a missing file.
import { test, before } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { CLI, KERNEL_MAIN, ROOT, ensureBuilt } from "../kernel/_build";

const graft = (...args: string[]) => spawnSync(process.execPath, [CLI, ...args], { encoding: "utf8" });

before(() => ensureBuilt());

test("graft install --prefix registers the kernelspec 'graft' where Jupyter finds it", () => {
  const prefix = fs.mkdtempSync(path.join(os.tmpdir(), "graft-prefix-"));
  const r = graft("install", "--prefix", prefix);
  assert.equal(r.status, 0, r.stderr);
  const dir = path.join(prefix, "share", "jupyter", "kernels", "graft");
  assert.match(r.stdout, new RegExp(`installed kernelspec "graft" \\(TypeScript \\(graft\\)\\) in ${dir}`));
  const spec = JSON.parse(fs.readFileSync(path.join(dir, "kernel.json"), "utf8"));
  assert.equal(spec.display_name, "TypeScript (graft)");
  assert.equal(spec.language, "typescript");
  assert.deepEqual(spec.argv, [process.execPath, spec.argv[1], KERNEL_MAIN, "--config-path", "{connection_file}"]);
  assert.match(spec.argv[1], /^--max-old-space-size=\d+$/);
  const list = spawnSync("/usr/bin/jupyter", ["kernelspec", "list", "--json"], {
    encoding: "utf8",
    env: { ...process.env, JUPYTER_PATH: path.join(prefix, "share", "jupyter") },
  });
  assert.equal(JSON.parse(list.stdout).kernelspecs.graft.resource_dir, dir);
  fs.rmSync(prefix, { recursive: true, force: true });
});

test("graft install refuses --user together with --prefix", () => {
  const r = graft("install", "--user", "--prefix", "/tmp/x");
  assert.equal(r.status, 1);
  assert.match(r.stderr, /graft: Cannot install with both --user and --prefix: pick one/);
});

test("graft with no or an unknown command prints the usage and exits 2", () => {
  const r = graft("frobnicate");
  assert.equal(r.status, 2);
  assert.match(r.stderr, /unknown command "frobnicate"[\s\S]*graft run NOTEBOOK/);
  assert.equal(graft().status, 2);
  const h = graft("--help");
  assert.equal(h.status, 0);
  assert.match(h.stdout, /graft install \[--user \| --prefix DIR\]/);
});

test("graft run and graft inspect say which file is missing", () => {
  const r = graft("run", "/nonexistent/x.ipynb");
  assert.equal(r.status, 1);
  assert.match(r.stderr, /Cannot run \/nonexistent\/x\.ipynb: no such file/);
  const i = graft("inspect", "/nonexistent/w.pt");
  assert.equal(i.status, 1);
  assert.match(i.stderr, /Cannot inspect \/nonexistent\/w\.pt: no such file/);
});

test("graft inspect FILE [--json] lists a real PyTorch checkpoint's tensors", () => {
  const dir = path.join(ROOT, "test", ".fixtures", "kernel");
  const script = path.join(ROOT, "test", "fixtures", "make_kernel_fixtures.py");
  const file = path.join(dir, "mlp.pt");
  if (!fs.existsSync(file) || fs.statSync(file).mtimeMs < fs.statSync(script).mtimeMs) spawnSync("/usr/bin/python3", [script, dir]);
  const j = graft("inspect", file, "--json");
  assert.equal(j.status, 0, j.stderr);
  const s = JSON.parse(j.stdout);
  assert.equal(s.format, "torch-zip");
  assert.deepEqual(s.entries.map((e: { name: string; shape: number[] }) => [e.name, e.shape]), [["fc1.weight", [3, 4]], ["fc1.bias", [3]], ["fc2.weight", [2, 3]], ["fc2.bias", [2]]]);
  const t = graft("inspect", file);
  assert.equal(t.status, 0, t.stderr);
  assert.match(t.stdout, /fc1\.weight\s+\[3, 4\]\s+float32/);
});
